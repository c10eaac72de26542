"""Partner feeds, fetched from a local HTTP server on 127.0.0.1: good, broken and hostile."""
from __future__ import annotations

import io
import json
import time
from datetime import datetime, timezone

import pytest
from werkzeug import Response

from reunify.content import feeds
from reunify.cli import main
from reunify.content.load import load
from reunify.content.problems import Problems
from reunify.content.validate import check

from conftest import ORG, TODAY, content, page, scratch_config
from test_safety import _assert_inert

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Helpers news</title><link>https://helpers.example.org/</link>
<item><title>Families celebrate at the park</title><link>https://helpers.example.org/park</link>
<guid>park</guid><pubDate>Sat, 27 Jun 2026 15:00:00 GMT</pubDate>
<description>&lt;p&gt;A day of &lt;b&gt;games&lt;/b&gt;.&lt;/p&gt;</description></item>
<item><title>New parent mentors trained</title><link>https://helpers.example.org/mentors</link>
<guid>mentors</guid><pubDate>Mon, 01 Jun 2026 09:00:00 -0500</pubDate>
<description>Ten mentors joined.</description></item>
<item><title>Families celebrate at the park (again)</title><link>https://helpers.example.org/park</link>
<guid>park</guid><pubDate>Sat, 27 Jun 2026 15:00:00 GMT</pubDate></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Partner blog</title><id>urn:x</id>
<updated>2026-06-10T10:00:00Z</updated>
<entry><title type="html">Court &lt;em&gt;honors&lt;/em&gt; families</title>
<id>urn:court</id><link href="https://partner.example.org/court"/>
<updated>2026-06-10T10:00:00Z</updated><author><name>Ana</name></author>
<content type="html">&lt;p&gt;Judges and families.&lt;/p&gt;</content></entry>
</feed>"""

HOSTILE = """<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
<item><title>&lt;script&gt;alert(1)&lt;/script&gt;Click me</title>
<link>javascript:alert(1)</link><guid>evil</guid><pubDate>Mon, 01 Jun 2026 09:00:00 GMT</pubDate>
<description>&lt;p onclick="alert(1)"&gt;Hi&lt;/p&gt;&lt;script&gt;alert(2)&lt;/script&gt;&lt;img src="https://tracker.example/p.gif"&gt;&lt;a href="javascript:alert(3)"&gt;x&lt;/a&gt;&lt;iframe src="https://evil.example"&gt;&lt;/iframe&gt;</description>
</item></channel></rss>"""

BOMB = """<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<rss version="2.0"><channel><title>bomb</title>
<item><title>&f;</title><guid>bomb</guid><link>https://x.example/b</link></item></channel></rss>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file://{path}">]>
<rss version="2.0"><channel><title>xxe</title>
<item><title>Leak &secret;</title><guid>xxe</guid><link>https://x.example/x</link>
<description>&secret;</description></item></channel></rss>"""


@pytest.fixture(autouse=True)
def fast_limits(monkeypatch):
    monkeypatch.setattr(feeds, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(feeds, "DEADLINE", 2.0)
    monkeypatch.setattr(feeds, "MAX_BYTES", 50_000)


def _serve(httpserver, path, body, status=200, content_type="application/rss+xml", headers=None):
    httpserver.expect_request(path).respond_with_data(body, status=status,
                                                      content_type=content_type,
                                                      headers=headers or {})
    return httpserver.url_for(path)


def _refresh(tmp_path, urls: dict, now=NOW):
    out = io.StringIO()
    snapshot = feeds.refresh(urls, tmp_path / "partner-news.json", out=out, now=now,
                             allowed=feeds.any_address)  # the test servers are on 127.0.0.1
    return snapshot, out.getvalue()


def test_rss_and_atom_are_normalised(httpserver, tmp_path):
    rss = _serve(httpserver, "/rss", RSS)
    atom = _serve(httpserver, "/atom", ATOM, content_type="application/atom+xml")
    snapshot, progress = _refresh(tmp_path, {"helpers": rss, "partner": atom})
    assert "[2/2]" in progress and "helpers: 2 entries" in progress
    entries = snapshot["feeds"]["helpers"]["entries"]
    assert [(e["id"], e["title"], e["published"]) for e in entries] == [
        ("park", "Families celebrate at the park", "2026-06-27T15:00:00Z"),
        ("mentors", "New parent mentors trained", "2026-06-01T14:00:00Z")]  # UTC, deduplicated
    assert entries[0]["summary"] == "<p>A day of <b>games</b>.</p>"
    court = snapshot["feeds"]["partner"]["entries"][0]
    assert court["title"] == "Court honors families" and court["author"] == "Ana"
    assert court["link"] == "https://partner.example.org/court"
    saved = json.loads((tmp_path / "partner-news.json").read_text())
    assert saved["refreshed"] == "2026-11-22T12:00:00Z"
    assert saved["feeds"]["helpers"]["last_changed"] == "2026-11-22T12:00:00Z"


def test_hostile_entries_are_neutralised(httpserver, tmp_path):
    url = _serve(httpserver, "/evil", HOSTILE)
    snapshot, _ = _refresh(tmp_path, {"evil": url})
    entry = snapshot["feeds"]["evil"]["entries"][0]
    assert entry["title"] == "Click me"  # feedparser drops the script, we strip any markup
    assert entry["link"] is None
    from bs4 import BeautifulSoup
    summary = BeautifulSoup(entry["summary"], "html.parser")
    _assert_inert(summary)
    assert summary.find("img") is None  # no tracking pixels from partners' sites
    assert summary.get_text() == "Hix"


def test_entity_bomb_and_external_entity_do_not_expand(httpserver, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    bomb = _serve(httpserver, "/bomb", BOMB)
    xxe = _serve(httpserver, "/xxe", XXE.format(path=secret))
    started = time.perf_counter()
    snapshot, _ = _refresh(tmp_path, {"bomb": bomb, "xxe": xxe})
    assert time.perf_counter() - started < 5
    text = json.dumps(snapshot)
    assert "TOP-SECRET" not in text
    assert "aaaaaaaaaa" * 10 not in text


@pytest.mark.parametrize("name, body, content_type, reason", [
    ("truncated", RSS[: len(RSS) // 2], "application/rss+xml", None),
    ("html", "<!doctype html><html><head><title>Home</title></head><body>Hi</body></html>",
     "text/html", "the address returned a web page, not a feed"),
])
def test_broken_feeds(httpserver, tmp_path, name, body, content_type, reason):
    url = _serve(httpserver, f"/{name}", body, content_type=content_type)
    snapshot, progress = _refresh(tmp_path, {name: url})
    state = snapshot["feeds"][name]
    if reason:
        assert state["error"].startswith(reason)
    else:  # a truncated feed: the entries before the break are recovered, and this is said
        assert [e["id"] for e in state["entries"]] == ["park"]
        assert state["warning"].startswith("malformed feed, entries recovered")
        assert "malformed, recovered" in progress


def test_wrong_and_missing_encoding(httpserver, tmp_path):
    latin = RSS.replace('encoding="utf-8"', 'encoding="iso-8859-1"').replace(
        "Families celebrate", "Familias celebran en el parque").encode("utf-8")
    latin = latin.replace("parque".encode(), "parqué".encode("latin-1"))
    wrong = _serve(httpserver, "/wrong", latin, content_type="application/rss+xml; charset=utf-8")
    missing = _serve(httpserver, "/missing", RSS.replace(' encoding="utf-8"', "").encode(),
                     content_type="application/octet-stream")
    snapshot, _ = _refresh(tmp_path, {"wrong": wrong, "missing": missing})
    assert snapshot["feeds"]["missing"]["entries"][0]["title"] == "Families celebrate at the park"
    wrong_entries = snapshot["feeds"]["wrong"]["entries"]
    assert wrong_entries and wrong_entries[0]["title"].startswith("Familias celebran")


@pytest.mark.parametrize("case, reason", [
    ("404", "the server answered 404"),
    ("500", "the server answered 500"),
    ("loop", "more than 5 redirects (a redirect loop?)"),
    ("slow", "the server did not answer in time"),
    ("huge", "the feed is 60,000 bytes; the limit is 50,000"),
    ("drip", "the feed is over the 50,000-byte limit"),
])
def test_failures_keep_the_last_good_entries(httpserver, tmp_path, case, reason):
    good = _serve(httpserver, "/feed", RSS)
    _refresh(tmp_path, {"helpers": good})
    httpserver.clear()
    if case in ("404", "500"):
        httpserver.expect_request("/feed").respond_with_data("nope", status=int(case))
    elif case == "loop":
        httpserver.expect_request("/feed").respond_with_response(
            Response(status=302, headers={"Location": "/feed"}))
    elif case == "slow":
        def slow(request):
            time.sleep(1.0)
            return Response(RSS, content_type="application/rss+xml")
        httpserver.expect_request("/feed").respond_with_handler(slow)
    elif case == "huge":
        httpserver.expect_request("/feed").respond_with_data("x" * 60_000)
    else:
        def endless():
            while True:
                yield b"x" * 10_000
        httpserver.expect_request("/feed").respond_with_response(
            Response(endless(), content_type="application/rss+xml"))
    later = NOW.replace(day=23)
    snapshot, progress = _refresh(tmp_path, {"helpers": good}, now=later)
    if case == "slow":
        time.sleep(1.0)  # let the one-threaded test server finish before the next test
    state = snapshot["feeds"]["helpers"]
    assert state["error"] == reason
    assert state["failing_since"] == "2026-11-23T12:00:00Z"
    assert state["last_changed"] == "2026-11-22T12:00:00Z"
    assert [e["id"] for e in state["entries"]] == ["park", "mentors"]
    assert "failed" in progress and "kept 2 earlier entries" in progress


def test_unchanged_feed_costs_a_304(httpserver, tmp_path):
    httpserver.expect_request("/feed").respond_with_data(
        RSS, content_type="application/rss+xml", headers={"ETag": '"v1"'})
    url = httpserver.url_for("/feed")
    _refresh(tmp_path, {"helpers": url})
    httpserver.clear()
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304)
    snapshot, progress = _refresh(tmp_path, {"helpers": url}, now=NOW.replace(day=23))
    assert "unchanged (304)" in progress
    assert [e["id"] for e in snapshot["feeds"]["helpers"]["entries"]] == ["park", "mentors"]


def test_future_and_undated_entries(httpserver, tmp_path):
    body = RSS.replace("Sat, 27 Jun 2026 15:00:00 GMT", "Fri, 01 Jan 2100 00:00:00 GMT") \
        .replace("<pubDate>Mon, 01 Jun 2026 09:00:00 -0500</pubDate>", "")
    url = _serve(httpserver, "/feed", body)
    snapshot, _ = _refresh(tmp_path, {"helpers": url})
    entries = snapshot["feeds"]["helpers"]["entries"]
    assert {e["id"]: (e["published"], e["dated"]) for e in entries} == {
        "park": ("2026-11-22T12:00:00Z", False), "mentors": ("2026-11-22T12:00:00Z", False)}


def test_cap_on_entries_per_feed(httpserver, tmp_path):
    items = "".join(f"<item><title>Post {i}</title><guid>p{i}</guid>"
                    f"<link>https://x.example/{i}</link>"
                    f"<pubDate>Mon, {i + 1:02d} Jun 2026 09:00:00 GMT</pubDate></item>"
                    for i in range(29))
    url = _serve(httpserver, "/many", f'<rss version="2.0"><channel><title>x</title>{items}'
                 "</channel></rss>")
    snapshot, _ = _refresh(tmp_path, {"many": url})
    entries = snapshot["feeds"]["many"]["entries"]
    assert len(entries) == feeds.MAX_ENTRIES and entries[0]["id"] == "p28"


def test_news_page_and_organisation_page_read_only_the_snapshot(httpserver, project, tmp_path):
    url = _serve(httpserver, "/rss", RSS)
    project.resources(organizations=ORG.replace("    last_verified",
                                                f"    feed_url: {url}\n    last_verified"))
    assert main(["feeds", "refresh", "--root", str(project.root), "--allow-private-addresses"]) == 0
    httpserver.clear()  # the build must not need the network
    httpserver.stop()
    site = tmp_path / "out"
    from reunify.commands.build import build_site
    build_site(project.root, site, scratch_config(project), TODAY)
    news = content(page(site, "news"))
    titles = [h.get_text(strip=True) for h in news.select(".rf-news .rf-card__title")]
    assert titles == ["Families celebrate at the park", "New parent mentors trained"]
    assert news.select_one(".rf-news .rf-card__meta a").get_text() == "Helpers United"
    assert "Last refreshed on" in news.get_text()
    org = content(page(site, "organizations/helpers"))
    assert [h.get_text(strip=True) for h in org.select(".rf-news .rf-card__title")] == titles
    httpserver.start()


def test_no_snapshot_builds_an_empty_news_page(project, tmp_path):
    site = tmp_path / "out"
    from reunify.commands.build import build_site
    build_site(project.root, site, scratch_config(project), TODAY)
    assert "No partner news yet" in content(page(site, "news")).get_text()


def test_check_reports_feeds_failing_for_over_a_week(project):
    project.resources(organizations=ORG.replace(
        "    last_verified", "    feed_url: https://helpers.example.org/feed\n    last_verified"))
    (project.root / "partner-news.json").write_text(json.dumps({"refreshed": None, "feeds": {
        "helpers": {"failing_since": "2026-11-01T00:00:00Z", "error": "the server answered 404",
                    "entries": []}}}))
    problems = Problems(root=project.root)
    check(load(project.root, problems), TODAY, problems)
    assert [p.format() for p in problems.items] == [
        "resources.yaml:16:15: warning: record helpers, field feed_url: the feed has failed since "
        "2026-11-01: the server answered 404 (hint: check the address on the partner's site, or "
        "remove feed_url)"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.1", "2130706433", "0x7f000001",
                                  "[::1]", "[::ffff:127.0.0.1]"])
def test_feeds_on_this_machine_are_refused_before_connecting(httpserver, host):
    _serve(httpserver, "/rss", RSS)
    url = f"http://{host}:{httpserver.port}/rss"
    with pytest.raises(feeds.FetchError, match="is a private or special address .* only public "
                                               "addresses are fetched"):
        feeds.fetch(url)
    assert httpserver.log == []  # nothing reached the server


@pytest.mark.parametrize("address, public", [
    ("93.184.215.14", True), ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.9", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("::1", False),
    ("fe80::1", False), ("fc00::1", False), ("::ffff:10.0.0.1", False), ("224.0.0.1", False),
    ("192.0.2.1", False), ("255.255.255.255", False)])
def test_only_public_addresses_count_as_public(address, public):
    assert feeds.public_address(address) is public


def test_a_redirect_to_a_private_address_is_refused_before_connecting(httpserver):
    """Here 127.0.0.1 stands for the public internet, and 127.0.0.2 for a private address."""
    port = httpserver.port
    httpserver.expect_request("/rss").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.2:{port}/inside"})
    url = f"http://127.0.0.1:{port}/rss"
    with pytest.raises(feeds.FetchError, match=r"127\.0\.0\.2 is a private or special address"):
        feeds.fetch(url, allowed=lambda address: address == "127.0.0.1")
    assert [request.path for request, _ in httpserver.log] == ["/rss"]


def test_an_https_feed_may_not_redirect_to_http(tmp_path):
    from pytest_httpserver import HTTPServer

    from conftest import local_authority

    context, bundle = local_authority(tmp_path)
    plain, secure = HTTPServer(host="127.0.0.1"), HTTPServer(host="127.0.0.1", ssl_context=context)
    plain.start()
    secure.start()
    try:
        plain.expect_request("/rss").respond_with_data(RSS, content_type="application/rss+xml")
        secure.expect_request("/rss").respond_with_data(RSS, content_type="application/rss+xml")
        secure.expect_request("/moved").respond_with_data(
            "", status=301, headers={"Location": plain.url_for("/rss")})
        secure_url = f"https://127.0.0.1:{secure.port}"
        assert feeds.fetch(f"{secure_url}/rss", allowed=feeds.any_address,
                           verify=str(bundle)).status == 200
        with pytest.raises(feeds.FetchError, match="the https feed redirected to http://"):
            feeds.fetch(f"{secure_url}/moved", allowed=feeds.any_address, verify=str(bundle))
        assert plain.log == []
    finally:
        plain.stop()
        secure.stop()


def test_refresh_without_the_test_switch_refuses_a_local_feed(httpserver, project, capsys):
    url = _serve(httpserver, "/rss", RSS)
    project.resources(organizations=ORG.replace("    last_verified",
                                                f"    feed_url: {url}\n    last_verified"))
    main(["feeds", "refresh", "--root", str(project.root)])
    saved = json.loads((project.root / "partner-news.json").read_text())
    assert "is a private or special address" in saved["feeds"]["helpers"]["error"]
    assert httpserver.log == []
