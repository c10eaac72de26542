"""The sample site, built once, checked the way a reader would find things."""
from __future__ import annotations

import hashlib
import posixpath
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from reunify.cli import main
from reunify.commands.build import build_site
from reunify.site.index import build
from reunify.content.load import load
from reunify.content.problems import Problems

from conftest import SAMPLE, STORY, TODAY, content, guides, page, parse, scratch_config


@pytest.fixture(scope="module")
def sample():
    problems = Problems(root=SAMPLE)
    loaded = load(SAMPLE, problems)
    assert problems.errors == []
    return build(loaded, TODAY)


def _links(soup, selector, attr):
    return [tag[attr] for tag in soup.select(selector)]


def _targets(page_url: str, soup, selector: str) -> list[str]:
    """Where the links a reader would follow lead, as addresses in the site."""
    found = []
    for tag in soup.select(selector):
        joined = posixpath.normpath(posixpath.join(page_url or ".", tag["href"]))
        found.append("" if joined == "." else joined + "/" * tag["href"].endswith("/"))
    return found


def _main_links(main):
    return {a["href"] for a in main.select("a[href]")}


def test_sample_content_meets_the_minimum(sample):
    assert len(sample.stories) >= 3
    assert len(sample.resources) >= 15
    assert len(sample.organizations) >= 6
    assert len(sample.active_drives + sample.past_drives) >= 2
    assert len(sample.upcoming_events + sample.past_events) >= 3


def test_home_page_moves_people(sample_site, sample):
    soup = page(sample_site, "")
    main = content(soup)
    assert main.h1.get_text(strip=True) == sample.campaign.theme
    actions = {a.get_text(strip=True): a["href"] for a in main.select(".rf-hero a")}
    assert actions == {"Read family stories": "stories/", "Find resources": "resources/",
                       "Give to a drive": "drives/", "Join an event": "events/"}
    assert "About 50%" in main.select_one(".rf-figures").get_text()
    story_links = _links(main, ".rf-card--story a", "href")
    assert story_links == [f"stories/{s.id}/" for s in sample.stories[:3]]
    assert _links(main, ".rf-card--drive .rf-card__title a", "href") == \
        [f"drives/{d.id}/" for d in sample.active_drives[:3]]
    assert soup.select_one(".md-sidebar--primary").has_attr("hidden")  # no documentation sidebar


def test_every_story_has_a_page_and_is_listed(sample_site, sample):
    listed = _targets("stories/", content(page(sample_site, "stories")),
                      ".rf-card--story .rf-card__title a")
    assert listed == [f"stories/{s.id}/" for s in sample.stories]  # newest first
    for story in sample.stories:
        main = content(page(sample_site, f"stories/{story.id}"))
        assert main.h1.get_text(strip=True) == story.meta.title
        quotes = [q.get_text(" ", strip=True) for q in main.select(".rf-quote blockquote")]
        assert quotes == [q.text for q in story.meta.quotes]
        assert f"../../organizations/{story.meta.organization}/" in _main_links(main)
        related = _targets(f"stories/{story.id}/", main, ".rf-card--resource .rf-card__title a")
        assert related == [f"resources/{r.id}/" for r in sample.related[story.id]]
        for theme_link in main.select(".rf-story__themes a"):
            theme_page = sample_site / "stories" / theme_link["href"].replace("../", "", 1)
            assert (theme_page / "index.html").exists()


def test_stories_by_theme_and_year(sample_site, sample):
    for facet in sample.stories_by_theme:
        listed = _targets(f"stories/themes/{facet.slug}/",
                          content(page(sample_site, f"stories/themes/{facet.slug}")),
                          ".rf-card--story .rf-card__title a")
        assert listed == [f"stories/{s.id}/" for s in facet.items]
    year = content(page(sample_site, "stories/years/2026"))
    assert len(year.select(".rf-card--story")) == len(sample.stories)


def test_every_resource_has_a_permanent_page_and_appears_in_its_facets(sample_site, sample):
    listing = content(page(sample_site, "resources"))
    listed = _targets("resources/", listing,
                      "[data-rf-results] .rf-card--resource .rf-card__title a")
    assert listed == [f"resources/{r.id}/" for r in sample.resources]
    assert {card["id"] for card in listing.select(".rf-card--resource")} == \
        {r.id for r in sample.resources}  # anchors agencies can link to
    for resource in sample.resources:
        main = content(page(sample_site, f"resources/{resource.id}"))
        assert main.h1.get_text(strip=True) == resource.title
        assert main.select_one(".rf-actions a")["href"] == resource.url
        for audience in resource.audiences:
            url = f"resources/audiences/{audience}/"
            facet = content(page(sample_site, url))
            assert f"resources/{resource.id}/" in _targets(
                url, facet, ".rf-card--resource .rf-card__title a")
        url = f"resources/formats/{resource.format}/"
        facet = content(page(sample_site, url))
        assert f"resources/{resource.id}/" in _targets(
            url, facet, ".rf-card--resource .rf-card__title a")


