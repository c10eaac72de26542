"""The built site in a real browser (Debian's chromium driven by Playwright), as people use it:
accessibility rules (axe-core, WCAG 2.2 A and AA), no console errors, no request leaving the
machine, nothing overflowing a 375-pixel phone, keyboard-only filters and search, clean print."""
from __future__ import annotations

import functools
import json
import http.server
import re
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

PAGES = {
    "home": "",
    "story index": "stories/",
    "story": "stories/tucking-my-son-in-again/",
    "resource listing": "resources/",
    "resource": "resources/bridging-the-gap/",
    "organization": "organizations/childrens-aid-society-alabama/",
    "partners": "organizations/",
    "organizations by state": "organizations/states/al/",
    "drive": "drives/home-again-kits-birmingham/",
    "drives": "drives/",
    "event": "events/birmingham-homecoming-celebration/",
    "news": "news/",
    "hand-written page": "about/",
    "data page": "data/",
    "search": "search/?q=reunification",
    "campaign year": "2026/",
    "toolkit": "toolkit/",
    "not found": "no-such-page/",
}


def _poll(self, expression, *, arg=None, timeout=None, polling=None):
    """Page.wait_for_function without the `eval` Playwright's own polling uses, which the site's
    Content-Security-Policy refuses (as it should): the expression is evaluated again and again
    through the DevTools protocol, which the policy does not govern."""
    deadline = time.monotonic() + (timeout or 30_000) / 1000
    function = "=>" in expression.split("\n")[0] or expression.lstrip().startswith("function")
    while True:
        value = self.evaluate(expression, arg) if function else self.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout or 30_000} ms for {expression}")
        time.sleep(0.05)


