"""Data, feeds and calendars for reuse, each read with the library a consumer would use."""
from __future__ import annotations

import csv
import io
import json
import uuid
import re
from pathlib import Path

import feedparser
import icalendar
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from reunify.commands.build import build_site
from reunify.outputs.exports import HSDS_NAMESPACE
from reunify.site.index import build
from reunify.content.load import load
from reunify.content.models import DonationDrive, Event, Organization, Resource as ResourceModel
from reunify.content.problems import Problems

from conftest import ORG, SAMPLE, TODAY, content, page, parse, scratch_config

# The official Open Referral HSDS 3.0 schemas (CC BY-SA 4.0), copied unchanged from release v3.0.
HSDS = Path(__file__).parent / "hsds-3.0"


@pytest.fixture(scope="module")
def sample():
    problems = Problems(root=SAMPLE)
    return build(load(SAMPLE, problems), TODAY)


def _json(site, path):
    return json.loads((site / path).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path, model, records", [
    ("data/resources.json", ResourceModel, "resources"),
    ("data/organizations.json", Organization, "organizations"),
])
def test_json_exports_carry_every_public_field(sample_site, sample, path, model, records):
    rows = _json(sample_site, path)
    assert [row["id"] for row in rows] == [r.id for r in getattr(sample, records)]
    for row in rows:
        assert set(model.model_fields) <= set(row)
        assert row["page"].startswith("https://reunification.example.org/")


def test_drive_and_event_exports(sample_site, sample):
    drives = _json(sample_site, "data/drives.json")
    assert {d["id"]: d["status"] for d in drives} == {
        "keep-the-lights-on": "active", "full-pantry-homecoming": "active",
        "home-again-kits-birmingham": "past"}
    assert set(DonationDrive.model_fields) <= set(drives[0])
    events = _json(sample_site, "data/events.json")
    assert set(Event.model_fields) <= set(events[0])
    picnic = next(e for e in events if e["id"] == "birmingham-homecoming-celebration")
    assert picnic["starts"] == "2026-06-27T10:00:00-05:00"


@pytest.mark.parametrize("path, records", [("data/resources.csv", "resources"),
                                           ("data/organizations.csv", "organizations")])
def test_csv_exports_open_as_spreadsheets(sample_site, sample, path, records):
    text = (sample_site / path).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["id"] for row in rows] == [r.id for r in getattr(sample, records)]
    if records == "resources":
        bridging = next(r for r in rows if r["id"] == "bridging-the-gap")
        assert bridging["audiences"] == "professionals; caregivers; birth-parents"
        assert bridging["file_size"] == str(282 * 1024)


def _hsds_validator(name):
    registry = Registry().with_resources(
        (p.name, Resource.from_contents(json.loads(p.read_text()),
                                        default_specification=None or _draft()))
        for p in HSDS.glob("*.json") if p.name != "openapi.json")
    schema = json.loads((HSDS / name).read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=
                                Draft202012Validator.FORMAT_CHECKER)


def _draft():
    from referencing.jsonschema import DRAFT202012
    return DRAFT202012


def test_hsds_export_is_valid_against_the_official_schemas(sample_site, sample):
    organizations = _json(sample_site, "data/hsds/organizations.json")
    services = _json(sample_site, "data/hsds/services.json")
    org_validator = _hsds_validator("organization.json")
    service_validator = _hsds_validator("service.json")
    for row in organizations:
        errors = [e.message for e in org_validator.iter_errors(row)]
        assert errors == [], row["name"]
    for row in services:
        errors = [e.message for e in service_validator.iter_errors(row)]
        assert errors == [], row["name"]
    assert len(services) == len(sample.resources)  # each resource a service of its publisher
    org_ids = {o["id"] for o in organizations}
    assert {s["organization_id"] for s in services} <= org_ids


def test_hsds_ids_are_stable_uuid5_of_our_ids(sample_site, sample):
    organizations = _json(sample_site, "data/hsds/organizations.json")
    expected = [str(uuid.uuid5(HSDS_NAMESPACE, f"organization/{o.id}"))
                for o in sample.organizations]
    assert [o["id"] for o in organizations] == expected


def test_exports_are_identical_from_build_to_build(sample_site, tmp_path):
    again = tmp_path / "again"
    build_site(SAMPLE, again, SAMPLE / "mkdocs.yml", TODAY)
    for path in ("data/resources.json", "data/hsds/organizations.json",
                 "data/hsds/services.json", "feeds/stories.xml", "feeds/resources.xml",
                 "events.ics"):
        assert (again / path).read_bytes() == (sample_site / path).read_bytes(), path


