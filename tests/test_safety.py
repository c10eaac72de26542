"""Unsafe content never reaches the published site, and a failed build loses nothing."""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from pathlib import Path

import mkdocs.commands.build
import pytest

from reunify.content import yamlsource
from reunify.cli import main
from reunify.commands.build import build_site
from reunify.content.problems import Problems

from conftest import ORG, STORY, TODAY, content, page, scratch_config
from test_sanitize import HOSTILE

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "form", "input", "meta", "style",
                  "svg", "base", "link"}


# The map and charts are SVG the build draws (site/graphics.py): only these elements, whose text
# is escaped like any other.
DRAWN_SVG = {"svg", "rect", "text", "title", "desc", "a", "g"}


def _drawn(tag) -> bool:
    svg = tag if tag.name == "svg" else tag.find_parent("svg")
    return svg is not None and ("rf-map" in svg.get("class", []) or
                                svg.find_parent("figure", class_="rf-chart") is not None)


def _assert_inert(element):
    for tag in element.find_all(True):
        if _drawn(tag):
            assert tag.name in DRAWN_SVG, tag
        else:
            assert tag.name not in DANGEROUS_TAGS, tag
        for name, value in tag.attrs.items():
            assert not name.startswith("on"), tag
            assert name != "style", tag
            if name in ("href", "src"):
                assert not str(value).strip().lower().startswith(("javascript:", "data:",
                                                                 "vbscript:")), tag


def test_hostile_markdown_and_text_are_inert_in_the_built_pages(project, tmp_path):
    body = "\n\n".join(HOSTILE)
    project.story("hostile.md", STORY.replace("They worked hard, and now they are home.", body)
                  .replace("summary: A mother and her daughter are home together.",
                           "summary: \"<img src=x onerror=alert(1)> home\""))
    project.resources(organizations=ORG.replace(
        "description: Helps families.",
        "description: \"<script>alert('org')</script><a href='javascript:alert(1)'>x</a>\""))
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    story = content(page(site, "stories/hostile"))
    _assert_inert(story)
    assert story.select_one(".rf-lead").get_text() == "<img src=x onerror=alert(1)> home"
    org = content(page(site, "organizations/helpers"))
    _assert_inert(org)
    assert org.select_one(".rf-lead").get_text() == \
        "<script>alert('org')</script><a href='javascript:alert(1)'>x</a>"
    for card_page in ("", "stories", "organizations"):
        _assert_inert(content(page(site, card_page)))


def _fingerprint(site):
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in site.rglob("*") if p.is_file()}


def test_an_interrupted_build_leaves_the_previous_site(project, monkeypatch):
    project.story("home-again.md")
    config = scratch_config(project)
    site = project.root / "site"
    build_site(project.root, site, config, TODAY)
    before = _fingerprint(site)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(mkdocs.commands.build, "_build_page", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_site(project.root, site, config, TODAY)
    assert _fingerprint(site) == before
    assert not [p for p in project.root.iterdir() if p.name.startswith(".site-")]


def test_a_crash_inside_mkdocs_is_reported_and_loses_nothing(project, monkeypatch, capsys):
    project.story("home-again.md")
    scratch_config(project)
    assert main(["build", "--root", str(project.root), "--today", "2026-11-22"]) == 0
    before = _fingerprint(project.root / "site")

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(mkdocs.commands.build, "_build_page", crash)
    assert main(["build", "--root", str(project.root), "--today", "2026-11-22"]) == 1
    assert "build failed: disk full" in capsys.readouterr().err
    assert _fingerprint(project.root / "site") == before


def test_oversized_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlsource, "MAX_FILE_BYTES", 1000)
    file = tmp_path / "resources.yaml"
    file.write_text("# padding\n" * 200)
    problems = Problems(root=tmp_path)
    assert yamlsource.read_text(file, problems) is None
    assert [p.format() for p in problems.items] == [
        "resources.yaml: the file is 2,000 bytes; the limit is 1,000 (hint: split it or remove "
        "large pasted content)"]


