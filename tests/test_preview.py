"""The live preview (`reunify serve`) as an editor uses it: save a story and see it, while the
pages that do not show it are left alone; any other change rebuilds everything."""
from __future__ import annotations

import logging
import tempfile
import textwrap
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError

from reunify import engine

from conftest import STORY, content, page, scratch_config

SERVE_URL = "http://127.0.0.1:8000/"


class Preview:
    """What `mkdocs serve --dirty` does on start and on every save, without the web server."""

    def __init__(self, project, site, config_file=None):
        self.config_file = config_file or scratch_config(project)
        self.site = site
        self.started = self._config()
        self.started.plugins.on_startup(command="serve", dirty=True)
        build(self.started, serve_url=SERVE_URL, dirty=True)

    def _config(self):
        config = load_config(str(self.config_file), site_dir=str(self.site))
        config.site_url = SERVE_URL
        return config

    def save(self):
        build(self._config(), serve_url=SERVE_URL, dirty=True)

    def written(self, address: str) -> int:
        return (self.site / address / "index.html").stat().st_mtime_ns


@pytest.fixture
def preview(project, tmp_path, monkeypatch):
    monkeypatch.setenv("REUNIFY_TODAY", "2026-11-22")
    project.story("home.md")
    project.story("second.md", STORY.replace("A family home again", "Back together"))
    opened = Preview(project, tmp_path / "site")
    yield opened
    opened.started.plugins.on_shutdown()  # waits for the preview's search index


def test_saving_a_story_rebuilds_only_the_pages_that_show_it(project, preview, caplog):
    untouched = {address: preview.written(address) for address in
                 ("organizations", "drives", "events", "data", "search")}
    caplog.set_level(logging.INFO, logger=engine.logger("plugins.reunify").name)
    text = (project.root / "stories/home.md").read_text()
    project.story("home.md", text.replace("A family home again", "Home again, at last")
                  .replace("now they are home.", "now they are home. Edited in the preview."))
    preview.save()
    story = content(page(preview.site, "stories/home"))
    assert story.h1.get_text(strip=True) == "Home again, at last"
    assert "Edited in the preview." in story.get_text()
    for address in ("", "stories", "stories/themes/visits", "organizations/helpers"):
        assert "Home again, at last" in content(page(preview.site, address)).get_text(), address
    assert {address: preview.written(address) for address in untouched} == untouched
    assert "rebuilt everything" not in caplog.text


def test_a_new_story_appears_and_a_deleted_one_goes(project, preview):
    project.story("third.md", STORY.replace("A family home again", "A third family"))
    preview.save()
    assert content(page(preview.site, "stories/third")).h1.get_text(strip=True) == \
        "A third family"
    assert "A third family" in content(page(preview.site, "stories")).get_text()
    (project.root / "stories/second.md").unlink()
    preview.save()
    assert not (preview.site / "stories/second/index.html").exists()
    assert "Back together" not in content(page(preview.site, "stories")).get_text()


def test_any_other_change_rebuilds_everything(project, preview, caplog):
    caplog.set_level(logging.INFO, logger=engine.logger("plugins.reunify").name)
    project.resources(organizations=textwrap.dedent("""\
          - id: helpers
            name: Helpers Together
            website: https://helpers.example.org/
            description: Helps families.
            states: [AL]
            last_verified: 2026-10-01
        """))
    preview.save()
    assert "preview: rebuilt everything" in caplog.text
    assert content(page(preview.site, "organizations/helpers")).h1.get_text(strip=True) == \
        "Helpers Together"
    assert "Helpers Together" in content(page(preview.site, "stories/home")).get_text()


