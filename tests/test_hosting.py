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


# ---- the same site served by real nginx and Apache, with the files the build wrote ------------
# (Debian's nginx and apache2, installed by `make test`; each started here on a free port of
# 127.0.0.1, in the foreground, as one process, and stopped after the module)

def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _program(name: str) -> str:
    import shutil

    return shutil.which(name) or f"/usr/sbin/{name}"  # /usr/sbin is not on every PATH


def _start(command: list[str], port: int, log: Path):
    import socket
    import subprocess
    import time

    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    for _ in range(200):
        if process.poll() is not None:
            break
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    process.kill()
    raise AssertionError(f"{command[0]} did not start: "
                         f"{log.read_text() if log.exists() else 'no log'}")


def _nginx(site: Path, work: Path):
    port = _free_port()
    work.mkdir()
    config = work / "nginx.conf"
    temp = " ".join(f"{name}_temp_path {work / name};" for name in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    config.write_text(f"""
daemon off; master_process off; worker_processes 1;
pid {work / 'nginx.pid'}; error_log {work / 'error.log'};
events {{ }}
http {{
  include /etc/nginx/mime.types; access_log off; {temp}
  server {{
    listen 127.0.0.1:{port};
    root {site};
    index index.html;
    include {site / 'nginx-snippet.conf'};
  }}
}}
""")
    return _start([_program("nginx"), "-p", str(work), "-c", str(config)], port, work / "error.log"), port


def _apache(site: Path, work: Path):
    port = _free_port()
    work.mkdir()
    modules = "/usr/lib/apache2/modules"
    config = work / "httpd.conf"
    loads = "\n".join(f"LoadModule {name}_module {modules}/mod_{name}.so" for name in
                      ("mpm_event", "authz_core", "headers", "alias", "dir", "mime"))
    config.write_text(f"""
{loads}
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {work / 'httpd.pid'}
ErrorLog {work / 'error.log'}
Mutex file:{work}
TypesConfig /etc/mime.types
DocumentRoot {site}
DirectoryIndex index.html
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory {site}>
  AllowOverride FileInfo
  Require all granted
</Directory>
""")
    return _start([_program("apache2"), "-X", "-f", str(config), "-d", str(work)], port,
                  work / "error.log"), port


@pytest.fixture(scope="module", params=["nginx", "apache"])
def served(request, moved_site, tmp_path_factory):
    start = {"nginx": _nginx, "apache": _apache}[request.param]
    process, port = start(moved_site, tmp_path_factory.mktemp(request.param) / "run")
    yield f"http://127.0.0.1:{port}", moved_site
    process.terminate()
    process.wait(10)


def _get(url: str):
    import requests

    return requests.get(url, allow_redirects=False, timeout=10)


def test_a_real_server_sends_the_policy_and_headers(served):
    base, site = served
    expected = _rules(site)["/*"]
    for address in ("/", "/resources/bridging-the-gap/", "/es/"):
        response = _get(base + address)
        assert response.status_code == 200, address
        for name in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy",
                     "X-Content-Type-Options", "Permissions-Policy",
                     "Cross-Origin-Opener-Policy"):
            assert response.headers.get(name) == expected[name], (address, name)
        assert "immutable" not in response.headers.get("Cache-Control", "")


def test_a_real_server_caches_fingerprinted_files_for_a_year_and_keeps_their_headers(served):
    base, site = served
    script = next(site.glob("assets/javascripts/bundle.*.min.js")).relative_to(site)
    fragment = next(site.glob("pagefind/fragment/*.pf_fragment")).relative_to(site)
    for path in (script, fragment):
        response = _get(f"{base}/{path.as_posix()}")
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # the other headers still come with it (nginx drops them in a location that adds its own)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        assert response.headers.get("Content-Security-Policy"), path


def test_a_real_server_redirects_moved_records_and_answers_404_in_each_language(served):
    base, _ = served
    for old, new in (("/resources/arkansas-bridging-guide/", "/resources/bridging-the-gap/"),
                     ("/es/resources/arkansas-bridging-guide/",
                      "/es/resources/bridging-the-gap/")):
        response = _get(base + old)
        assert response.status_code == 301, old
        assert response.headers["Location"] in (new, base + new)
    from bs4 import BeautifulSoup

    missing = _get(base + "/no-such-page/")
    assert missing.status_code == 404
    assert BeautifulSoup(missing.text, "html.parser").html["lang"] == "en"
    spanish = _get(base + "/es/no-such-page/")
    assert spanish.status_code == 404
    assert BeautifulSoup(spanish.text, "html.parser").html["lang"] == "es"
    assert spanish.headers.get("Content-Security-Policy")


def test_a_real_server_caches_for_a_year_only_files_named_by_their_content(served):
    import requests

    base, site = served
    files = [p for folder in ("assets", "pagefind") for p in (site / folder).rglob("*")
             if p.is_file()]
    long = []
    with requests.Session() as session:
        for file in files:
            path = file.relative_to(site).as_posix()
            response = session.head(f"{base}/{path}", timeout=10)
            assert response.status_code == 200, path
            if "immutable" in response.headers.get("Cache-Control", ""):
                long.append(path)
                assert re.search(r"[._][0-9a-f]{7,}\.", file.name), path
    assert any(p.startswith("assets/stylesheets/main.") for p in long)
    assert any(p.startswith("pagefind/index/") for p in long)