def _gone(folder: Path, pattern: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not list(folder.glob(pattern)):
            return True
        time.sleep(0.1)
    return False


def test_a_rebuild_replaces_the_site_and_the_old_one_is_deleted(project):
    project.story("home-again.md")
    config = scratch_config(project)
    site = project.root / "site"
    build_site(project.root, site, config, TODAY)
    leftover = project.root / ".site-previous-1-1"  # as an interrupted deletion leaves it
    (leftover / "stories").mkdir(parents=True)
    (leftover / "stories" / "index.html").write_text("old")
    project.story("second.md", STORY.replace("A family home again", "Second story"))
    build_site(project.root, site, config, TODAY)
    assert (site / "stories" / "second" / "index.html").exists()
    assert _gone(project.root, ".site-previous-*"), "the replaced site was not deleted"


def test_a_build_removes_what_builds_killed_outright_left_behind(project, tmp_path):
    """A build killed outright (kill -9, the out-of-memory killer) cannot clean up: its
    staging folders (beside site/) and search copies (on the RAM disk) stay, as does a killed
    preview's site (on the RAM disk). The next build
    removes those whose build has ended, and leaves a running build's alone."""
    import subprocess
    import sys
    import time

    from reunify.outputs.search_index import scratch_folder

    config = scratch_config(project)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True).stdout.strip()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    scratch = Path(scratch_folder() or tempfile.gettempdir())
    try:
        left = [project.root / f".site-build-{ended}-abc", scratch / f"reunify-build-{ended}-abc",
                scratch / f"reunify-preview-{ended}-abc"]  # a preview killed outright
        kept = [project.root / f".site-build-{running.pid}-abc",
                scratch / f"reunify-build-{running.pid}-abc",
                scratch / f"reunify-preview-{running.pid}-abc"]
        for folder in left + kept:
            (folder / "stories").mkdir(parents=True)
            (folder / "stories" / "index.html").write_text("old")
        build_site(project.root, project.root / "site", config, TODAY)
        deadline = time.monotonic() + 20  # the staging folder is removed in the background
        while time.monotonic() < deadline and any(folder.exists() for folder in left):
            time.sleep(0.1)
        assert [folder for folder in left if folder.exists()] == []
        assert all(folder.exists() for folder in kept)
    finally:
        running.kill()
        running.wait()
        for folder in kept:
            shutil.rmtree(folder, ignore_errors=True)


OFF_SITE_IMAGES = ["/\\evil.example/a.png", " //evil.example/b.png", "\t//evil.example/c.png",
                   "\\/evil.example/d.png", "/\t/evil.example/e.png", "HTTPS://evil.example/f.png",
                   "https://user@evil.example/g.png", "data:image/png;base64,iVBORw0KGgo=",
                   "&#47;&#47;evil.example/h.png"]


def _loads_from(page_url: str, soup) -> set[str]:
    """The hosts a browser would contact for the page's images, resolving addresses by the
    WHATWG URL standard (ada), as browsers do."""
    import ada_url

    hosts = set()
    for img in soup.find_all(["img", "source"]):
        addresses = [img.get("src")] if img.get("src") is not None else []
        addresses += [c.strip().split()[0] for c in (img.get("srcset") or "").split(",")
                      if c.strip()]
        for address in addresses:
            url = ada_url.URL(ada_url.join_url(page_url, address))
            hosts.add(url.host if url.protocol in ("http:", "https:") else url.protocol)
    return hosts


def test_images_load_only_from_the_site_however_their_address_is_written(project, tmp_path):
    body = "\n\n".join(f'<img src="{src}" alt="x{i}">' for i, src in enumerate(OFF_SITE_IMAGES))
    body += '\n\n<img alt="set" srcset="ok.png 1x, //evil.example/2x.png 2x">'
    body += '\n\n![markdown](//evil.example/m.png) ![kept](/stories/local.png)'
    project.story("pictures.md", STORY.replace("They worked hard, and now they are home.", body))
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    story = content(page(site, "stories/pictures"))
    assert _loads_from("https://hub.example/stories/pictures/", story) == {"hub.example"}
    assert story.select_one('img[alt="kept"]')["src"] == "/stories/local.png"
    problems = Problems(root=project.root)
    from reunify.content.load import load
    from reunify.content.validate import check
    check(load(project.root, problems), TODAY, problems, translations=False)
    # every address above, the srcset and the Markdown image; but Markdown turns the tab of
    # "/\t/evil…" into spaces, which makes it a (broken) address on the site
    assert len(problems.warnings) == len(OFF_SITE_IMAGES) + 1 and not problems.errors
    assert problems.warnings[0].message == (
        "the image would load from another site, so it is left out: '/\\\\evil.example/a.png'")
    assert problems.warnings[0].line == 14


