"""Performance and accessibility audit of the built site, as a phone on a first visit sees it.

Not a test: it measures. Serves site/ on 127.0.0.1 with gzip (as static hosts serve it), runs
Lighthouse (npm, pinned below) with its mobile settings against Debian's chromium for each main
page kind, and adds up what each page transfers before images on a first visit. Writes
audit/latest.md and prints the same table.

    make audit            (builds the site first)
"""
from __future__ import annotations

import functools
import gzip
import http.server
import json
import platform
import shutil
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
LIGHTHOUSE = "lighthouse@13.5.0"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = {
    "home": "",
    "story index": "stories/",
    "story": "stories/tucking-my-son-in-again/",
    "resources": "resources/",
    "resource": "resources/bridging-the-gap/",
    "partner": "organizations/childrens-aid-society-alabama/",
    "partners, with the map": "organizations/",
    "a state": "organizations/states/al/",
    "drives": "drives/",
    "event": "events/birmingham-homecoming-celebration/",
    "home, Spanish": "es/",
    "story, Spanish": "es/stories/tucking-my-son-in-again/",
    "resources, Spanish": "es/resources/",
    "toolkit": "toolkit/",
    "toolkit, Spanish": "es/toolkit/",
}
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 95, "seo": 100}
BUDGET_KB = 150
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", "/")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files gzip-compressed when the browser asks, like a static host."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants and path.is_file() and str(path).endswith(COMPRESSIBLE[:-1])):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        from io import BytesIO
        return BytesIO(body)


def serve(folder: Path):
    handler = functools.partial(GzipHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def first_visit_bytes(url: str) -> tuple[int, int, int]:
    """(compressed bytes before images, compressed bytes in all, requests) on a first visit."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 375, "height": 800})
        sizes = []
        page.on("requestfinished", lambda r: sizes.append(
            (r.resource_type, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"])))
        page.goto(url, wait_until="networkidle")
        browser.close()
    before_images = sum(size for kind, size in sizes if kind not in ("image", "media", "font"))
    return before_images, sum(size for _, size in sizes), len(sizes)


def lighthouse(url: str) -> dict[str, int]:
    command = ["npm", "exec", "--yes", LIGHTHOUSE, "--", url, "--quiet", "--output=json",
               "--output-path=stdout", f"--chrome-path={CHROMIUM}",
               "--only-categories=performance,accessibility,best-practices,seo",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
               "--disable-background-networking --disable-component-update --no-first-run"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd="/tmp")
    report = json.loads(result.stdout)
    scores = {key: round(cat["score"] * 100) for key, cat in report["categories"].items()}
    failed = [audit["id"] for audit in report["audits"].values()
              if audit.get("score") is not None and audit["score"] < 0.9
              and audit.get("scoreDisplayMode") == "binary"]
    scores["failed"] = failed
    return scores


def main() -> int:
    if not (SITE / "index.html").exists():
        print("Build the site first: make site", file=sys.stderr)
        return 1
    httpd, base = serve(SITE)
    rows = []
    try:
        for name, path in PAGES.items():
            url = base + path
            scores = lighthouse(url)
            before, total, requests = first_visit_bytes(url)
            rows.append((name, scores, before, total, requests))
            print(f"{name}: {scores} {before / 1024:.0f} KB before images", file=sys.stderr)
    finally:
        httpd.shutdown()
    lines = [f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `make audit` on "
             f"{platform.machine()}, {platform.system()}, Lighthouse {LIGHTHOUSE.split('@')[1]} "
             "(mobile emulation, simulated throttling), Chromium from Debian, site served with "
             "gzip on 127.0.0.1.", "",
             "| page | performance | accessibility | best practices | SEO | first visit before "
             "images (gzip) | all | requests |", "|---|---|---|---|---|---|---|---|"]
    for name, s, before, total, requests in rows:
        lines.append(f"| {name} | {s['performance']} | {s['accessibility']} | "
                     f"{s['best-practices']} | {s['seo']} | {before / 1024:.0f} KB | "
                     f"{total / 1024:.0f} KB | {requests} |")
    misses = [f"{name}: {key} {s[key]} < {target}" for name, s, *_ in rows
              for key, target in TARGETS.items() if s[key] < target]
    misses += [f"{name}: {before / 1024:.0f} KB > {BUDGET_KB} KB" for name, _, before, *_ in rows
               if before / 1024 > BUDGET_KB]
    failed = sorted({audit for _, s, *_ in rows for audit in s["failed"]})
    lines += ["", f"Targets: performance ≥ 95, accessibility 100, best practices ≥ 95, SEO 100, "
              f"≤ {BUDGET_KB} KB before images. "
              + ("All met." if not misses else "Missed: " + "; ".join(misses) + ".")]
    if failed:
        lines.append(f"Lighthouse checks not passed on some page: {', '.join(failed)}.")
    text = "\n".join(lines) + "\n"
    (ROOT / "audit").mkdir(exist_ok=True)
    (ROOT / "audit" / "latest.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
