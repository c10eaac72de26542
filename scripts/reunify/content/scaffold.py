"""`reunify new`: start a record with every field written out and explained.

Records are generated from the models in `models.py`, so a new field appears here by itself.
Required values are left empty (or set to the most cautious choice) so that `reunify check`
points at each one until the editor has filled it in; optional fields are commented out.
A new record is added to resources.yaml as text, after the last record of its section, so the
editor's comments, order and layout are untouched.
"""
from __future__ import annotations

import json
import types
from datetime import date
from pathlib import Path
from typing import Annotated, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined
from slugify import slugify

from reunify.content.load import KINDS
from reunify.content.models import Story
from reunify.content.yamlsource import end_of_node

NEW_KINDS = {"organization": "organizations", "resource": "resources", "drive": "drives",
             "event": "events"}


class ScaffoldError(Exception):
    pass


def _plain(annotation):
    """(base type, optional?) with Annotated and Optional stripped."""
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(get_args(annotation))
            annotation = args[0]
        else:
            return annotation, optional


def _expect(annotation, metadata) -> str:
    from reunify.content.explain import expected
    return expected(annotation, metadata)


def _least(metadata) -> int | float:
    """The smallest value a number field allows (a goal of at least 1, say), or 0."""
    for meta in metadata:
        for bound in ("ge", "gt"):
            value = getattr(meta, bound, None)
            if value is not None:
                return value if bound == "ge" else value + 1
    return 0


def _example(name: str, annotation, title: str, today: date, metadata=()):
    base, _ = _plain(annotation)
    if get_origin(base) is Annotated or get_origin(annotation) is Annotated:
        metadata = [*metadata, *get_args(annotation)[1:]]
    if name == "id":
        return slugify(title, max_length=60, word_boundary=True)
    if name == "title":
        return title
    if get_origin(base) is list:
        inner, _ = _plain(get_args(base)[0])
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return [_fields(inner, title, today)]
        return []
    if get_origin(base) is Literal:
        return None
    if isinstance(base, type) and issubclass(base, BaseModel):
        return _fields(base, title, today)
    if get_origin(base) is dict:
        return {}
    if base is bool:
        return False
    if name.endswith("year"):
        return today.year
    if base in (int, float):
        return _least(metadata)
    return ""


def _fields(model: type[BaseModel], title: str, today: date) -> list[tuple]:
    """(name, value, comment, required) for each field of `model`."""
    rows = []
    for name, info in model.model_fields.items():
        required = info.default is PydanticUndefined and info.default_factory is None
        comment = info.description or ""
        base, _ = _plain(info.annotation)
        if get_origin(base) is Literal:
            comment += " (one of: " + ", ".join(map(str, get_args(base))) + ")"
        elif get_origin(base) is list and get_origin(_plain(get_args(base)[0])[0]) is Literal:
            comment += " (any of: " + ", ".join(map(str, get_args(_plain(get_args(base)[0])[0]))) + ")"
        else:
            want = _expect(info.annotation, list(info.metadata))
            if want not in ("text", "a value") and not want.startswith("a group"):
                comment += f"; {want}"
        rows.append((name, _example(name, info.annotation, title, today, info.metadata),
                     comment, required))
    return rows


def _scalar(value) -> str:
    if value is None:
        return ""
    if value == {}:
        return "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if value == "":
        return '""'
    return json.dumps(value, ensure_ascii=False) if any(c in value for c in ":#'\"{}[]&*!|>%@`") \
        else value


def _emit(rows, indent: int, first_prefix: str = "") -> list[str]:
    lines = []
    for index, (name, value, comment, required) in enumerate(rows):
        pad = " " * indent
        lead = first_prefix if index == 0 and first_prefix else pad
        hash_ = "" if required else "# "
        if isinstance(value, list) and value and isinstance(value[0], list):
            lines.append(f"{lead}{hash_}{name}:  # {comment}")
            item_lines = _emit(value[0], indent + 4, " " * (indent + 2) + "- ")
            lines += [_commented(l, indent) if not required else l for l in item_lines]
        elif isinstance(value, list) and value and isinstance(value[0], tuple):
            lines.append(f"{lead}{hash_}{name}:  # {comment}")
            nested = _emit(value, indent + 2)
            lines += [_commented(l, indent) if not required else l for l in nested]
        elif isinstance(value, list):
            lines.append(f"{lead}{hash_}{name}: []  # {comment}")
        else:
            text = _scalar(value)
            lines.append(f"{lead}{hash_}{name}: {text}  # {comment}".replace(":   #", ":  #"))
    return lines


def _commented(line: str, indent: int) -> str:
    """A line of an optional group, commented out once (its own optional lines are already
    marked `# `: uncommenting the group should take one step, not two)."""
    body = line[indent:]
    stripped = body.lstrip(" -")
    if stripped.startswith("# "):
        start = len(body) - len(stripped)
        body = body[:start] + stripped[2:]
    return " " * indent + "# " + body


def record_text(kind: str, title: str, today: date) -> str:
    model = KINDS[NEW_KINDS[kind]]
    return "\n".join(_emit(_fields(model, title, today), 4, "  - ")) + "\n"


def story_text(title: str, today: date) -> str:
    rows = _fields(Story, title, today)
    rows = [(n, today.isoformat() if n == "date" else v, c, r) for n, v, c, r in rows]
    front = "\n".join(_emit(rows, 0))
    return (f"---\n{front}\n---\n"
            "Write the story here in Markdown. Describe people by their role (a mother in "
            "Alabama), never by name, and leave out addresses, phone numbers and dates of birth.\n")


def _insertion_point(text: str, section: str) -> int | None:
    """Index just after the last record of `section`, or None if there is no such section."""
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    for key, value in root.value if root is not None else []:
        if key.value != section:
            continue
        if isinstance(value, yaml.SequenceNode) and value.flow_style and not value.value:
            raise ScaffoldError(f"`{section}: []` is written inline; replace it with `{section}:`"
                                " and run the command again")
        return max(end_of_node(text, key), end_of_node(text, value))
    return None


def add_record(resources: Path, kind: str, title: str, today: date) -> str:
    if kind not in NEW_KINDS:
        raise ScaffoldError(f"expected one of: story, {', '.join(NEW_KINDS)}, found {kind!r}")
    section = NEW_KINDS[kind]
    text = resources.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    record = record_text(kind, title, today)
    at = _insertion_point(text, section)
    if at is None:
        text += f"\n{section}:\n{record}"
    else:
        # a blank line before the new record only where the file has one after the last
        blank = "\n" if text[at:at + 1] in ("\n", "") else ""
        text = text[:at] + blank + record + text[at:]
    resources.write_text(text, encoding="utf-8")
    return slugify(title, max_length=60, word_boundary=True)


def new_story(stories: Path, title: str, today: date) -> Path:
    slug = slugify(title, max_length=60, word_boundary=True)
    if not slug:
        raise ScaffoldError(f"expected a title with letters or digits, found {title!r}")
    path = stories / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path} already exists; choose another title or edit that file")
    stories.mkdir(parents=True, exist_ok=True)
    path.write_text(story_text(title, today), encoding="utf-8")
    return path
