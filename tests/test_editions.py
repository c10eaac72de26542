"""The Spanish edition, as a Spanish-speaking reader and an editor meet it: every page has its twin
and the switch leads there, no English interface text, English content marked as English,
Spanish dates and numbers, right language metadata, and `reunify check` listing what is left."""
from __future__ import annotations

import posixpath
import re
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from reunify.site import strings
from reunify.cli import main
from reunify.commands.build import build_site

from conftest import (SAMPLE, TODAY, content, page, pagefind_content, parse, scratch_config,
                      site_differences)

SITE_URL = "https://reunification.example.org/"


def _pages(site: Path, edition: str = "") -> dict[str, Path]:
    """Address (relative to the edition) → file, for every page that is not a redirect."""
    base = site / edition
    found = {}
    for file in base.rglob("*.html"):
        relative = file.relative_to(base).as_posix()
        if not edition and relative.startswith("es/"):
            continue
        if parse(file).select_one('meta[http-equiv="refresh"]'):
            continue  # an old address leading to a renamed record
        found[relative.removesuffix("index.html")] = file
    return found


def _resolve(page_address: str, href: str) -> str:
    """The site address a relative link on `page_address` leads to."""
    folder = page_address if page_address.endswith("/") or not page_address else \
        posixpath.dirname(page_address) + "/"
    joined = posixpath.normpath(posixpath.join(folder or ".", href))
    return "" if joined == "." else joined + ("/" if href.endswith("/") else "")


def test_every_page_has_its_twin_and_the_switch_links_both_ways(sample_site):
    english, spanish = _pages(sample_site), _pages(sample_site, "es")
    assert len(english) > 80
    assert sorted(english) == sorted(spanish)
    for address in english:
        soup = parse(english[address])
        switch = soup.select_one('.rf-editions a[hreflang="es"]')
        assert switch is not None, address
        assert switch.get_text(strip=True) == "Español"
        back = parse(spanish[address]).select_one('.rf-editions a[hreflang="en"]')
        assert back.get_text(strip=True) == "English"
        if address == "404.html":  # served at any address: it leads to the other home page
            assert (switch["href"], back["href"]) == ("/es/", "/")
            continue
        assert _resolve(address, switch["href"]) == "es/" + address, address
        assert _resolve("es/" + address, back["href"]) == address, address


def test_language_metadata_hreflang_and_sitemaps(sample_site):
    for address, file in _pages(sample_site, "es").items():
        soup = parse(file)
        assert soup.html["lang"] == "es", address
        if address == "404.html":
            assert soup.select("link[hreflang]") == []  # not a page to index
            continue
        alternates = {link["hreflang"]: link["href"] for link in soup.select("link[hreflang]")}
        assert alternates == {"en": SITE_URL + address, "es": SITE_URL + "es/" + address,
                              "x-default": SITE_URL + address}, address
    english = page(sample_site, "stories/tucking-my-son-in-again")
    assert english.html["lang"] == "en"
    assert english.select_one('meta[property="og:locale"]')["content"] == "en_US"
    assert page(sample_site, "es/stories/tucking-my-son-in-again") \
        .select_one('meta[property="og:locale"]')["content"] == "es_US"
    for edition in ("", "es/"):
        sitemap = BeautifulSoup((sample_site / edition / "sitemap.xml").read_text(), "xml")
        urls = sitemap.find_all("url")
        assert len(urls) > 80
        for url in urls:
            loc = url.find("loc").text
            assert loc.startswith(SITE_URL + edition)
            twins = {link["hreflang"]: link["href"] for link in url.find_all("link")}
            address = loc[len(SITE_URL + edition):]
            assert twins == {"en": SITE_URL + address, "es": SITE_URL + "es/" + address}
            for target in twins.values():
                path = target[len(SITE_URL):]
                assert (sample_site / path / "index.html").exists() or \
                    (sample_site / path).is_file(), target