def test_a_mistake_keeps_the_last_good_preview_with_the_problems_on_every_page(project,
                                                                               preview):
    """The preview keeps answering while the content is wrong: the last good pages, each with
    the problems listed at the top (file:line), until a save fixes them."""
    def banner(address):
        found = page(preview.site, address).select_one(".rf-preview-problems")
        return [li.get_text() for li in found.select("li")] if found else None

    assert banner("stories/home") is None
    project.story("home.md", STORY.replace("state: AL", "state: Alabama")
                  .replace("A family home again", "Broken"))
    preview.save()  # no error: MkDocs' server would hang until the content was fixed
    story = page(preview.site, "stories/home")
    assert content(story).h1.get_text(strip=True) == "A family home again"  # the last good one
    expected = ["stories/home.md:6:8: record home, field state: expected a two-letter US state "
                "code or `national`, found 'Alabama' (hint: write `AL` for Alabama)"]
    assert banner("stories/home") == expected
    for address in ("", "stories", "organizations/helpers", "about" if (
            preview.site / "about").exists() else "drives"):
        assert banner(address) == expected, address
    assert "1 problem" in story.select_one(".rf-preview-problems strong").get_text()
    project.story("home.md", STORY.replace("A family home again", "Fixed"))
    preview.save()
    assert content(page(preview.site, "stories/home")).h1.get_text(strip=True) == "Fixed"
    for address in ("", "stories", "stories/home", "organizations/helpers", "drives"):
        assert banner(address) is None, address


def test_a_mistake_before_the_first_preview_is_reported(project, tmp_path, monkeypatch):
    monkeypatch.setenv("REUNIFY_TODAY", "2026-11-22")
    project.story("home.md", STORY.replace("state: AL", "state: Alabama"))
    with pytest.raises((PluginError, Abort)):
        Preview(project, tmp_path / "site")


def test_search_is_indexed_once_when_the_preview_starts(project, preview):
    plugin = preview.started.plugins["reunify"]
    indexing = plugin.search_process
    assert indexing is not None
    copies = indexing.copies
    indexing.process.wait()  # Pagefind, in the background while the editor works
    assert (preview.site / "pagefind" / "pagefind-entry.json").exists()
    preview.save()  # the next save finds it done: its search copies are deleted
    assert plugin.search_process is None
    indexing.discarding.join(10)  # (beside the save, not in its time)
    assert not copies.exists()
    preview.save()  # and the preview does not index again
    assert plugin.search_process is None


MOVED = (('title: "Overnight visits, then home', 'title: "Nights at home first'),
         ("date: 2026-06-17", "date: 2026-06-02"), ("state: NE", "state: AL"),
         ("themes: [visits, partnership]", "themes: [recovery]"),
         ("organization: nebraska-childrens-home-society",
          "organization: childrens-aid-society-alabama"))
# the same story edited where it is (only its own state's pages are made again)
RETITLED = (('title: "Overnight visits, then home', 'title: "Nights at home first'),
            ("date: 2026-06-17", "date: 2026-06-02"))


@pytest.mark.parametrize("language,edits", [("en", MOVED), ("es", MOVED), ("en", RETITLED)],
                         ids=["en-moved", "es-moved", "en-retitled"])
def test_after_a_story_is_saved_the_preview_is_what_a_full_build_makes(tmp_path, language,
                                                                       edits):
    """The preview re-renders only the pages it knows show stories (`render.Subset`); if a page
    or file that shows stories were missing from that list, it would stay stale. After a story
    changes title, date, state, themes and partner (or only its title and date), every page and
    file of the preview must be what a fresh, full render makes."""
    from datetime import date

    from reunify.engine.preview import Preview as Memory

    from conftest import copy_sample

    root = copy_sample(tmp_path / "hub")
    today = date(2026, 11, 22)
    preview = Memory(root, language)
    preview.update(today)
    story = root / "stories/overnight-visits-then-home.md"
    text = story.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    story.write_text(text, encoding="utf-8")
    saved = preview.update(today)
    assert not saved.full
    fresh = Memory(root, language).update(today)
    ours = {p.src_uri: p for p in saved.pages} | {a.path: a for a in saved.assets}
    theirs = {p.src_uri: p for p in fresh.pages} | {a.path: a for a in fresh.assets}
    assert sorted(ours) == sorted(theirs)
    assert sorted(uri for uri in ours if ours[uri] != theirs[uri]) == []


