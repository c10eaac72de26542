"""The words of the campaign toolkit: `site_src/toolkit.yaml` (and `site_src/<language>/toolkit.yaml`).

Editors write the sample posts, proclamation, press release, flyer, planning timeline and release
form in plain YAML, with {placeholders} such as {theme} or {year} that the build fills from the
campaign block and each record. Placeholders are filled by name only (`fill`): the text is never
evaluated as a template, and a placeholder that does not exist is reported with its line.
"""
from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Annotated, Optional, get_args

from pydantic import AfterValidator, Field, model_validator

from reunify.content import editions
from reunify.content.models import ConsentScope, Consent, Line, Record, Text, _invalid
from reunify.content.problems import Problems
from reunify.content.yamlsource import Document, parse, read_text

FILE = "toolkit.yaml"

# What every text may use, and what each kind of post adds.
CAMPAIGN_PLACEHOLDERS = ("name", "year", "theme", "tagline", "hashtag", "host", "url", "starts",
                         "ends", "dates", "contact_email")
POST_PLACEHOLDERS = {
    "campaign": ("link",),
    "story": ("title", "quote", "by", "link"),
    "story_without_quote": ("title", "summary", "state", "link"),
    "drive": ("title", "organization", "progress", "ends_on", "link"),
    "event": ("title", "when", "where", "link"),
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _placeholders(value: str) -> str:
    try:
        list(string.Formatter().parse(value))
    except ValueError:
        raise _invalid("a { or } is not closed",
                       "placeholders are written {theme}; to show a brace write {{ or }}") from None
    return value


Words = Annotated[str, AfterValidator(_placeholders)]


class Post(Record):
    short: Words = Field(
        description="For X and Bluesky: kept within 280 characters, link included")
    long: Words = Field(description="For Facebook, LinkedIn and Instagram captions "
                        "(at most 2,200 characters)")


class Posts(Record):
    campaign: Post = Field(description="About the month itself")
    story: Post = Field(description="About a story whose family agreed to social media, "
                        "with its first pull quote")
    story_without_quote: Post = Field(description="About such a story that has no pull quote")
    drive: Post = Field(description="About a donation drive")
    event: Post = Field(description="About an event")


class Proclamation(Record):
    title: Words = Field(description="Heading of the sample proclamation")
    whereas: list[Words] = Field(min_length=1, description="The WHEREAS paragraphs")
    resolved: Words = Field(description="The proclaiming paragraph")
    signature: list[Words] = Field(default_factory=list, description="Lines to sign on")


class PressRelease(Record):
    headline: Words = Field(description="Headline")
    summary: Words = Field(description="One sentence under the headline")
    paragraphs: list[Words] = Field(min_length=1, description="The release, a paragraph each")
    about: Words = Field(description="About the host (the closing paragraph)")


class Flyer(Record):
    heading: Words = Field(description="Largest line of the poster")
    text: Words = Field(description="A sentence or two under it")
    call: Words = Field(description="What to do: visit the site (the QR code leads there)")


class Step(Record):
    weeks_before: Optional[Annotated[int, Field(ge=1, le=52)]] = Field(
        None, description="Weeks before the first day of the month")
    during: bool = Field(False, description="true for the month itself")
    weeks_after: Optional[Annotated[int, Field(ge=1, le=52)]] = Field(
        None, description="Weeks after its last day")
    title: Words = Field(description="What this step is")
    tasks: list[Words] = Field(min_length=1, description="What to do, a line each")

    @model_validator(mode="after")
    def _one_time(self):
        given = [self.weeks_before is not None, self.during, self.weeks_after is not None]
        if sum(given) != 1:
            raise _invalid("expected exactly one of weeks_before, during: true or weeks_after",
                           "a step is either some weeks before the month, during it, or "
                           "some weeks after it")
        return self


SCOPES: tuple[str, ...] = get_args(ConsentScope)
CONSENT_FIELDS: tuple[str, ...] = tuple(Consent.model_fields)


class ReleaseForm(Record):
    title: Words = Field(description="Heading of the release form")
    intro: list[Words] = Field(min_length=1, description="What the family is agreeing to")
    fields: dict[str, Words] = Field(description="A question for each consent field: "
                                     + ", ".join(CONSENT_FIELDS))
    scopes: dict[str, Words] = Field(description="A line for each place a story may appear: "
                                     + ", ".join(SCOPES))
    signature: list[Words] = Field(default_factory=list, description="Lines to sign on")

    @model_validator(mode="after")
    def _matches_consent(self):
        # what a family signs is what the build enforces: one question per field of the
        # stories' consent block and one box per scope, no more and no fewer
        for name, given, wanted in (("fields", self.fields, CONSENT_FIELDS),
                                    ("scopes", self.scopes, SCOPES)):
            missing = [key for key in wanted if key not in given]
            extra = [key for key in given if key not in wanted]
            if missing or extra:
                found = ", ".join(given) or "none"
                raise _invalid(f"expected `{name}` to have exactly {', '.join(wanted)} "
                               f"(the story consent block), found {found}",
                               (f"add {', '.join(missing)}" if missing else "") +
                               ("; " if missing and extra else "") +
                               (f"remove {', '.join(extra)}" if extra else ""))
        return self


class ToolkitText(Record):
    """Every word of the toolkit that is not the site's own interface text."""

    intro: Words = Field(description="The first paragraph of the toolkit page")
    posts: Posts
    proclamation: Proclamation
    press_release: PressRelease
    flyer: Flyer
    timeline: list[Step] = Field(min_length=1, description="The planning timeline")
    release_form: ReleaseForm


def file_for(root: Path, language: str) -> Path:
    folder = root / "site_src"
    return folder / FILE if language == editions.DEFAULT else folder / language / FILE


def _allowed(path: tuple) -> tuple[str, ...]:
    if path[:1] == ("posts",) and len(path) > 1:
        return CAMPAIGN_PLACEHOLDERS + POST_PLACEHOLDERS[path[1]]
    return CAMPAIGN_PLACEHOLDERS


def _walk(value, path=()):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, path + (index,))