def _english_interface_strings() -> list[str]:
    """Every phrase of our English catalogue and of Material's English interface that must not
    show on a Spanish page: the literal parts between {placeholders}, of at least two words or
    one long word, except what reads the same in Spanish."""
    same = set(strings.catalogue("es").get(strings.SAME_AS_ENGLISH, []))
    texts = []
    for key, value in strings.catalogue("en").items():
        if key in same or key == strings.SAME_AS_ENGLISH:
            continue
        texts += value.values() if isinstance(value, dict) else [value]
    import material as theme

    material = Path(theme.__file__).parent / "templates" / "partials" / "languages" / "en.html"
    texts += re.findall(r'"[\w.]+": "([^"]+)"', material.read_text())
    phrases = set()
    for text in texts:
        for part in re.split(r"\{\w+\}|\[\w+\]", str(text)):
            part = part.strip(" :.,·()←→“”\"")
            if len(part.split()) >= 2 or len(part) >= 8:
                phrases.add(part)
    return sorted(phrases - {"KB", "MB", "Video"})


def _proper_names() -> list[str]:
    """Names of partners and publishers' titles: content, in English, not interface text."""
    data = yaml.safe_load((SAMPLE / "resources.yaml").read_text())
    return sorted([o["name"] for o in data["organizations"]] +
                  [r["title"] for r in data["resources"]], key=len, reverse=True)


def _spanish_text(soup: BeautifulSoup) -> str:
    """What a Spanish reader sees and hears, less what is marked as English text and the names
    of partners and resources (the <title> and the header repeat a page's own title)."""
    for marked in soup.select('[lang="en"], title, .md-header__topic, script, style, code'):
        marked.decompose()
    said = [soup.get_text(" ")]
    for element in soup.find_all(True):
        for attribute in ("aria-label", "placeholder", "alt", "title", "data-msg-one",
                          "data-msg-other", "data-msg-none", "data-copied"):
            if element.get(attribute):
                said.append(element[attribute])
    text = " ".join(" ".join(said).split()).replace("’", "'")
    text = re.sub(r"\S*/\S*", " ", text)  # addresses such as /resources/<id>/ stay as they are
    for name in _proper_names():
        text = text.replace(name, " ")
    return text


def test_no_english_interface_text_on_spanish_pages(sample_site):
    phrases = _english_interface_strings()
    assert "Family stories" in phrases and "Skip to content" in phrases
    pattern = re.compile("|".join(r"(?<!\w)" + re.escape(p) + r"(?!\w)" for p in phrases))
    leaks = {}
    for address, file in _pages(sample_site, "es").items():
        found = sorted(set(pattern.findall(_spanish_text(parse(file)))))
        if found:
            leaks[address] = found
    assert leaks == {}


def test_spanish_interface_dates_and_numbers(sample_site):
    story = content(page(sample_site, "es/stories/tucking-my-son-in-again"))
    assert story.h1.get_text(strip=True) == "«Nunca pensé que volvería a arropar a mi hijo»"
    assert story.select_one(".rf-story__meta time").get_text() == "3 de junio de 2026"
    assert "Compartida por" in story.select_one(".rf-story__meta").get_text()
    event = content(page(sample_site, "es/events/grief-and-loss-circle"))
    assert re.search(r"(lunes|martes|miércoles|jueves|viernes|sábado|domingo), \d+ de junio "
                     r"de 2026", event.get_text(" "))
    drive = content(page(sample_site, "es/drives/keep-the-lights-on"))
    assert re.search(r"\$[\d,]+ recaudados de \$[\d,]+", drive.get_text(" "))
    past = content(page(sample_site, "es/drives/home-again-kits-birmingham"))
    assert re.search(r"Esta colecta terminó el \d+ de \w+ de 2026\. Gracias a todas las "
                     "personas que donaron", past.get_text(" "))
    listing = content(page(sample_site, "es/resources"))
    assert listing.select_one("[data-rf-status]").get_text(strip=True) == "17 recursos"
    home = content(page(sample_site, "es"))
    assert home.h1.get_text(strip=True) == "Trabajar juntos marca la diferencia"
    # on the tests' date (November) the month is over: the home page thanks and recaps it
    assert home.select_one(".rf-hero__kicker").get_text().startswith("Gracias por el ")
    assert "Las fechas del próximo junio se anunciarán aquí" in home.get_text(" ")
    year = content(page(sample_site, "es/2026"))
    assert "Del 1 de junio de 2026 al 30 de junio de 2026" in year.get_text(" ")