def test_the_preview_server_keeps_answering_while_the_content_is_wrong(project, tmp_path):
    """`reunify serve` for real: after a bad save every page still answers at once, with the
    problem shown in it; after the fix, the fixed page."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from bs4 import BeautifulSoup

    from reunify.commands.serve import PREVIEW_ROOM
    from reunify.outputs.search_index import scratch_folder

    project.story("home.md")
    config = scratch_config(project)
    # the preview's own folder: on the RAM disk where it has room (as on these machines)
    scratch = Path(scratch_folder(PREVIEW_ROOM) or tempfile.gettempdir())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "reunify", "serve", "--root", str(project.root), "--addr",
         f"127.0.0.1:{port}", "--today", "2026-11-22"], cwd=project.root,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert config.exists()

    def story_page():
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/stories/home/", timeout=5) as r:
            return BeautifulSoup(r.read().decode(), "html.parser")

    def wait_for(test, what):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                soup = story_page()
                if test(soup):
                    return soup
            except OSError:
                pass  # still starting
            time.sleep(0.3)
        raise AssertionError(f"the preview never showed {what}")

    try:
        wait_for(lambda soup: soup.h1 is not None, "the story")
        # the page it serves is the one it wrote in its own folder
        written = list(scratch.glob(f"reunify-preview-{server.pid}-*/*/stories/home/index.html"))
        assert len(written) == 1 and "A family home again" in written[0].read_text()
        time.sleep(1.5)  # the watcher starts after the first build
        project.story("home.md", STORY.replace("state: AL", "state: Alabama")
                      .replace("A family home again", "Broken"))
        soup = wait_for(lambda soup: soup.select_one(".rf-preview-problems"), "the problem")
        assert "stories/home.md:6:8" in soup.select_one(".rf-preview-problems").get_text()
        assert soup.select_one("article h1").get_text(strip=True) == "A family home again"
        started = time.monotonic()
        story_page()
        assert time.monotonic() - started < 5  # it answers; it does not wait for a fix
        project.story("home.md", STORY.replace("A family home again", "Fixed"))
        soup = wait_for(lambda soup: soup.select_one(".rf-preview-problems") is None and
                        soup.select_one("article h1").get_text(strip=True) == "Fixed", "the fix")
    finally:
        server.terminate()
        server.wait(timeout=30)
    # stopped, it leaves nothing behind (on a RAM disk it would hold memory)
    assert list(scratch.glob(f"reunify-preview-{server.pid}-*")) == []
    assert server.returncode == 0


def test_a_save_hands_the_engine_only_what_changed(project, tmp_path, monkeypatch):
    """At national size, making MkDocs' page object for each of 15,000 pages was most of a
    save: a save hands it the changed pages and the navigation's, and the rest stay as they
    were written. A hand-written page changed since (whose links MkDocs checks against every
    page) brings them all back, and its link to a record's page still resolves."""
    monkeypatch.setenv("REUNIFY_TODAY", "2026-11-22")
    project.story("home.md")
    project.story("second.md", STORY.replace("A family home again", "Back together"))
    config = scratch_config(project)
    config.write_text(config.read_text(encoding="utf-8") + textwrap.dedent("""\
        strict: true
        nav:
          - Home: index.md
          - Stories: stories/index.md
          - About: about.md
        """), encoding="utf-8")
    about = project.root / "pages" / "about.md"
    about.write_text("# About\n\nRead [a story](stories/second/index.md).\n", encoding="utf-8")
    preview = Preview(project, tmp_path / "site", config)
    plugin = preview.started.plugins["reunify"]
    try:
        everything = len(plugin.html)
        second = preview.written("stories/second")
        project.story("home.md", STORY.replace("A family home again", "Home again, at last"))
        preview.save()
        handed = set(plugin.html)
        assert "stories/home/index.md" in handed and "stories/index.md" in handed
        assert "stories/second/index.md" not in handed and len(handed) < everything
        assert preview.written("stories/second") == second  # still there, as it was
        assert content(page(preview.site, "stories/second")).h1.get_text(strip=True) == \
            "Back together"
        assert content(page(preview.site, "stories/home")).h1.get_text(strip=True) == \
            "Home again, at last"

        about.write_text("# About us\n\nRead [a story](stories/second/index.md).\n",
                         encoding="utf-8")
        preview.save()  # strict: a link to a page MkDocs was not handed would abort it
        assert len(plugin.html) == everything
        written = page(preview.site, "about")
        assert content(written).h1.get_text(strip=True) == "About us"
        link = content(written).find("a", string="a story")["href"]
        assert (preview.site / "about" / link / "index.html").resolve() == \
            (preview.site / "stories/second/index.html").resolve()
    finally:
        preview.started.plugins.on_shutdown()


