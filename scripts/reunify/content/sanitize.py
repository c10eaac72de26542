"""Untrusted Markdown and HTML in, safe HTML out.

Content comes from editors, families' stories and partners' feeds; none of it may add script,
styles, frames or forms to the site. Markdown is rendered with raw HTML left in, then everything
passes through nh3 (the Rust ammonia sanitiser) with a short allow-list, so that how a dangerous
construct is spelled or nested does not matter.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote

import ada_url
import markdown
import nh3

from reunify.engine import workspace

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "srcset", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "*": {"lang"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "smarty"]


# Two places where content's addresses are resolved: an address that stays on the site resolves
# to the same site from both (so a full address, even to one of these, is not on the site).
_SITES = ("https://reunify.invalid/a/page/", "https://other.invalid/b/")


def _resolved(value: str, base: str = _SITES[0]) -> ada_url.URL | None:
    """The address as a browser resolves it (WHATWG URL: spaces and tabs, backslashes,
    `/\\host`, `\\/host`…), or None if a browser would not load it at all."""
    try:
        return ada_url.URL(ada_url.join_url(base, value))
    except ValueError:
        return None


def on_site(value: str) -> bool:
    """Whether an image address stays on the site itself (a relative address)."""
    for base in _SITES:
        url = _resolved(value, base)
        if url is None or url.origin != ada_url.URL(base).origin or url.username:
            return False
    return True


def srcset_addresses(value: str) -> list[str]:
    """The addresses of a srcset, split as the HTML standard says (a candidate is an address
    up to whitespace, then an optional descriptor up to a comma)."""
    found, at = [], 0
    while at < len(value):
        while at < len(value) and (value[at].isspace() or value[at] == ","):
            at += 1
        start = at
        while at < len(value) and not value[at].isspace():
            at += 1
        address = value[start:at]
        if address.endswith(","):
            address = address.rstrip(",")
        else:
            depth = 0
            while at < len(value) and (depth or value[at] != ","):
                depth += {"(": 1, ")": -1}.get(value[at], 0)
                at += 1
        if address:
            found.append(address)
    return found


def link_problem(value: str) -> str | None:
    """Why a link may not be published, in an editor's words, or None."""
    url = _resolved(value)
    if url is None:
        return None
    if url.username or url.password:
        return "the link carries a user name or password"
    if url.protocol == "mailto:":
        address = unquote(url.pathname)
        if url.search or any(ch in address for ch in "?&,;"):
            return ("the mail link adds recipients or fields (cc, bcc, subject, body), which "
                    "could send a reader's message elsewhere")
    return None


def _allowed(tag: str, attribute: str, value: str) -> str | None:
    """Visitors' browsers must not contact third parties: images come from the site itself;
    links never carry credentials or pre-filled mail fields."""
    if tag == "img" and attribute == "src":
        return value if on_site(value) else None
    if tag == "img" and attribute == "srcset":
        addresses = srcset_addresses(value)
        return value if addresses and all(on_site(a) for a in addresses) else None
    if tag == "a" and attribute == "href":
        return None if link_problem(value) else value
    return value


def clean_html(html: str, *, images: bool = True) -> str:
    """Strip everything but plain document structure; links get rel=noopener noreferrer."""
    tags = ALLOWED_TAGS if images else ALLOWED_TAGS - {"img"}
    return nh3.clean(html, tags=tags, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer",
                     strip_comments=True, attribute_filter=_allowed)


@lru_cache(maxsize=1)
def _converter() -> markdown.Markdown:
    """One converter, reset before each text (setting one up costs more than most stories)."""
    return markdown.Markdown(extensions=_MARKDOWN_EXTENSIONS, output_format="html")


# Texts already rendered: every edition shows an untranslated story's same English body, and a
# build can have the stories rendered in another process while it loads the rest (`remember`).
_RENDERED: dict[tuple[str, bool], str] = {}
_RENDERED_MAX = 20_000  # the live preview renders each saved version of a story


def markdown_to_html(text: str, *, shift_headings: bool = True) -> str:
    """Render a story's or page's Markdown to sanitised HTML.

    The page has its own <h1> (the title), so a `#` heading in the text becomes an <h2>.
    """
    key = (text, shift_headings)
    html = _RENDERED.get(key)
    if html is None:
        html = _KEPT.get(text) if shift_headings else None
        if html is None:
            html = _convert(text)
            if shift_headings:
                html = html.replace("<h1", "<h2").replace("</h1>", "</h2>")
            html = clean_html(html)
            if shift_headings:
                _KEPT.add(text, html)
        if len(_RENDERED) >= _RENDERED_MAX:
            _RENDERED.clear()
        _RENDERED[key] = html
    elif shift_headings:
        _KEPT.used(text)
    return html