def test_untranslated_content_is_shown_in_english_marked_as_such(sample_site):
    # a story without its Spanish version: English body marked for screen readers, with a note
    untranslated = content(page(sample_site, "es/stories/overnight-visits-then-home"))
    note = untranslated.select_one(".rf-untranslated-note")
    assert note.get_text(strip=True) == \
        "Parte de esta página aún no está traducida y se muestra en inglés."
    body = untranslated.select_one(".rf-story__body > div[lang=en]")
    assert body is not None and len(body.get_text()) > 200
    assert untranslated.h1.select_one('[lang="en"]') is not None
    # a translated story: Spanish throughout, no note
    translated = content(page(sample_site, "es/stories/home-within-five-months"))
    assert translated.select_one(".rf-untranslated-note") is None
    assert translated.select(".rf-untranslated") == []
    story = translated.select_one(".rf-story")
    assert [e.get_text() for e in story.select('[lang="en"]')] == [
        "Children's Aid Society of Alabama"]  # an English proper name, marked for the voice
    assert "Sus hijos volvieron a casa en menos de cinco meses." in translated.get_text(" ")
    # a resource: the publisher's English title is marked English, yet is not "untranslated"
    resource = content(page(sample_site, "es/resources/family-partners"))
    assert resource.h1.select_one('span[lang="en"]').get_text() == "Family Partners"
    assert resource.select_one(".rf-untranslated-note") is None
    assert resource.select_one(".rf-lead").get_text().startswith("De seis a nueve meses")
    waiting = content(page(sample_site, "es/resources/foster-care-month-2016-reunification"))
    assert waiting.select_one(".rf-untranslated-note") is not None
    assert waiting.select_one('.rf-lead span[lang="en"]') is not None
    # a topic without a Spanish term would be marked; every sample topic has one
    topics = [a.get_text() for a in waiting.select('a[href*="/topics/"]')]
    assert "servicios de reunificación" in topics
    # hand-written pages: translated ones in Spanish
    about = content(page(sample_site, "es/about"))
    assert about.h1.get_text(strip=True).startswith("Acerca del Mes Nacional")
    assert about.select_one(".rf-untranslated-note") is None


def test_resources_in_spanish_are_marked_and_filterable_in_both_editions(sample_site):
    for edition, badge in (("", "Available in Spanish"), ("es/", "Disponible en español")):
        listing = content(page(sample_site, edition + "resources"))
        card = listing.select_one("#campaign-in-spanish")
        assert card.select_one(".rf-badge--language").get_text(strip=True) == badge
        options = {o["value"]: o.get_text(strip=True)
                   for o in listing.select("select[name=language] option")}
        assert "es" in options
        single = content(page(sample_site, edition + "resources/campaign-in-spanish"))
        assert single.select_one(".rf-badge--language").get_text(strip=True) == badge
    assert options["es"] == "Español"


def test_exports_are_shared_and_carry_the_translations(sample_site):
    import json
    resources = json.loads((sample_site / "data/resources.json").read_text())
    family = next(r for r in resources if r["id"] == "family-partners")
    assert family["translations"]["es"]["description"].startswith("De seis a nueve meses")
    assert not (sample_site / "es/data/resources.json").exists()  # one copy, linked from /es/
    data = content(page(sample_site, "es/data"))
    links = [a["href"] for a in data.select("h2 a")]
    assert "../../data/resources.json" in links
    meanings = {row.select("td")[0].get_text(): row.select("td")[1].get_text()
                for row in data.select("tbody")[0].select("tr")}  # the resources' fields
    assert meanings["title"] == "Título, tal como lo da quien lo publica"
    assert data.select_one(".rf-untranslated-note") is None
    feed = BeautifulSoup((sample_site / "es/feeds/resources.xml").read_text(), "xml")
    assert feed.feed["xml:lang"] == "es"
    assert feed.find("title").text == "Recursos"
    assert any(s.text.startswith("De seis a nueve meses") for s in feed.find_all("summary"))