def test_templates_compiled_once_are_compiled_again_when_edited(tmp_path):
    """The preview's saves reuse compiled templates (`render.CompiledTemplates`); a template
    an editor changes meanwhile is compiled again, and environments that lay out whitespace
    differently never share compiled code."""
    from jinja2 import Environment, FileSystemLoader

    from reunify.site.render import CompiledTemplates

    cache = CompiledTemplates()
    (tmp_path / "card.html").write_text("{% if true %}\n<b>{{ name }}</b>\n{% endif %}\n")

    def render(**options):
        env = Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=cache,
                          autoescape=True, **options)
        return env.get_template("card.html").render(name="<Ana & Luis>")

    assert render(trim_blocks=True) == "<b>&lt;Ana &amp; Luis&gt;</b>\n"
    assert render(trim_blocks=True) == "<b>&lt;Ana &amp; Luis&gt;</b>\n"  # from the cache
    assert render() == "\n<b>&lt;Ana &amp; Luis&gt;</b>\n"  # other whitespace, own code
    (tmp_path / "card.html").write_text("<i>{{ name }}</i>")
    assert render(trim_blocks=True) == "<i>&lt;Ana &amp; Luis&gt;</i>"


def test_an_edition_rendered_in_two_processes_is_the_edition_rendered_in_one():
    """The preview's start renders the resources section in a forked child while it renders
    the rest (the data files, and the first quarter of the resources' own pages): every page
    and file, in the same order, is what one process makes. Run in a
    process of its own, which has no other thread and so can fork."""
    import subprocess
    import sys

    from conftest import SAMPLE

    script = ("import sys; from pathlib import Path; from datetime import date\n"
              "from reunify.engine import pipeline, processes\n"
              "forks, fork = [], processes.fork\n"
              "processes.fork = lambda work: forks.append(work) or fork(work)\n"
              "checked = pipeline.load_checked(Path(sys.argv[1]), date(2026, 11, 22))\n"
              "made = {}\n"
              "for two in (True, False):\n"
              "    out = pipeline.render_edition(checked, 'en', pictures=False,\n"
              "                                  two_processes=two).output\n"
              "    made[two] = [(p.src_uri, p.title, p.html, p.description, p.jsonld, p.card,\n"
              "                  p.share) for p in out.pages] + [\n"
              "        (a.path, a.content, a.source) for a in out.assets]\n"
              "assert len(forks) == 1 and processes.can_fork(), 'no second process'\n"
              "assert len(made[True]) > 80 and any('resources/' in str(i[0]) for i in made[True])\n"
              "assert made[True] == made[False], [a[0] for a, b in zip(made[True], made[False])\n"
              "                                   if a != b][:5]\n"
              "print('same')\n")
    done = subprocess.run([sys.executable, "-c", script, str(SAMPLE)], capture_output=True,
                          text=True)
    if "no second process" in done.stderr:
        pytest.skip("this machine has one processor: the preview renders in one process")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("same")


FIRST_PREVIEW = """\
import sys
from pathlib import Path
import reunify
from mkdocs.commands.build import build
from mkdocs.config import load_config
from reunify.engine import mkdocs_plugin, processes
root, site, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
mkdocs_plugin.FILL_IN_TWO_FROM = 10 ** 9 if mode == "one" else 0
fills, fork = [], processes.fork
def counted(work):
    if getattr(work, "func", None) is not None and work.func.__name__ == "_write_filled":
        fills.append(len(work.args[0]))
        if mode == "failing child":
            return fork(lambda: 1 / 0)
    return fork(work)
processes.fork = counted
config = load_config(str(root / "mkdocs.yml"), site_dir=site)
config.site_url = "http://127.0.0.1:8000/"
config.plugins.on_startup(command="serve", dirty=True)
build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
plugin = config.plugins["reunify"]
print("pages filled:", sum(group.filled for group in plugin.groups.values()))
indexing = plugin.search_process  # the memory planned for Pagefind counts the copies written
print("search copies:", len([p for p in indexing.copies.rglob("*") if p.is_file()]),
      indexing.memory)
config.plugins.on_shutdown()  # waits for the search index
print("forked:", fills)
"""