@pytest.mark.parametrize("link, problem", [
    ("https://user:secret@partner.example/", "the link carries a user name or password"),
    ("https://token@partner.example/", "the link carries a user name or password"),
    ("mailto:team@example.org?cc=someone@example.net", "the mail link adds recipients"),
    ("mailto:team@example.org?subject=Hi&body=My%20address", "the mail link adds recipients"),
    ("mailto:team@example.org,other@example.net", "the mail link adds recipients"),
])
def test_links_with_credentials_or_mail_fields_are_refused_with_their_line(project, capsys,
                                                                          link, problem):
    project.story("linked.md", STORY.replace("They worked hard", f"They [wrote]({link}) hard"))
    assert main(["check", "--root", str(project.root), "--today", "2026-11-22"]) == 1
    out = capsys.readouterr().out
    assert f"stories/linked.md:14: record linked, field body: {problem}" in out
    project.story("linked.md")
    project.resources(organizations=ORG.replace("website: https://helpers.example.org/",
                                                f"website: {link}"))
    assert main(["check", "--root", str(project.root), "--today", "2026-11-22"]) == 1
    out = capsys.readouterr().out
    assert f"resources.yaml:13:14: record helpers, field website: {problem}" in out


def test_a_hand_written_page_with_a_mail_link_with_fields_is_refused(project, capsys):
    (project.root / "site_src" / "pages").mkdir(parents=True)
    (project.root / "site_src" / "pages" / "help.md").write_text(
        "# Help\n\nWrite to us.\n\n[Email](mailto:team@example.org?bcc=list@example.net)\n")
    assert main(["check", "--root", str(project.root), "--today", "2026-11-22"]) == 1
    assert "site_src/pages/help.md:5: the mail link adds recipients" in capsys.readouterr().out


# -- stories rendered by earlier runs (`.cache/markdown/`) -----------------------------------


def _new_process(monkeypatch):
    """As in a new run: nothing rendered in this process yet."""
    from reunify.content import sanitize, validate

    monkeypatch.setattr(sanitize, "_RENDERED", {})
    monkeypatch.setattr(sanitize, "_KEPT", sanitize._Kept())
    monkeypatch.setattr(validate, "_FOUND", {})


def _conversions(monkeypatch) -> list[str]:
    from reunify.content import sanitize

    converted, convert = [], sanitize._convert
    monkeypatch.setattr(sanitize, "_convert", lambda text: converted.append(text) or
                        convert(text))
    return converted


def test_a_story_is_rendered_again_only_when_it_or_the_code_changed(project, monkeypatch):
    """The check reads every story as rendered; a later run takes the rendering an earlier run
    kept, and renders again a story that was edited, or every story once the rendering code is
    another."""
    from reunify.content import sanitize
    from reunify.engine.pipeline import check

    project.story("home.md")
    project.story("park.md", STORY.replace("now they are home", "now they picnic in the park"))
    _new_process(monkeypatch)
    check(project.root, TODAY)
    kept = project.root / ".cache" / "markdown" / "rendered.json"
    assert kept.exists()

    _new_process(monkeypatch)
    converted = _conversions(monkeypatch)
    problems, content = check(project.root, TODAY)
    assert converted == [] and not problems.failed(False)
    shown = {s.id: sanitize.markdown_to_html(s.body) for s in content.stories}
    assert "picnic in the park" in shown["park"] and "now they are home" in shown["home"]

    project.story("park.md", STORY.replace("now they are home", "now they fly kites"))
    _new_process(monkeypatch)
    converted = _conversions(monkeypatch)
    problems, content = check(project.root, TODAY)
    assert [text for text in converted if "kites" in text] and not [
        text for text in converted if "now they are home" in text]
    assert "fly kites" in sanitize.markdown_to_html(
        next(s for s in content.stories if s.id == "park").body)
    # the version no story has any more is not kept
    assert "picnic" not in kept.read_text(encoding="utf-8")

    _new_process(monkeypatch)
    monkeypatch.setattr(sanitize, "_code", lambda: "another version")
    converted = _conversions(monkeypatch)
    check(project.root, TODAY)
    assert len(converted) >= 2  # both stories


