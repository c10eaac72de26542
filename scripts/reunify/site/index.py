"""Stage 3: the indexes that pages are built from (by theme, year, audience, state, date…).

Pure data: nothing here knows about HTML or MkDocs.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from anyascii import anyascii
from slugify import slugify as _slugify

from reunify.content.geography import NATIONAL
from reunify.content.load import Content, StoryFile
from reunify.content.models import Campaign, DonationDrive, Event, Organization, Resource
from reunify.content.validate import consent_problem

RELATED_RESOURCES = 4


@lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """A term's address segment. Remembered: a national hub asks for the same few dozen topics
    over a hundred thousand times a build."""
    return _slugify(text)


@dataclass
class Facet:
    """A group of records sharing one value (a theme, a topic, a state…)."""

    slug: str
    label: str
    items: list = field(default_factory=list)


def _facets(records, values_of) -> list[Facet]:
    groups: dict[str, Facet] = {}
    for record in records:
        for value in values_of(record):
            slug = slugify(str(value))
            groups.setdefault(slug, Facet(slug, str(value))).items.append(record)
    return sorted(groups.values(), key=lambda facet: facet.label.lower())


@dataclass
class NewsItem:
    """One partner news entry from the snapshot, with the organisation it came from."""

    organization: Organization
    title: str
    link: str | None
    published: datetime
    dated: bool
    summary: str
    author: str | None


@dataclass
class CampaignYear:
    """One June's campaign with what belonged to it; past years come from archive/."""

    campaign: Campaign
    current: bool
    stories: list[StoryFile]
    events: list[Event]
    drives: list[DonationDrive]


def _campaign_years(campaigns: list[Campaign], starts, ends, current: int) -> set[int]:
    """The Junes a drive or event still in resources.yaml belongs to: every campaign it
    overlaps, else the one of the year it started in, else this year's. (A drive that ran in
    June 2026 and still collects after the rollover to 2027 stays on /2026/.)"""
    overlapping = {c.year for c in campaigns if starts <= c.ends and ends >= c.starts}
    if overlapping:
        return overlapping
    return {starts.year if any(c.year == starts.year for c in campaigns) else current}


def _years(content: Content, stories: list[StoryFile], events: list[Event],
           drives: list[DonationDrive]) -> list[CampaignYear]:
    current = content.campaign.year
    year_of = content.campaign_of
    campaigns = [content.campaign, *content.archives]

    def years_of(kind, record, starts, ends) -> set[int]:
        archived = year_of.get((kind, record.id))
        return {archived} if archived is not None else \
            _campaign_years(campaigns, starts, ends, current)

    event_years = {e.id: years_of("events", e, e.starts.date(), e.ends.date()) for e in events}
    drive_years = {d.id: years_of("drives", d, d.starts, d.ends) for d in drives}
    years = []
    for campaign in campaigns:
        this = campaign.year
        years.append(CampaignYear(
            campaign, this == current,
            [s for s in stories if s.meta.campaign_year == this],
            [e for e in events if this in event_years[e.id]],
            [d for d in drives if this in drive_years[d.id]]))
    return sorted(years, key=lambda y: y.campaign.year, reverse=True)


NEWS_ON_PAGE = 50
NEWS_PER_ORG = 5


def _news(content: Content, org_by_id: dict) -> tuple[list[NewsItem], datetime | None]:
    """Entries of partners that still list a feed, newest first. The snapshot is a file in the
    repository, so its fields are checked again here rather than trusted."""
    from reunify.content.feeds import _link, parse_iso
    from reunify.content.sanitize import clean_html

    snapshot = content.news or {}
    items = []
    for org_id, state in (snapshot.get("feeds") or {}).items():
        org = org_by_id.get(org_id)
        if org is None or not org.feed_url or not isinstance(state, dict):
            continue
        for entry in state.get("entries") or []:
            try:
                published = parse_iso(entry["published"])
                items.append(NewsItem(org, str(entry["title"]), _link(entry.get("link")),
                                      published, bool(entry.get("dated", True)),
                                      clean_html(str(entry.get("summary") or ""), images=False),
                                      entry.get("author")))
            except (KeyError, TypeError, ValueError):
                continue
    items.sort(key=lambda item: item.published, reverse=True)
    refreshed = snapshot.get("refreshed")
    return items, parse_iso(refreshed) if refreshed else None


@dataclass
class Site:
    """Validated content, organised the way pages need it."""

    content: Content
    today: date
    stories: list[StoryFile]
    withheld: list[tuple[StoryFile, str]]
    stories_by_theme: list[Facet]
    stories_by_year: list[Facet]
    resources: list[Resource]
    resources_by_audience: list[Facet]
    resources_by_topic: list[Facet]
    resources_by_format: list[Facet]
    organizations: list[Organization]
    organizations_by_state: list[Facet]
    national_organizations: list[Organization]
    active_drives: list[DonationDrive]
    past_drives: list[DonationDrive]
    upcoming_events: list[Event]
    past_events: list[Event]
    org_by_id: dict[str, Organization]
    related: dict[str, list[Resource]]
    resources_by_publisher: dict[str, list[Resource]]
    stories_by_org: dict[str, list[StoryFile]]
    news: list[NewsItem] = field(default_factory=list)
    news_by_org: dict[str, list[NewsItem]] = field(default_factory=dict)
    news_refreshed: datetime | None = None
    years: list[CampaignYear] = field(default_factory=list)
    # what each state has: every state (and DC, Puerto Rico…) with a record of any kind
    states: dict[str, "StateRecords"] = field(default_factory=dict)

    @property
    def campaign(self):
        return self.content.campaign


