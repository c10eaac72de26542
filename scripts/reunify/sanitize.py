"""Untrusted Markdown and HTML in, safe HTML out.

Content comes from editors, families' stories and partners' feeds; none of it may add script,
styles, frames or forms to the site. Markdown is rendered with raw HTML left in, then everything
passes through nh3 (the Rust ammonia sanitiser) with a short allow-list, so that how a dangerous
construct is spelled or nested does not matter.
"""
from __future__ import annotations

from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "*": {"lang"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "smarty"]


def _local_images_only(tag: str, attribute: str, value: str) -> str | None:
    """Visitors' browsers must not contact third parties: images come from the site itself."""
    if tag == "img" and attribute == "src" and (":" in value.split("/")[0] or
                                                value.startswith("//")):
        return None
    return value


def clean_html(html: str, *, images: bool = True) -> str:
    """Strip everything but plain document structure; links get rel=noopener noreferrer."""
    tags = ALLOWED_TAGS if images else ALLOWED_TAGS - {"img"}
    return nh3.clean(html, tags=tags, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer",
                     strip_comments=True, attribute_filter=_local_images_only)


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
        html = _converter().reset().convert(text)
        if shift_headings:
            html = html.replace("<h1", "<h2").replace("</h1>", "</h2>")
        html = clean_html(html)
        if len(_RENDERED) >= _RENDERED_MAX:
            _RENDERED.clear()
        _RENDERED[key] = html
    return html


def rendered(texts) -> dict[str, str]:
    """`markdown_to_html` of each text, to hand to another process's `remember`."""
    return {text: markdown_to_html(text) for text in texts}


def remember(rendered: dict[str, str]) -> None:
    """Take texts rendered by `markdown_to_html` in another process (the same code)."""
    for text, html in rendered.items():
        _RENDERED[(text, True)] = html


_PAGE_ATTRIBUTES = {**ALLOWED_ATTRIBUTES, "*": {"lang", "id", "class", "title"}}
_PAGE_TAGS = ALLOWED_TAGS | {"h1", "section", "aside", "nav"}


def clean_page_html(html: str) -> str:
    """Hand-written pages keep the ids and classes MkDocs gives headings and admonitions."""
    return nh3.clean(html, tags=_PAGE_TAGS, attributes=_PAGE_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=None, strip_comments=True, attribute_filter=_local_images_only)
