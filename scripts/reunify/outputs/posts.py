"""Sample social posts, filled from the toolkit's words and kept within each platform's length.

The short form serves X (280 characters) and Bluesky (300); the long form Facebook, LinkedIn and
Instagram captions (Instagram's 2,200 is the smallest of the three). Lengths are counted in
characters with the link at its full length, which is stricter than either platform (X counts
any link as 23). A record's text that would not fit is shortened at a word, with an ellipsis:
first the quote, then the title, then the other values; the editor's own words are never cut.
"""
from __future__ import annotations

from dataclasses import dataclass

from reunify.content.toolkit_text import Post, fill

SHORT = 280  # X; Bluesky allows 300
LONG = 2_200  # Instagram captions; Facebook and LinkedIn allow more
LIMITS = {"short": SHORT, "long": LONG}
PLATFORMS = {"short": ("X", "Bluesky"), "long": ("Facebook", "LinkedIn", "Instagram")}
SHRINK = ("quote", "summary", "title", "tagline", "organization", "where", "by", "theme")


class TooLong(ValueError):
    """The words themselves, without any record's text, are longer than the platform allows."""


@dataclass(frozen=True)
class Sample:
    form: str  # "short" or "long"
    text: str

    @property
    def limit(self) -> int:
        return LIMITS[self.form]


def _shorter(value: str) -> str:
    words = value.rstrip("…").split()
    return " ".join(words[:-1]) + "…" if len(words) > 1 else "…"


def within(template: str, values: dict[str, str], limit: int, strict: bool = False) -> str:
    text = fill(template, values)
    values = dict(values)
    for key in SHRINK:
        while len(text) > limit and key in values and values[key] not in ("", "…"):
            values[key] = _shorter(str(values[key]))
            text = fill(template, values)
    if len(text) > limit:
        if strict:
            raise TooLong(f"{len(text):,} characters when filled in; the limit is {limit:,}")
        # `reunify check` reported the words as too long; the build still keeps within the
        # limit, cutting at a word
        words = text.split(" ")
        while len(" ".join(words)) > limit - 1 and len(words) > 1:
            words.pop()
        text = " ".join(words) + "…"
    return text


def samples(post: Post, values: dict[str, str], strict: bool = False) -> list[Sample]:
    return [Sample(form, within(getattr(post, form), values, LIMITS[form], strict))
            for form in ("short", "long")]