def test_atom_feeds(sample_site, sample):
    stories = feedparser.parse((sample_site / "feeds/stories.xml").read_bytes())
    assert not stories.bozo and stories.version == "atom10"
    syndicated = [s for s in sample.stories if "feeds" in s.meta.consent.scope]
    assert [e.link for e in stories.entries] == \
        [f"https://reunification.example.org/stories/{s.id}/" for s in syndicated]
    assert all(e.published_parsed and e.updated_parsed for e in stories.entries)
    resources = feedparser.parse((sample_site / "feeds/resources.xml").read_bytes())
    assert not resources.bozo and len(resources.entries) == len(sample.resources)
    assert all(e.updated_parsed for e in resources.entries)
    for html in sample_site.rglob("index.html"):
        feeds = parse(html).select('head link[rel~=alternate][type="application/atom+xml"]')
        if "http-equiv" in html.read_text()[:400]:
            continue  # a redirect page
        assert len(feeds) == 2, html


def test_calendar(sample_site, sample):
    calendar = icalendar.Calendar.from_ical((sample_site / "events.ics").read_bytes())
    events = calendar.walk("VEVENT")
    assert sorted(str(e["UID"]) for e in events) == sorted(
        f"{e.id}@reunification.example.org" for e in sample.upcoming_events + sample.past_events)
    for event in events:
        assert event.decoded("DTSTART").tzinfo is not None
    assert {tz["TZID"] for tz in calendar.walk("VTIMEZONE")} == \
        {"America/New_York", "America/Denver", "America/Chicago"}
    # the picnic is past on the test's date: its page no longer offers the file, which stays
    picnic = content(page(sample_site, "events/birmingham-homecoming-celebration"))
    assert "Add to calendar" not in picnic.get_text()
    single = icalendar.Calendar.from_ical(
        (sample_site / "events/birmingham-homecoming-celebration/event.ics").read_bytes())
    start = single.walk("VEVENT")[0].decoded("DTSTART")
    assert start.isoformat() == "2026-06-27T10:00:00-05:00"


def _jsonld(soup):
    return [json.loads(s.string) for s in soup.select('script[type="application/ld+json"]')]


def test_structured_data(sample_site, sample):
    assert _jsonld(page(sample_site, ""))[0]["@type"] == "NGO"
    story = sample.stories[0]
    article = _jsonld(page(sample_site, f"stories/{story.id}"))[0]
    assert article["@type"] == "Article" and article["headline"] == story.meta.title
    event = _jsonld(page(sample_site, "events/birmingham-homecoming-celebration"))[0]
    assert event["@type"] == "Event" and event["startDate"] == "2026-06-27T10:00:00-05:00"
    org = _jsonld(page(sample_site, "organizations/casey-family-programs"))[0]
    assert org["@type"] == "Organization" and org["name"] == "Casey Family Programs"


def test_sharing_cards_on_every_page(sample_site):
    for html in sample_site.rglob("index.html"):
        soup = parse(html)
        if soup.select_one('meta[http-equiv="refresh"]'):
            continue
        metas = {m.get("property") or m.get("name"): m["content"]
                 for m in soup.select("meta[content]")}
        for key in ("og:title", "og:description", "og:url", "twitter:card"):
            assert metas.get(key), (html, key)


def test_sitemap_lists_record_pages(sample_site, sample):
    sitemap = (sample_site / "sitemap.xml").read_text()
    for resource in sample.resources:
        assert f"https://reunification.example.org/resources/{resource.id}/" in sitemap


def test_jsonld_cannot_be_broken_out_of(project, tmp_path):
    project.resources(organizations=ORG.replace(
        "name: Helpers United", "name: \"Helpers</script><script>alert(1)</script>\""))
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    soup = page(site, "organizations/helpers")
    assert [s.get("type") for s in soup.select("script") if "alert" in (s.string or "")] == \
        ["application/ld+json"]
    assert _jsonld(soup)[0]["name"] == "Helpers</script><script>alert(1)</script>"


def test_renamed_record_keeps_its_old_address(project, tmp_path):
    project.resources(organizations=ORG.replace("  - id: helpers", "  - id: helpers-united")
                      .replace("    last_verified", "    previous_ids: [helpers]\n"
                                                    "    last_verified"))
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    old = parse(site / "organizations/helpers/index.html")
    assert old.select_one('meta[http-equiv="refresh"]')["content"] == "0; url=../../organizations/helpers-united/"
    assert old.select_one("link[rel=canonical]")["href"].endswith("/organizations/helpers-united/")
    assert (site / "organizations/helpers-united/index.html").exists()


