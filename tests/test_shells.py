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