def load(root: Path, problems: Problems) -> dict[str, ToolkitText]:
    """The toolkit's words in each edition that has them; problems are collected."""
    from pydantic import ValidationError

    from reunify.content import explain

    found = {}
    for language in editions.languages(root):
        file = file_for(root, language)
        if not file.exists():  # no toolkit (without the English words, in no edition)
            continue
        text = read_text(file, problems)
        doc = parse(text, file, problems) if text is not None else None
        if doc is None:
            continue
        try:
            words = ToolkitText.model_validate(doc.data)
        except ValidationError as exc:
            explain.report(exc, ToolkitText, doc, (), "", problems)
            continue
        if _unknown_placeholders(words, doc, problems):
            continue
        found[language] = words
    if editions.DEFAULT not in found:
        return {}
    return found


def _unknown_placeholders(words: ToolkitText, doc: Document, problems: Problems) -> bool:
    bad = False
    for path, value in _walk(words.model_dump()):
        allowed = _allowed(path)
        for name in _PLACEHOLDER.findall(value.replace("{{", "").replace("}}", "")):
            if name not in allowed:
                line, column = doc.where(path)
                problems.add(doc.file, line, column, f"unknown placeholder {{{name}}}",
                             field=".".join(map(str, path)),
                             hint="the placeholders here are " +
                             ", ".join(f"{{{n}}}" for n in allowed))
                bad = True
    return bad


def campaign_values(campaign, strings, url: str) -> dict[str, str]:
    """What {name}, {year}, {theme}… stand for (CAMPAIGN_PLACEHOLDERS), in an edition's words;
    `url` is the edition's address."""
    starts, ends = strings.date(campaign.starts), strings.date(campaign.ends)
    return {"name": str(campaign.name), "year": str(campaign.year), "theme": str(campaign.theme),
            "tagline": str(campaign.tagline or ""), "hashtag": campaign.hashtag,
            "host": str(campaign.host), "url": url, "starts": starts, "ends": ends,
            "dates": strings("home.dates", start=starts, end=ends),
            "contact_email": campaign.contact_email}


_TOKEN = re.compile(r"\{\{|\}\}|\{(\w+)\}")


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each {placeholder} replaced by its value, {{ and }} by single braces. Only
    plain names are replaced (`load` has refused any other), never attributes or formats."""
    def one(match: re.Match) -> str:
        if match[1] is None:
            return match[0][0]
        return str(values[match[1]])
    return _TOKEN.sub(one, text)
