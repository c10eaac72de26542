"""`reunify new-year 2027`: close one June's campaign and open the next, breaking no link.

The old campaign block, and the events and drives that have ended, move from resources.yaml to
archive/<old year>.yaml as text, comments and all; the build keeps publishing them (their pages
keep their addresses, /<old year>/ shows the campaign). Drives and events still running stay where
they are. The campaign block gets the new year, theme and dates; everything else in the file is
left exactly as it was.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from reunify.content.load import ARCHIVE_DIR
from reunify.content.yamlsource import end_of_node

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RolloverError(Exception):
    pass


@dataclass
class Plan:
    old_year: int
    archived_events: list[str]
    archived_drives: list[str]
    archive_file: Path


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _sections(root) -> dict[str, tuple]:
    return {key.value: (key, value) for key, value in root.value}


def _record_spans(text: str, sequence) -> list[tuple[str, int, int]]:
    """(id, start, end) character spans of each record in a block sequence."""
    spans = []
    items = sequence.value
    for index, item in enumerate(items):
        start = _line_start(text, item.start_mark.index)
        end = _line_start(text, items[index + 1].start_mark.index) if index + 1 < len(items) \
            else end_of_node(text, item)
        record_id = next((v.value for k, v in item.value if k.value == "id"), "") \
            if isinstance(item, yaml.MappingNode) else ""
        spans.append((record_id, start, end))
    return spans


def _scalar(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000) \
        .removesuffix("\n...\n").strip()


def plan_and_apply(root: Path, new_year: int, theme: str, starts: date, ends: date,
                   tagline: str | None, today: date, ended_events: set[str],
                   ended_drives: set[str]) -> Plan:
    resources = root / "resources.yaml"
    text = resources.read_text(encoding="utf-8")
    node = yaml.compose(text, Loader=_Loader)
    sections = _sections(node)
    if "campaign" not in sections:
        raise RolloverError("resources.yaml has no campaign block")
    campaign_key, campaign_node = sections["campaign"]
    fields = {k.value: (k, v) for k, v in campaign_node.value}
    old_year = int(fields["year"][1].value)
    if new_year <= old_year:
        raise RolloverError(f"expected a year after {old_year}, found {new_year}")
    archive_file = root / ARCHIVE_DIR / f"{old_year}.yaml"
    if archive_file.exists():
        raise RolloverError(f"{archive_file.relative_to(root)} already exists")

    indent = " " * campaign_node.start_mark.column
    block_start = _line_start(text, campaign_node.start_mark.index)
    block_end = end_of_node(text, campaign_node)
    archive = [f"# {old_year} campaign, archived on {today} by `reunify new-year {new_year}`.\n"
               "# Its events and drives stay online at their addresses; edit with care.\n",
               "campaign:\n", text[block_start:block_end]]
    cuts = []  # (start, end) spans removed from resources.yaml
    moved = {"events": [], "drives": []}
    for kind, ended in (("events", ended_events), ("drives", ended_drives)):
        if kind not in sections or not isinstance(sections[kind][1], yaml.SequenceNode):
            continue
        chosen = [(rid, start, end) for rid, start, end in
                  _record_spans(text, sections[kind][1]) if rid in ended]
        if chosen:
            archive.append(f"\n{kind}:\n")
            for rid, start, end in chosen:
                archive.append(text[start:end].rstrip("\n") + "\n")
                cuts.append((start, end))
                moved[kind].append(rid)

    # New campaign values replace the old ones in place, keeping comments around them. The old
    # theme and tagline in other languages go with the old year; the name and figures stay.
    edits = list(cuts)
    if "translations" in fields and isinstance(fields["translations"][1], yaml.MappingNode):
        for _, text_node in fields["translations"][1].value:
            if not isinstance(text_node, yaml.MappingNode):
                continue
            for key, value_node in text_node.value:
                if key.value in ("theme", "tagline"):
                    edits.append((_line_start(text, key.start_mark.index),
                                  end_of_node(text, value_node)))
    replacements = {"year": str(new_year), "theme": _scalar(theme),
                    "starts": starts.isoformat(), "ends": ends.isoformat()}
    changes = []
    for name, value in replacements.items():
        key, value_node = fields[name]
        changes.append((value_node.start_mark.index,
                        end_of_node(text, value_node) - 1 if value_node.style in ("|", ">")
                        else value_node.end_mark.index, value))
    if "tagline" in fields:
        key, value_node = fields["tagline"]
        start = _line_start(text, key.start_mark.index)
        end = end_of_node(text, value_node)
        changes.append((start, end, f"{indent}tagline: {_scalar(tagline)}\n" if tagline else ""))
    elif tagline:
        key, value_node = fields["theme"]
        at = end_of_node(text, value_node)
        changes.append((at, at, f"{indent}tagline: {_scalar(tagline)}\n"))
    pieces = sorted([(s, e, "") for s, e in edits] + changes, key=lambda c: c[0], reverse=True)
    for start, end, replacement in pieces:
        text = text[:start] + replacement + text[end:]

    archive_file.parent.mkdir(exist_ok=True)
    archive_file.write_text("".join(archive), encoding="utf-8")
    resources.write_text(text, encoding="utf-8")
    return Plan(old_year, moved["events"], moved["drives"], archive_file)