def host_headers(site: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    """The rules of the site's `_headers` file, as Netlify and Cloudflare Pages read them."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in (site / "_headers").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith((" ", "\t")):
            rules.append((line.strip(), []))
        else:
            name, _, value = line.strip().partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site as a host that reads `_headers` does: every page with its
    Content-Security-Policy and the other headers, so that the browser tests run under them."""

    rules: list = []

    def log_message(self, *args):
        pass

    def end_headers(self):
        path = self.path.split("?")[0]
        for pattern, headers in self.rules:
            if path == pattern or (pattern.endswith("*") and path.startswith(pattern[:-1])):
                for name, value in headers:
                    self.send_header(name, value)
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        if code == 404:  # serve the edition's own 404 page, as a static host is set up to do
            edition = "es/" if self.path.startswith("/es/") else ""
            body = (Path(self.directory) / edition / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@pytest.fixture(scope="session")
def server(sample_site):
    QuietHandler.rules = host_headers(sample_site)
    handler = functools.partial(QuietHandler, directory=str(sample_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import Page, sync_playwright
    Page.wait_for_function = _poll
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


class Visit:
    """A page opened in a fresh context that records console errors and every request."""

    def __init__(self, browser, url, width=1280):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.requests, self.errors = [], []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # every Content-Security-Policy violation, whether or not the console reports it
        self.page.add_init_script("window.__csp = []; document.addEventListener("
                                  "'securitypolicyviolation', e => window.__csp.push("
                                  "e.violatedDirective + ' ' + e.blockedURI))")
        self.response = self.page.goto(url, wait_until="networkidle")

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__csp || []")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser):
    opened = []

    def open_page(url, width=1280):
        opened.append(Visit(browser, url, width))
        return opened[-1]

    yield open_page
    # whatever a test did on its pages (search, filters, copy buttons, the toolkit), the
    # site's Content-Security-Policy allowed it
    blocked = {item.page.url: item.violations() for item in opened
               if not item.page.is_closed() and item.violations()}
    for item in opened:
        item.close()
    assert blocked == {}


def _axe(page):
    # evaluated by the browser's DevTools protocol, which the page's Content-Security-Policy
    # does not govern (a <script> added to the page would rightly be refused)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
        .then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' '))
        .slice(0, 3).join(' | ')))""", AXE_TAGS)


@pytest.mark.parametrize("edition", ["", "es/"], ids=["en", "es"])
@pytest.mark.parametrize("kind", PAGES)
def test_page_is_accessible_private_and_fits_a_phone(visit, server, kind, edition):
    url = server + edition + PAGES[kind]
    desktop = visit(url)
    assert desktop.response.status == (404 if kind == "not found" else 200)
    assert _axe(desktop.page) == []
    assert desktop.errors == [] or kind == "not found" and all(
        "404" in e for e in desktop.errors)
    outside = [u for u in desktop.requests if urlsplit(u).hostname != "127.0.0.1"]
    assert outside == []
    # served with the site's own _headers: its policy in the header and the page's meta tag
    policy = desktop.response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert desktop.response.headers["x-content-type-options"] == "nosniff"
    assert desktop.violations() == []
    phone = visit(url, width=375)
    overflow = phone.page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 375
    assert _axe(phone.page) == []


def test_resource_filters_work_with_a_keyboard_and_can_be_shared(visit, server):
    opened = visit(server + "resources/")
    page = opened.page
    select = page.locator("select[name=audiences]")
    select.focus()
    page.keyboard.press("End")  # keyboard choice of the last audience, as a user would
    chosen = select.input_value()
    assert chosen
    page.keyboard.press("Tab")  # on to the next control, then submit with Enter from a field
    page.locator("input[name=q]").focus()
    before = page.locator("[data-rf-status]").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_function("location.search.includes('audiences=')")
    # the address changes as the choice is made; the count and the list follow when the
    # filter's files have come
    page.wait_for_function("s => { const t = document.querySelector('[data-rf-status]')"
                           ".textContent; return t !== s && parseInt(t) === document"
                           ".querySelectorAll('[data-rf-results] .rf-card--resource').length }",
                           arg=before)
    status = page.locator("[data-rf-status]")
    assert status.get_attribute("role") == "status"
    shown = page.locator("[data-rf-results] .rf-card--resource").count()
    assert shown < 17  # the filter took effect
    assert status.inner_text() in (f"{shown} resources", f"{shown} resource")
    shared = page.url
    again = visit(shared).page  # the address alone reproduces the filtered view
    again.wait_for_function("document.querySelector('[data-rf-status]').textContent"
                            f" !== '' && document.querySelectorAll('[data-rf-results] article')"
                            f".length === {shown}")
    assert again.locator("select[name=audiences]").input_value() == chosen
    assert opened.errors == []


def test_filters_fetch_only_what_the_choice_needs(visit, server):
    """A hub of 10,000 resources must not make a phone download all of them to filter: a
    choice of values fetches those values' files and the cards it shows; words ask the search
    index, which fetches the pieces the words need."""
    opened = visit(server + "resources/?audiences=caregivers&state=NM")
    opened.page.wait_for_function("document.querySelector('[data-rf-status]').textContent"
                                  ".endsWith('resources')")
    fetched = [urlsplit(u).path for u in opened.requests if "/resources/filter/" in u
               or "/pagefind/" in u or u.endswith(".json")]
    assert sorted(fetched) == ["/resources/filter/audiences/caregivers.json",
                               "/resources/filter/cards/0.json",
                               "/resources/filter/state/NM.json",
                               "/resources/filter/state/national.json"]
    titles = opened.page.locator("[data-rf-results] .rf-card__title").all_inner_texts()
    assert "Step Up! grief and loss training for foster families" in titles  # New Mexico's
    worded = visit(server + "resources/?q=grief")
    worded.page.wait_for_function("document.querySelector('[data-rf-status]').textContent"
                                  ".endsWith('resource') || document.querySelector("
                                  "'[data-rf-status]').textContent.endsWith('resources')")
    assert not any("/resources/filter/" in u or u.endswith("index.json")
                   for u in worded.requests)
    assert any("/pagefind/index/" in u for u in worded.requests)
    assert opened.errors == worded.errors == []


def test_a_filter_that_cannot_load_says_so_and_works_when_tried_again(browser, server):
    """On a connection that drops, the filter says it could not load and leaves the list as it
    was; trying again once the connection is back works."""
    page = browser.new_page()
    page.route("**/resources/filter/**", lambda route: route.abort())
    page.goto(server + "resources/?audiences=caregivers", wait_until="networkidle")
    status = page.locator("[data-rf-status]")
    page.wait_for_function("document.querySelector('[data-rf-status]').textContent"
                           ".startsWith('The filters could not load')")
    assert status.inner_text() == ("The filters could not load the resources. "
                                   "Check your connection and try again.")
    listed = page.locator("[data-rf-results] article")
    assert listed.count() > 5  # the list as it came
    assert page.locator("[data-rf-results]").get_attribute("aria-busy") is None
    page.unroute("**/resources/filter/**")
    page.get_by_role("button", name="Show resources").click()
    page.wait_for_function("document.querySelector('[data-rf-status]').textContent"
                           ".endsWith('resources') && !document.querySelector("
                           "'[data-rf-results]').hasAttribute('aria-busy')")
    assert status.inner_text() == f"{listed.count()} resources"
    page.close()


def test_text_filter_and_empty_result(visit, server):
    page = visit(server + "resources/?q=grief").page
    page.wait_for_function("location.search === '?q=grief'")
    page.wait_for_function("document.querySelectorAll('[data-rf-results] article').length < 5")
    titles = page.locator("[data-rf-results] .rf-card__title").all_inner_texts()
    assert titles and all(t for t in titles)
    page = visit(server + "resources/?q=zzzznotfound").page
    page.wait_for_function("document.querySelector('[data-rf-status]').textContent"
                           ".startsWith('No resource')")
    assert page.locator("[data-rf-results] article").count() == 0


def test_an_address_with_a_filter_no_longer_offered_shows_the_list(visit, server):
    """A link shared before a topic was renamed (or with an empty word search) opens the
    list as it is, once: it used to reload the page for ever."""
    opened = visit(server + "resources/?topics=no-longer-a-topic&q=%20")
    page = opened.page
    loads = []
    page.on("load", lambda: loads.append(page.url))
    page.wait_for_timeout(1500)
    assert loads == []
    assert page.locator("[data-rf-results] article").count() > 5
    assert page.locator("select[name=topics]").input_value() == ""
    assert opened.errors == []


RESULT_LINK = "[data-rf-search-results] li > a"


def test_search_works_with_a_keyboard(visit, server):
    opened = visit(server)
    page = opened.page
    page.locator(".md-tabs a", has_text="Search").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for _ in range(40):  # Tab from the top of the page to the search field, as a user would
        if page.evaluate("document.activeElement.matches('input[name=q]')"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('input[name=q]')")
    page.keyboard.type("Bridging the Gap")
    page.keyboard.press("Enter")
    first = page.locator(RESULT_LINK).first
    first.wait_for(timeout=10_000)
    assert "Bridging the Gap" in first.inner_text()
    status = page.locator("[data-rf-search-status]")
    assert status.get_attribute("role") == "status"
    assert status.inner_text().endswith("for “Bridging the Gap”")
    assert "q=Bridging" in page.url  # the search can be shared
    while not page.evaluate("document.activeElement.matches(arguments[0])".replace(
            "arguments[0]", repr(RESULT_LINK))):
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/resources/bridging-the-gap/")
    assert opened.errors == []


def test_search_results_are_text_and_listings_are_left_out(visit, server):
    page = visit(server + "search/?q=Bridging").page
    page.locator(RESULT_LINK).first.wait_for(timeout=10_000)
    links = page.locator(RESULT_LINK).evaluate_all("els => els.map(e => e.href)")
    assert links and all("/audiences/" not in link and "/topics/" not in link and
                         "/formats/" not in link and not link.endswith("/resources/")
                         for link in links)
    marks = page.locator("[data-rf-search-results] mark").all_inner_texts()
    assert marks and all(m.lower().startswith("bridg") for m in marks)  # word forms match
    page = visit(server + "search/?q=zzzznotfound").page
    page.wait_for_function("document.querySelector('[data-rf-search-status]').textContent"
                           ".startsWith('No result')")


def test_print_is_clean(visit, server):
    page = visit(server + "resources/bridging-the-gap/").page
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-footer", ".md-tabs", "button[data-copy]"):
        assert page.locator(chrome).first.is_hidden(), chrome
    shown = page.evaluate("""() => {
        const a = document.querySelector('.rf-actions a[href^="http"]');
        return getComputedStyle(a, '::after').content; }""")
    assert "https://humanservices.arkansas.gov/" in shown


def test_copy_link_button(visit, server):
    opened = visit(server + "resources/bridging-the-gap/")
    opened.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = opened.page
    button = page.locator("button[data-copy]")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('[data-copy-status]').textContent !== ''")
    assert page.evaluate("navigator.clipboard.readText()") == \
        "https://reunification.example.org/resources/bridging-the-gap/"


def test_the_map_is_used_with_the_keyboard(visit, server):
    opened = visit(server + "organizations/", width=375)
    page = opened.page
    for _ in range(80):  # Tab from the top of the page until a tile has the focus
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('svg.rf-map')"):
            break
    else:
        raise AssertionError("no tile of the map can be reached with Tab")
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert re.match(r"[A-Z][\w .]+, [A-Z]{2}: \d+ ", label), label
    # the focused tile shows it has the focus
    assert page.evaluate("getComputedStyle(document.activeElement.querySelector('rect'))"
                         ".strokeWidth") == "3px"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/organizations/states/[a-z]{2}/$"))
    assert label.split(",")[0] in page.locator("h1").inner_text()


def test_charts_are_pictures_with_words(visit, server):
    page = visit(server).page
    charts = page.locator("figure.rf-chart svg[role=img]")
    assert charts.count() >= 3
    for index in range(charts.count()):
        chart = charts.nth(index)
        ids = chart.get_attribute("aria-labelledby").split()
        names = [page.locator(f"[id='{i}']").text_content() for i in ids]
        assert all(names), ids
    # the figures behind a chart open as a table
    figure = page.locator("figure.rf-chart").first
    figure.locator("summary").click()
    assert figure.locator("table tbody tr").first.is_visible()


@pytest.mark.parametrize("edition", ["", "es/"], ids=["en", "es"])
def test_a_toolkit_post_is_copied_with_the_keyboard_and_says_so(visit, server, edition):
    opened = visit(server + edition + "toolkit/")
    opened.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = opened.page
    post = page.locator(".rf-post").nth(1)  # the campaign's long post
    expected = post.locator(".rf-post__text").inner_text()
    button = post.locator("button[data-copy]")
    assert button.is_visible()
    # reached with Tab like any button, from the one before it
    page.locator(".rf-post").nth(0).locator("button[data-copy]").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.rf-post') !== null && "
                         "document.activeElement.textContent") == button.inner_text()
    page.keyboard.press("Enter")
    status = post.locator("[data-copy-status]")
    page.wait_for_function("el => el.textContent !== ''", arg=status.element_handle())
    assert status.is_visible() and status.inner_text()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert " ".join(copied.split()) == " ".join(expected.split())
    assert len(copied) <= 2_200


def test_language_switch_with_a_keyboard_keeps_the_page(visit, server):
    opened = visit(server + "stories/tucking-my-son-in-again/")
    page = opened.page
    for _ in range(30):  # Tab from the top, as a keyboard user would, to the switch
        if page.evaluate("document.activeElement.matches('.rf-editions a')"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Español"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/es/stories/tucking-my-son-in-again/")
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.locator("h1").first.inner_text() == \
        "«Nunca pensé que volvería a arropar a mi hijo»"
    with page.expect_navigation():
        page.locator(".rf-editions a", has_text="English").click()
    assert page.url.endswith("/stories/tucking-my-son-in-again/")
    assert "/es/" not in page.url
    assert opened.errors == []


def test_spanish_filters_find_resources_in_spanish(visit, server):
    opened = visit(server + "es/resources/?language=es")
    page = opened.page
    page.wait_for_function("document.querySelectorAll('[data-rf-results] article').length === 1")
    card = page.locator("[data-rf-results] article")
    assert card.locator(".rf-card__title").inner_text() == \
        "El Mes Nacional de la Reunificación Familiar en español"
    assert page.locator("[data-rf-status]").inner_text() == "1 recurso"
    english = visit(server + "es/resources/?q=bridging").page  # English text marked as such
    english.wait_for_function("document.querySelectorAll('[data-rf-results] article').length")
    assert english.locator("[data-rf-results] .rf-card__title a").first \
        .get_attribute("lang") == "en"
    assert opened.errors == []


def test_spanish_search_understands_spanish_word_forms(visit, server):
    opened = visit(server + "es/search/?q=visita")  # the stories say "visitas"
    page = opened.page
    page.locator(RESULT_LINK).first.wait_for(timeout=10_000)
    links = page.locator(RESULT_LINK).evaluate_all("els => els.map(e => e.href)")
    assert any("/es/stories/tucking-my-son-in-again/" in link for link in links)
    assert all("/es/" in link for link in links)  # results stay in the reader's language
    status = page.locator("[data-rf-search-status]").inner_text()
    assert re.fullmatch(r"\d+ resultados? para “visita”", status)
    assert opened.errors == []


SEARCH = """async (query) => {
  const pf = await import(new URL("/pagefind/pagefind.js", location.href).href);
  await pf.init();
  const found = await pf.search(query);
  const pages = await Promise.all(found.results.map(r => r.data()));
  return pages.map((p, i) => [found.results[i].score, p.url, p.meta.title, p.excerpt]);
}"""


def test_search_finds_what_an_index_of_whole_pages_finds(browser, server, sample_site,
                                                         tmp_path):
    """Pagefind reads search copies of the pages; an index of the whole pages, as Pagefind
    makes it from the finished site, gives the same results with the same scores (results
    with equal scores come in the order Pagefind found the files in)."""
    from test_search import whole_page_index

    whole = whole_page_index(sample_site, "", tmp_path)
    handler = functools.partial(QuietHandler, directory=str(whole))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        ours = browser.new_page()
        ours.goto(server + "search/")
        theirs = browser.new_page()
        theirs.goto(f"http://127.0.0.1:{httpd.server_address[1]}/search/")
        for query in ("visits", "family reunification", "kinship", "housing", "Alabama",
                      "parent partner", "court", "Spanish", "bridg", "homecoming"):
            found = ours.evaluate(SEARCH, query)
            assert found, query
            expected = theirs.evaluate(SEARCH, query)
            assert [r[0] for r in found] == [r[0] for r in expected], query  # best first
            assert sorted(found) == sorted(expected), query
    finally:
        httpd.shutdown()


def test_many_matches_are_shown_a_page_at_a_time(browser, project, tmp_path):
    """At national size a filter can match thousands of resources: they come a page at a time
    (as many as a page of the list), with a button for more that a keyboard user can press
    and that takes them to the first card it added; the count is of every match. Without words
    they come in the list's order, from the small files a filter fetches; with words, from
    Pagefind."""
    from conftest import TODAY, scratch_config
    from reunify.commands.build import build_site

    project.resources(extra="resources:\n" + "".join(
        f"  - id: visit-guide-{i:03d}\n    title: Visit guide {i}\n"
        f"    url: https://helpers.example.org/guides/{i}\n    publisher: helpers\n"
        f"    format: guide\n    audiences: [birth-parents]\n    topics: [visits]\n"
        f"    description: How family visits work, part {i}.{' In large print.' * (i % 30 == 0)}\n"
        f"    last_verified: 2026-10-01\n"
        for i in range(95)))
    site = tmp_path / "site"
    config = scratch_config(project)
    # as in mkdocs.yml: the campaign's CSS, and no MkDocs search (whose dialog would open for
    # ?q=); the filter script comes with the list's first page
    config.write_text(config.read_text().replace("  - search\n", "")
                      + "extra_css: [assets/campaign.css]\n")
    build_site(project.root, site, config, TODAY)
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{httpd.server_address[1]}/"
    listed = json.loads((site / "resources" / "index.json").read_text())  # the list's order
    expected = [row["title"] for row in listed
                if "visits" in row["topics"] and "birth-parents" in row["audiences"]]
    assert len(expected) >= 95
    cards = "[data-rf-results] article"
    try:
        page = browser.new_page()
        # without words: the matches in the list's order, from the small per-value files
        page.goto(root + "resources/?topics=visits&audiences=birth-parents")
        page.wait_for_function(f"document.querySelectorAll('{cards}').length === 40")
        assert page.locator(f"{cards} .rf-card__title").all_inner_texts() == expected[:40]
        assert page.locator("[data-rf-status]").inner_text() == f"{len(expected)} resources"
        more = page.get_by_role("button", name="Show more resources")
        more.focus()
        page.keyboard.press("Enter")
        page.wait_for_function(f"document.querySelectorAll('{cards}').length === 80")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused == expected[40]
        more.click()
        page.wait_for_function(f"document.querySelectorAll('{cards}').length === {len(expected)}")
        assert page.locator(f"{cards} .rf-card__title").all_inner_texts() == expected
        assert not more.is_visible()  # nothing more to show
        # with words: Pagefind's matches, a page at a time too
        page.goto(root + "resources/?q=visit")
        page.wait_for_function(f"document.querySelectorAll('{cards}').length === 40")
        assert page.locator("[data-rf-status]").inner_text() == "95 resources"
        more = page.get_by_role("button", name="Show more resources")
        more.click()
        page.wait_for_function(f"document.querySelectorAll('{cards}').length === 80")
        more.click()
        page.wait_for_function(f"document.querySelectorAll('{cards}').length === 95")
        assert not more.is_visible()
        page.goto(root + "resources/?q=large+print")
        page.wait_for_function("document.querySelector('[data-rf-status]').textContent"
                               " === '4 resources'")
        assert sorted(page.locator(f"{cards} .rf-card__title").all_inner_texts()) == \
            ["Visit guide 0", "Visit guide 30", "Visit guide 60", "Visit guide 90"]
        assert not page.get_by_role("button", name="Show more resources").is_visible()
        page.close()
    finally:
        httpd.shutdown()


def test_a_phone_downloads_a_photo_its_own_size_upright(browser, project, tmp_path):
    """A 3000-pixel phone photo: a 375-pixel phone (two device pixels a pixel) fetches the
    800-pixel WebP, a desktop the 1200-pixel one; once each, upright, from the site alone."""
    from conftest import TODAY, scratch_config
    from reunify.commands.build import build_site
    from test_images import PICTURED, phone_photo

    (project.root / "stories" / "images").mkdir()
    (project.root / "stories" / "images" / "home.jpg").write_bytes(phone_photo())
    project.story("pictured.md", PICTURED)
    site = tmp_path / "site"
    config = scratch_config(project)
    config.write_text(config.read_text() + "extra_css: [assets/campaign.css]\n")
    build_site(project.root, site, config, TODAY)
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        for viewport, scale, wanted in (({"width": 375, "height": 740}, 2, "home-800.webp"),
                                        ({"width": 1280, "height": 900}, 1, "home-1200.webp")):
            context = browser.new_context(viewport=viewport, device_scale_factor=scale)
            page = context.new_page()
            images = []
            page.on("request", lambda request: request.resource_type == "image" and
                    images.append(request.url))
            page.goto(root + "stories/pictured/")
            photo = page.locator(".rf-story__image img")
            photo.scroll_into_view_if_needed()
            page.wait_for_function("document.querySelector('.rf-story__image img').complete && "
                                   "document.querySelector('.rf-story__image img').naturalWidth")
            stories = [url for url in images if "/stories/" in url]
            assert [urlsplit(url).path for url in stories] == [f"/stories/pictured/{wanted}"]
            assert all(url.startswith(root) for url in images)
            width, height = photo.evaluate("img => [img.naturalWidth, img.naturalHeight]")
            assert height > width  # turned upright as the camera said
            context.close()
    finally:
        httpd.shutdown()


@pytest.mark.parametrize("width", [1280, 1920])
def test_a_story_reads_at_about_seventy_characters_a_line(visit, server, width):
    """On a wide screen a story's lines stay short enough to follow (about 70 characters)."""
    opened = visit(server + PAGES["story"], width=width)
    per_line = opened.page.evaluate("""() => {
        // the characters on the first line of each paragraph that has more than one
        const firstLines = [];
        for (const p of document.querySelectorAll('.rf-story__body p')) {
            const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
            let top = null, count = 0, wrapped = false, node;
            while (!wrapped && (node = walker.nextNode())) {
                for (let i = 0; i < node.length; i++) {
                    const range = document.createRange();
                    range.setStart(node, i); range.setEnd(node, i + 1);
                    const rect = range.getBoundingClientRect();
                    if (rect.height === 0) { count++; continue; }
                    if (top === null) top = rect.top;
                    if (rect.top > top + rect.height / 2) { wrapped = true; break; }
                    count++;
                }
            }
            if (wrapped) firstLines.push(count);
        }
        return firstLines;
    }""")
    assert per_line, "the sample story has long paragraphs"
    assert max(per_line) <= 75, per_line