def test_the_preview_start_writes_the_same_site_with_its_pages_filled_in_two_processes(
        tmp_path):
    """When the preview starts, a forked child fills in and writes every other page made from
    a shell (a national start's 12,000): the site, its search index and the count of pages
    filled are what one process makes; if the child fails, this process writes its share.
    Run in processes of their own, which have no other thread and so can fork."""
    import subprocess
    import sys

    from conftest import SAMPLE, site_differences

    built, said = {}, {}
    for mode in ("one", "two", "failing child"):
        site = tmp_path / mode.replace(" ", "-")
        done = subprocess.run([sys.executable, "-c", FIRST_PREVIEW, str(SAMPLE), str(site),
                               mode], capture_output=True, text=True,
                              env={**__import__("os").environ, "REUNIFY_TODAY": "2026-11-22",
                                   "NO_MKDOCS_2_WARNING": "1"})
        assert done.returncode == 0, done.stderr[-3000:]
        said[mode] = done.stdout.splitlines()
        built[mode] = {p.relative_to(site).as_posix(): p.read_bytes()
                       for p in sorted(site.rglob("*")) if p.is_file()}
    if said["two"][-1] == "forked: []":
        pytest.skip("this machine has one processor: the preview writes in one process")
    assert said["one"][-1] == "forked: []"
    halves = [int(n) for n in said["two"][-1].removeprefix("forked: [").rstrip("]").split(",")]
    assert len(halves) == 1 and halves[0] > 20  # the child's half of the pages
    assert said["two"][:2] == said["one"][:2] == said["failing child"][:2]
    assert "pagefind/pagefind-entry.json" in built["two"] and len(built["two"]) > 200
    assert site_differences(built["two"], built["one"]) == []
    assert site_differences(built["failing child"], built["one"]) == []


def test_a_save_leaves_every_story_s_front_matter_kept(project, preview):
    """The stories' front matter is kept as parsed (`kept_yaml`) when the preview starts; a
    save, which reads only the story that changed, leaves the others kept for the next start
    or build."""
    import pickle

    from reunify.content import kept_yaml

    kept = project.root / ".cache" / "yaml" / kept_yaml.SMALL
    at_start = pickle.loads(kept.read_bytes())
    project.story("home.md", (project.root / "stories/home.md").read_text().replace(
        "A family home again", "Home again, at last"))
    preview.save()
    assert pickle.loads(kept.read_bytes()) == at_start
    assert len(at_start) >= 2  # both stories' (and the sample-sized resources.yaml)


def test_the_collector_waits_while_the_preview_renders_everything_and_never_stays_off(
        project, tmp_path, monkeypatch):
    """The preview's full renders make pages it keeps until the next one, with Python's cyclic
    garbage collector paused (it walked them again and again as they were made); a save's
    small render runs with it, and it is on again after every render, even one that failed:
    a preview left open all day must not grow with every save."""
    import gc

    from reunify.engine import preview as module

    monkeypatch.setenv("REUNIFY_TODAY", "2026-11-22")
    project.story("home.md")
    collecting, render = [], module.render_edition

    def rendering(*args, **kwargs):
        collecting.append(gc.isenabled())
        if failing:
            raise RuntimeError("a template went wrong")
        return render(*args, **kwargs)
    monkeypatch.setattr(module, "render_edition", rendering)
    failing = False
    opened = Preview(project, tmp_path / "site")
    try:
        assert gc.isenabled()
        project.story("home.md", (project.root / "stories/home.md").read_text().replace(
            "A family home again", "Home again, at last"))
        opened.save()
        assert gc.isenabled()
        assert collecting == [False, True]  # the start's full render; the save's
        failing = True
        (project.root / "resources.yaml").write_text(
            (project.root / "resources.yaml").read_text() + "\n")  # everything again
        with pytest.raises(Exception, match="a template went wrong"):
            opened.save()
        assert collecting == [False, True, False]
        assert gc.isenabled()
    finally:
        opened.started.plugins.on_shutdown()
