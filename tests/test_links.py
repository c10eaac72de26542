"""`reunify links check`, against local servers on 127.0.0.1 only: links that work, move, break,
loop, stall, refuse HEAD, turn checkers away, ask to be left alone for a while, and certificates
that fail; the politeness rules; the file it keeps; and `--update` writing only the dates."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from reunify.cli import main
from reunify.content import links
from reunify.content.load import load_records
from reunify.content.net import any_address
from reunify.content.problems import Problems

from conftest import CAMPAIGN, TODAY

FAST = links.Policy(per_host=4, pause=0.0, connect_timeout=2.0, read_timeout=0.6, deadline=10.0,
                    max_wait=3.0, busy_wait=0.2, user_agent="reunify-links/test (Test Hub)")


def _check(urls, policy=FAST, **kw):
    return links.check_all(list(urls), policy=policy, allowed=kw.pop("allowed", any_address), **kw)


@pytest.fixture
def local():
    """A server on 127.0.0.1 that answers several requests at once, as real sites do."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def server(local):
    """Every kind of answer a link checker meets, on one local server."""
    s = local
    s.expect_request("/ok").respond_with_data("fine")
    s.expect_request("/gone").respond_with_data("", status=410)
    s.expect_request("/missing").respond_with_data("", status=404)
    s.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/step"})
    s.expect_request("/step").respond_with_data("", status=302, headers={"Location": "/ok"})
    s.expect_request("/for-now").respond_with_data("", status=302, headers={"Location": "/ok"})
    s.expect_request("/loop-a").respond_with_data("", status=301, headers={"Location": "/loop-b"})
    s.expect_request("/loop-b").respond_with_data("", status=301, headers={"Location": "/loop-a"})
    s.expect_request("/no-head", method="HEAD").respond_with_data("", status=405)
    s.expect_request("/no-head", method="GET").respond_with_data("page")
    s.expect_request("/bot-wall").respond_with_data("Access denied", status=403)
    s.expect_request("/error").respond_with_data("oops", status=500)
    s.expect_request("/later").respond_with_data("", status=429, headers={"Retry-After": "3600"})
    s.expect_request("/elsewhere").respond_with_data(
        "", status=302, headers={"Location": "mailto:someone@example.org"})

    def slow(request):
        time.sleep(1.5)
        return Response("late")
    s.expect_request("/slow").respond_with_handler(slow)
    return s


def test_each_kind_of_answer_gets_its_outcome(server):
    url = server.url_for
    results = _check(url(p) for p in ("/ok", "/gone", "/missing", "/old", "/for-now", "/loop-a",
                                      "/no-head", "/bot-wall", "/error", "/later", "/slow",
                                      "/elsewhere"))
    outcome = {u.rsplit("/", 1)[1]: r for u, r in results.items()}
    assert outcome["ok"].outcome == links.OK and outcome["ok"].status == 200
    assert outcome["gone"].outcome == links.BROKEN and "410 Gone" in outcome["gone"].message
    assert outcome["missing"].outcome == links.BROKEN and "404 Not Found" in \
        outcome["missing"].message
    moved = outcome["old"]  # 301 then 302: moved for good, and reported with where it went
    assert moved.outcome == links.MOVED and moved.final == url("/ok")
    assert moved.redirects == [(301, url("/step")), (302, url("/ok"))]
    assert url("/ok") in moved.message
    assert outcome["for-now"].outcome == links.OK  # a temporary redirect is not a change
    assert outcome["for-now"].final == url("/ok")
    assert outcome["loop-a"].outcome == links.BROKEN and "loop" in outcome["loop-a"].message
    assert outcome["no-head"].outcome == links.OK
    assert outcome["bot-wall"].outcome == links.BLOCKED and "403 Forbidden" in \
        outcome["bot-wall"].message
    assert outcome["error"].outcome == links.UNREACHABLE and "500" in outcome["error"].message
    assert outcome["later"].outcome == links.BUSY and "60 min" in outcome["later"].message
    assert outcome["slow"].outcome == links.UNREACHABLE and "did not answer" in \
        outcome["slow"].message
    assert outcome["elsewhere"].outcome == links.BROKEN and "not a web address" in \
        outcome["elsewhere"].message
    asked = [(r.method, r.path) for r, _ in server.log]
    # HEAD first; GET only where HEAD was refused (and where the answer was an error, to be sure)
    assert ("HEAD", "/ok") in asked and ("GET", "/ok") not in asked
    assert asked.count(("HEAD", "/no-head")) == 1 and asked.count(("GET", "/no-head")) == 1
    assert ("GET", "/missing") in asked
    assert asked.count(("HEAD", "/loop-a")) == 1  # the loop is seen, not followed for ever


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_waited_for_then_the_link_is_asked_again(local, status):
    asked = []

    def busy(request):
        asked.append(time.monotonic())
        if len(asked) == 1:
            return Response("", status=status, headers={"Retry-After": "1"})
        return Response("now")
    local.expect_request("/busy").respond_with_handler(busy)
    result = _check([local.url_for("/busy")])[local.url_for("/busy")]
    assert result.outcome == links.OK
    assert len(asked) == 2 and asked[1] - asked[0] >= 0.95  # it waited as it was asked to


