"""Pages that differ only in their own text are rendered through the theme once, not once each.

A national hub has ten thousand resource pages that share everything but their address, title,
description, structured data and content: the same header, navigation, footer and scripts. Running
the theme's templates for each of them was most of a build (≈ 2 ms a page; a plain `mkdocs build`
of the same pages is over the time target by itself). Instead, for each group of such pages:

1. the first page is rendered by the theme as usual, and once more as a *probe*: a stand-in page
   whose text is replaced by marker tokens. The probe's HTML, cut at the tokens, is the group's
   `Shell`;
2. the second page is rendered by the theme as usual and compared, byte for byte, with the shell
   filled with that page's text. Only if they are identical is the shell used;
3. every further page of the group is the shell filled with its own text.

Nothing here trusts that the theme treats the text in a particular way: every token carries a tail
of characters that change under escaping, unescaping, tag stripping or truncation (`TAIL`), and a
probe whose tokens come back changed, missing or extra gives no shell (the group is rendered page
by page, as before). Anything of the first page that the probe did not replace would differ on
the second page, which fails step 2. A test builds the sample site both ways and compares every
file.

This module knows nothing of MkDocs: it cuts and fills strings. The MkDocs adapter decides which
pages form a group (`_group_key`) and renders the probe.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# The texts of a page that vary within a group, by the name of their token.
SLOTS = ("slug", "title", "description", "jsonld", "content")
# Characters that come back changed if the theme escapes, unescapes or strips what it is handed.
TAIL = "&amp;&lt;i&gt;&quot;&#39;" + "·" * 40
_MARK = "rfshellslot"
_FOUND = re.compile(_MARK + r"(\w+?)\.", re.IGNORECASE)


def token(slot: str, *, heading: bool = False) -> str:
    """The stand-in for one text. A slug is part of an address, so its token is plain letters;
    the content's token contains an <h1> when the page's content does, because themes add a
    heading of their own to content without one."""
    if slot == "slug":
        return f"{_MARK}{slot}."
    if slot == "content":
        return f"{_MARK}{slot}.<div>{'<h1>' if heading else ''}{TAIL}</div>"
    return f"{_MARK}{slot}.{TAIL}"


@dataclass(frozen=True)
class Shell:
    """A rendered page cut at its tokens: constant pieces, and between them the slot to fill."""

    pieces: tuple[str, ...]  # even positions: constant HTML; odd positions: slot names

    @classmethod
    def parse(cls, probe: str, tokens: dict[str, str]) -> Shell | None:
        """The shell of a probe rendered with `tokens`, or None if the theme changed any token
        (then filling could not reproduce what the theme makes of the real text)."""
        found = _FOUND.findall(probe)
        if not found or any(name.lower() not in tokens for name in found):
            return None
        pattern = "|".join(re.escape(value) for value in sorted(tokens.values(), key=len,
                                                               reverse=True))
        by_token = {value: slot for slot, value in tokens.items()}
        parts = re.split(f"({pattern})", probe)
        if len(parts) // 2 != len(found):
            return None  # a token came back altered (its name survived, its tail did not)
        pieces = [part if i % 2 == 0 else by_token[part] for i, part in enumerate(parts)]
        return cls(tuple(pieces))

    def fill(self, texts: dict[str, str]) -> str:
        pieces = list(self.pieces)
        for i in range(1, len(pieces), 2):
            pieces[i] = texts[pieces[i]]
        return "".join(pieces)