def test_document_links_show_type_and_size(sample_site):
    main = content(page(sample_site, "resources/bridging-the-gap"))
    assert "(PDF, 282 KB)" in main.select_one(".rf-actions a").get_text()


def test_filters_are_a_real_form_over_small_shipped_files(sample_site, sample):
    """The filters fetch, for each value chosen, the places in the list of the resources that
    have it, and the cards of the first matches: each file is small whatever the hub's size."""
    form = content(page(sample_site, "resources")).select_one("form[data-rf-filter]")
    assert {s["name"] for s in form.select("select")} == \
        {"audiences", "topics", "formats", "language", "state"}
    assert form.select_one("[role=status]")["aria-live"] == "polite"
    import json
    from reunify.site.index import slugify
    folder = sample_site / "resources" / "filter"

    def places(field, value):
        gaps = json.loads((folder / field / f"{value}.json").read_text())
        return [sum(gaps[:n + 1]) for n in range(len(gaps))]

    listed = sample.resources
    for field, values_of in (("audiences", lambda r: r.audiences), ("formats", lambda r: [r.format]),
                             ("topics", lambda r: [slugify(t) for t in r.topics]),
                             ("language", lambda r: r.languages), ("state", lambda r: r.states)):
        offered = [o["value"] for o in form.select(f"select[name={field}] option") if o["value"]]
        if field == "state":
            offered.append("national")
        for value in offered:
            assert places(field, value) == [n for n, r in enumerate(listed)
                                            if value in values_of(r)], (field, value)
    cards = json.loads((folder / "cards" / "0.json").read_text())
    assert [row["id"] for row in cards] == [r.id for r in listed][:40]
    assert int(form["data-cards-per-file"]) == 40
    # the whole list stays published for those who reuse it
    rows = json.loads((sample_site / "resources" / "index.json").read_text())
    assert [row["id"] for row in rows] == [r.id for r in sample.resources]


def test_the_filter_and_search_scripts_come_only_with_their_pages(sample_site):
    """A phone's first visit to a story or the home page does not download the resource
    filters' or the search page's script; the pages that use them load each once."""
    def scripts(url):
        return sorted(s["src"].rsplit("/", 1)[-1] for s in page(sample_site, url).select(
            "script[src]") if "assets/javascripts/" not in s["src"])

    assert scripts("") == scripts("stories/tucking-my-son-in-again") == ["copy-link.js"]
    assert scripts("resources/bridging-the-gap") == ["copy-link.js"]
    assert scripts("resources") == ["copy-link.js", "resource-filter.js"]
    assert scripts("search") == ["copy-link.js", "site-search.js"]
    assert scripts("es/resources") == ["copy-link.js", "resource-filter.js"]


def test_organizations_by_state_with_ways_to_give(sample_site, sample):
    listing = content(page(sample_site, "organizations"))
    national = listing.select_one("#rf-national").find_parent("section")
    assert set(_targets("organizations/", national, ".rf-card--org .rf-card__title a")) == \
        {f"organizations/{o.id}/" for o in sample.national_organizations}
    for facet in sample.organizations_by_state:
        url = f"organizations/states/{facet.slug}/"
        state = content(page(sample_site, url))
        assert set(_targets(url, state, ".rf-card--org .rf-card__title a")) == \
            {f"organizations/{o.id}/" for o in facet.items}
    for org in sample.organizations:
        main = content(page(sample_site, f"organizations/{org.id}"))
        assert main.h1.get_text(strip=True) == org.name
        buttons = {a.get_text(strip=True): a["href"] for a in main.select(".rf-actions a")}
        if org.donate_url:
            assert buttons["Donate"] == org.donate_url
        if org.volunteer_url:
            assert buttons["Volunteer"] == org.volunteer_url