def test_a_503_with_a_date_is_understood():
    now = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    assert links.retry_after("Tue, 01 Dec 2026 12:02:00 GMT", now) == 120
    assert links.retry_after("30") == 30 and links.retry_after("soon") is None


def test_politeness_a_few_at_a_time_per_site_with_a_pause_and_a_name(local):
    lock, running, most, starts, agents = threading.Lock(), [0], [0], [], []

    def slow(request):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            starts.append(time.monotonic())
            agents.append(request.headers.get("User-Agent"))
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        return Response("ok")
    local.expect_request("/p").respond_with_handler(slow)
    policy = links.Policy(per_host=2, pause=0.2, workers=8, read_timeout=5, deadline=30,
                          user_agent="reunify-links/1.0 (link checker of the Test Hub)")
    urls = [local.url_for(f"/p?n={n}") for n in range(6)]
    results = _check(urls, policy)
    assert all(r.outcome == links.OK for r in results.values())
    assert most[0] == 2  # two at once, never more, though eight workers were free
    starts.sort()
    # the starts, as the site sees them, are the pause apart (less a little for the network)
    assert all(b - a >= 0.15 for a, b in zip(starts, starts[1:]))
    assert set(agents) == {"reunify-links/1.0 (link checker of the Test Hub)"}


def test_the_workers_spread_over_the_sites():
    order = links._interleave(["https://a.org/1", "https://a.org/2", "https://a.org/3",
                               "https://b.org/1", "https://c.org/1"])
    assert order[:3] == ["https://a.org/1", "https://b.org/1", "https://c.org/1"]


def test_private_addresses_are_refused_before_connecting(local):
    """Here 127.0.0.1 stands for the public internet, and 127.0.0.2 for a private address."""
    port = local.port
    local.expect_request("/in").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.2:{port}/inside"})
    result = _check([local.url_for("/in")],
                    allowed=lambda address: address == "127.0.0.1")[local.url_for("/in")]
    assert result.outcome == links.BROKEN and "127.0.0.2 is a private or special address" in \
        result.message
    assert [request.path for request, _ in local.log] == ["/in"]
    # and by default this machine itself is refused
    direct = links.check_all([local.url_for("/in")], policy=FAST)
    assert "private or special address" in direct[local.url_for("/in")].message
    assert len(local.log) == 1


def test_names_that_do_not_exist_and_ports_that_refuse(local):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    results = _check(["http://no-such-site.invalid/", closed])
    assert results["http://no-such-site.invalid/"].outcome == links.BROKEN
    assert "could not be found" in results["http://no-such-site.invalid/"].message
    assert results[closed].outcome == links.UNREACHABLE and results[closed].network


def test_certificates_that_readers_browsers_would_refuse(tmp_path):
    from conftest import local_authority

    context, bundle = local_authority(tmp_path)
    secure = HTTPServer(host="127.0.0.1", ssl_context=context)
    secure.start()
    try:
        secure.expect_request("/page").respond_with_data("secure page")
        url = f"https://127.0.0.1:{secure.port}/page"
        # an authority no browser knows: broken for readers
        refused = _check([url])[url]
        assert refused.outcome == links.BROKEN and "security certificate" in refused.message
        assert _check([url], verify=str(bundle))[url].outcome == links.OK
    finally:
        secure.stop()


# ---- the command, on a project of its own ---------------------------------------------------

RESOURCES = """\
resources:
  # kept by the checker: this comment, the order, the quotes
  - id: works
    title: A guide that works
    url: {ok}
    publisher: helpers
    format: guide
    audiences: [birth-parents]
    topics: [visits]
    description: It works.
    last_verified: '2025-01-15'
  - id: gone
    title: A guide that is gone
    url: {gone}
    publisher: helpers
    format: guide
    audiences: [birth-parents]
    topics: [visits]
    description: It is gone.
    last_verified: 2025-01-15
  - id: moved
    title: A guide that moved
    url: {old}
    publisher: helpers
    format: guide
    audiences: [birth-parents]
    topics: [visits]
    description: It moved.
    last_verified: 2025-01-15   # checked by hand
"""