def test_search_index_per_edition_holds_every_searchable_page(sample_site):
    import json
    for edition, language in (("", "en"), ("es/", "es")):
        entry = json.loads((sample_site / edition / "pagefind/pagefind-entry.json").read_text())
        assert list(entry["languages"]) == [language]
        searchable = [address for address, file in _pages(sample_site, edition.rstrip("/")).items()
                      if parse(file).select_one("[data-pagefind-body]") is not None]
        assert len(searchable) > 40
        assert entry["languages"][language]["page_count"] == len(searchable)


# -- for editors --------------------------------------------------------------------------------

def _spanish_project(project) -> None:
    """A scratch project with a Spanish edition."""
    config = scratch_config(project)
    text = config.read_text()
    config.write_text(text + textwrap.dedent("""\
        extra:
          alternate:
            - {name: English, link: /, lang: en}
            - {name: Español, link: /es/, lang: es}
        """))
    _edition(project, "es")


def _edition(project, language: str) -> None:
    """An edition's configuration and pages folder, as README's "Adding a language" says."""
    (project.root / f"mkdocs.{language}.yml").write_text(textwrap.dedent(f"""\
        INHERIT: mkdocs.yml
        site_url: https://example.org/{language}/
        docs_dir: site_src/{language}/pages
        theme:
          language: {language}
        """))
    (project.root / f"site_src/{language}/pages").mkdir(parents=True)


@pytest.fixture
def locales(tmp_path, monkeypatch):
    """A copy of the catalogues that a test may change, in place of the package's own."""
    folder = tmp_path / "locales"
    shutil.copytree(strings.LOCALES, folder)
    monkeypatch.setattr(strings, "LOCALES", folder)
    monkeypatch.setattr("reunify.content.validate.LOCALES", folder)
    strings.catalogue.cache_clear()
    strings.field_descriptions.cache_clear()
    yield folder
    strings.catalogue.cache_clear()
    strings.field_descriptions.cache_clear()


def test_check_lists_missing_translations_per_record_and_page(project, capsys):
    _spanish_project(project)
    project.resources(extra=textwrap.dedent("""\
        resources:
          - id: guide
            title: A guide
            url: https://helpers.example.org/guide
            publisher: helpers
            format: guide
            audiences: [youth]
            topics: [visits]
            description: What a guide.
            last_verified: 2026-10-01
            translations:
              es:
                description: Una guía.
        """))
    project.story("home.md")
    (project.root / "site_src/pages").mkdir(parents=True)
    (project.root / "site_src/pages/about.md").write_text("# About\n")
    assert main(["check", "--root", str(project.root), "--today", "2026-11-22",
                 "--strict", "--translations"]) == 0  # missing translations never block
    report = capsys.readouterr().out
    assert re.search(r"resources.yaml:\d+:\d+: warning: record helpers: not yet translated into "
                     r"Spanish: description", report)
    assert "record guide" not in report
    assert "stories/home.md: warning: record home: no Spanish translation of this story" \
        in report
    assert "write it in stories/home.es.md" in report
    assert "site_src/pages/about.md: warning: no Spanish version of this page (hint: write it " \
           "in site_src/es/pages/about.md" in report
    assert "topics and themes not yet in Spanish: visits" in report


def test_check_reports_untranslated_catalogue_strings_as_errors(project, locales, capsys):
    _spanish_project(project)
    spanish = (locales / "es.yaml").read_text()
    spanish = spanish.replace("stories.title: Historias de familias\n", "")
    spanish = spanish.replace("filters.apply: Mostrar recursos", "filters.apply: Show resources")
    spanish = spanish.replace('pager.position: "Página {number} de {total}"',
                              'pager.position: "Página {number}"')
    (locales / "es.yaml").write_text(spanish)
    assert main(["check", "--root", str(project.root), "--today", "2026-11-22"]) == 1
    report = capsys.readouterr().out
    assert "record stories.title: no Spanish text for `stories.title` (English: " \
           "'Family stories')" in report
    assert re.search(r"locales/es.yaml:\d+: record filters.apply: `filters.apply` is still in "
                     r"English \('Show resources'\)", report)
    assert "`pager.position` must keep the placeholders ['number', 'total']" in report