def test_drives_active_first_then_past(sample_site, sample):
    main = content(page(sample_site, "drives"))
    sections = main.select("section")
    active = _targets("drives/", sections[0], ".rf-card--drive .rf-card__title a")
    past = _targets("drives/", sections[1], ".rf-card--drive .rf-card__title a")
    assert active == ["drives/full-pantry-homecoming/", "drives/keep-the-lights-on/"]  # soonest
    assert past == ["drives/home-again-kits-birmingham/"]
    kits = content(page(sample_site, "drives/home-again-kits-birmingham"))
    assert "ended" in kits.select_one(".rf-notice").get_text()
    bars = kits.select("progress")
    assert [(b["value"], b["max"]) for b in bars] == [("41", "60"), ("80", "80"), ("95", "120"),
                                                      ("52", "80")]
    money = content(page(sample_site, "drives/keep-the-lights-on")).select_one("progress")
    assert money["aria-label"] == "$9,650 raised of $25,000"


def test_a_drive_moves_to_past_when_its_end_date_passes(sample):
    before = build(sample.content, TODAY.replace(year=2026, month=6, day=15))
    assert "home-again-kits-birmingham" in [d.id for d in before.active_drives]
    assert "home-again-kits-birmingham" in [d.id for d in sample.past_drives]


def test_events_calendar(sample_site, sample):
    main = content(page(sample_site, "events"))
    listed = _targets("events/", main, ".rf-card--event .rf-card__title a")
    everything = sample.upcoming_events + sample.past_events
    assert sorted(listed) == sorted(f"events/{e.id}/" for e in everything)
    picnic = content(page(sample_site, "events/birmingham-homecoming-celebration"))
    when = picnic.select(".rf-facts time")
    assert when[0]["datetime"] == "2026-06-27T10:00:00-05:00"
    assert when[0].get_text(" ", strip=True).replace("\u202f", " ") == \
        "Saturday, June 27, 2026, 10:00 AM CDT"


def test_hand_written_pages(sample_site):
    for url in ("about", "how-to-help", "accessibility", "privacy"):
        assert content(page(sample_site, url)).h1 is not None
    access = content(page(sample_site, "accessibility"))
    assert "mailto:access@reunification.example.org" in _main_links(access)


def _site_files(site: Path):
    return [p for p in site.rglob("*") if p.is_file()]


def test_every_internal_link_resolves(sample_site):
    missing = []
    for html in sample_site.rglob("*.html"):
        soup = parse(html)
        refs = _links(soup, "a[href]", "href") + _links(soup, "link[href]", "href") + \
            _links(soup, "script[src]", "src") + _links(soup, "img[src]", "src")
        for ref in refs:
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith(("#", "//")):
                continue
            base = sample_site if parts.path.startswith("/") else html.parent  # 404 page
            target = (base / unquote(parts.path).lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                missing.append(f"{html.relative_to(sample_site)} -> {ref}")
    assert missing == []


def test_no_request_leaves_the_site(sample_site):
    """Fonts, styles, scripts and images all come from the site itself."""
    for html in sample_site.rglob("*.html"):
        soup = parse(html)
        loaded = _links(soup, "script[src]", "src") + _links(soup, "img[src]", "src") + \
            [l["href"] for l in soup.select("link[href]")
             if set(l.get("rel", [])) & {"stylesheet", "preload", "preconnect", "icon"}]
        assert [ref for ref in loaded if urlsplit(ref).scheme or ref.startswith("//")] == [], html


def test_nothing_is_published_that_no_page_fetches(sample_site):
    """Material's own search (lunr's language files, its worker) and the source maps of its
    scripts and styles are left out of both editions: search is Pagefind, and no visitor
    fetches them (the browser tests see no failed request on any page)."""
    published = {p.relative_to(sample_site).as_posix() for p in sample_site.rglob("*")
                 if p.is_file()}
    unused = sorted(p for p in published if "/lunr/" in p or "/workers/" in p
                    or p.endswith(".map"))
    assert unused == []
    for edition in ("", "es/"):  # the theme's own files are still there
        theme = [p for p in published if p.startswith(edition + "assets/javascripts/bundle.")]
        assert theme and all(p.endswith(".min.js") for p in theme)
        assert any(p.startswith(edition + "assets/stylesheets/main.") for p in published)


def test_navigation_does_not_grow_with_content(sample_site, sample):
    """Record pages are kept out of the navigation, so each page's size is bounded."""
    nav = parse(sample_site / "index.html").select(".md-tabs a, .md-nav--primary a")
    hrefs = {a["href"] for a in nav}
    for story in sample.stories:
        assert not any(story.id in h for h in hrefs)
    for resource in sample.resources:
        assert not any(resource.id in h for h in hrefs)


def _fingerprint(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in _site_files(site)}


def test_content_is_never_a_template_and_markup_is_escaped(project, tmp_path):
    project.story("braces.md", STORY.replace("title: A family home again",
                                             "title: \"{{ 7*7 }} <b>bold</b>\"")
                  .replace("They worked hard", "{{ 7*7 }} {% if true %}x{% endif %} "
                           "<script>alert(1)</script>They worked hard"))
    config = scratch_config(project)
    site = tmp_path / "out"
    build_site(project.root, site, config, TODAY)
    main = content(page(site, "stories/braces"))
    assert main.h1.get_text() == "{{ 7*7 }} <b>bold</b>"
    assert main.h1.find("b") is None
    body = main.select_one(".rf-story__body")
    assert "{{ 7*7 }} {% if true %}x{% endif %}" in body.get_text()
    assert body.find("script") is None


def test_a_failed_build_leaves_the_previous_site_untouched(project, tmp_path, capsys):
    project.story("home-again.md")
    scratch_config(project)
    site = project.root / "site"
    assert main(["build", "--root", str(project.root), "--today", "2026-11-22"]) == 0
    before = _fingerprint(site)
    assert "stories/home-again/index.html" in before
    project.story("broken.md", STORY.replace("state: AL", "state: Atlantis"))
    assert main(["build", "--root", str(project.root), "--today", "2026-11-22"]) == 1
    err = capsys.readouterr().err
    assert "stories/broken.md:6:8: record broken, field state" in err
    assert "the previous site/ is unchanged" in err
    assert _fingerprint(site) == before
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".site-")] == []


