"""The content model: one class per kind of record, one documented field a line.

These classes are the single source for validation (`load.py`), for the JSON Schema that editors'
YAML editors use, and for the field reference in README. Types carry an `Expect` note that says,
in an editor's words, what a valid value looks like; error messages quote it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from datetime import date, datetime
from typing import Annotated, Literal, Optional
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale, UnknownLocaleError
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from reunify.content.geography import NATIONAL, STATES, code_for_name
from reunify.content.sanitize import link_problem


class Expect:
    """What a valid value looks like, in plain words, for error messages and the schema."""

    def __init__(self, text: str):
        self.text = text


def _invalid(message: str, hint: str = "") -> PydanticCustomError:
    return PydanticCustomError("invalid", message, {"hint": hint})


def _text(value: str, limit: int = 5_000) -> str:
    if not value.strip():
        raise _invalid("expected some text, found an empty value")
    if len(value) > limit:
        raise _invalid(f"expected at most {limit:,} characters, found {len(value):,}",
                       "shorten it: a description is two or three sentences, a title one line"
                       if limit < 5_000 else "shorten it to a few paragraphs")
    return value


def _line(value: str) -> str:
    return _text(value, 300)


def _term(value: str) -> str:
    from slugify import slugify

    _text(value, 60)
    if not slugify(value):
        raise _invalid(f"expected a word or two with letters or digits, found {value!r}",
                       "themes and topics make addresses (/stories/themes/visits/): write "
                       "them in words")
    return value


def _slug(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value):
        suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
        raise _invalid(f"expected an id of lower-case letters, digits and hyphens, found {value!r}",
                       f"did you mean `{suggestion}`?" if suggestion else "")
    return value


def _url(value: str) -> str:
    parts = urlsplit(value.strip())
    if (parts.scheme in ("http", "https") and parts.netloc and " " not in value.strip()) or \
            (parts.scheme in ("mailto", "tel") and parts.path):
        problem = link_problem(value.strip())
        if problem:
            raise _invalid(f"{problem}, found {value!r}",
                           "give the plain address: https://example.org/… or "
                           "mailto:someone@example.org")
        return value.strip()
    hint = "web addresses start with https://"
    if "@" in value and not parts.scheme:
        hint = f"for an email address write mailto:{value.strip()}"
    elif not parts.scheme and "." in value:
        hint = f"did you mean `https://{value.strip()}`?"
    raise _invalid(f"expected a web address (https://…), mailto: or tel: link, found {value!r}",
                   hint)


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}", value.strip()):
        raise _invalid(f"expected an email address such as info@example.org, found {value!r}")
    return value.strip()


def _phone(value) -> str:
    text = str(value).strip()
    if not re.fullmatch(r"\+?[0-9()\-. ]{7,}(?:\s*(?:x|ext\.?)\s*\d+)?", text) or \
            sum(ch.isdigit() for ch in text) < 7:
        raise _invalid(f"expected a phone number such as 402-555-0100, found {text!r}",
                       "put the number in quotes")
    return text


def _state(value: str) -> str:
    text = str(value).strip()
    if text.upper() in STATES:
        return text.upper()
    if text.lower() == NATIONAL:
        return NATIONAL
    code = code_for_name(text)
    hint = f"write `{code}` for {text}" if code else "use the two-letter postal code, e.g. AL"
    raise _invalid(f"expected a two-letter US state code or `national`, found {text!r}", hint)


@lru_cache(maxsize=None)
def _known_language(code: str) -> bool:
    """Whether Babel knows the language `code` (asked once a code: Babel looks for a
    file each time, 0.2 s of loading a national hub's 10,000 resources)."""
    try:
        Locale.parse(code)
        return True
    except (UnknownLocaleError, ValueError):
        return False


def _language(value: str) -> str:
    text = str(value).strip().lower()
    if len(text) == 2 and _known_language(text):
        return text
    raise _invalid(f"expected a two-letter language code such as en or es, found {value!r}")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}  # reading the tz database takes seconds