ADDRESSES = Path(__file__).parent / "published-addresses.txt"


def published(site: Path) -> set[str]:
    """Every address of the site and of its editions (/es/…), less the theme's, the search
    index's and the resource filters' files, whose names change with each release or with the
    content."""
    machinery = re.compile(r"^(?:[a-z]{2}/)?(?:assets|search|pagefind|resources/filter)/")
    return {str(p.relative_to(site).as_posix()).removesuffix("index.html")
            for p in site.rglob("*") if p.is_file() and not p.name.endswith((".map", ".gz"))
            and not machinery.match(p.relative_to(site).as_posix())}


def test_no_published_address_is_ever_dropped(sample_site):
    """Every address the site has published keeps working. If this fails, give the record its
    old id in `previous_ids` (or restore the file). New addresses are added to the list by
    running `python tests/test_exports.py`."""
    promised = {line for line in ADDRESSES.read_text().splitlines() if line}
    missing = sorted(promised - published(sample_site))
    assert missing == []


if __name__ == "__main__":  # refresh the list after adding content: keeps every old address
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        build_site(SAMPLE, Path(folder) / "site", SAMPLE / "mkdocs.yml", TODAY)
        old = set(ADDRESSES.read_text().splitlines()) if ADDRESSES.exists() else set()
        ADDRESSES.write_text("\n".join(sorted((old | published(Path(folder) / "site")) - {""}))
                             + "\n")


def test_csv_cells_never_run_as_formulas_and_translations_are_json(project, tmp_path):
    from reunify.commands.build import build_site

    from conftest import ORG, TODAY, scratch_config

    hostile = ORG.replace("name: Helpers United", "name: \"=HYPERLINK(\\\"https://x.example\\\")\"")
    hostile = hostile.replace("description: Helps families.",
                              "description: \"+1 helps families\"\n"
                              "    services: [\"@SUM(A1:A9)\", \"-2+3\", \"\\tTabbed\", "
                              "\"\\rReturn\", \" =spaced\", Counselling]\n"
                              "    translations:\n      es:\n        description: Ayuda a "
                              "familias.")
    project.resources(organizations=hostile)
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    raw = (site / "data" / "organizations.csv").read_bytes().decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(raw)))
    assert row["name"] == "'=HYPERLINK(\"https://x.example\")"
    assert row["description"] == "'+1 helps families"
    # (the model trims the spaces, tabs and returns around each item)
    assert row["services"] == "'@SUM(A1:A9); -2+3; Tabbed; Return; =spaced; Counselling"
    assert json.loads(row["translations"]) == {"es": {"description": "Ayuda a familias.",
                                                      "name": None, "services": []}}
    for cell in row.values():  # what a spreadsheet would take for a formula
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("  =x", "'  =x"), ("safe = fine", "safe = fine"), (None, ""),
    (["=a", "b"], "'=a; b"), ({"es": {"t": "x"}}, '{"es": {"t": "x"}}'), (2021, "2021")])
def test_a_csv_cell_is_neutralised_as_owasp_recommends(value, cell):
    from reunify.outputs.exports import csv_cell

    assert csv_cell(value) == cell


def test_the_calendars_are_the_same_bytes_at_every_build():
    """The same events give the same calendar files in every run (Python's set order, which
    changes between runs, no longer orders their time zones): a host or a subscriber's
    calendar sees a changed file only when an event changed."""
    import os
    import subprocess
    import sys

    script = ("import hashlib, sys; from pathlib import Path; from datetime import date\n"
              "from reunify.engine.pipeline import load_checked\n"
              "from reunify.site.index import build\n"
              "from reunify.outputs.syndication import calendars\n"
              "checked = load_checked(Path(sys.argv[1]), date(2026, 11, 22))\n"
              "files = calendars(build(checked.content, checked.today), lambda u: u, 'h')\n"
              "print(hashlib.sha256(b''.join(files[k] for k in sorted(files))).hexdigest(),"
              " files['events.ics'].count(b'BEGIN:VTIMEZONE'))\n")
    runs = [subprocess.run([sys.executable, "-c", script, str(SAMPLE)], capture_output=True,
                           text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed})
            .stdout.split() for seed in ("1", "2", "3", "4")]
    assert int(runs[0][1]) >= 2, "the sample's events.ics has several time zones to order"
    assert len({digest for digest, _ in runs}) == 1