def test_check_command_exit_codes(project, capsys):
    project.story("fine.md")
    assert main(["check", "--root", str(project.root), "--today", "2026-11-22"]) == 0
    project.story("late.md", STORY.replace("expires: 2099-05-01", "expires: 2026-01-01"))
    assert main(["check", "--root", str(project.root), "--today", "2026-11-22"]) == 0
    assert main(["check", "--strict", "--root", str(project.root), "--today",
                 "2026-11-22"]) == 1
    project.resources("campaign: [\n")
    assert main(["check", "--root", str(project.root)]) == 1
    out = capsys.readouterr().out
    assert "resources.yaml:2:1: YAML syntax error" in out


def test_search_index_holds_records_not_listings(sample_site, sample):
    """Pagefind indexes what is marked data-pagefind-body: each record once, no listings."""
    def indexed(url):
        return page(sample_site, url).select_one("[data-pagefind-body]") is not None
    assert all(indexed(f"resources/{r.id}") for r in sample.resources)
    assert all(indexed(f"stories/{s.id}") for s in sample.stories)
    assert all(indexed(f"organizations/{o.id}") for o in sample.organizations)
    assert indexed("about")
    for listing in ("", "resources", "stories", "stories/themes", "resources/audiences/youth",
                    "organizations/states/al", "search"):
        assert not indexed(listing), listing
    assert (sample_site / "pagefind" / "pagefind-entry.json").exists()


def test_long_lists_are_split_so_no_page_grows_with_the_records(project, tmp_path):
    events = "events:\n" + "".join(f"""  - id: event-{i}
    title: Event {i}
    starts: 2026-06-{i % 28 + 1:02d} 10:00
    ends: 2026-06-{i % 28 + 1:02d} 11:00
    timezone: America/Chicago
    online_url: https://example.org/{i}
    organizer: helpers
    description: An event.
""" for i in range(30))
    resources = guides(45, lambda i: f"Guide {i:02d}")
    project.resources(extra=resources + events)
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    front = content(page(site, "events"))
    assert len(front.select(".rf-card--event")) == 12  # the latest past events
    see_all = front.find("a", string="See all 30")
    assert see_all["href"] == "../events/past/"  # from events/ to events/past/
    first = content(page(site, "events/past"))
    second = content(page(site, "events/past/page/2"))
    assert len(first.select(".rf-card--event")) == 24 and len(second.select(".rf-card--event")) == 6
    assert first.select_one(".rf-pager a[rel=next]")["href"] == "../../events/past/page/2/"
    # a date list says its order, and has no letters to jump to (tests/test_lists.py: A to Z)
    assert first.select_one(".rf-pager__where").get_text(strip=True) == \
        "Most recent first · Page 1 of 2"
    assert first.select_one(".rf-pager__letters") is None
    listed = [content(page(site, url)).select(".rf-card--resource")
              for url in ("resources/formats/guide", "resources/formats/guide/page/2")]
    assert [len(g) for g in listed] == [40, 5]


