"""Fixtures: a tiny scratch project written inline, and the sample site built once per session."""
from __future__ import annotations

import gzip
import os
import shutil
import tempfile
import textwrap
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from reunify.commands.build import build_site

REPO = Path(__file__).resolve().parent.parent
# The share cards and toolkit documents that the tests' many builds draw, kept once for all of
# them (as .cache/cards/ is for an editor's builds); test_toolkit checks the cache on its own.
os.environ.setdefault("REUNIFY_CARD_CACHE",
                      str(Path(tempfile.gettempdir()) / f"cards-for-tests-{os.getuid()}"))
# A copy of the sample content as it was when these tests were written (its theme overrides are
# the repository's own, linked): editors change stories/ and resources.yaml every week, and a
# June rollover changes the campaign; neither must turn the tests red. The live content is
# checked by `reunify check --strict` and a build in CI.
SAMPLE = REPO / "tests" / "sample"
# A fixed build date keeps results independent of when the tests run; sample drives and consent
# dates are chosen around it.
TODAY = date(2026, 11, 22)

CAMPAIGN = """\
campaign:
  year: 2026
  theme: Partnering makes the difference
  starts: 2026-06-01
  ends: 2026-06-30
  hashtag: "#ReunificationMonth"
  host: Test Hub
  contact_email: hello@example.org
  accessibility_email: access@example.org
"""

ORG = """\
  - id: helpers
    name: Helpers United
    website: https://helpers.example.org/
    description: Helps families.
    states: [AL]
    last_verified: 2026-10-01
"""

STORY = """\
---
title: A family home again
date: 2026-06-05
campaign_year: 2026
organization: helpers
state: AL
themes: [visits]
summary: A mother and her daughter are home together.
consent:
  obtained: 2026-05-01
  expires: 2099-05-01
  scope: [web]
---
They worked hard, and now they are home.
"""


def guides(count: int, title=lambda i: f"Guide {i}") -> str:
    """A `resources:` list of `count` guides by the partner `helpers` (ORG), titled `title(i)`."""
    import json

    return "resources:\n" + "".join(f"""\
  - id: guide-{i}
    title: {json.dumps(title(i))}
    url: https://example.org/guide/{i}
    publisher: helpers
    format: guide
    audiences: [caregivers]
    topics: [visits]
    description: A guide.
    last_verified: 2026-10-01
""" for i in range(count))


def local_authority(folder: Path):
    """A certificate authority of our own (trustme) and a certificate from it for 127.0.0.1:
    (the server's SSL context, the authority's PEM file to trust it by). Nothing else trusts
    it, as no browser would."""
    import ssl

    import trustme

    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    bundle = folder / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    return context, bundle


class Project:
    """A scratch project in a temporary folder, with helpers to write its content."""

    def __init__(self, root: Path):
        self.root = root
        (root / "stories").mkdir()
        self.resources(organizations=ORG)

    def resources(self, text: str | None = None, *, organizations: str = ORG, extra: str = ""):
        if text is None:
            text = CAMPAIGN + "organizations:\n" + organizations + extra
        (self.root / "resources.yaml").write_text(textwrap.dedent(text), encoding="utf-8")

    def story(self, name: str, text: str = STORY) -> Path:
        path = self.root / "stories" / name
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("sample") / "site"
    build_site(SAMPLE, site, SAMPLE / "mkdocs.yml", TODAY)
    return site


def copy_sample(root: Path) -> Path:
    """A copy of the sample hub to change in a test (with the repository's schemas)."""
    shutil.copytree(SAMPLE, root, symlinks=False, dirs_exist_ok=True)
    shutil.copytree(REPO / "schemas", root / "schemas", dirs_exist_ok=True)
    return root


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page(site: Path, url: str) -> BeautifulSoup:
    return parse(site / url / "index.html")


def content(soup: BeautifulSoup):
    """The page's main content, without the header, navigation and footer."""
    return soup.select_one("article.md-content__inner") or soup.select_one(".md-content")


def scratch_config(project: Project) -> Path:
    """A minimal MkDocs configuration for a scratch project, using the real theme overrides."""
    (project.root / "pages").mkdir(exist_ok=True)
    config = project.root / "mkdocs.yml"
    config.write_text(textwrap.dedent(f"""\
        site_name: Scratch
        docs_dir: pages
        theme:
          name: material
          custom_dir: {REPO / 'site_src' / 'overrides'}
          font: false
        plugins:
          - search
          - reunify
        """), encoding="utf-8")
    return config


def pagefind_volatile(name: str) -> bool:
    """Pagefind's files that differ from one run to the next for the same pages: it writes
    each filter's values in hash-map order, so its filter files (and the files naming them by
    their hash) are not byte for byte the same."""
    return "/pagefind/filter/" in f"/{name}" or name.endswith((".pf_meta", "pagefind-entry.json"))


def pagefind_content(files: dict[str, bytes]) -> dict:
    """What those files say, in an order of our own: per edition, each filter's values and the
    pages that have them, and the rest of the metadata less the files' hashes."""
    import cbor2

    def decoded(data: bytes):
        data = gzip.decompress(data)
        assert data.startswith(b"pagefind_dcd")
        return cbor2.loads(data[len(b"pagefind_dcd"):])

    editions: dict = {}
    for name, data in files.items():
        edition = name.split("/")[0] if not name.startswith("pagefind/") else "en"
        if "/pagefind/filter/" in f"/{name}":
            key, values = decoded(data)
            editions.setdefault(edition, {}).setdefault("filters", {})[key] = sorted(values)
        elif name.endswith(".pf_meta"):
            version, pages, chunks, filters, sorts, meta_fields = decoded(data)
            editions.setdefault(edition, {})["meta"] = (
                version, pages, chunks, sorted(key for key, _ in filters), sorts, meta_fields)
    return editions


def site_differences(one: dict[str, bytes], other: dict[str, bytes]) -> list[str]:
    """The files two builds do not have alike: missing from one, or different byte for byte
    (Pagefind's filter files and those naming them: different in what they say)."""
    names = sorted(name for name in set(one) ^ set(other) if not pagefind_volatile(name))
    names += sorted(name for name in set(one) & set(other)
                    if one[name] != other[name] and not pagefind_volatile(name))
    if pagefind_content(one) != pagefind_content(other):
        names.append("pagefind: filters or metadata")
    return names