def _timezone(value: str) -> str:
    try:
        if value in _zones():
            ZoneInfo(value)
            return value
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise _invalid(f"expected a time zone name such as America/Chicago, found {value!r}",
                   "see the 'TZ identifier' column of the tz database list")


def _file_size(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)\s*", str(value), re.IGNORECASE)
    if not match:
        raise _invalid(f"expected a size such as 282 KB or 1.5 MB, found {value!r}")
    factor = {"b": 1, "kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3}[match[2].lower()]
    return int(float(match[1]) * factor)


def _hashtag(value: str) -> str:
    if not re.fullmatch(r"#\w+", value.strip()):
        raise _invalid(f"expected a hashtag such as #ReunificationMonth, found {value!r}")
    return value.strip()


def _naive(value: datetime) -> datetime:
    if value.tzinfo is not None:
        raise _invalid("expected a local date and time without an offset, such as "
                       "2026-06-10 18:00, found one with an offset",
                       "write the local time and put the zone in `timezone`")
    return value


def _schema(description: str, **schema) -> WithJsonSchema:
    """What editors' YAML editors check as they type (the JSON Schema in schemas/)."""
    return WithJsonSchema({"type": "string", "description": description, **schema})


Text = Annotated[str, AfterValidator(_text), Expect("text")]
Line = Annotated[str, AfterValidator(_line), Expect("a line of text")]  # names and titles
Term = Annotated[str, AfterValidator(_term), Expect("a word or two")]  # themes and topics
Slug = Annotated[str, AfterValidator(_slug),
                 _schema("lower-case letters, digits and hyphens",
                         pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
                 Expect("an id of lower-case letters, digits and hyphens")]
Url = Annotated[str, AfterValidator(_url),
                _schema("a web address", pattern=r"^(https?://[^\s/]+|mailto:|tel:)"),
                Expect("a web address starting with https://")]
Email = Annotated[str, AfterValidator(_email), _schema("an email address", format="email"),
                  Expect("an email address")]
Phone = Annotated[str, BeforeValidator(_phone), Expect("a phone number such as 402-555-0100")]
State = Annotated[str, BeforeValidator(_state),
                  _schema("a two-letter US state code, or national",
                          enum=sorted(STATES) + [NATIONAL]),
                  Expect("a two-letter US state code or `national`")]
Language = Annotated[str, BeforeValidator(_language),
                     _schema("a two-letter language code", pattern="^[a-z]{2}$"),
                     Expect("a two-letter language code")]
TimeZone = Annotated[str, AfterValidator(_timezone), Expect("a time zone such as America/Chicago")]
FileSize = Annotated[int, BeforeValidator(_file_size),
                     WithJsonSchema({"description": "a size such as 282 KB", "anyOf": [
                         {"type": "integer", "minimum": 1},
                         {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*([KMG]?B)\s*$"}]}),
                     Expect("a size such as 282 KB")]
Hashtag = Annotated[str, AfterValidator(_hashtag), _schema("a hashtag", pattern=r"^#\w+$"),
                    Expect("a hashtag such as #Reunify")]
Day = Annotated[date, Expect("a date written 2026-06-15")]
LocalTime = Annotated[datetime, AfterValidator(_naive),
                      _schema("local date and time, 2026-06-10 18:00",
                              pattern=r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$"),
                      Expect("a local date and time written 2026-06-10 18:00")]
Count = Annotated[int, Field(ge=0), Expect("a whole number, 0 or more")]
Money = Annotated[float, Field(ge=0), Expect("an amount in dollars, such as 2500")]

Format = Literal["guide", "tip-sheet", "fact-sheet", "video", "webinar", "podcast", "toolkit",
                 "program", "training", "article", "collection", "report"]
Audience = Literal["birth-parents", "caregivers", "youth", "professionals", "communities"]
ConsentScope = Literal["web", "print", "social", "feeds"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _label(value):
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else value


class Point(Record):
    label: Annotated[str, BeforeValidator(_label), AfterValidator(_line),
                     WithJsonSchema({"type": ["string", "integer"],
                                     "description": "a year or a group, e.g. 2019"}),
                     Expect("a year or a short label")] = Field(
        description="What the value is for: a year, or a group")
    value: Annotated[float, Field(ge=0), Expect("a number, 0 or more")] = Field(
        description="The value, a number")


class Figure(Record):
    value: Line = Field(description="The figure as it should be shown, e.g. 'about 50%'")
    label: Line = Field(description="What the figure measures, in one sentence")
    source: Line = Field(description="Who published the figure")
    source_url: Optional[Url] = Field(None, description="Where the figure was published")
    series: list[Point] = Field(default_factory=list, max_length=30,
                                description="Values behind the figure, drawn as a bar chart: "
                                "`- {label: 2019, value: 47}`, one a line")


# -- translations ------------------------------------------------------------------------------
# A record's text in another edition of the site, under `translations: {es: {…}}`. Every field is
# optional: what is missing is shown in English, marked as such. Lists (services, items, figures)
# follow the order of the English list, one entry for each.


class FigureText(Record):
    value: Optional[Line] = Field(None, description="The figure as shown, e.g. 'cerca del 50 %'")
    label: Optional[Line] = Field(None, description="What the figure measures")


class CampaignText(Record):
    name: Optional[Line] = Field(None, description="Name of the campaign")
    theme: Optional[Line] = Field(None, description="This year's theme")
    tagline: Optional[Text] = Field(None, description="One sentence under the theme")
    figures: list[FigureText] = Field(default_factory=list,
                                      description="The figures, in the same order as in English")


class OrganizationText(Record):
    name: Optional[Line] = Field(None, description="Its name, only if it has one in this "
                                 "language; otherwise the name is shown as it is, marked English")
    description: Optional[Text] = Field(None, description="What it does")
    services: list[Line] = Field(default_factory=list,
                                 description="Services, in the same order as in English")


class ResourceText(Record):
    title: Optional[Line] = Field(None, description="Title, if the publisher gives one in this "
                                  "language; otherwise leave it out")
    description: Optional[Text] = Field(None, description="What a reader gets from it")


class DriveText(Record):
    title: Optional[Line] = Field(None, description="Name of the drive")
    description: Optional[Text] = Field(None, description="Who it helps and how")
    items: list[Line] = Field(default_factory=list,
                              description="Names of the goods, in the same order as in English")


class EventText(Record):
    title: Optional[Line] = Field(None, description="Name of the event")
    description: Optional[Text] = Field(None, description="What happens and who it is for")
    cost: Optional[Line] = Field(None, description="What it costs to attend")


def _translations(what: str):
    return Field(default_factory=dict,
                 description=f"The {what} in other languages: `es:` followed by the fields")


class Campaign(Record):
    """This year's campaign: the `campaign:` block of resources.yaml."""

    name: Line = Field("National Reunification Month", description="Name of the campaign")
    year: Annotated[int, Field(ge=2010, le=2100), Expect("a year such as 2026")] = Field(
        description="The campaign year")
    theme: Line = Field(description="This year's theme, shown on the home page")
    tagline: Optional[Text] = Field(None, description="One sentence under the theme")
    starts: Day = Field(description="First day of the campaign, usually June 1")
    ends: Day = Field(description="Last day of the campaign, usually June 30")
    hashtag: Hashtag = Field(description="Hashtag for social media")
    host: Line = Field(description="The organisation that publishes this site")
    host_url: Optional[Url] = Field(None, description="The host's website")
    contact_email: Email = Field(description="Where readers and partners write to the team")
    accessibility_email: Email = Field(
        description="Where readers ask for material in another format")
    report_url: Optional[Url] = Field(
        None, description="A form where the public reports a mistake on a page; without it, "
        "“Report a problem” writes an email to contact_email")
    figures: list[Figure] = Field(default_factory=list,
                                  description="National figures shown on the home page")
    translations: dict[Language, CampaignText] = _translations("campaign's texts")


class Organization(Record):
    """A partner organisation: an agency, charity or programme that helps families reunify."""

    id: Slug = Field(description="Permanent id; the page lives at /organizations/<id>/")
    name: Line = Field(description="The organisation's name")
    website: Url = Field(description="Home page")
    description: Text = Field(description="What it does, in two or three sentences")
    states: list[State] = Field(min_length=1, description="States served, or [national]")
    city: Optional[Line] = Field(None, description="City of its main office")
    services: list[Line] = Field(default_factory=list, description="Services it offers")
    donate_url: Optional[Url] = Field(None, description="Where to give money")
    volunteer_url: Optional[Url] = Field(None, description="Where to sign up to volunteer")
    phone: Optional[Phone] = Field(None, description="Public phone number")
    email: Optional[Email] = Field(None, description="Public email address")
    feed_url: Optional[Url] = Field(None, description="RSS or Atom feed of its news")
    last_verified: Day = Field(description="When an editor last checked these details")
    previous_ids: list[Slug] = Field(default_factory=list,
                                     description="Earlier ids; their old addresses redirect here")
    translations: dict[Language, OrganizationText] = _translations("name, description and services")


class Resource(Record):
    """A guide, video, programme or other resource for families or professionals."""

    id: Slug = Field(description="Permanent id; the page lives at /resources/<id>/")
    title: Line = Field(description="Title as its publisher gives it")
    url: Url = Field(description="Where to find it")
    publisher: Slug = Field(description="Id of the organisation that publishes it")
    format: Format = Field(description="What kind of resource it is")
    audiences: list[Audience] = Field(min_length=1, description="Who it is for")
    topics: list[Term] = Field(min_length=1, description="What it is about, a few words each")
    languages: list[Language] = Field(default_factory=lambda: ["en"],
                                      description="Languages it is available in")
    year: Optional[Annotated[int, Field(ge=1950, le=2100), Expect("a year such as 2021")]] = \
        Field(None, description="Year it was published")
    description: Text = Field(description="What a reader gets from it, in two or three sentences")
    file_type: Optional[Literal["pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx", "mp3",
                                "mp4", "zip"]] = Field(None, description="Type of a document")
    file_size: Optional[FileSize] = Field(None, description="Size of a document, e.g. 282 KB")
    states: list[State] = Field(default_factory=lambda: [NATIONAL],
                                description="States it applies to, or [national]")
    last_verified: Day = Field(description="When an editor last checked the link")
    previous_ids: list[Slug] = Field(default_factory=list,
                                     description="Earlier ids; their old addresses redirect here")
    translations: dict[Language, ResourceText] = _translations("title and description")


class Item(Record):
    name: Line = Field(description="What is needed, e.g. 'bath towels'")
    needed: Annotated[int, Field(ge=1), Expect("a whole number, 1 or more")] = Field(
        description="How many are needed")
    received: Count = Field(0, description="How many have been given so far")


class Place(Record):
    name: Line = Field(description="Name of the place")
    address: Optional[Line] = Field(None, description="Street address")
    hours: Optional[Line] = Field(None, description="Opening hours for drop-off")


class DonationDrive(Record):
    """A collection of goods or money for families who are reunifying."""

    id: Slug = Field(description="Permanent id; the page lives at /drives/<id>/")
    title: Line = Field(description="Name of the drive")
    organization: Slug = Field(description="Id of the organisation running it")
    description: Text = Field(description="Who it helps and how")
    items: list[Item] = Field(default_factory=list, description="Goods needed")
    goal_amount: Optional[Money] = Field(None, description="Money goal in dollars")
    raised_amount: Optional[Money] = Field(None, description="Money raised so far in dollars")
    starts: Day = Field(description="First day of the drive")
    ends: Day = Field(description="Last day of the drive; after it the drive is listed as past")
    drop_off: list[Place] = Field(default_factory=list, description="Where to bring goods")
    give_url: Optional[Url] = Field(None, description="Where to give online")
    states: list[State] = Field(min_length=1, description="States it serves, or [national]")
    previous_ids: list[Slug] = Field(default_factory=list,
                                     description="Earlier ids; their old addresses redirect here")
    translations: dict[Language, DriveText] = _translations("title, description and item names")


class Event(Record):
    """A campaign event: a celebration, webinar, training or court ceremony."""

    id: Slug = Field(description="Permanent id; the page lives at /events/<id>/")
    title: Line = Field(description="Name of the event")
    starts: LocalTime = Field(description="Local start, e.g. 2026-06-10 18:00")
    ends: LocalTime = Field(description="Local end, e.g. 2026-06-10 19:30")
    timezone: TimeZone = Field(description="Time zone of the times, e.g. America/Chicago")
    place: Optional[Place] = Field(None, description="Where it happens in person")
    online_url: Optional[Url] = Field(None, description="Link to join online")
    organizer: Slug = Field(description="Id of the organisation running it")
    registration_url: Optional[Url] = Field(None, description="Where to register")
    cost: Line = Field("Free", description="What it costs to attend")
    description: Text = Field(description="What happens and who it is for")
    previous_ids: list[Slug] = Field(default_factory=list,
                                     description="Earlier ids; their old addresses redirect here")
    translations: dict[Language, EventText] = _translations("title, description and cost")


class Quote(Record):
    text: Text = Field(description="The words, exactly as said")
    by: Line = Field(description="Who said it, by role only: 'a mother in Alabama'")


class Consent(Record):
    obtained: Day = Field(description="When the family gave written consent")
    expires: Day = Field(description="When the consent runs out; the story is then withdrawn")
    scope: list[ConsentScope] = Field(min_length=1,
                                      description="Where the story may appear; web is needed")
    image: bool = Field(False, description="Whether the family agreed to publish the image")


class StoryImage(Record):
    src: Line = Field(description="Image file, relative to the stories folder")
    alt: Line = Field(description="What the image shows, for people who cannot see it")


class Story(Record):
    """Front matter of a story in stories/<id>.md; the Markdown body follows it."""

    title: Line = Field(description="Headline")
    date: Day = Field(description="Date of publication")
    campaign_year: Annotated[int, Field(ge=2010, le=2100), Expect("a year such as 2026")] = \
        Field(description="Campaign year the story belongs to")
    organization: Slug = Field(description="Id of the organisation that shared the story")
    state: State = Field(description="State where the family lives")
    themes: list[Term] = Field(min_length=1, description="Themes, e.g. recovery, visits")
    summary: Text = Field(description="One or two sentences for cards and search results")
    quotes: list[Quote] = Field(default_factory=list, description="Pull quotes")
    consent: Consent = Field(description="The family's recorded consent")
    image: Optional[StoryImage] = Field(None, description="Photo or illustration")
    credit: Optional[Text] = Field(None, description="Where the story was first told")
    private_names: list[Line] = Field(default_factory=list,
                                      description="Names that must never appear in the story")
    privacy_exceptions: list[Line] = Field(
        default_factory=list,
        description="Text the privacy check may allow, e.g. an agency's public phone number")
    previous_ids: list[Slug] = Field(default_factory=list,
                                     description="Earlier file names; their addresses redirect here")


class StoryText(Record):
    """Front matter of a story's translation, stories/<id>.<language>.md; the translated body
    follows it. Consent, dates, places and images come from the original story."""

    title: Line = Field(description="Headline")
    summary: Text = Field(description="One or two sentences for cards and search results")
    quotes: list[Quote] = Field(default_factory=list,
                                description="Pull quotes, in the same order as in the original")
    image_alt: Optional[Line] = Field(None, description="What the image shows")
    credit: Optional[Text] = Field(None, description="Where the story was first told")