@pytest.mark.parametrize("parallel", [True, False], ids=["in a child process", "in turn"])
def test_a_failed_spanish_edition_leaves_the_previous_site(project, tmp_path, capfd, parallel):
    _spanish_project(project)
    project.story("home.md")
    site = tmp_path / "site"
    config = project.root / "mkdocs.yml"
    build_site(project.root, site, config, TODAY, parallel=parallel)
    assert (site / "es/stories/home/index.html").exists()
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    es = project.root / "mkdocs.es.yml"
    es.write_text(es.read_text().replace("https://example.org/es/", "https://example.org/"))
    capfd.readouterr()
    with pytest.raises(Exception):
        build_site(project.root, site, config, TODAY, parallel=parallel)
    assert "mkdocs.es.yml: expected site_url to end with /es/" in capfd.readouterr().err
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before
    assert not list(tmp_path.glob(".site-build-*"))  # nothing left behind


def test_a_story_translation_is_checked_for_privacy_and_must_match_a_story(project, capsys):
    _spanish_project(project)
    project.story("home.md")
    project.story("home.es.md", textwrap.dedent("""\
        ---
        title: Una familia de nuevo en casa
        summary: Una madre y su hija, juntas en casa.
        ---
        Puede llamarla al 402-555-0100.
        """))
    project.story("away.es.md", textwrap.dedent("""\
        ---
        title: Otra
        summary: Otra.
        ---
        Texto.
        """))
    assert main(["check", "--root", str(project.root), "--today", "2026-11-22"]) == 1
    report = capsys.readouterr().out
    assert "stories/home.es.md:5: record home, field body: the story shows a phone number " \
           "('402-555-0100')" in report
    assert "stories/away.es.md: record away: expected the translation of a story, but there " \
           "is no stories/away.md" in report


def test_a_third_language_as_readme_describes_it(project, tmp_path, locales):
    """README's "Adding a language", followed for French: a configuration, the language in
    extra.alternate, a catalogue; each page then has three twins."""
    _spanish_project(project)
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text() + "    - {name: Français, link: /fr/, lang: fr}\n")
    _edition(project, "fr")
    project.story("home.md")
    # a stand-in catalogue (the Spanish words) is enough to show the mechanism
    shutil.copy(locales / "es.yaml", locales / "fr.yaml")
    site = tmp_path / "site"
    build_site(project.root, site, config, TODAY)
    french = page(site, "fr/stories/home")
    assert french.html["lang"] == "fr"
    assert {a["hreflang"]: a["href"] for a in french.select(".rf-editions a")} == {
        "en": "../../../stories/home/", "es": "../../../es/stories/home/"}
    english = page(site, "stories/home")
    assert {link["hreflang"] for link in english.select("link[hreflang]")} == \
        {"en", "es", "fr", "x-default"}
    assert (site / "fr/pagefind/pagefind-entry.json").exists()


def test_editions_built_side_by_side_are_the_editions_built_in_turn(tmp_path, monkeypatch):
    """The editions built side by side (a child process loads the content and builds English,
    its own child builds Spanish, then both are indexed at once) give the same files, byte for
    byte (search index included), as building one after the other; no search copies are left
    on the RAM disk or in the temporary folder."""
    from reunify.outputs.search_index import scratch_folder

    def leftovers():
        return {p.name for folder in {scratch_folder() or tempfile.gettempdir(),
                                      tempfile.gettempdir()}
                for p in Path(folder).glob("reunify-*")}

    from reunify.commands import build as cli

    forks = []
    fork = cli._fork
    monkeypatch.setattr(cli, "_fork", lambda work: forks.append(work) or fork(work))
    before = leftovers()
    built = {}
    for parallel in (True, False):
        site = tmp_path / f"site-{parallel}"
        build_site(SAMPLE, site, SAMPLE / "mkdocs.yml", TODAY, parallel=parallel)
        built[parallel] = {p.relative_to(site).as_posix(): p.read_bytes()
                           for p in sorted(site.rglob("*")) if p.is_file()}
    assert len(forks) == 1  # the side-by-side build did use a child process (which forked again)
    assert len(built[True]) > 200 and "es/pagefind/pagefind-entry.json" in built[True]
    assert site_differences(built[True], built[False]) == []
    assert pagefind_content(built[True])["en"]["filters"]["audience"]
    assert leftovers() <= before



