"""Content for another edition: each record's text in that language, or its English text marked.

`localize(content, "es")` returns a copy of the content in which every translatable field holds
the Spanish text where the editors wrote one and, where they did not, the English text as an
`Untranslated` string. Templates print both the same way; an `Untranslated` string writes itself
as `<span lang="en">`, so screen readers switch voice and the page can say it is not yet
translated. `missing(content, language)` lists what is left to translate, record by record.
Plain Python: nothing here knows about HTML templates or MkDocs.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from markupsafe import Markup, escape

from reunify.content.load import Content, StoryFile

UNTRANSLATED_CLASS = "rf-untranslated"

# The fields of each kind that an edition translates, besides lists handled below.
FIELDS = {
    "campaign": ("name", "theme", "tagline"),
    "organizations": ("description",),
    "resources": ("description",),
    "drives": ("title", "description"),
    "events": ("title", "description", "cost"),
}
DEFAULT_COST = "Free"  # the model's default; editions say it from their catalogue


class InEnglish(str):
    """English text shown in another edition. As plain text (titles, JSON, search) it is the
    text itself; written into HTML it carries lang="en", so screen readers switch voice."""

    def __html__(self) -> str:
        return f'<span lang="en">{escape(str(self))}</span>'


class Untranslated(InEnglish):
    """English text that is waiting for its translation: the page says so."""

    def __html__(self) -> str:
        return f'<span lang="en" class="{UNTRANSLATED_CLASS}">{escape(str(self))}</span>'


def untranslated_block(html: str) -> Markup:
    """A whole block (a story's body, a hand-written page) still in English."""
    return Markup(f'<div lang="en" class="{UNTRANSLATED_CLASS}">{html}</div>')


def _text(english, translated):
    if english is None:
        return None
    return translated if translated else Untranslated(english)


def _list(english: list, translated: list) -> list:
    return [translated[i] if i < len(translated) and translated[i] else Untranslated(value)
            for i, value in enumerate(english)]


def _resource(resource, language: str):
    """A resource keeps its publisher's title unless the publisher gives one in the language;
    an English title is marked as English but is not a missing translation."""
    text = resource.translations.get(language)
    title = text.title if text and text.title else InEnglish(resource.title)
    return _record(resource, language, FIELDS["resources"], title=title)


def _organization(org, language: str):
    """An organisation's name is a proper name, English unless it has one in the language."""
    text = org.translations.get(language)
    return _record(org, language, FIELDS["organizations"],
                   name=text.name if text and text.name else InEnglish(org.name),
                   services=_list(org.services, text.services if text else []))


def _record(record, language: str, fields: tuple[str, ...], **lists):
    text = record.translations.get(language)
    update = {name: _text(getattr(record, name), getattr(text, name, None)) for name in fields}
    update.update(lists)
    return record.model_copy(update=update)


def _campaign(campaign, language: str):
    if campaign is None:
        return None
    text = campaign.translations.get(language)
    figures = []
    for index, figure in enumerate(campaign.figures):
        own = text.figures[index] if text and index < len(text.figures) else None
        figures.append(figure.model_copy(update={
            "value": _text(figure.value, own and own.value),
            "label": _text(figure.label, own and own.label)}))
    return _record(campaign, language, FIELDS["campaign"], figures=figures)


def _drive(drive, language: str):
    text = drive.translations.get(language)
    names = text.items if text else []
    items = [item.model_copy(update={"name": name})
             for item, name in zip(drive.items, _list([i.name for i in drive.items], names))]
    return _record(drive, language, FIELDS["drives"], items=items)


def _event(event, language: str, free: str):
    text = event.translations.get(language)
    copy = _record(event, language, FIELDS["events"])
    if event.cost == DEFAULT_COST and not (text and text.cost):
        copy = copy.model_copy(update={"cost": free})
    return copy


def _story(story: StoryFile, language: str) -> StoryFile:
    meta = story.meta
    own = story.translations.get(language)
    if own is None:
        update = {"title": Untranslated(meta.title), "summary": Untranslated(meta.summary),
                  "quotes": [q.model_copy(update={"text": Untranslated(q.text),
                                                  "by": Untranslated(q.by)})
                             for q in meta.quotes]}
        if meta.credit:
            update["credit"] = Untranslated(meta.credit)
        return dataclasses.replace(story, meta=meta.model_copy(update=update),
                                   body_language="en")
    quotes = [own.meta.quotes[i] if i < len(own.meta.quotes) else
              q.model_copy(update={"text": Untranslated(q.text), "by": Untranslated(q.by)})
              for i, q in enumerate(meta.quotes)]
    update = {"title": own.meta.title, "summary": own.meta.summary, "quotes": quotes,
              "credit": _text(meta.credit, own.meta.credit)}
    if meta.image is not None:
        update["image"] = meta.image.model_copy(
            update={"alt": own.meta.image_alt or meta.image.alt})
    return dataclasses.replace(story, meta=meta.model_copy(update=update), body=own.body,
                               body_line=own.body_line)


def localize(content: Content, language: str, *, free: str = DEFAULT_COST) -> Content:
    """A copy of the content for the `language` edition; `free` is how it says "Free"."""
    return dataclasses.replace(
        content,
        campaign=_campaign(content.campaign, language),
        archives=[_campaign(c, language) for c in content.archives],
        organizations=[_organization(o, language) for o in content.organizations],
        resources=[_resource(r, language) for r in content.resources],
        drives=[_drive(d, language) for d in content.drives],
        events=[_event(e, language, free) for e in content.events],
        stories=[_story(s, language) for s in content.stories],
    )


class Terms:
    """Topics and story themes in an edition's language, from the `terms:` section."""

    def __init__(self, content: Content, language: str, default: str):
        self.table = {} if language == default else content.terms.get(language, {})
        self.translate = language != default

    def __call__(self, term: str) -> str:
        if not self.translate:
            return term
        return self.table.get(str(term).strip().lower()) or Untranslated(term)


@dataclass
class Missing:
    """What one record still lacks in one language."""

    kind: str
    record_id: str
    fields: list[str]


def missing(content: Content, language: str) -> list[Missing]:
    """Every record with text not yet translated into `language`, and which fields."""
    found: list[Missing] = []

    def check(kind, record_id, pairs):
        fields = [name for name, english, translated in pairs if english and not translated]
        if fields:
            found.append(Missing(kind, record_id, fields))

    def lists(name, english, translated):
        return [(f"{name}[{i}]", value, translated[i] if i < len(translated) else None)
                for i, value in enumerate(english)]

    campaign = content.campaign
    if campaign is not None:
        text = campaign.translations.get(language)
        pairs = [(n, getattr(campaign, n), getattr(text, n, None)) for n in FIELDS["campaign"]]
        figures = text.figures if text else []
        for i, figure in enumerate(campaign.figures):
            own = figures[i] if i < len(figures) else None
            pairs += [(f"figures[{i}].value", figure.value, own and own.value),
                      (f"figures[{i}].label", figure.label, own and own.label)]
        check("campaign", "campaign", pairs)
    for kind in ("organizations", "resources", "drives", "events"):
        for record in getattr(content, kind):
            text = record.translations.get(language)
            pairs = [(n, getattr(record, n), getattr(text, n, None)) for n in FIELDS[kind]]
            if kind == "events" and record.cost == DEFAULT_COST:
                pairs = [p for p in pairs if p[0] != "cost"]
            if kind == "organizations":
                pairs += lists("services", record.services, text.services if text else [])
            if kind == "drives":
                pairs += lists("items", [i.name for i in record.items], text.items if text else [])
            check(kind, record.id, pairs)
    for story in content.stories:
        if language not in story.translations:
            found.append(Missing("stories", story.id, ["the whole story"]))
    terms = content.terms.get(language, {})
    used = sorted({t for r in content.resources for t in r.topics} |
                  {t for s in content.stories for t in s.meta.themes}, key=str.lower)
    untranslated = [term for term in used if term.strip().lower() not in terms]
    if untranslated:
        found.append(Missing("terms", language, untranslated))
    return found