@dataclass
class StateRecords:
    """What a state's page and its tile on the map show. National records are left out (they
    are on every state's page as "nationwide"); an event is in the states its organizer serves."""

    partners: list = field(default_factory=list)
    drives: list = field(default_factory=list)  # collecting now
    events: list = field(default_factory=list)  # still to come
    stories: list = field(default_factory=list)
    resources: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return (len(self.partners) + len(self.drives) + len(self.events) + len(self.stories)
                + len(self.resources))


def _states(organizations, drives, events, stories, resources, org_by_id) -> dict:
    found: dict[str, StateRecords] = defaultdict(StateRecords)
    for org in organizations:
        for code in org.states:
            if code != NATIONAL:
                found[code].partners.append(org)
    for drive in drives:
        for code in drive.states:
            if code != NATIONAL:
                found[code].drives.append(drive)
    for event in events:
        organizer = org_by_id.get(event.organizer)
        for code in organizer.states if organizer else []:
            if code != NATIONAL:
                found[code].events.append(event)
    for story in stories:
        if story.meta.state != NATIONAL:
            found[story.meta.state].stories.append(story)
    for resource in resources:
        for code in resource.states:
            if code != NATIONAL:
                found[code].resources.append(resource)
    return dict(found)


_SIGNS = "".join(chr(c) for c in range(128) if not chr(c).isalnum())


def sort_key(text) -> str:
    """How A to Z lists order names and titles: accents and other scripts folded (Á with A,
    not after Z), case ignored, a leading sign ("¿", a quote) skipped."""
    folded = anyascii(str(text)).casefold()
    return folded.lstrip(_SIGNS)


def first_letter(text) -> str:
    """The letter an A to Z list files a name under (its `sort_key`'s first), "#" for a digit
    or a name with no letter."""
    key = sort_key(text)
    return key[0].upper() if key[:1].isalpha() else "#"


def event_start(event: Event) -> datetime:
    return event.starts.replace(tzinfo=ZoneInfo(event.timezone))


def event_end(event: Event) -> datetime:
    return event.ends.replace(tzinfo=ZoneInfo(event.timezone))


def build(content: Content, today: date) -> Site:
    published, withheld = [], []
    for story in content.stories:
        reason = consent_problem(story, today)
        (withheld.append((story, reason)) if reason else published.append(story))
    published.sort(key=lambda s: (s.meta.date, s.id), reverse=True)

    resources = sorted(content.resources, key=lambda r: (sort_key(r.title), r.id))
    topic_index: dict[str, list[Resource]] = defaultdict(list)
    for resource in resources:
        for topic in resource.topics:
            topic_index[slugify(topic)].append(resource)
    related = {}
    for story in published:
        seen: dict[str, Resource] = {}
        for theme in story.meta.themes:
            for resource in topic_index.get(slugify(theme), []):
                if len(seen) == RELATED_RESOURCES:
                    break
                seen.setdefault(resource.id, resource)
        related[story.id] = list(seen.values())

    organizations = sorted(content.organizations, key=lambda o: (sort_key(o.name), o.id))
    by_state = _facets([o for o in organizations if NATIONAL not in o.states],
                       lambda o: o.states)
    for facet in by_state:
        facet.slug = facet.label.lower()
    drives = sorted(content.drives, key=lambda d: (d.ends, d.id))
    events = sorted(content.events, key=lambda e: (event_start(e), e.id))

    by_publisher: dict[str, list[Resource]] = defaultdict(list)
    for resource in resources:
        by_publisher[resource.publisher].append(resource)
    by_org: dict[str, list[StoryFile]] = defaultdict(list)
    for story in published:
        by_org[story.meta.organization].append(story)

    org_by_id = {o.id: o for o in organizations}
    news, refreshed = _news(content, org_by_id)
    news_by_org: dict[str, list[NewsItem]] = defaultdict(list)
    for item in news:
        if len(news_by_org[item.organization.id]) < NEWS_PER_ORG:
            news_by_org[item.organization.id].append(item)

    return Site(
        content=content,
        today=today,
        stories=published,
        withheld=withheld,
        stories_by_theme=_facets(published, lambda s: s.meta.themes),
        stories_by_year=sorted(_facets(published, lambda s: [s.meta.campaign_year]),
                               key=lambda f: f.label, reverse=True),
        resources=resources,
        resources_by_audience=_facets(resources, lambda r: r.audiences),
        resources_by_topic=_facets(resources, lambda r: r.topics),
        resources_by_format=_facets(resources, lambda r: [r.format]),
        organizations=organizations,
        organizations_by_state=by_state,
        national_organizations=[o for o in organizations if NATIONAL in o.states],
        active_drives=[d for d in drives if d.ends >= today],
        past_drives=sorted((d for d in drives if d.ends < today), key=lambda d: d.ends,
                           reverse=True),
        upcoming_events=[e for e in events if event_end(e).date() >= today],
        past_events=sorted((e for e in events if event_end(e).date() < today),
                           key=event_start, reverse=True),
        org_by_id=org_by_id,
        related=related,
        resources_by_publisher=dict(by_publisher),
        stories_by_org=dict(by_org),
        news=news[:NEWS_ON_PAGE],
        news_by_org=dict(news_by_org),
        news_refreshed=refreshed,
        years=_years(content, published, events, drives),
        states=_states(organizations, [d for d in drives if d.ends >= today],
                       [e for e in events if event_end(e).date() >= today], published,
                       resources, org_by_id),
    )