def test_with_memory_for_one_search_index_the_editions_are_indexed_one_after_the_other(
        tmp_path, monkeypatch):
    """Pagefind takes about 75 KB a page while it indexes (1.0 GB a national edition): with
    memory for both editions' indexes they are made at once; with room for one only, the
    second waits for the first; the site is the same."""
    from reunify.commands import build as cli
    from reunify.outputs import search_index

    events, start = [], search_index.SearchCopies.index
    finish = search_index.Indexing.wait

    def index(self, site, *args, **kwargs):
        events.append(("start", site.name, self.memory_needed()))
        return start(self, site, *args, **kwargs)

    def wait(self, **kwargs):
        finish(self, **kwargs)
        events.append(("end", None, self.memory))

    monkeypatch.setattr(search_index.SearchCopies, "index", index)
    monkeypatch.setattr(search_index.Indexing, "wait", wait)
    built, sizes = {}, []
    for room in ("plenty", "one"):
        events.clear()
        # room for the bigger edition's index, not for both (their sizes from the first build)
        monkeypatch.setattr(cli, "memory_available",
                            lambda holding=0: 1 << 40 if room == "plenty" else max(sizes) + 1)
        monkeypatch.setattr(cli, "edition_memory", lambda content: 0)  # (not this test's)
        site = tmp_path / f"site-{room}"
        build_site(SAMPLE, site, SAMPLE / "mkdocs.yml", TODAY, parallel=True)
        kinds = [kind for kind, _, _ in events]
        sizes = [memory for kind, _, memory in events if kind == "start"]
        # each edition's estimate: 75 KB for each of its indexed pages
        assert len(sizes) == 2 and min(sizes) >= 20 * search_index.PAGEFIND_MEMORY_PER_PAGE
        assert kinds == (["start", "start", "end", "end"] if room == "plenty" else
                         ["start", "end", "start", "end"])
        built[room] = {p.relative_to(site).as_posix(): p.read_bytes()
                       for p in sorted(site.rglob("*")) if p.is_file()}
    assert site_differences(built["plenty"], built["one"]) == []


