"""Stage 1: read resources.yaml and stories/*.md into validated records.

Each record is checked on its own, so one bad record is reported and skipped while every other
problem in the same run is still found.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from reunify.content import explain, kept_yaml
from reunify.content.models import Campaign, DonationDrive, Event, Organization, Resource, Story, StoryText
from reunify.content.problems import Problems
from reunify.content.yamlsource import Document, read_text

NEWS_SNAPSHOT = "partner-news.json"
LINK_RESULTS = "link-check.json"  # written by `reunify links check`
MAX_BODY = 100_000  # characters of a story's text: some 15,000 words

# The lists in resources.yaml, in the order editors meet them, and the model of each item.
KINDS: dict[str, type[BaseModel]] = {
    "organizations": Organization,
    "resources": Resource,
    "drives": DonationDrive,
    "events": Event,
}
TOP_LEVEL = ("campaign", *KINDS, "terms")
ARCHIVE_SECTIONS = ("campaign", "drives", "events")
ARCHIVE_DIR = "archive"


@dataclass
class StoryTranslation:
    """stories/<id>.<language>.md: the story told in another language."""

    language: str
    meta: StoryText
    body: str
    file: Path
    body_line: int


@dataclass
class StoryFile:
    id: str
    meta: Story
    body: str
    file: Path
    body_line: int
    translations: dict[str, StoryTranslation] = field(default_factory=dict)
    # set on the copy made for another edition when the body is still the English one
    body_language: str | None = None


@dataclass
class Content:
    """Everything read from the repository, each record valid on its own."""

    root: Path
    campaign: Campaign | None = None
    organizations: list[Organization] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    drives: list[DonationDrive] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    stories: list[StoryFile] = field(default_factory=list)
    # (kind, id) -> (document, path of the record in it), for positioning later problems
    located: dict[tuple[str, str], tuple[Document, tuple]] = field(default_factory=dict)
    # ids of records that failed validation: references to them are not reported again
    rejected: set[tuple[str, str]] = field(default_factory=set)
    # earlier years' campaigns (archive/<year>.yaml), and the year each archived record belongs to
    archives: list[Campaign] = field(default_factory=list)
    campaign_of: dict[tuple[str, str], int] = field(default_factory=dict)
    # the partner-news snapshot written by `reunify feeds refresh`; None when there is none
    news: dict | None = None
    # what `reunify links check` last found, by address ({} when it has not been run)
    links: dict[str, dict] = field(default_factory=dict)
    # terms (topics, story themes) in other languages: {"es": {"visits": "visitas"}}
    terms: dict[str, dict[str, str]] = field(default_factory=dict)
    # the toolkit's words in each language (site_src/toolkit.yaml: `toolkit_text.load`)
    toolkit: dict = field(default_factory=dict)
    # resources.yaml could not be read or parsed: what follows from its records being missing
    # (unknown partners, untranslated terms) is not reported on top of its one error
    unreadable: bool = False

    def where(self, kind: str, record_id: str, *fields) -> tuple[Path, int | None, int | None]:
        doc, path = self.located[(kind, record_id)]
        line, column = doc.where(path + tuple(fields))
        return doc.file, line, column


def _validate(model, raw, doc: Document, path: tuple, record: str, problems: Problems):
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        explain.report(exc, model, doc, path, record, problems)
        return None


def load_resources(file: Path, content: Content, problems: Problems, *,
                   archive: bool = False) -> None:
    """Read resources.yaml, or (archive=True) an archived year's campaign, events and drives."""
    sections = ARCHIVE_SECTIONS if archive else TOP_LEVEL
    text = read_text(file, problems)
    doc = kept_yaml.parse(text, file, problems) if text is not None else None
    data = doc.data if doc is not None else None
    if doc is not None and not isinstance(data, dict):
        problems.add(file, 1, 1, f"expected the fields {', '.join(sections)}, found "
                     f"{explain.found(data)}", hint="see the example in README")
    if not isinstance(data, dict):
        content.unreadable = content.unreadable or not archive
        return
    for key in data:
        if key not in sections:
            line, column = doc.where((key,), key=True)
            guess = difflib.get_close_matches(str(key), sections, n=1)
            problems.add(file, line, column, f"unknown section {key!r}",
                         hint=f"did you mean `{guess[0]}`?" if guess else
                         "the sections are: " + ", ".join(sections))
    campaign = None
    if "campaign" not in data:
        problems.add(file, 1, 1, "required section `campaign` is missing",
                     hint="add the campaign block with year, theme and dates")
    else:
        campaign = _validate(Campaign, data["campaign"], doc, ("campaign",),
                             "campaign", problems)
    if archive and campaign is not None:
        content.archives.append(campaign)
    elif not archive:
        content.campaign = campaign
        if campaign is not None:
            content.located[("campaign", "campaign")] = (doc, ("campaign",))
    if not archive and "terms" in data:
        _load_terms(data["terms"], doc, content, problems)
    for kind, model in KINDS.items():
        if kind not in sections:
            continue
        items = data.get(kind) or []
        if not isinstance(items, list):
            line, column = doc.where((kind,))
            problems.add(file, line, column, f"expected a list of {kind}, found "
                         f"{explain.found(items)}", hint="start each record with `- id: …`")
            continue
        for index, raw in enumerate(items):
            path = (kind, index)
            label = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else \
                f"#{index + 1} of {kind}"
            record = _validate(model, raw, doc, path, label, problems)
            if record is None:
                content.rejected.add((kind, label))
                continue
            if (kind, record.id) in content.located:
                first_doc, first_path = content.located[(kind, record.id)]
                line, column = doc.where(path + ("id",))
                where = f"line {first_doc.where(first_path)[0]}"
                if first_doc.file != doc.file:
                    where = f"{problems._name(first_doc.file)} {where}"
                problems.add(file, line, column,
                             f"the id {record.id!r} is already used by another record of "
                             f"{kind} ({where})",
                             record=record.id, field="id", hint="give each record its own id")
                continue
            content.located[(kind, record.id)] = (doc, path)
            if campaign is not None and archive:
                content.campaign_of[(kind, record.id)] = campaign.year
            getattr(content, kind).append(record)