def rendered(texts) -> dict[str, str]:
    """`markdown_to_html` of each text, to hand to another process's `remember`."""
    return {text: markdown_to_html(text) for text in texts}


def remember(rendered: dict[str, str]) -> None:
    """Take texts rendered by `markdown_to_html` in another process (the same code)."""
    for text, html in rendered.items():
        _RENDERED[(text, True)] = html
        _KEPT.add(text, html)


def _code() -> str:
    """What the rendering depends on besides the text: this module (the allowed tags and
    addresses, the Markdown extensions) and the libraries that render and sanitise."""
    parts = [Path(__file__).read_bytes()] + [
        f"{name} {metadata.version(name)}".encode() for name in ("markdown", "nh3", "ada-url")]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


class _Kept:
    """Stories rendered by earlier runs, kept in `.cache/markdown/rendered.json` by the digest
    of their Markdown: every check, build and preview reads every story as rendered (the
    privacy check), and a national hub's 1,333 stories took 3.5 s to render again each time.
    The file says which code rendered them; written by another version, it is not used. What
    it holds is sanitised again when read (40 ms for them all), so that a tampered cache can
    put nothing on a page that a story could not. Only the texts a run used are written back,
    so the file does not grow with every edit."""

    NAME = "rendered.json"

    def __init__(self):
        self.file: Path | None = None
        self.html: dict[str, str] = {}
        self.seen: set[str] = set()  # digests this run used
        self.changed = False

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def open(self, folder: Path) -> None:
        file = folder / self.NAME
        if file == self.file:
            return
        self.file, self.html, self.seen, self.changed = file, {}, set(), False
        try:
            stored = json.loads(file.read_text(encoding="utf-8"))
            if stored.get("code") == _code() and isinstance(stored.get("html"), dict):
                self.html = {k: v for k, v in stored["html"].items() if isinstance(v, str)}
        except (OSError, ValueError, AttributeError):
            pass  # none yet, or damaged: everything is rendered again

    def get(self, text: str) -> str | None:
        if self.file is None:
            return None
        key = self.digest(text)
        html = self.html.get(key)
        if html is None:
            return None
        self.seen.add(key)
        return clean_html(html)

    def used(self, text: str) -> None:
        if self.file is not None:
            self.seen.add(self.digest(text))

    def add(self, text: str, html: str) -> None:
        if self.file is not None:
            key = self.digest(text)
            self.changed |= self.html.get(key) != html
            self.html[key] = html
            self.seen.add(key)

    def save(self) -> None:
        if self.file is None or not (self.changed or self.seen != set(self.html)):
            return
        keep = {key: self.html[key] for key in sorted(self.seen) if key in self.html}
        if workspace.keep(self.file, json.dumps({"code": _code(), "html": keep},
                                                ensure_ascii=False).encode("utf-8")):
            self.html, self.changed = keep, False


_KEPT = _Kept()


def keep_rendered(cache: Path) -> None:
    """Use (and later, `save_rendered`, update) the stories rendered by earlier runs, kept in
    the folder `cache` (`.cache/markdown/` beside the content)."""
    _KEPT.open(cache)


def save_rendered() -> None:
    _KEPT.save()


_PAGE_ATTRIBUTES = {**ALLOWED_ATTRIBUTES, "*": {"lang", "id", "class", "title"}}
_PAGE_TAGS = ALLOWED_TAGS | {"h1", "section", "aside", "nav"}


def clean_page_html(html: str) -> str:
    """Hand-written pages keep the ids and classes MkDocs gives headings and admonitions."""
    return nh3.clean(html, tags=_PAGE_TAGS, attributes=_PAGE_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=None, strip_comments=True, attribute_filter=_allowed)


class _Addresses(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is not None and (tag, name) in (("a", "href"), ("img", "src"),
                                                      ("img", "srcset")):
                self.found.append((tag, name, value))


def address_problems(html: str) -> list[tuple[str, str]]:
    """(address, what is wrong) for each link or image in rendered, not yet sanitised, HTML
    that the sanitiser would remove: editors are told rather than left to wonder."""
    parser = _Addresses()
    parser.feed(html)
    parser.close()
    problems = []
    for tag, name, value in parser.found:
        if name == "href":
            problem = link_problem(value)
        elif name == "src":
            problem = None if on_site(value) else "the image would load from another site"
        else:
            problem = None if all(on_site(a) for a in srcset_addresses(value)) else \
                "the image would load from another site"
        if problem:
            problems.append((value, problem))
    return problems


def raw_html(text: str) -> str:
    """Markdown rendered as a build renders it, before sanitising."""
    return _convert(text)


def _convert(text: str) -> str:
    try:
        return _converter().reset().convert(text)
    except BaseException:
        # a text nested too deeply (RecursionError) leaves the converter half-way through
        # its work: the next text gets a new one
        _converter.cache_clear()
        raise
