"""What a build produces, before anything is written: pages and other files, by address.

Every generated file passes through `Output.add`, which refuses an address that is used twice or
that would land outside the site folder, so no export can silently overwrite another.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Page:
    """One generated page: its address (a folder URL such as 'stories/'), title and HTML."""

    url: str
    title: str
    html: str
    description: str = ""
    template: str | None = None
    hide: tuple[str, ...] = ("navigation", "toc")
    jsonld: dict | list | None = None  # schema.org structured data for the page's head
    # Listings repeat what the record pages say; leaving them out of the search index keeps
    # results to one hit per record and the index that every searcher downloads smaller.
    searchable: bool = True
    # The page's share image (og:image): "own" for `<url>card.png` beside the page, or the
    # address of a card it shares (a list's later pages use its first page's), relative to
    # the edition's root.
    card: str = "own"
    share: object | None = None  # what its own card shows (`cards.Card`), until drawn

    @property
    def src_uri(self) -> str:
        return self.url + "index.md"

    @property
    def path(self) -> str:
        return self.url + "index.html"


@dataclass
class Asset:
    """A generated file that is not a page: an export, a feed, a copied image, a redirect."""

    path: str
    content: bytes | None = None
    source: Path | None = None


class OutputError(Exception):
    pass


@dataclass
class Output:
    pages: list[Page] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    _paths: set[str] = field(default_factory=set)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per rendering step

    def _claim(self, path: str) -> None:
        normal = posixpath.normpath(path)
        if path.startswith("/") or normal.startswith("..") or normal != path.rstrip("/"):
            raise OutputError(f"refusing to write {path!r}: outside the site folder")
        if path in self._paths:
            raise OutputError(f"two generated files would both be written to {path!r}")
        self._paths.add(path)

    def add(self, item: Page | Asset) -> None:
        self._claim(item.path)
        (self.pages if isinstance(item, Page) else self.assets).append(item)

    def paths(self) -> set[str]:
        return set(self._paths)
