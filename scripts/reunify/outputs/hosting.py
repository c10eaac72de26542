"""What a host needs beside the pages: security headers, a Content-Security-Policy, redirects.

- `_headers` (Netlify, Cloudflare Pages) and `.htaccess` (Apache) carry the headers: a strict
  Content-Security-Policy (nothing from another origin; scripts only our own files, the inline
  scripts the theme and our templates write, by their SHA-256 hashes, and WebAssembly for the
  search), `frame-ancestors 'none'`, `Referrer-Policy`, `X-Content-Type-Options`,
  `Permissions-Policy`, and year-long caching for fingerprinted files only.
- Every page also carries the policy in a `<meta http-equiv>` (for hosts without headers, such as
  GitHub Pages), less what a meta tag cannot carry (`frame-ancestors`).
- `_redirects` (Netlify, Cloudflare) and `.htaccess` turn a record's `previous_ids` into real 301
  redirects (the HTML redirect pages stay, for hosts without rules), and send an unknown address
  under an edition to that edition's "not found" page.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

HASHES_FILE = ".reunify-csp.json"  # each edition's inline-script hashes, merged by the build
REDIRECTS_FILE = "reunify-redirects.json"  # each edition's moved addresses (a generated
# file: the engine leaves out generated files named with a leading dot)

_INLINE = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_DATA_TYPES = ("application/json", "application/ld+json")

BASE = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'wasm-unsafe-eval'"],  # Pagefind's search runs as WebAssembly
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],  # the theme's icons are data: images in its stylesheet
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
HEADERS = {
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                          "interest-cohort=(), browsing-topics=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Files whose names change when their content does: cached for a year. Everything else is
# checked again on each visit, so a rebuild (an expired consent, a drive that ended) shows.
IMMUTABLE = ("/assets/javascripts/bundle.*", "/assets/stylesheets/*", "/pagefind/fragment/*",
             "/pagefind/index/*", "/pagefind/filter/*")
LONG_CACHE = "public, max-age=31536000, immutable"
# The same files as one regular expression over the address, for Apache and nginx (whose
# patterns are not globs). No braces: nginx would need the pattern quoted.
FINGERPRINTED = (r"^/assets/(javascripts/bundle|stylesheets/(main|palette))\.[0-9a-f]+\.min\."
                 r"(js|css)$|"
                 r"^/pagefind/(fragment|index|filter)/[^/]+$")


def inline_hashes(html: str) -> set[str]:
    """The CSP sources ('sha256-…') of the scripts written into a page."""
    found = set()
    for match in _INLINE.finditer(html):
        attrs = match["attrs"].lower()
        if " src=" in attrs or any(kind in attrs for kind in _DATA_TYPES):
            continue
        digest = hashlib.sha256(match["body"].encode("utf-8")).digest()
        found.add("'sha256-" + base64.b64encode(digest).decode() + "'")
    return found


def policy(hashes: set[str], *, meta: bool = False) -> str:
    parts = []
    for name, sources in BASE.items():
        values = sources + (sorted(hashes) if name == "script-src" else [])
        parts.append(f"{name} {' '.join(values)}")
    if not meta:  # ignored in a <meta> tag, and a warning there
        parts.append("frame-ancestors 'none'")
    return "; ".join(parts)


def meta_tag(html: str, hashes: set[str] | None = None) -> str:
    """The policy of a page as a meta tag; `hashes`: its `inline_hashes`, if already known."""
    return ('<meta http-equiv="Content-Security-Policy" content="'
            + policy(inline_hashes(html) if hashes is None else hashes, meta=True) + '">')


def with_meta(html: str, hashes: set[str] | None = None) -> str:
    """The page with its policy as the first thing after its character set."""
    tag = meta_tag(html, hashes)
    marker = '<meta charset="utf-8">'
    if marker in html:
        return html.replace(marker, marker + "\n" + tag, 1)
    return html.replace("<head>", "<head>\n" + tag, 1)


def headers_file(hashes: set[str]) -> str:
    lines = ["# Made by `reunify build` for Netlify and Cloudflare Pages: every response gets these",
             "/*"]
    lines += [f"  Content-Security-Policy: {policy(hashes)}"]
    lines += [f"  X-Frame-Options: DENY"] + [f"  {k}: {v}" for k, v in HEADERS.items()]
    for path in IMMUTABLE:
        lines += ["", path, f"  Cache-Control: {LONG_CACHE}"]
    return "\n".join(lines) + "\n"


def redirects_file(moves: list[tuple[str, str]], prefixes: list[str]) -> str:
    """`moves`: (old address, new address), both from the site's root, with their slashes."""
    lines = ["# Made by `reunify build` for Netlify and Cloudflare Pages: moved records (301)"]
    lines += [f"/{old} /{new} 301" for old, new in moves]
    lines += [f"/{prefix}* /{prefix}404.html 404" for prefix in prefixes if prefix]
    return "\n".join(lines) + "\n"


