"""Feeds and calendars for readers to follow: Atom feeds of stories and resources (feedgen) and
iCalendar files of events (icalendar), at fixed addresses.

Only stories whose consent covers `feeds` are syndicated: a feed entry is copied into other
people's readers and cannot be withdrawn later the way a page can.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from feedgen.feed import FeedGenerator
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from reunify.site.index import Site, event_end, event_start

STORIES_FEED = "feeds/stories.xml"
RESOURCES_FEED = "feeds/resources.xml"
CALENDAR = "events.ics"
FEED_ENTRIES = 50


def _day(value) -> datetime:
    return datetime.combine(value, time(0), timezone.utc)


def _feed(site: Site, permalink, path: str, title: str, subtitle: str,
          language: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(permalink(path))
    feed.title(title)
    feed.subtitle(subtitle)
    feed.author({"name": site.campaign.host, "email": site.campaign.contact_email})
    feed.link(href=permalink(path), rel="self")
    feed.link(href=permalink(""), rel="alternate")
    feed.language(language)
    return feed


def feed_stories(site: Site) -> list:
    return [s for s in site.stories if "feeds" in s.meta.consent.scope][:FEED_ENTRIES]


def stories_feed(site: Site, permalink, t) -> bytes:
    feed = _feed(site, permalink, STORIES_FEED, t("stories.title"), t("stories.intro"),
                 t.language)
    stories = feed_stories(site)
    # The feed's date is that of its newest entry, so an unchanged site gives an unchanged feed.
    feed.updated(_day(max((s.meta.date for s in stories), default=site.campaign.starts)))
    for story in reversed(stories):  # feedgen puts the entry added last first
        entry = feed.add_entry()
        url = permalink(f"stories/{story.id}/")
        entry.id(url)
        entry.title(story.meta.title)
        entry.link(href=url)
        entry.published(_day(story.meta.date))
        entry.updated(_day(story.meta.date))
        entry.summary(story.meta.summary)
        for theme in story.meta.themes:
            entry.category(term=theme)
    return feed.atom_str(pretty=True)


def resources_feed(site: Site, permalink, t) -> bytes:
    feed = _feed(site, permalink, RESOURCES_FEED, t("resources.title"),
                 t("resources.intro"), t.language)
    newest = sorted(site.resources, key=lambda r: (r.last_verified, r.id),
                    reverse=True)[:FEED_ENTRIES]
    feed.updated(_day(max((r.last_verified for r in newest), default=site.campaign.starts)))
    for resource in reversed(newest):
        entry = feed.add_entry()
        url = permalink(f"resources/{resource.id}/")
        entry.id(url)
        entry.title(resource.title)
        entry.link(href=url)
        entry.link(href=resource.url, rel="related")
        entry.updated(_day(resource.last_verified))
        entry.summary(resource.description)
        entry.category(term=resource.format, label=t(f"formats.{resource.format}"))
    return feed.atom_str(pretty=True)


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//National Reunification Month hub//reunify//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def _vevent(site: Site, event, permalink, host: str) -> CalendarEvent:
    item = CalendarEvent()
    item.add("uid", f"{event.id}@{host}")
    item.add("dtstamp", _day(site.today))
    item.add("dtstart", event_start(event))
    item.add("dtend", event_end(event))
    item.add("summary", event.title)
    item.add("description", event.description)
    item.add("url", permalink(f"events/{event.id}/"))
    where = []
    if event.place:
        where.append(", ".join(filter(None, [event.place.name, event.place.address])))
    if event.online_url:
        where.append(event.online_url)
    if where:
        item.add("location", "; ".join(where))
    item.add("organizer", f"mailto:{site.campaign.contact_email}",
             parameters={"cn": site.org_by_id[event.organizer].name})
    return item


def _years(first: date, last: date) -> tuple[date, date]:
    """Time zone rules only for the years the events fall in, which keeps the files small."""
    return date(first.year, 1, 1), date(last.year + 1, 1, 1)


def _add_timezones(calendar, first: date, last: date) -> None:
    """The time zones the events use, in the order of their names (icalendar adds them in the
    order of a set, which changes from one run to the next: the same events gave other bytes,
    which hosts and caches take for a changed file)."""
    calendar.add_missing_timezones(*_years(first, last))
    zones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    others = [c for c in calendar.subcomponents if c.name != "VTIMEZONE"]
    calendar.subcomponents[:] = sorted(zones, key=lambda zone: str(zone.get("TZID"))) + others


def calendars(site: Site, permalink, host: str) -> dict[str, bytes]:
    """events.ics with every event, and events/<id>/event.ics for each 'add to calendar' link."""
    files = {}
    everything = _calendar()
    events = site.upcoming_events + site.past_events
    for event in events:
        single = _calendar()
        single.add_component(_vevent(site, event, permalink, host))
        _add_timezones(single, event.starts.date(), event.ends.date())
        files[f"events/{event.id}/event.ics"] = single.to_ical()
        everything.add_component(_vevent(site, event, permalink, host))
    if events:
        _add_timezones(everything, min(e.starts for e in events).date(),
                       max(e.ends for e in events).date())
    files[CALENDAR] = everything.to_ical()
    return files