def _load_terms(raw, doc: Document, content: Content, problems: Problems) -> None:
    """`terms:` maps each language to {English term: translation} for topics and themes."""
    file = doc.file
    if not isinstance(raw, dict):
        line, column = doc.where(("terms",))
        problems.add(file, line, column, f"expected languages (es: …), found {explain.found(raw)}",
                     record="terms", hint="write `es:` on the next line, then `visits: visitas`")
        return
    for language, table in raw.items():
        line, column = doc.where(("terms", language), key=True)
        if not (isinstance(language, str) and re.fullmatch(r"[a-z]{2}", language)):
            problems.add(file, line, column, f"expected a two-letter language code such as es, "
                         f"found {language!r}", record="terms")
            continue
        if not isinstance(table, dict):
            problems.add(file, line, column, f"expected English terms with their translation "
                         f"(visits: visitas), found {explain.found(table)}",
                         record="terms", field=language)
            continue
        terms = content.terms.setdefault(language, {})
        for english, translated in table.items():
            if not isinstance(english, str) or not isinstance(translated, str) or \
                    not translated.strip():
                line, column = doc.where(("terms", language, english))
                problems.add(file, line, column, f"expected a translation as text, found "
                             f"{explain.found(translated)}", record="terms",
                             field=f"{language}.{english}",
                             hint="write the term, a colon and its translation")
                continue
            terms[english.strip().lower()] = translated.strip()


_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)


def _front_matter(file: Path, problems: Problems, text: str | None = None):
    """(document, full text, end of the front matter) or None, with the problem reported."""
    if text is None:
        text = read_text(file, problems)
    if text is None:
        return None
    match = _FRONT.match(text)
    if not match:
        problems.add(file, 1, 1, "expected the story to start with front matter between two "
                     "`---` lines, found none", hint="copy the top of an existing story")
        return None
    doc = kept_yaml.parse(match[1], file, problems, line_offset=1)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        problems.add(file, 2, 1, "expected front matter fields (title, date, …), found "
                     f"{explain.found(doc.data)}")
        return None
    return doc, text, match.end()


def load_story(file: Path, content: Content, problems: Problems) -> None:
    story_id = file.stem
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", story_id):
        problems.add(file, None, None, f"expected a file name of lower-case letters, digits and "
                     f"hyphens, found {file.name!r}",
                     hint="the file name becomes the story's address; rename it, e.g. "
                          + re.sub(r"[^a-z0-9]+", "-", story_id.lower()).strip("-") + ".md")
        return
    text = read_text(file, problems)
    if text is None:
        return
    # The live preview reads every story on each save; one unchanged is not parsed again.
    key = (str(file), str(problems.root), text)
    if key not in _PARSED:
        if len(_PARSED) > 20_000:
            _PARSED.clear()
        scratch = Problems(root=problems.root)
        found = _front_matter(file, scratch, text)
        meta = None
        if found is not None:
            meta = _validate(Story, found[0].data, found[0], (), story_id, scratch)
        _PARSED[key] = (scratch.items, found, meta)
    items, found, meta = _PARSED[key]
    problems.items.extend(items)
    if found is None:
        return
    doc, text, end = found
    body_line = text[:end].count("\n") + 1
    if len(text) - end > MAX_BODY:
        problems.add(file, body_line, None, f"expected a story of at most {MAX_BODY:,} "
                     f"characters, found {len(text) - end:,}", record=story_id, field="body",
                     hint="a story is read on a phone: tell it in a few screens")
        meta = None
    if meta is None:
        content.rejected.add(("stories", story_id))
        return
    content.located[("stories", story_id)] = (doc, ())
    content.stories.append(StoryFile(story_id, meta, text[end:], file, body_line))


_PARSED: dict[tuple, tuple] = {}  # (file, root, text) -> (problems, front matter, model)


TRANSLATION_FILE = re.compile(r"(?P<id>[^.]+)\.(?P<language>[a-z]{2})")


