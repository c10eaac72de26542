"""Large YAML files parsed once and kept in `.cache/yaml/`: what an editor sees is what a fresh
parse gives, an edit is read at once, mistakes are reported at every run, and a changed cache
runs nothing."""
import pickle
from datetime import date

import pytest

from conftest import CAMPAIGN, ORG, TODAY, guides, page, scratch_config
from reunify.commands.build import build_site
from reunify.content import kept_yaml, load, yamlsource
from reunify.content.problems import Problems
from reunify.engine.pipeline import keep_between_runs


def _counted(monkeypatch, which=lambda file: True) -> list[str]:
    """The names of the files (those `which` chooses) parsed afresh from now on."""
    parsed, real = [], yamlsource.parse

    def counting(text, file, problems, line_offset=0):
        if which(file):
            parsed.append(file.name)
        return real(text, file, problems, line_offset)

    monkeypatch.setattr(yamlsource, "parse", counting)
    return parsed


@pytest.fixture
def parses(monkeypatch):
    """Every file the sample-sized tests write is kept (a national resources.yaml is 11 MB);
    the list of the files parsed afresh."""
    monkeypatch.setattr(kept_yaml, "KEEP_FROM", 0)
    yield _counted(monkeypatch)
    kept_yaml.keep_parsed(None)


def _load(root):
    keep_between_runs(root)
    problems = Problems(root=root)
    return load.load_records(root, problems), [p.format() for p in problems.items]


def test_a_second_run_reads_the_records_as_the_first_without_parsing_again(project, parses):
    project.resources(extra=guides(3) + "events: []\n")
    first, problems = _load(project.root)
    assert parses == ["resources.yaml"] and problems == []
    again, problems = _load(project.root)
    assert parses == ["resources.yaml"] and problems == []
    assert again.resources == first.resources and again.campaign == first.campaign
    assert again.campaign.starts == date(2026, 6, 1)
    # where each value was written: what every message to an editor names
    assert again.where("resources", "guide-2", "title") == first.where("resources", "guide-2",
                                                                        "title")


def test_an_edit_is_read_at_once(project, parses):
    project.resources(extra=guides(2))
    _load(project.root)
    project.resources(extra=guides(2, title=lambda i: f"Renamed guide {i}"))
    content, _ = _load(project.root)
    assert [r.title for r in content.resources] == ["Renamed guide 0", "Renamed guide 1"]
    assert parses == ["resources.yaml", "resources.yaml"]
    assert len(list((project.root / ".cache" / "yaml").iterdir())) == 1  # one file, replaced


def test_a_file_with_a_mistake_is_reported_at_every_run(project, parses):
    project.resources(CAMPAIGN + "organizations:\n" + ORG + "    name: Twice\n")
    reports = [_load(project.root)[1] for _ in range(2)]
    assert reports[0] == reports[1] and len(reports[0]) == 1
    assert "the field 'name' appears twice" in reports[0][0]
    assert parses == ["resources.yaml", "resources.yaml"]


@pytest.mark.parametrize("change", ["damaged", "code"])
def test_a_damaged_cache_or_one_that_would_run_code_is_not_used(project, parses, tmp_path,
                                                                change):
    project.resources(extra=guides(2))
    _load(project.root)
    (kept,) = (project.root / ".cache" / "yaml").iterdir()
    key = kept.read_bytes()[:32]
    marker = tmp_path / "ran"

    class Runs:
        def __reduce__(self):
            return (exec, (f"open({str(marker)!r}, 'w').close()",))

    kept.write_bytes(key + (b"\x80\x05garbage" if change == "damaged" else
                            pickle.dumps((Runs(), {}, {}))))
    content, problems = _load(project.root)
    assert not marker.exists()
    assert problems == [] and [r.id for r in content.resources] == ["guide-0", "guide-1"]
    assert parses == ["resources.yaml", "resources.yaml"]


def test_the_site_built_from_kept_records_is_the_site_built_afresh(project, parses):
    project.resources(extra=guides(2))
    config = scratch_config(project)
    built = []
    for run in range(2):
        site = project.root / f"site-{run}"
        build_site(project.root, site, config, TODAY)
        built.append({p.relative_to(site).as_posix(): p.read_bytes()
                      for p in sorted(site.rglob("*.html"))})
    assert parses.count("resources.yaml") == 1
    assert built[0] == built[1]
    assert page(project.root / "site-1", "resources/guide-1").find("h1").get_text(strip=True) \
        == "Guide 1"