@pytest.mark.parametrize("parallel", [True, False], ids=["two processors", "one"])
def test_with_memory_for_one_editions_pages_the_editions_are_built_one_after_the_other(
        tmp_path, monkeypatch, parallel):
    """Rendering an edition takes memory on top of the content (0.3-0.4 GB at national size).
    With two processors and room for every edition's pages, Spanish is built in a process of
    its own beside English; with room for one only, the process that loaded the content
    builds English, then Spanish. With one processor, English's search index is finished
    before Spanish is built where both do not fit. The site is the same either way."""
    import os
    import time
    from reunify.commands import build as cli
    from reunify.outputs import search_index

    log = tmp_path / "log"
    build_edition, finish = cli._build_edition, search_index.Indexing.wait

    def note(*words):
        with open(log, "a") as out:
            out.write(" ".join(map(str, words)) + "\n")

    def logged(checked, config_file, language, *args, **kwargs):
        started = time.monotonic()
        result = build_edition(checked, config_file, language, *args, **kwargs)
        note("built", language, os.getpid(), started, time.monotonic())
        return result

    def wait(self, **kwargs):
        finish(self, **kwargs)
        note("indexed", self.site.name, os.getpid(), 0, time.monotonic())

    monkeypatch.setattr(cli, "_build_edition", logged)
    monkeypatch.setattr(search_index.Indexing, "wait", wait)
    monkeypatch.setattr(cli, "edition_memory", lambda content: 6 << 20)
    built = {}
    for room in ("plenty", "one"):
        log.write_text("")
        monkeypatch.setattr(cli, "memory_available",
                            lambda holding=0: 1 << 40 if room == "plenty" else (6 << 20) + 1)
        site = tmp_path / f"site-{room}"
        build_site(SAMPLE, site, SAMPLE / "mkdocs.yml", TODAY, parallel=parallel)
        lines = [line.split() for line in log.read_text().splitlines()]
        runs = {words[1]: (int(words[2]), float(words[3]), float(words[4]))
                for words in lines if words[0] == "built"}
        assert set(runs) == {"en", "es"}
        if parallel:
            assert (runs["en"][0] == runs["es"][0]) == (room == "one")
            if room == "one":
                assert runs["es"][1] >= runs["en"][2]  # Spanish began when English had ended
        elif room == "one":
            indexed = [float(words[4]) for words in lines if words[0] == "indexed"]
            assert indexed and min(indexed) <= runs["es"][1]
        built[room] = {p.relative_to(site).as_posix(): p.read_bytes()
                       for p in sorted(site.rglob("*")) if p.is_file()}
    assert site_differences(built["plenty"], built["one"]) == []


def test_reunify_memory_sets_how_much_memory_a_build_plans_for(monkeypatch, tmp_path,
                                                                  capsys):
    from reunify.commands.build import memory_available

    monkeypatch.delenv("REUNIFY_MEMORY", raising=False)
    machine = memory_available()
    assert machine is None or machine > 0
    for setting, expected in (("1.5G", 3 << 29), ("800M", 800 << 20), ("2048k", 2 << 20)):
        monkeypatch.setenv("REUNIFY_MEMORY", setting)
        assert memory_available() == (expected if machine is None else min(machine, expected))
    monkeypatch.setenv("REUNIFY_MEMORY", "a lot")
    with pytest.raises(ValueError, match="REUNIFY_MEMORY: expected a size such as 2G"):
        memory_available()
    # the build says so at once, and leaves no site
    assert main(["build", "--root", str(SAMPLE), "--site-dir", str(tmp_path / "site")]) == 1
    assert "REUNIFY_MEMORY: expected a size such as 2G or 1500M, found 'a lot'" in \
        capsys.readouterr().err
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("parallel", [True, False], ids=["side by side", "in turn"])
def test_content_errors_are_reported_whole_when_the_editions_are_built_side_by_side(
        project, tmp_path, capfd, parallel):
    """The content is checked in a child process when the editions are built side by side:
    every problem still reaches the editor, as in a build in turn, and the site stays."""
    _spanish_project(project)
    project.story("home.md")
    site = tmp_path / "site"
    config = project.root / "mkdocs.yml"
    build_site(project.root, site, config, TODAY, parallel=parallel)
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    project.story("away.md", "---\ntitle: Away\n---\nNo date, no consent.\n")
    assert main(["build", "--root", str(project.root), "--site-dir", str(site),
                 "--today", "2026-11-22"]) == 1
    err = capfd.readouterr().err
    assert "stories/away.md" in err and "consent" in err
    assert "The site was not built; the previous site/ is unchanged." in err
    assert err.count("stories/away.md") == len(re.findall(r"^stories/away\.md", err, re.M))
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before
    from reunify.content.problems import ContentError
    with pytest.raises(ContentError) as raised:
        build_site(project.root, site, config, TODAY, parallel=parallel)
    assert {p.file for p in raised.value.problems.errors} == {"stories/away.md"}


