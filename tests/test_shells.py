"""Pages filled in from a shell (`reunify/shells.py`) are exactly the pages the theme would make."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from reunify import engine
from reunify.commands.build import build_site
from reunify.engine.shells import Shell, token

from conftest import TODAY, content, copy_sample, page, scratch_config, site_differences


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file()}


def _without_shells(config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    if "  - reunify:\n" in text:
        text = text.replace("  - reunify:\n", "  - reunify:\n      page_shells: false\n", 1)
    else:
        text = text.replace("  - reunify\n", "  - reunify:\n      page_shells: false\n", 1)
    assert "page_shells: false" in text
    config.write_text(text, encoding="utf-8")


def _differences(one: dict[str, bytes], other: dict[str, bytes]) -> list[str]:
    return site_differences(one, other)


def test_the_sample_site_is_byte_for_byte_the_same_without_shells(sample_site, tmp_path):
    copy = copy_sample(tmp_path / "hub")
    _without_shells(copy / "mkdocs.yml")
    site = tmp_path / "site"
    build_site(copy, site, copy / "mkdocs.yml", TODAY)
    assert _differences(_files(sample_site), _files(site)) == []


HOSTILE = [
    "Parents & kin: \"together\" <again>",
    "{{ 7*7 }} <script>alert(1)</script>",
    "O'Brien's guide &amp; workbook",
    "Plain title",
    "Visits < 2 hours > none",
]


def _hostile_resources() -> str:
    return "resources:\n" + "".join(f"""  - id: guide-{i}
    title: {title!r}
    url: https://example.org/guide/{i}
    publisher: helpers
    format: guide
    audiences: [caregivers]
    topics: [visits]
    description: {("Read " + title)!r}
    last_verified: 2026-10-01
""" for i, title in enumerate(HOSTILE))


def test_titles_that_need_escaping_come_out_as_the_theme_writes_them(project, tmp_path, caplog):
    project.resources(extra=_hostile_resources())
    config = scratch_config(project)
    # as in mkdocs.yml: only section fronts in the navigation (with every page in it, each page
    # has its own previous/next links and no two pages share a shell)
    config.write_text(config.read_text() + "nav:\n  - Resources: resources/index.md\n")
    with caplog.at_level(logging.INFO, logger=engine.logger("plugins.reunify").name):
        build_site(project.root, tmp_path / "filled", config, TODAY)
    assert any("filled in from" in r.getMessage() and not r.getMessage().startswith("0 ")
               for r in caplog.records), "no page was filled in from a shell"
    _without_shells(config)
    build_site(project.root, tmp_path / "themed", config, TODAY)
    filled, themed = _files(tmp_path / "filled"), _files(tmp_path / "themed")
    assert _differences(filled, themed) == []
    for i, title in enumerate(HOSTILE):
        soup = page(tmp_path / "filled", f"resources/guide-{i}")
        assert content(soup).h1.get_text() == title
        assert soup.title.get_text() == f"{title} - Scratch"
        assert soup.select_one('meta[name="description"]')["content"] == "Read " + title
        assert soup.select_one('meta[property="og:title"]')["content"] == title
        assert [s for s in soup.find_all("script") if "alert(1)" in s.get_text()
                and s.get("type") != "application/ld+json"] == []  # data, not a script


def _probe(theme) -> tuple[str, dict[str, str]]:
    tokens = {slot: token(slot) for slot in ("slug", "title", "content")}
    return theme(tokens), tokens


def test_a_shell_fills_every_slot():
    probe, tokens = _probe(
        lambda t: f"<title>{t['title']}</title><a href='/r/{t['slug']}/'>x</a>{t['content']}")
    shell = Shell.parse(probe, tokens)
    assert shell is not None
    assert shell.fill({"slug": "a-b", "title": "T &amp; U", "content": "<p>Hi</p>"}) == \
        "<title>T &amp; U</title><a href='/r/a-b/'>x</a><p>Hi</p>"


@pytest.mark.parametrize("theme", [
    # the theme escapes the title again, strips its tags, shortens it, or changes its case
    lambda t: f"<title>{t['title'].replace('&', '&amp;')}</title>{t['content']}",
    lambda t: f"<title>{t['title'].replace('&lt;i&gt;', '')}</title>{t['content']}",
    lambda t: f"<title>{t['title'][:30]}</title>{t['content']}",
    lambda t: f"<title>{t['title'].upper()}</title>{t['content']}",
])
def test_no_shell_when_the_theme_changes_the_text_it_is_handed(theme):
    probe, tokens = _probe(theme)
    assert Shell.parse(probe, tokens) is None


def _engine_only_config(project) -> Path:
    """As mkdocs.yml: the navigation names only section fronts, and no plugin but ours takes
    part in building pages (MkDocs' search plugin would), so a group's pages after its first
    two are written outside the engine's page loop."""
    config = scratch_config(project)
    text = config.read_text().replace("  - search\n", "")
    config.write_text(text + "nav:\n  - Resources: resources/index.md\n")
    return config


def _build_logged(project, config, out, caplog) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=engine.logger("plugins.reunify").name):
        build_site(project.root, out, config, TODAY)
    return [r.getMessage() for r in caplog.records]