def test_the_check_in_two_processes_keeps_every_story_rendered(project, monkeypatch):
    """Where a second process checks half the stories' fields, the stories it rendered are
    kept as well: the next run renders none of them again."""
    from reunify.content import validate
    from reunify.engine import processes
    from reunify.engine.pipeline import check

    for i in range(12):  # (three fields of its own each: the child gets two of every three)
        project.story(f"home-{i}.md", STORY.replace("now they are home", f"now they are home, "
                                                    f"story {i}").replace(
            "title: A family home again", f"title: A family home again, number {i}"))
    monkeypatch.setattr(validate, "FORK_FIELDS", 1)
    monkeypatch.setattr(processes, "can_fork", lambda: True)
    forks, real_fork = [], processes.fork
    monkeypatch.setattr(processes, "fork", lambda work: forks.append(1) or real_fork(work))
    _new_process(monkeypatch)
    check(project.root, TODAY)
    assert forks == [1]
    _new_process(monkeypatch)
    monkeypatch.setattr(validate, "FORK_FIELDS", 10 ** 9)  # every story read in this process
    converted = _conversions(monkeypatch)
    problems, content = check(project.root, TODAY)
    assert converted == [] and len(content.stories) == 12


def test_a_damaged_or_tampered_cache_changes_nothing_a_reader_sees(project, monkeypatch):
    """A cache that is not JSON is ignored; one whose HTML was rewritten to carry script gets
    no script onto the page: what it holds is sanitised again."""
    import json

    project.story("home.md")
    config = scratch_config(project)
    _new_process(monkeypatch)
    build_site(project.root, project.root / "site", config, TODAY)
    kept = project.root / ".cache" / "markdown" / "rendered.json"
    stored = json.loads(kept.read_text(encoding="utf-8"))
    assert len(stored["html"]) == 1

    kept.write_text("{not json", encoding="utf-8")
    _new_process(monkeypatch)
    build_site(project.root, project.root / "site", config, TODAY)
    article = content(page(project.root / "site", "stories/home"))
    assert "now they are home" in article.get_text()

    for digest in stored["html"]:
        stored["html"][digest] = ("<p>Tampered.</p><script>alert(1)</script>"
                                  "<img src=x onerror=alert(1)><a href='javascript:alert(1)'>x</a>")
    kept.write_text(json.dumps(stored), encoding="utf-8")
    _new_process(monkeypatch)
    build_site(project.root, project.root / "site", config, TODAY)
    article = content(page(project.root / "site", "stories/home"))
    assert "Tampered." in article.get_text()  # (only a cache's writer can do this)
    assert article.find("script") is None
    assert not [tag for tag in article.find_all(True) if "onerror" in tag.attrs]
    assert not [a for a in article.find_all("a") if "javascript" in (a.get("href") or "")]


def test_a_story_from_the_cache_is_the_story_rendered_afresh(project, monkeypatch):
    """What the cache gives back (sanitised again) is, byte for byte, what rendering gives,
    for hostile Markdown too."""
    from reunify.content import sanitize

    texts = HOSTILE + ["# Title\n\nA *quote*: \u201chome\u201d & \u2018more\u2019 <b>bold</b>",
                       "| a | b |\n|---|---|\n| 1 | 2 |\n\n> said &amp; done\n\n[x](https://a.org/?q=1&b=2)"]
    _new_process(monkeypatch)
    sanitize.keep_rendered(project.root / ".cache" / "markdown")
    fresh = [sanitize.markdown_to_html(text) for text in texts]
    sanitize.save_rendered()
    _new_process(monkeypatch)
    converted = _conversions(monkeypatch)
    sanitize.keep_rendered(project.root / ".cache" / "markdown")
    assert [sanitize.markdown_to_html(text) for text in texts] == fresh
    assert converted == []
