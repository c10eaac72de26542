"""Whatever `reunify check` accepts, `reunify build` builds: what would stop a build is found
by check first, with the file and line."""
import os
import signal
import subprocess
import sys
import time

import pytest

from reunify.cli import main

from conftest import ORG, STORY, scratch_config

TODAY = ["--today", "2026-11-22"]


def _check(project, capsys) -> tuple[int, list[str]]:
    code = main(["check", "--root", str(project.root), *TODAY])
    return code, [line for line in capsys.readouterr().out.splitlines()
                  if "warning:" not in line and "error(s)" not in line
                  and "not yet translated" not in line]


@pytest.mark.parametrize("written, found, where", [
    ('title: "A family\\0 home"', "an invisible control character (U+0000)", "2:8"),
    ('title: "A family\\a home"', "an invisible control character (U+0007)", "2:8"),
    ('title: "A family \\u202e emoh"', "a right-to-left or left-to-right override (U+202E)",
     "2:8"),
    ('title: "A family \\u2067home"', "a right-to-left or left-to-right override (U+2067)",
     "2:8"),
    ("title: A family\x1b home", "an invisible control character (U+001B)", "2:16"),
    ("title: A family \u202e emoh", "a right-to-left or left-to-right override (U+202E)",
     "2:17"),
])
def test_control_and_direction_characters_in_a_field_are_refused(project, capsys, written,
                                                                 found, where):
    project.story("home.md", STORY.replace("title: A family home again", written))
    code, lines = _check(project, capsys)
    assert code == 1
    assert lines == [f"stories/home.md:{where}: the text contains {found}" + lines[0].split(
        found)[1]]
    assert main(["build", "--root", str(project.root), *TODAY]) == 1


def test_control_characters_in_a_story_body_or_resources_yaml_are_refused(project, capsys):
    project.story("home.md", STORY.replace("They worked hard", "They\x00 worked\u202e hard"))
    project.resources(organizations=ORG.replace("Helps families.", "Helps\x07 families."))
    code, lines = _check(project, capsys)
    assert code == 1
    assert [line.split(": the text contains")[0] for line in lines] == [
        "resources.yaml:14:23", "stories/home.md:14:5", "stories/home.md:14:13"]


def test_a_theme_that_makes_no_address_is_refused(project, capsys):
    project.story("home.md", STORY.replace("themes: [visits]", 'themes: [visits, "🏠"]'))
    code, lines = _check(project, capsys)
    assert (code, lines) == (1, [
        "stories/home.md:7:18: record home, field themes[1]: expected a word or two with letters "
        "or digits, found '🏠' (hint: themes and topics make addresses (/stories/themes/visits/"
        "): write them in words)"])


@pytest.mark.parametrize("name, where", [("es.md", "the Spanish edition"),
                                         ("es/index.md", "the Spanish edition"),
                                         ("stories.md", "the site's own pages"),
                                         ("2026/index.md", "the site's own pages")])
def test_a_page_at_an_address_the_site_uses_is_refused(project, capsys, name, where):
    (project.root / "mkdocs.es.yml").write_text("INHERIT: mkdocs.yml\n")
    page = project.root / "site_src" / "pages" / name
    page.parent.mkdir(parents=True)
    page.write_text("# A page\n")
    code, lines = _check(project, capsys)
    top = name.split("/")[0].removesuffix(".md")
    assert (code, lines) == (1, [f"site_src/pages/{name}: this page would be published at "
                                 f"/{top}/, which is where {where} is (hint: rename the file)"])


def test_text_that_is_too_long_is_refused(project, capsys):
    project.story("home.md", STORY.replace("title: A family home again", "title: " + "a" * 301)
                  .replace("They worked hard", "x" * 100_001))
    code, lines = _check(project, capsys)
    assert code == 1
    assert [line.split(" (hint")[0] for line in lines] == [
        "stories/home.md:2:8: record home, field title: expected at most 300 characters, "
        "found 301",
        "stories/home.md:14: record home, field body: expected a story of at most 100,000 "
        "characters, found 100,026"]


def test_very_deep_nesting_is_reported_with_its_place(project, capsys):
    project.story("home.md", STORY.replace("They worked hard", "* " * 3000 + "deep"))
    project.story("other.md", STORY.replace("themes: [visits]",
                                            "themes: " + "[" * 3000 + "]" * 3000))
    scratch = project.root / "site_src" / "pages"
    scratch.mkdir(parents=True)
    (scratch / "deep.md").write_text("# Deep\n\n" + "* " * 3000 + "x\n")
    code, lines = _check(project, capsys)
    assert code == 1
    assert len(lines) == 3
    for line, start, message in zip(lines, [
            "site_src/pages/deep.md:1: ", "stories/home.md:14: ", "stories/other.md:7:"], [
            "the text is nested too deeply to be shown",
            "the text is nested too deeply to be shown",
            "the fields are nested more than 40 levels deep"]):
        assert line.startswith(start) and message in line, line


def test_ctrl_c_ends_a_build_with_one_line_and_the_previous_site(project):
    project.story("home.md")
    scratch_config(project)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "reunify", "build", "--root", str(project.root), *TODAY,
               "--config", str(project.root / "mkdocs.yml")]
    subprocess.run(command, check=True, capture_output=True, env=env)
    before = sorted(p.relative_to(project.root).as_posix()
                    for p in (project.root / "site").rglob("*"))
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env)
    deadline = time.monotonic() + 30
    while not list(project.root.glob(".site-build-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    build.send_signal(signal.SIGINT)
    out, err = build.communicate(timeout=60)
    assert build.returncode == 130, err
    assert err.strip() == "Stopped: the site was not built; the previous site/ is unchanged."
    assert sorted(p.relative_to(project.root).as_posix()
                  for p in (project.root / "site").rglob("*")) == before