def _written_later(messages: list[str]) -> int:
    found = [m for m in messages if "after the engine's page loop" in m]
    assert found, messages
    return int(found[0].split("; ")[1].split()[0])


@pytest.mark.parametrize("broken", ["probe", "check"])
def test_pages_after_a_group_that_has_no_good_shell_are_the_themes_pages(
        project, tmp_path, caplog, monkeypatch, broken):
    """Where the theme does not give a usable shell (its probe comes back changed, or the
    group's second page is not the filled shell), the pages written after the engine's loop
    are rendered through the theme, one by one, and come out as the engine would write them."""
    project.resources(extra=_hostile_resources())
    config = _engine_only_config(project)
    from reunify.engine import shells
    if broken == "probe":
        monkeypatch.setattr(shells.Shell, "parse", classmethod(lambda cls, probe, tokens: None))
    else:
        real = shells.Shell.fill
        monkeypatch.setattr(shells.Shell, "fill", lambda self, texts: real(self, texts) + " ")
    messages = _build_logged(project, config, tmp_path / "later", caplog)
    assert _written_later(messages) >= 3
    assert any(m.startswith("0 of ") and "filled in from" in m for m in messages), messages
    monkeypatch.undo()
    _without_shells(config)
    build_site(project.root, tmp_path / "themed", config, TODAY)
    assert _differences(_files(tmp_path / "later"), _files(tmp_path / "themed")) == []


def test_pages_written_after_the_loop_are_linked_and_listed(project, tmp_path, caplog):
    """A hand-written page's link to a record page written after the engine's loop resolves
    (and a strict build passes), and the sitemap lists every record page once."""
    project.resources(extra=_hostile_resources())
    config = _engine_only_config(project)
    (project.root / "pages" / "help.md").write_text(
        "# Help\n\nRead [the last guide](resources/guide-4/index.md).\n", encoding="utf-8")
    text = config.read_text().replace(
        "nav:\n", "nav:\n  - Help: help.md\n")
    config.write_text("site_url: https://hub.example.org/\n" + text)
    messages = _build_logged(project, config, tmp_path / "site", caplog)
    assert _written_later(messages) >= 3
    link = content(page(tmp_path / "site", "help")).find("a", string="the last guide")
    assert link["href"] == "../resources/guide-4/"
    assert (tmp_path / "site" / "resources" / "guide-4" / "index.html").is_file()
    from bs4 import BeautifulSoup
    sitemap = BeautifulSoup((tmp_path / "site" / "sitemap.xml").read_text(), "xml")
    listed = [loc.get_text() for loc in sitemap.find_all("loc")]
    assert sorted(loc for loc in listed if "/resources/guide-" in loc) == sorted(
        f"https://hub.example.org/resources/guide-{i}/" for i in range(len(HOSTILE)))


@pytest.mark.parametrize("site_url", ["https://hub.example.org/", "https://hub.example.org/es",
                                      "http://127.0.0.1:8000/sub/es/", ""])
def test_pages_written_after_the_loop_have_the_addresses_mkdocs_gives(tmp_path, site_url):
    """The sitemap's address of a page written after the engine's loop is the one MkDocs gives
    a page it builds itself, whatever the page's name."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File
    from mkdocs.structure.pages import Page
    from reunify.engine.mkdocs_plugin import _Listed

    (tmp_path / "docs").mkdir()
    config = MkDocsConfig()
    config.load_dict({"site_name": "Hub", "site_url": site_url or None, "theme": "material",
                      "docs_dir": str(tmp_path / "docs"), "site_dir": str(tmp_path / "site")})
    assert config.validate() == ([], [])
    listed = _Listed.listing(config.site_url)
    for name in ("resources/guide-1/index.md", "index.md", "help.md", "a b/index.md",
                 "résumé/index.md", "a//b/index.md", "x/../y/index.md", "./z/index.md",
                 "q?/index.md", "h#/index.md", "404.md", "v1.2/notes.md", "%41/index.md"):
        file = File(name, str(tmp_path / "docs"), str(tmp_path / "site"), True)
        theirs, ours = Page(None, file, config), listed(file)
        assert (ours.canonical_url, ours.abs_url) == (theirs.canonical_url, theirs.abs_url), name


def test_another_plugin_on_pages_sees_every_page(project, tmp_path, caplog):
    """With an editor's hook (or another plugin) taking part in building pages, every page goes
    through the engine's loop, so the hook changes every page."""
    project.resources(extra=_hostile_resources())
    config = _engine_only_config(project)
    (project.root / "hooks.py").write_text(
        "def on_post_page(output, page, config):\n"
        "    return output.replace('</body>', '<!-- hooked --></body>')\n", encoding="utf-8")
    config.write_text(config.read_text() + "hooks:\n  - hooks.py\n")
    messages = _build_logged(project, config, tmp_path / "site", caplog)
    assert _written_later(messages) == 0
    for i in range(len(HOSTILE)):
        html = (tmp_path / "site" / "resources" / f"guide-{i}" / "index.html").read_text()
        assert "<!-- hooked --></body>" in html