@pytest.mark.parametrize("edition", ["", "es/"], ids=["en", "es"])
def test_every_search_result_can_be_reached_and_says_what_it_is(visit, server, edition):
    """'14 results' means fourteen can be reached: five first (a first search on a slow
    connection waits for five result files), then ten more at each press of a button a
    keyboard user can press, which takes them to the first new result; each result says what
    it is."""
    page = visit(server + edition + "search/?q=reunification").page
    status = page.locator("[data-rf-search-status]")
    page.wait_for_function("document.querySelectorAll('[data-rf-search-results] li').length")
    total = int(re.match(r"(\d+)", status.inner_text()).group(1))
    assert total > 10, "the sample has more than a page of results for 'reunification'"
    more = page.locator("[data-rf-search-more]")
    shown = 5
    assert page.locator(RESULT_LINK).count() == shown
    while shown < total:
        assert more.is_visible()
        more.focus()
        page.keyboard.press("Enter")
        before, shown = shown, min(shown + 10, total)
        page.wait_for_function(f"document.querySelectorAll('[data-rf-search-results] li')"
                               f".length === {shown}")
        focused = page.evaluate("document.activeElement.href")
        assert focused == page.locator(RESULT_LINK).nth(before).evaluate("a => a.href")
    assert more.is_hidden()
    kinds = page.locator(".rf-search__kind").all_inner_texts()
    assert len(kinds) == total and all(kinds)
    urls = page.locator(RESULT_LINK).evaluate_all("els => els.map(e => e.pathname)")
    labels = dict(zip(urls, kinds))
    expected = {"stories": "STORY", "resources": "RESOURCE"} if not edition else \
        {"stories": "HISTORIA", "resources": "RECURSO"}
    for url, label in labels.items():
        section = url.strip("/").split("/")[1 if edition else 0]
        if section in expected and url.count("/") > (3 if edition else 2):
            assert label.upper() == expected[section], url
    assert {label.upper() for label in kinds} & set(expected.values())