def htaccess(hashes: set[str], moves: list[tuple[str, str]], prefixes: list[str]) -> str:
    """Apache's per-folder configuration: the same headers, redirects and not-found pages
    (needs mod_headers and mod_alias; `AllowOverride All` or `FileInfo`)."""
    lines = ["# Made by `reunify build` for Apache (mod_headers, mod_alias)",
             "<IfModule mod_headers.c>",
             f'  Header always set Content-Security-Policy "{policy(hashes)}"',
             '  Header always set X-Frame-Options "DENY"']
    lines += [f'  Header always set {k} "{v}"' for k, v in HEADERS.items()]
    lines += [f'  <If "%{{REQUEST_URI}} =~ m#{FINGERPRINTED}#">',
              f'    Header set Cache-Control "{LONG_CACHE}"', "  </If>", "</IfModule>",
              "ErrorDocument 404 /404.html"]
    for prefix in prefixes:
        if prefix:
            lines += [f'<If "%{{REQUEST_URI}} =~ m#^/{prefix}#">',
                      f"  ErrorDocument 404 /{prefix}404.html", "</If>"]
    lines += [f"Redirect 301 /{old} /{new}" for old, new in moves]
    return "\n".join(lines) + "\n"


def nginx(hashes: set[str], moves: list[tuple[str, str]], prefixes: list[str]) -> str:
    """A snippet for an nginx `server { … }` block serving the site's folder. A location that
    adds a header inherits none of the server's (nginx's rule), so the fingerprinted files'
    location repeats them all."""
    headers = [f"add_header Content-Security-Policy \"{policy(hashes)}\" always;",
               'add_header X-Frame-Options "DENY" always;']
    headers += [f'add_header {k} "{v}" always;' for k, v in HEADERS.items()]
    lines = ["# Made by `reunify build`: include this inside the server { } block for the site",
             *headers, f"location ~ {FINGERPRINTED} {{",
             *[f"  {line}" for line in headers], f'  add_header Cache-Control "{LONG_CACHE}";',
             "}", "error_page 404 /404.html;"]
    for prefix in prefixes:
        if prefix:
            lines += [f"location /{prefix} {{ error_page 404 /{prefix}404.html; }}"]
    lines += [f"location = /{old} {{ return 301 /{new}; }}" for old, new in moves]
    return "\n".join(lines) + "\n"


def _notes(staging: Path, prefixes: list[str], name: str) -> list[Path]:
    """The note `name` each edition left at its root, in the order of their paths. (Looked
    up, not searched for: walking a national site's 62,000 files for them took 1.2 s.)"""
    return sorted(note for note in (staging / prefix / name for prefix in prefixes)
                  if note.is_file())


def finish(staging: Path, prefixes: list[str]) -> None:
    """Merge what each edition's build left (its scripts' hashes, its moved addresses) into
    the host files at the site's root, then remove the notes."""
    hashes: set[str] = set()
    moves: list[tuple[str, str]] = []
    for note in _notes(staging, prefixes, HASHES_FILE):
        hashes.update(json.loads(note.read_text(encoding="utf-8")))
        note.unlink()
    for note in _notes(staging, prefixes, REDIRECTS_FILE):
        moves += [tuple(pair) for pair in json.loads(note.read_text(encoding="utf-8"))]
        note.unlink()
    (staging / "_headers").write_text(headers_file(hashes), encoding="utf-8")
    (staging / "_redirects").write_text(redirects_file(moves, prefixes), encoding="utf-8")
    (staging / ".htaccess").write_text(htaccess(hashes, moves, prefixes), encoding="utf-8")
    (staging / "nginx-snippet.conf").write_text(nginx(hashes, moves, prefixes),
                                                encoding="utf-8")