def test_a_cache_that_cannot_be_written_costs_time_only(project, parses, monkeypatch):
    """The disk full or the folder read-only: the records are read all the same, no
    half-written file is left, and the next run parses again."""
    import os

    from reunify.engine import workspace

    project.resources(extra=guides(2))

    def full(*args):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as disk:
        disk.setattr(os, "replace", full)
        content, problems = _load(project.root)
        assert problems == [] and [r.id for r in content.resources] == ["guide-0", "guide-1"]
        assert list((project.root / ".cache" / "yaml").iterdir()) == []
        assert workspace.keep(project.root / ".cache" / "yaml" / "x", b"data") is False
    _load(project.root)
    assert parses == ["resources.yaml", "resources.yaml"]


@pytest.fixture
def front_matter(monkeypatch):
    """The stories' front matter parsed afresh, by file name."""
    yield _counted(monkeypatch, lambda file: file.suffix == ".md")
    kept_yaml.keep_parsed(None)


def _check(root):
    from reunify.engine.pipeline import check

    kept_yaml.keep_parsed(None)  # nothing kept in memory: as a new process
    load._PARSED.clear()
    problems, content = check(root, TODAY)
    return content, [p.format() for p in problems.items]


def _stories(project, count=3, title=lambda i: f"A family home again, number {i}"):
    from conftest import STORY

    for i in range(count):
        project.story(f"home-{i}.md", STORY.replace("title: A family home again",
                                                    f"title: {title(i)}"))


def test_stories_front_matter_is_read_as_parsed_without_parsing_again(project, front_matter):
    project.resources()
    _stories(project)
    first, problems = _check(project.root)
    assert sorted(front_matter) == ["home-0.md", "home-1.md", "home-2.md"]
    again, problems_again = _check(project.root)
    assert sorted(front_matter) == ["home-0.md", "home-1.md", "home-2.md"]  # none again
    assert problems_again == problems
    assert [s.meta for s in again.stories] == [s.meta for s in first.stories]
    # where each value was written: what every message to an editor names
    assert again.where("stories", "home-1", "title") == first.where("stories", "home-1",
                                                                      "title")
    assert first.where("stories", "home-1", "title")[1] == 2


def test_an_edited_or_removed_story_leaves_the_kept_front_matter(project, front_matter):
    project.resources()
    _stories(project)
    _check(project.root)
    _stories(project, 2, title=lambda i: f"A family home at last, number {i}")
    (project.root / "stories" / "home-2.md").unlink()
    content, _ = _check(project.root)
    assert [s.meta.title for s in content.stories] == [
        "A family home at last, number 0", "A family home at last, number 1"]
    assert front_matter[3:] == ["home-0.md", "home-1.md"]
    kept = pickle.loads((project.root / ".cache" / "yaml" / kept_yaml.SMALL).read_bytes())
    assert len(kept) == 3  # the texts the last run read (the stories' and resources.yaml)


@pytest.mark.parametrize("change", ["damaged", "code"])
def test_damaged_kept_front_matter_or_some_that_would_run_code_is_not_used(
        project, front_matter, tmp_path, change):
    project.resources()
    _stories(project)
    first, _ = _check(project.root)
    kept = project.root / ".cache" / "yaml" / kept_yaml.SMALL
    marker = tmp_path / "ran"

    class Runs:
        def __reduce__(self):
            return (exec, (f"open({str(marker)!r}, 'w').close()",))

    entries = pickle.loads(kept.read_bytes())
    kept.write_bytes(b"\x80\x05garbage" if change == "damaged" else pickle.dumps(
        {key: pickle.dumps((Runs(), {}, {})) for key in entries}))
    again, problems = _check(project.root)
    assert not marker.exists()
    assert [s.meta for s in again.stories] == [s.meta for s in first.stories]
    assert len(front_matter) == 6  # all three parsed again


def test_what_a_caller_changes_of_kept_front_matter_is_not_kept(project):
    """Each reading is made anew: a change one caller makes to what it was given does not
    reach the next (the live preview reads every story at each save)."""
    from pathlib import Path

    kept_yaml.keep_parsed(project.root / ".cache" / "yaml")
    try:
        text, file = "title: Home\ntags: [a, b]\n", Path(project.root / "stories" / "x.md")
        for _ in range(2):
            doc = kept_yaml.parse(text, file, Problems(root=project.root), line_offset=1)
            assert doc.data == {"title": "Home", "tags": ["a", "b"]}
            assert doc.values[("title",)][0] == 2  # its line, counted from the file's top
            doc.data["tags"].append("c")
            doc.data.pop("title")
    finally:
        kept_yaml.keep_parsed(None)