def load_story_translation(file: Path, content: Content, problems: Problems) -> None:
    """stories/<id>.<language>.md, attached to the story it translates."""
    name = TRANSLATION_FILE.fullmatch(file.stem)
    story_id, language = name["id"], name["language"]
    story = next((s for s in content.stories if s.id == story_id), None)
    if story is None:
        if ("stories", story_id) not in content.rejected:
            problems.add(file, None, None, f"expected the translation of a story, but there is no "
                         f"stories/{story_id}.md", record=story_id,
                         hint="name the file after the English story: <story>.<language>.md")
        return
    found = _front_matter(file, problems)
    if found is None:
        content.rejected.add((f"stories.{language}", story_id))
        return
    doc, text, end = found
    label = f"{story_id} ({language})"
    meta = _validate(StoryText, doc.data, doc, (), label, problems)
    if meta is None:  # its own errors say what is missing: not "no translation" as well
        content.rejected.add((f"stories.{language}", story_id))
        return
    content.located[(f"stories.{language}", story_id)] = (doc, ())
    story.translations[language] = StoryTranslation(language, meta, text[end:], file,
                                                    text[:end].count("\n") + 1)


def _written(file: Path, problems: Problems, *, key: str, what: str, command: str) -> dict | None:
    """A JSON file a command writes and builds read (the news snapshot, the link check's
    results): its data, or None with the problem reported (damaged, or not that file)."""
    text = read_text(file, problems)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(file, exc.lineno, exc.colno, f"the file is damaged ({exc.msg}), so {what} "
                     "cannot be read",
                     hint=f"run `{command}` to write it again, or restore it with git")
        return None
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        problems.add(file, 1, 1, f"expected {what} written by `{command}`",
                     hint=f"run `{command}` to write it again")
        return None
    return data


def write_json(path: Path, data: dict) -> None:
    """Write such a file atomically (an interrupted command never leaves half a file), sorted
    and indented, so that its changes read well in git."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    temporary.replace(path)


def load_news(file: Path, content: Content, problems: Problems) -> None:
    data = _written(file, problems, key="feeds", what="the news snapshot",
                    command="reunify feeds refresh")
    if data is not None:
        content.news = data


def load_link_results(file: Path, content: Content, problems: Problems) -> None:
    data = _written(file, problems, key="links", what="the link check's results",
                    command="reunify links check")
    if data is None:
        return
    kept = {}
    for url, entry in data["links"].items():
        wrong = _link_result_problem(entry)
        if wrong:
            problems.add(file, None, None, f"the result for {url} is damaged: {wrong}",
                         hint="run `reunify links check` to write it again")
        else:
            kept[url] = entry
    content.links = kept


LINK_OUTCOMES = ("ok", "moved", "broken", "blocked", "unreachable", "busy")


def _link_result_problem(entry) -> str | None:
    from datetime import datetime

    if not isinstance(entry, dict):
        return f"expected the fields a check writes, found {explain.found(entry)}"
    if entry.get("outcome") not in LINK_OUTCOMES:
        return f"expected an outcome ({', '.join(LINK_OUTCOMES)}), found {entry.get('outcome')!r}"
    for name in ("checked", "last_worked", "failing_since"):
        value = entry.get(name)
        if name == "checked" or value is not None:
            try:
                datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError:
                return f"expected {name} to be a date and time, found {value!r}"
    return None


def load_records(root: Path, problems: Problems, *,
                 resources: str = "resources.yaml") -> Content:
    """resources.yaml, the archived years and the news snapshot: everything but the stories."""
    content = Content(root=root)
    resources_file = root / resources
    if resources_file.exists():
        load_resources(resources_file, content, problems)
    else:
        problems.add(resources_file, None, None, "the file is missing",
                     hint="create it from the example in README")
    for file in sorted((root / ARCHIVE_DIR).glob("*.yaml")):
        load_resources(file, content, problems, archive=True)
    if (root / NEWS_SNAPSHOT).exists():
        load_news(root / NEWS_SNAPSHOT, content, problems)
    if (root / LINK_RESULTS).exists():
        load_link_results(root / LINK_RESULTS, content, problems)
    return content


def record_files(root: Path, resources: str = "resources.yaml") -> list[Path]:
    """The files `load_records` reads, to tell whether it must read them again."""
    return [root / resources, *sorted((root / ARCHIVE_DIR).glob("*.yaml")), root / NEWS_SNAPSHOT,
            root / LINK_RESULTS]


def load_stories(root: Path, content: Content, problems: Problems, *,
                 stories: str = "stories") -> None:
    story_dir = root / stories
    files = sorted(story_dir.glob("*.md")) if story_dir.is_dir() else []
    translations = [file for file in files if TRANSLATION_FILE.fullmatch(file.stem)]
    translated = set(translations)
    for file in files:
        if file not in translated:
            load_story(file, content, problems)
    for file in translations:
        load_story_translation(file, content, problems)


def load(root: Path, problems: Problems, *, resources: str = "resources.yaml",
         stories: str = "stories") -> Content:
    """Read all content below `root`; problems are collected, never raised."""
    content = load_records(root, problems, resources=resources)
    load_stories(root, content, problems, stories=stories)
    return content
