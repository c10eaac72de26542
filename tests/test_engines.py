"""The site is the same on ProperDocs (the default engine) and on MkDocs 1.6.1 (the fallback)."""
import os
import subprocess
import sys
from pathlib import Path

from conftest import scratch_config, site_differences

RESOURCES = """\
resources:
  - id: visit-guide
    title: A guide to family visits
    url: https://helpers.example.org/visits
    publisher: helpers
    format: guide
    audiences: [birth-parents, caregivers]
    topics: [visits]
    languages: [en, es]
    description: How visits work, and how to make the most of them.
    last_verified: 2026-10-01
drives:
  - id: winter-coats
    title: Winter coats
    organization: helpers
    description: Coats for children going home.
    items:
      - {name: Coats, needed: 40, received: 12}
    starts: 2026-11-01
    ends: 2026-12-31
    states: [AL]
events:
  - id: homecoming
    title: Homecoming picnic
    starts: 2026-12-12 11:00
    ends: 2026-12-12 14:00
    timezone: America/Chicago
    place: {name: City park, address: "Birmingham, Alabama"}
    organizer: helpers
    description: A picnic for families who are home again.
"""


def _engine(name: str) -> dict:
    return {**os.environ, "REUNIFY_ENGINE": name, "NO_MKDOCS_2_WARNING": "1"}


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_properdocs_is_the_default_engine_and_mkdocs_the_fallback():
    ask = [sys.executable, "-c", "import reunify.engine as e; print(e.version())"]
    assert subprocess.run(ask, capture_output=True, text=True, check=True,
                          env={**os.environ, "REUNIFY_ENGINE": ""}).stdout.startswith(
        "properdocs 1.6.")
    assert subprocess.run(ask, capture_output=True, text=True, check=True,
                          env=_engine("mkdocs")).stdout.startswith("mkdocs 1.6.1")


def test_both_engines_build_the_same_site_file_for_file(project, tmp_path):
    project.resources(extra=RESOURCES)
    project.story("home-again.md")
    project.story("home-again.es.md", "---\ntitle: De nuevo en casa\nsummary: Una familia "
                  "en casa.\n---\nTrabajaron mucho.\n")
    config = scratch_config(project)
    (project.root / "pages" / "about.md").write_text("# About\n\nWho we are.\n")
    sites = {}
    for engine in ("properdocs", "mkdocs"):
        sites[engine] = tmp_path / engine
        subprocess.run([sys.executable, "-m", "reunify", "build", "--root", str(project.root),
                        "--config", str(config), "--site-dir", str(sites[engine]),
                        "--today", "2026-11-22"], check=True, capture_output=True,
                       env=_engine(engine))
    built = _files(sites["properdocs"])
    assert {"index.html", "stories/home-again/index.html", "resources/visit-guide/index.html",
            "drives/winter-coats/index.html", "events/homecoming/index.html",
            "about/index.html", "sitemap.xml"} <= set(built)
    assert site_differences(built, _files(sites["mkdocs"])) == []
