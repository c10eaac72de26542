"""What the build gives a host: headers with a Content-Security-Policy, real redirects."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import TODAY, copy_sample, parse
from reunify.commands.build import build_site
from reunify.outputs import hosting


def _rules(site: Path) -> dict[str, dict[str, str]]:
    rules: dict[str, dict[str, str]] = {}
    current = None
    for line in (site / "_headers").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            current = rules.setdefault(line.strip(), {})
        else:
            name, _, value = line.strip().partition(": ")
            current[name] = value
    return rules


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_every_page_s_inline_scripts_are_allowed_by_hash_and_nothing_else(sample_site):
    policy = _directives(_rules(sample_site)["/*"]["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert not any("unsafe-inline" in v or "unsafe-eval'" == v or v.startswith("http")
                   for values in policy.values() for v in values)
    allowed = set(policy["script-src"])
    pages = list(sample_site.rglob("*.html"))
    assert len(pages) > 150
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert hosting.inline_hashes(html) <= allowed, page
        soup = parse(page)
        if soup.find("meta", attrs={"http-equiv": "refresh"}):
            continue  # the HTML redirect pages of moved records
        meta = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta is not None, page
        own = _directives(meta["content"])
        assert "frame-ancestors" not in own  # a meta tag cannot carry it
        assert set(own["script-src"]) >= hosting.inline_hashes(html)
        # the policy comes before any script
        assert html.index("Content-Security-Policy") < html.find("<script") or \
            "<script" not in html


def test_the_other_headers_and_long_caching_only_for_fingerprinted_files(sample_site):
    rules = _rules(sample_site)
    everything = rules["/*"]
    assert everything["X-Content-Type-Options"] == "nosniff"
    assert everything["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in everything["Permissions-Policy"]
    assert everything["X-Frame-Options"] == "DENY"
    cached = [pattern for pattern, headers in rules.items()
              if "immutable" in headers.get("Cache-Control", "")]
    assert cached
    for pattern in cached:
        files = [p for p in sample_site.glob(pattern.lstrip("/")) if p.is_file()]
        assert files, pattern
        for file in files:  # a content hash in every name cached for a year
            assert re.search(r"[._][0-9a-f]{7,}\.", file.name), file
    assert not list(sample_site.rglob(hosting.HASHES_FILE))
    assert not list(sample_site.rglob(hosting.REDIRECTS_FILE))


@pytest.fixture(scope="module")
def moved_site(tmp_path_factory):
    root = copy_sample(tmp_path_factory.mktemp("moved"))
    resources = root / "resources.yaml"
    text = resources.read_text(encoding="utf-8")
    text = text.replace("  - id: bridging-the-gap\n",
                        "  - id: bridging-the-gap\n    previous_ids: [arkansas-bridging-guide]\n", 1)
    resources.write_text(text, encoding="utf-8")
    site = root / "site"
    build_site(root, site, root / "mkdocs.yml", TODAY)
    return site


def test_previous_ids_become_real_redirects_for_every_host(moved_site):
    rules = (moved_site / "_redirects").read_text(encoding="utf-8").splitlines()
    assert "/resources/arkansas-bridging-guide/ /resources/bridging-the-gap/ 301" in rules
    assert "/es/resources/arkansas-bridging-guide/ /es/resources/bridging-the-gap/ 301" in rules
    assert "/es/* /es/404.html 404" in rules
    apache = (moved_site / ".htaccess").read_text(encoding="utf-8")
    assert "Redirect 301 /resources/arkansas-bridging-guide/ /resources/bridging-the-gap/" in apache
    assert "Header always set Content-Security-Policy" in apache
    assert "ErrorDocument 404 /es/404.html" in apache
    nginx = (moved_site / "nginx-snippet.conf").read_text(encoding="utf-8")
    assert "location = /resources/arkansas-bridging-guide/ { return 301 " \
           "/resources/bridging-the-gap/; }" in nginx
    # the HTML redirect page stays for hosts without rules
    page = parse(moved_site / "resources" / "arkansas-bridging-guide" / "index.html")
    assert "bridging-the-gap" in page.find("meta", attrs={"http-equiv": "refresh"})["content"]


@pytest.mark.parametrize("url, record", [
    ("stories/tucking-my-son-in-again/", "tucking-my-son-in-again"),
    ("resources/bridging-the-gap/", "bridging-the-gap"),
    ("organizations/childrens-aid-society-alabama/", "childrens-aid-society-alabama"),
    ("drives/keep-the-lights-on/", "keep-the-lights-on"),
    ("events/birmingham-homecoming-celebration/", "birmingham-homecoming-celebration"),
    ("es/resources/bridging-the-gap/", "bridging-the-gap"),
])
def test_every_record_page_has_report_a_problem_with_its_address(sample_site, url, record):
    from urllib.parse import parse_qs, urlsplit

    link = parse(sample_site / url / "index.html").select_one(".rf-report a")
    assert link is not None
    parts = urlsplit(link["href"])
    assert parts.scheme == "mailto" and parts.path == "hello@reunification.example.org"
    query = parse_qs(parts.query)
    assert f"({record})" in query["subject"][0]
    assert "https://reunification.example.org/" + url in query["body"][0]


def test_a_campaign_form_takes_the_reports_instead(project, tmp_path):
    from conftest import CAMPAIGN, ORG, scratch_config
    project.resources(CAMPAIGN + "  report_url: https://forms.example.org/report\n"
                      + "organizations:\n" + ORG)
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    link = parse(site / "organizations" / "helpers" / "index.html").select_one(".rf-report a")
    assert link["href"] == "https://forms.example.org/report"