def test_an_interrupted_side_by_side_build_stops_every_process(project, tmp_path, monkeypatch):
    """Ctrl-C while the editions are being built side by side: the child processes (the one
    building English and the one it started for Spanish) are stopped, nothing is left."""
    import os
    import signal
    import time

    from reunify.commands import build as cli

    _spanish_project(project)
    project.story("home.md")
    site = tmp_path / "site"
    config = project.root / "mkdocs.yml"
    build_site(project.root, site, config, TODAY, parallel=True)
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    started = tmp_path / "started"
    build_edition = cli._build_edition

    def slow(checked, config_file, language, *args):
        with open(started, "a") as record:
            record.write(f"{os.getpid()}\n")
        time.sleep(60)
        return build_edition(checked, config_file, language, *args)

    monkeypatch.setattr(cli, "_build_edition", slow)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    def press_ctrl_c_once_both_are_building():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
                not started.exists() or len(started.read_text().split()) < 2):
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGALRM)  # Python runs the handler in the main thread

    import threading

    previous = signal.signal(signal.SIGALRM, interrupt)
    watcher = threading.Thread(target=press_ctrl_c_once_both_are_building, daemon=True)
    try:
        watcher.start()
        with pytest.raises(KeyboardInterrupt):
            build_site(project.root, site, config, TODAY, parallel=True)
    finally:
        watcher.join()
        signal.signal(signal.SIGALRM, previous)
    pids = [int(line) for line in started.read_text().split()]
    assert len(pids) == 2 and os.getpid() not in pids  # English and Spanish, each in a child

    def running(pid):  # (a process whose parent has ended may linger as a zombie)
        status = Path(f"/proc/{pid}/status")
        return status.exists() and "\nState:\tZ" not in status.read_text()

    deadline = time.monotonic() + 10  # a process killed with its group takes a moment to end
    while time.monotonic() < deadline and any(running(pid) for pid in pids):
        time.sleep(0.05)
    assert [pid for pid in pids if running(pid)] == []
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before
    assert not list(tmp_path.glob(".site-build-*"))


def test_stories_are_rendered_by_the_editions_if_the_process_rendering_them_fails(
        project, tmp_path, monkeypatch):
    """While the content loads, another process renders the stories' Markdown for both
    editions; if it fails, the editions render the stories themselves."""
    from reunify.commands import build as cli

    def fails(root):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(cli, "_story_texts", fails)
    _spanish_project(project)
    project.story("home.md")
    site = tmp_path / "site"
    build_site(project.root, site, project.root / "mkdocs.yml", TODAY, parallel=True)
    for edition in ("", "es"):
        body = content(page(site, f"{edition}/stories/home".lstrip("/")))
        assert "They worked hard, and now they are home." in body.get_text(" ", strip=True), edition


def test_the_processes_a_build_started_end_when_it_is_killed(project, tmp_path):
    """A build killed outright (`kill -9`, a CI time limit) while the editions are built side by
    side: the processes building them end too, rather than build on into folders nobody
    will use."""
    import os
    import subprocess
    import sys
    import time

    _spanish_project(project)
    project.story("home.md")
    started = tmp_path / "started"
    script = tmp_path / "build.py"
    script.write_text(textwrap.dedent(f"""\
        import os, time
        from datetime import date
        from pathlib import Path
        from reunify.commands import build as cli

        def slow(*args):
            with open({str(started)!r}, "a") as record:
                record.write(f"{{os.getpid()}}\\n")
            time.sleep(60)

        cli._build_edition = slow
        root = Path({str(project.root)!r})
        cli.build_site(root, Path({str(tmp_path / "site")!r}), root / "mkdocs.yml",
                       date(2026, 11, 22), parallel=True)
        """))
    build = subprocess.Popen([sys.executable, str(script)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
            not started.exists() or len(started.read_text().split()) < 2):
        time.sleep(0.1)
    pids = [int(pid) for pid in started.read_text().split()]
    assert len(pids) == 2  # English and Spanish, each in a process of its own
    build.kill()
    build.wait()

    def running(pid):
        status = Path(f"/proc/{pid}/status")
        return status.exists() and "\nState:\tZ" not in status.read_text()

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(running(pid) for pid in pids):
        time.sleep(0.1)
    left = [pid for pid in pids if running(pid)]
    for pid in left:
        os.kill(pid, 9)
    assert not left