PAST_AND_CURRENT = """\
drives:
  - id: june-towels
    title: June towels
    organization: helpers
    description: Towels for families.
    starts: 2026-06-01
    ends: 2026-06-30
    states: [AL]
    give_url: https://helpers.example.org/give
    drop_off:
      - {name: Helpers office, address: "1 Main Street, Birmingham, AL", hours: Weekdays}
  - id: winter-coats
    title: Winter coats
    organization: helpers
    description: Coats for children going home.
    starts: 2026-11-01
    ends: 2026-12-31
    states: [AL]
    drop_off:
      - {name: Helpers office, address: "1 Main Street, Birmingham, AL"}
events:
  - id: june-webinar
    title: June webinar
    starts: 2026-06-10 18:00
    ends: 2026-06-10 19:00
    timezone: America/Chicago
    online_url: https://helpers.example.org/join
    registration_url: https://helpers.example.org/register
    organizer: helpers
    description: An hour on visits.
"""


def test_past_drives_and_events_say_so_and_offer_nothing_to_act_on(project, tmp_path):
    project.resources(extra=PAST_AND_CURRENT)
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    past = content(page(site, "drives/june-towels"))
    assert "This drive ended on" in past.select_one(".rf-notice").get_text()
    assert "Where to drop off" not in past.get_text() and "1 Main Street" not in past.get_text()
    assert past.select(".md-button") == []  # no "Give online"
    current = content(page(site, "drives/winter-coats"))
    assert "1 Main Street" in current.get_text()
    event = content(page(site, "events/june-webinar"))
    assert event.select_one(".rf-notice") is not None
    # no join, register or calendar link (reporting a mistake stays possible)
    assert [a.get_text() for a in event.select("a")
            if not a.find_parent(class_="rf-report")] == ["Helpers United"]
    assert "It was held online." in event.get_text()                       # or calendar link
    assert (site / "events/june-webinar/event.ics").exists()  # its address stays
    partner = content(page(site, "organizations/helpers"))
    sections = {s.h2.get_text(): [a.get_text() for a in s.select(".rf-card__title a")]
                for s in partner.select("section.rf-section") if s.h2}
    assert sections["Donation drives"] == ["Winter coats"]
    assert sections["Past drives"] == ["June towels"]


@pytest.mark.parametrize("today, kicker, lines", [
    (date(2026, 5, 10), "National Reunification Month 2026",
     ["June 1, 2026 to June 30, 2026 · #ReunificationMonth", "The month begins on June 1, 2026."]),
    (date(2026, 6, 15), "National Reunification Month 2026",
     ["June 1, 2026 to June 30, 2026 · #ReunificationMonth"]),
    (date(2026, 11, 22), "Thank you for National Reunification Month 2026",
     ["1 family story shared · 2 donation drives (12 items given) · 1 event held",
      "Next June's dates will be announced here · #ReunificationMonth"]),
])
def test_the_home_page_knows_where_the_year_is(project, tmp_path, today, kicker, lines):
    """Before the month it counts down, during it it is the month, and between campaigns it
    thanks and recaps the June that was, instead of 'Events this June: none scheduled'."""
    project.resources(extra=PAST_AND_CURRENT.replace(
        "    drop_off:\n      - {name: Helpers office, address: \"1 Main Street, Birmingham, "
        "AL\", hours: Weekdays}\n",
        "    items:\n      - {name: Towels, needed: 20, received: 12}\n", 1))
    project.story("home.md", STORY.replace("obtained: 2026-05-01", "obtained: 2026-05-05"))
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), today)
    home = page(site, "")
    hero = home.select_one(".rf-hero")
    assert hero.select_one(".rf-hero__kicker").get_text() == kicker
    assert [p.get_text(" ", strip=True) for p in hero.select(".rf-hero__dates, "
                                                             ".rf-hero__countdown")] == lines
    events = home.select_one("#rf-events").parent.get_text(" ", strip=True)
    if today.month == 11:
        assert events.startswith("The 2026 events The month's event is over.")
        assert "No events are scheduled" not in events
    scripts = [s.get("src", "") for s in home.select("script[src]")]
    assert any(s.endswith("countdown.js") for s in scripts) == (today.month == 5)