ORGANIZATIONS = """\
organizations:
  - id: helpers
    name: Helpers United
    website: {ok}
    donate_url: {bot}
    description: Helps families.
    states: [AL]
    last_verified: 2026-10-01
  - id: second
    name: Second Partner
    website: {ok}
    description: Helps too.
    states: [AL]
    last_verified: 2024-03-01
drives:
  - id: current
    title: Towels for families
    organization: helpers
    description: Towels.
    starts: 2026-11-01
    ends: 2026-12-31
    give_url: {gone}
    states: [AL]
  - id: last-year
    title: Last year's drive
    organization: helpers
    description: Over.
    starts: 2025-11-01
    ends: 2025-12-31
    give_url: {missing}
    states: [AL]
"""


@pytest.fixture
def linked(project, server):
    url = server.url_for
    values = dict(ok=url("/ok"), gone=url("/gone"), old=url("/old"), bot=url("/bot-wall"),
                  missing=url("/missing"))
    text = CAMPAIGN + ORGANIZATIONS.format(**values) + RESOURCES.format(**values)
    (project.root / "resources.yaml").write_text(text, encoding="utf-8")
    return project


def _run(project, *extra, capsys=None):
    code = main(["links", "check", "--root", str(project.root), "--pause", "0",
                 "--timeout", "1", "--today", TODAY.isoformat(), *extra])
    return code


def test_links_are_found_where_they_are_written(linked):
    content = load_records(linked.root, Problems(root=linked.root))
    used = links.uses(content, TODAY)
    text = (linked.root / "resources.yaml").read_text().splitlines()
    for url, places in used.items():
        for use in places:
            assert text[use.line - 1][use.column - 1:].startswith(url), (use, url)
    fields = sorted((u.kind, u.record, u.field) for places in used.values() for u in places)
    assert fields == [("drives", "current", "give_url"),  # last year's drive is left out
                      ("organizations", "helpers", "donate_url"),
                      ("organizations", "helpers", "website"),
                      ("organizations", "second", "website"),
                      ("resources", "gone", "url"), ("resources", "moved", "url"),
                      ("resources", "works", "url")]


def test_the_command_reports_what_to_fix_where(linked, server, capsys, tmp_path):
    report = tmp_path / "report.md"
    code = _run(linked, "--allow-private-addresses", "--report", str(report))
    out, err = capsys.readouterr()
    assert code == 1  # a broken link is an error
    lines = out.splitlines()
    text = (linked.root / "resources.yaml").read_text().splitlines()
    gone = server.url_for("/gone")
    line = next(n for n, row in enumerate(text, 1) if row.strip() == f"url: {gone}")
    column = text[line - 1].index(gone) + 1
    assert any(row.startswith(f"resources.yaml:{line}:{column}: record gone, field url: "
                              f"{gone}: the link is broken: it answered 410 Gone") and
               "hint: find where the page went" in row for row in lines), out
    # the same address, used by a drive, is reported there too
    assert any("record current, field give_url" in row and "410 Gone" in row for row in lines)
    assert any("warning: record moved, field url" in row and "moved for good" in row
               for row in lines)
    assert any("warning: record helpers, field donate_url" in row and "403 Forbidden" in row
               for row in lines)
    assert not any("record works" in row for row in lines)
    assert "Checked 4 link(s) on 1 site(s): 1 working, 1 moved, 1 broken, 1 turned" in err
    saved = json.loads((linked.root / "link-check.json").read_text())
    assert saved["links"][server.url_for("/ok")]["outcome"] == "ok"
    assert saved["links"][server.url_for("/old")]["final_url"] == server.url_for("/ok")
    assert saved["links"][gone]["failing_since"] == saved["checked"]
    assert server.url_for("/missing") not in saved["links"]  # last year's drive: not asked
    body = report.read_text()
    assert body.startswith("# Link check") and "## Broken: readers meet an error (2)" in body
    assert f"`resources.yaml:{line}:{column}` gone, url" in body


def test_update_sets_only_the_dates_of_records_whose_links_worked(linked, capsys):
    before = (linked.root / "resources.yaml").read_text()
    assert _run(linked, "--allow-private-addresses", "--update") == 1
    after = (linked.root / "resources.yaml").read_text()
    today = TODAY.isoformat()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [
        ("    last_verified: 2024-03-01", f"    last_verified: {today}"),  # second: its link works
        ("    last_verified: '2025-01-15'", f"    last_verified: '{today}'"),  # works
    ]  # helpers (a 403 on donate_url), gone and moved keep theirs; the comments stay
    assert "Set last_verified to 2026-11-22 on 2 record(s)" in capsys.readouterr().err


def test_without_the_test_switch_local_links_are_refused(linked, server, capsys):
    assert _run(linked) == 1
    assert server.log == []
    assert "is a private or special address" in capsys.readouterr().out


