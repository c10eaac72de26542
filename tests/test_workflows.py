"""The CI workflows shipped for GitHub: valid, and calling only commands that exist."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def test_there_are_workflows_for_publishing_and_feeds():
    assert {w.name for w in WORKFLOWS} >= {"publish.yml", "feeds.yml", "links.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_each_workflow_is_valid_for_github(workflow):
    # the GitHub workflow schema vendored in check-jsonschema (SchemaStore's), read offline
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                             "vendor.github-workflows", str(workflow)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _runs(workflow: Path) -> list[str]:
    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    return [step["run"] for job in data["jobs"].values() for step in job.get("steps", [])
            if "run" in step]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_the_commands_a_workflow_runs_exist(workflow):
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for run in _runs(workflow):
        for line in run.splitlines():
            words = line.split()
            if words[:1] == ["make"]:
                target = words[1]
                assert f"\n{target}:" in makefile or target == "$(STAMP)" or \
                    (target == ".venv/.installed" and "STAMP  := $(VENV)/.installed" in
                     makefile), target
            if words[:1] == [".venv/bin/reunify"]:
                help_text = subprocess.run([sys.executable, "-m", "reunify", *words[1:2],
                                            "--help"], capture_output=True, text=True)
                assert help_text.returncode == 0, line


def test_the_schedules_follow_the_campaign():
    publish = yaml.safe_load((REPO / ".github/workflows/publish.yml").read_text())
    feeds = yaml.safe_load((REPO / ".github/workflows/feeds.yml").read_text())
    # PyYAML reads `on:` as True
    assert [s["cron"] for s in publish[True]["schedule"]] == ["17 5 * * *"]  # nightly
    crons = [s["cron"] for s in feeds[True]["schedule"]]
    assert crons == ["41 4 * 6 *", "41 4 * 1-5,7-12 1"]  # daily in June, weekly otherwise
    checks = yaml.safe_load((REPO / ".github/workflows/links.yml").read_text())
    assert [s["cron"] for s in checks[True]["schedule"]] == ["23 1 * * 1"]  # weekly


@pytest.mark.parametrize("name", ["feeds.yml", "links.yml"])
def test_what_a_workflow_commits_is_published(name):
    """A push made by a workflow starts no other workflow: each one that commits content asks
    for the site to be published, with the permission that needs."""
    workflow = yaml.safe_load((REPO / ".github/workflows" / name).read_text())
    assert workflow["permissions"]["actions"] == "write"
    assert any("gh workflow run publish.yml" in run for run in _runs(REPO / ".github/workflows" /
                                                                      name))
