"""`reunify new`, the JSON Schemas, `check --stale` and the privacy exception."""
from __future__ import annotations

import difflib
import json
import shutil
from datetime import date

import jsonschema
import pytest
import yaml

from reunify.cli import main
from reunify.content.load import load
from reunify.content.problems import Problems
from reunify.content.schema import SCHEMAS, schema_text
from reunify.content.validate import check
from reunify.content.yamlsource import parse

from conftest import REPO, SAMPLE, STORY, TODAY


def _problems(root):
    problems = Problems(root=root)
    content = load(root, problems)
    check(content, TODAY, problems)
    return content, problems


@pytest.fixture
def sample_copy(tmp_path):
    shutil.copy(SAMPLE / "resources.yaml", tmp_path / "resources.yaml")
    shutil.copytree(SAMPLE / "stories", tmp_path / "stories")
    return tmp_path


@pytest.mark.parametrize("kind, section", [("organization", "organizations"),
                                           ("resource", "resources"), ("drive", "drives"),
                                           ("event", "events")])
def test_new_record_is_added_to_its_section_without_disturbing_the_file(sample_copy, kind,
                                                                        section, capsys):
    before = (sample_copy / "resources.yaml").read_text().splitlines()
    assert main(["new", kind, "Winter Coats & Boots", "--root", str(sample_copy),
                 "--today", "2026-11-22"]) == 0
    assert "winter-coats-boots" in capsys.readouterr().out
    after = (sample_copy / "resources.yaml").read_text().splitlines()
    changes = difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
    # every original line, comments included, is kept in its order: the change only inserts
    assert [op for op, *_ in changes if op != "equal"] == ["insert"]
    _, _, _, first, last = next(c for c in changes if c[0] == "insert")
    added = [line for line in after[first:last] if line]
    assert added[0] == "  - id: winter-coats-boots  # " + added[0].split("# ", 1)[1]
    _, problems = _problems(sample_copy)
    # the new record sits at the end of its own section...
    raw = parse((sample_copy / "resources.yaml").read_text(), sample_copy / "x", Problems()).data
    assert raw[section][-1]["id"] == "winter-coats-boots"
    # ...and `reunify check` points at each field still to fill in, and nothing else.
    assert problems.errors
    assert {p.record for p in problems.errors} == {"winter-coats-boots"}


@pytest.mark.parametrize("kind", ["organization", "resource", "drive", "event"])
def test_a_new_record_s_optional_lines_uncomment_in_one_step_to_valid_values(sample_copy,
                                                                            kind):
    """Uncommenting a new record's optional lines (one `# ` off each) gives values of the right
    type and range: no line is commented twice, no `translations: ""`, no `needed: 0`."""
    before = (sample_copy / "resources.yaml").read_text()
    assert main(["new", kind, "Winter coats", "--root", str(sample_copy), "--today",
                 "2026-11-22"]) == 0
    after = (sample_copy / "resources.yaml").read_text()
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert not [line for line in added if line.lstrip().startswith("#") and
                line.lstrip()[1:].lstrip(" -").startswith("#")]
    uncommented = "\n".join(line.replace("# ", "", 1) if line.lstrip().startswith("# ")
                            else line for line in added)
    record = yaml.safe_load(uncommented.replace("  - id:", "- id:", 1)
                            .replace("\n    ", "\n  "))[0]
    assert record["translations"] == {}
    if kind == "drive":
        assert record["items"][0]["needed"] >= 1 and record["items"][0]["received"] == 0


def test_a_new_record_follows_the_file_s_blank_lines(tmp_path):
    text = (SAMPLE / "resources.yaml").read_text()
    compact = "\n".join(line for line in text.splitlines() if line.strip()) + "\n"
    (tmp_path / "resources.yaml").write_text(compact)
    assert main(["new", "resource", "A guide", "--root", str(tmp_path), "--today",
                 "2026-11-22"]) == 0
    assert "\n\n" not in (tmp_path / "resources.yaml").read_text()


def test_new_story_lists_every_field_and_cannot_be_published_until_completed(sample_copy):
    assert main(["new", "story", "A new start", "--root", str(sample_copy),
                 "--today", "2026-11-22"]) == 0
    text = (sample_copy / "stories" / "a-new-start.md").read_text()
    for field in ("title", "date", "organization", "state", "themes", "summary", "quotes",
                  "consent", "obtained", "expires", "scope", "image", "alt", "private_names"):
        assert f"{field}:" in text
    _, problems = _problems(sample_copy)
    fields = {p.field for p in problems.errors if p.record == "a-new-start"}
    assert {"organization", "state", "themes", "summary", "consent.obtained",
            "consent.expires", "consent.scope"} <= fields
    assert main(["new", "story", "A new start", "--root", str(sample_copy)]) == 1


def test_committed_schemas_match_the_models():
    for name, model in SCHEMAS.items():
        assert (REPO / "schemas" / name).read_text() == schema_text(model), \
            f"schemas/{name} is out of date: run `reunify schema`"


def _as_json(value):
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def test_sample_content_is_valid_against_the_schemas():
    schema = json.loads((REPO / "schemas" / "resources.schema.json").read_text())
    doc = parse((SAMPLE / "resources.yaml").read_text(), SAMPLE / "resources.yaml", Problems())
    jsonschema.validate(_as_json(doc.data), schema)
    story_schema = json.loads((REPO / "schemas" / "story.schema.json").read_text())
    problems = Problems()
    content = load(SAMPLE, problems)
    for story in content.stories:
        front = story.file.read_text().split("---\n")[1]
        jsonschema.validate(_as_json(parse(front, story.file, problems).data), story_schema)


def test_empty_lists_are_valid_for_editors_schema_as_for_check():
    """Between campaigns `events:` may have nothing under it (YAML reads it as null)."""
    schema = json.loads((REPO / "schemas" / "resources.schema.json").read_text())
    text = (SAMPLE / "resources.yaml").read_text()
    data = _as_json(parse(text, SAMPLE / "resources.yaml", Problems()).data)
    data["events"], data["drives"] = None, None
    jsonschema.validate(data, schema)


def test_schema_catches_a_typo_as_an_editor_types():
    schema = json.loads((REPO / "schemas" / "resources.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    bad = {"campaign": {}, "organizations": [{"id": "x", "states": ["Alabama"], "nmae": "X"}]}
    messages = [e.message for e in validator.iter_errors(bad)]
    assert any("'Alabama' is not one of" in m for m in messages)
    assert any("'nmae' was unexpected" in m for m in messages)


def test_stale_records_are_listed_and_flagged(project, capsys, tmp_path):
    assert main(["check", "--stale", "--root", str(project.root), "--today", "2026-11-22"]) == 0
    assert "not verified" not in capsys.readouterr().out
    assert main(["check", "--stale", "--root", str(project.root), "--today", "2027-10-02"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "resources.yaml:16:20: warning: record helpers, field last_verified: not verified since "
        "2026-10-01, over 12 months ago (hint: check the details and link, then set today's "
        "date)")


def test_privacy_exception_allows_a_deliberate_detail(project):
    text = STORY.replace("They worked hard", "The agency's helpline, 402-555-0100, helped. "
                         "They worked hard")
    project.story("helpline.md", text)
    _, problems = _problems(project.root)
    assert [p.message.split(" (")[0] for p in problems.errors] == \
        ["the story shows a phone number"]
    project.story("helpline.md", text.replace("consent:", "privacy_exceptions: ['402-555-0100']"
                                                          "\nconsent:"))
    _, problems = _problems(project.root)
    assert problems.errors == []