def test_when_no_site_answers_the_results_are_kept(project, capsys):
    import socket

    ports = []
    for _ in range(3):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    orgs = "".join(f"""\
  - id: org-{n}
    name: Partner {n}
    website: http://127.0.0.1:{port}/
    description: Helps.
    states: [AL]
    last_verified: 2026-10-01
""" for n, port in enumerate(ports))
    project.resources(organizations=orgs)
    results = project.root / "link-check.json"
    results.write_text('{"checked": "2026-11-01T00:00:00Z", "links": {}}\n')
    assert _run(project, "--allow-private-addresses") == 1
    assert "No site could be reached" in capsys.readouterr().err
    assert results.read_text() == '{"checked": "2026-11-01T00:00:00Z", "links": {}}\n'


def test_a_site_down_for_two_weeks_is_broken_not_busy():
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    down = links.Result("https://x.org/", links.UNREACHABLE, "the site did not answer")
    first = links.merge({"links": {}}, {"https://x.org/": down}, now - timedelta(days=15))
    entry = first["links"]["https://x.org/"]
    assert links.severity(entry, now - timedelta(days=15)) == "warning"
    later = links.merge(first, {"https://x.org/": down}, now)
    entry = later["links"]["https://x.org/"]
    assert entry["failing_since"] == "2026-11-16T00:00:00Z"  # carried over
    assert links.severity(entry, now) == "error"
    back = links.merge(later, {"https://x.org/": links.Result("https://x.org/", links.OK)}, now)
    assert back["links"]["https://x.org/"]["failing_since"] is None
    assert back["links"]["https://x.org/"]["last_worked"] == "2026-12-01T00:00:00Z"
    # a link not checked this time (the site asked us to come back) keeps what was known
    busy = links.Result("https://x.org/", links.BUSY, "come back in 2 h")
    kept = links.merge(back, {"https://x.org/": busy}, now + timedelta(days=7))
    assert kept["links"]["https://x.org/"]["outcome"] == "ok"
    assert kept["links"]["https://x.org/"]["busy"] == "come back in 2 h"


# ---- what the pages and `check --stale` make of the results ----------------------------------
# tests/sample/link-check.json: casey.org worked on 21 November, childwelfare.gov answered 410

def _checked(site, url):
    from conftest import page

    facts = page(site, url).select_one("dl.rf-facts")
    for term in facts.find_all("dt"):
        if term.get_text(strip=True) == "Link checked":
            return term.find_next_sibling("dd")
    return None


def test_pages_say_when_a_link_last_worked(sample_site):
    fact = _checked(sample_site, "resources/casey-birth-and-foster-parent-relationships")
    assert fact.get_text(strip=True) == "November 21, 2026"
    assert fact.find("time")["datetime"] == "2026-11-21"
    partner = _checked(sample_site, "organizations/casey-family-programs")
    assert partner.get_text(strip=True) == "November 21, 2026"
    # a link the check has not asked: nothing is claimed
    assert _checked(sample_site, "resources/all-in-for-reunification") is None


def test_pages_warn_readers_of_a_link_found_broken(sample_site):
    fact = _checked(sample_site, "resources/gateway-reunification")
    assert fact.get_text(strip=True) == "not working when checked on November 21, 2026"
    spanish = sample_site / "es" / "resources" / "gateway-reunification" / "index.html"
    from conftest import parse
    facts = parse(spanish).select_one("dl.rf-facts").get_text(" ", strip=True)
    assert "no funcionaba al comprobarlo el 21 de noviembre de 2026" in facts


def test_check_stale_lists_the_links_found_failing(tmp_path, capsys):
    from conftest import SAMPLE, copy_sample

    root = copy_sample(tmp_path / "hub")
    code = main(["check", "--stale", "--root", str(root), "--today", TODAY.isoformat()])
    out = capsys.readouterr().out
    found = [row for row in out.splitlines() if "https://www.childwelfare.gov/" in row]
    assert found and all(": warning: " in row and "410 Gone" in row for row in found)
    assert any("record child-welfare-information-gateway, field website" in row for row in found)
    assert any("record gateway-reunification, field url" in row for row in found)
    assert not any("casey.org" in row for row in out.splitlines())
    del SAMPLE, code


def test_a_damaged_results_file_is_reported_and_built_without(project, capsys):
    (project.root / "link-check.json").write_text(
        '{"links": {"https://a.org/": {"outcome": "fine", "checked": "x"}}}')
    problems = Problems(root=project.root)
    content = load_records(project.root, problems)
    assert content.links == {}
    assert [p.format() for p in problems.errors] == [
        "link-check.json: the result for https://a.org/ is damaged: expected an outcome (ok, "
        "moved, broken, blocked, unreachable, busy), found 'fine' (hint: run `reunify links "
        "check` to write it again)"]