def test_on_a_phone_the_filters_fold_behind_one_button_with_the_count_in_view(visit, server):
    phone = visit(server + "resources/", width=375).page
    fold = phone.locator("[data-rf-filters-panel] > summary")
    assert fold.is_visible() and fold.inner_text() == "Filter resources"
    assert phone.locator("select[name=audiences]").is_hidden()
    assert phone.locator("[data-rf-status]").is_visible()
    first_card = phone.locator("[data-rf-results] article").first.bounding_box()
    assert first_card["y"] < 740  # the list starts on the first screen
    fold.focus()
    phone.keyboard.press("Enter")
    assert phone.locator("select[name=audiences]").is_visible()
    desktop = visit(server + "resources/", width=1280).page
    assert desktop.locator("select[name=audiences]").is_visible()
    assert desktop.locator("[data-rf-filters-panel] > summary").is_hidden()


def test_the_home_page_counts_the_days_to_the_month_on_the_visitors_own_day(browser, project,
                                                                            tmp_path):
    from datetime import date

    from conftest import CAMPAIGN, ORG, scratch_config
    from reunify.commands.build import build_site

    later = CAMPAIGN.replace("year: 2026", "year: 2099").replace("2026-06-", "2099-06-")
    project.resources(later + "organizations:\n" + ORG)
    site = tmp_path / "site"
    build_site(project.root, site, scratch_config(project), date(2099, 5, 1))
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/")
        text = page.locator("[data-rf-countdown]").inner_text()
        days = (date(2099, 6, 1) - date.today()).days
        assert text in (f"{days:,} days to go.", f"{days - 1:,} days to go.",
                        f"{days + 1:,} days to go."), text  # (midnight between the two)
        assert errors == []
        page.close()
    finally:
        httpd.shutdown()
