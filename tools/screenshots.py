"""Screenshots of the built site for README: `make screenshots` (after `make site`).

Serves site/ on 127.0.0.1, opens each page in Debian's chromium (Playwright, no browser
download) at a phone's width and a laptop's, and writes docs/screenshots/<page>-<width>.png
(reduced to 256 colours, so that the repository stays small). Nothing leaves the machine.
"""
from __future__ import annotations

import functools
import http.server
import io
import shutil
import sys
import threading
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
OUT = ROOT / "docs" / "screenshots"
PAGES = {
    "home": "",
    "partners": "organizations/",
    "state": "organizations/states/al/",
    "story": "stories/tucking-my-son-in-again/",
    "drive": "drives/keep-the-lights-on/",
}
SIZES = {375: 812, 1280: 800}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> int:
    if not (SITE / "index.html").exists():
        print("build the site first: make site", file=sys.stderr)
        return 1
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    OUT.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        for name, address in PAGES.items():
            for width, height in SIZES.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.route("**/*", lambda route: route.continue_()
                           if route.request.url.startswith(base) else route.abort())
                page.goto(base + address, wait_until="networkidle")
                page.evaluate("document.querySelectorAll('img[loading=lazy]')"
                              ".forEach(i => i.loading = 'eager')")
                page.wait_for_timeout(300)
                shot = Image.open(io.BytesIO(page.screenshot()))
                target = OUT / f"{name}-{width}.png"
                shot.convert("RGB").quantize(256).save(target, optimize=True)
                print(f"{target.relative_to(ROOT)}: {target.stat().st_size // 1024} KB")
                page.close()
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
