"""Site search with Pagefind: a chunked index built from the finished HTML.

MkDocs' own search makes every visitor download one index of the whole site (about 1 KB a page:
megabytes at national size) before the first result. Pagefind splits the index into small
pieces and the browser fetches only those a query needs. Pagefind's binary comes inside its PyPI
wheel, so indexing needs no download. Only elements marked `data-pagefind-body` (record pages
and hand-written pages) are indexed; listings, which repeat the records, are not.

Pagefind reads a search copy of each page (`search_copy`): the page's `<html>` tag, its title
and its `data-pagefind-body` element, without the theme's header, navigation and footer, which
Pagefind would parse only to skip, with plain quotes for typographic ones (below). Each page is
indexed as from the whole page with plain quotes (tests compare every page's fragment byte for
byte, and search results in a browser), and Pagefind takes half the time (national size:
10 s → 5 s an edition).
"""
from __future__ import annotations

import errno
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from reunify.engine import workspace

BUNDLE = "pagefind"
PAGEFIND = [sys.executable, "-m", "pagefind"]  # the binary inside Pagefind's PyPI wheel
# The "¶" links MkDocs puts after the headings of hand-written pages would be indexed as part of
# the heading's last word ("help¶").
OPTIONS = ["--exclude-selectors", ".headerlink"]
BODY = "<div data-pagefind-body>"
BODY_END = "<!--/data-pagefind-body-->"  # written by the theme override after the body's </div>

# The pages that can be in the index: the records' own pages and the pages one folder below the
# root (hand-written pages, section fronts, data, news, campaign years). Listings further down
# (stories/page/2/, resources/topics/…) carry no data-pagefind-body, and reading them made
# Pagefind take half as much memory again at national size (0.9 GB instead of 0.6 GB).
SECTIONS = ("stories", "resources", "organizations", "drives", "events")
INDEXED = "{*," + ",".join(f"{s}/*" for s in SECTIONS) + "}/index.html"  # the same, as a glob


class SearchIndexError(Exception):
    pass


def indexed(dest_uri: str) -> bool:
    """Whether the page written at `dest_uri` (relative to its edition) can be in the index."""
    parts = dest_uri.split("/")
    return parts[-1] == "index.html" and (
        len(parts) == 2 or (len(parts) == 3 and parts[0] in SECTIONS))


# Pagefind indexes a word next to a typographic quote (Markdown's "smarty" makes them) twice:
# as the word, and as itself with the quote ("family’", "“nationwide”"). The second is of no use
# to a searcher and makes the index bigger (the sample site's: 36 such words with the ¶ ones
# below). Search copies have plain quotes instead, written as character references so that
# they are safe inside attribute values too (results show plain quotes).
_PLAIN_QUOTES = (("\u2018", "&#39;"), ("\u2019", "&#39;"), ("\u201c", "&quot;"),
                 ("\u201d", "&quot;"))


def plain_quotes(html: str) -> str:
    # (str.replace, not str.translate: translating took 2 s an edition at national size)
    for quote, plain in _PLAIN_QUOTES:
        html = html.replace(quote, plain)
    return html


def search_copy(html: str) -> str | None:
    """What Pagefind needs of a finished page, or None if nothing of it is to be indexed."""
    start = html.find(BODY)
    end = html.rfind(BODY_END)
    if start < 0 or end < start:
        return None
    opening = html.find("<html")
    head = html[opening: html.index(">", opening) + 1] if opening >= 0 else "<html>"
    title_start, title_end = html.find("<title>"), html.find("</title>")
    title = html[title_start: title_end + 8] if 0 <= title_start < title_end else ""
    return plain_quotes(f'<!doctype html>{head}<head><meta charset="utf-8">{title}</head>'
                        f"<body>{html[start:end]}</body></html>")


# Pagefind's binary allocates with jemalloc, which gives each processor four arenas of its own
# by default; with one arena for all its threads, Pagefind indexed a national edition (13,712
# pages) in the same time with 1.18 -> 0.98 GB at its peak (Spanish: 1.23 -> 1.05 GB), and
# wrote the same files. (Freed pages handed back at once, `dirty_decay_ms:0`, saved 10 MB
# more and doubled the time spent in the kernel; no thread caches, 45 MB more and doubled
# Pagefind's own time.) `_RJEM_` is the prefix of the jemalloc Rust programs link; a Pagefind
# without jemalloc ignores it. A setting of the caller's own is kept.
ALLOCATOR = ("_RJEM_MALLOC_CONF", "narenas:1")

# Pagefind 1.5's memory while it indexes, measured at national size with the allocator above:
# 0.98 GB for 13,712 English pages and 1.05 GB for as many Spanish, about 75 KB a page (without
# it, 85 KB). It grows with the words a page has: the same 13,712 pages cut to four words each
# took 0.2 GB. So this is an upper bound for prose that repeats its words, as real prose does,
# and the bench's does not.
PAGEFIND_MEMORY_PER_PAGE = 75 * 1024


# What a visitor's first search downloads before any word: Pagefind's WebAssembly (the same
# file at every build of one Pagefind version) and its list of the pages (one file an edition:
# 86 KB at national size). Pagefind gzips them at zlib's default level; Zopfli, Google's
# Deflate compressor, writes the same bytes as a standard gzip stream 5-13 % smaller (national:
# 86 -> 75 KB and 72 -> 69 KB, 15 KB of the 215 KB a first search fetched). It takes about half
# a second a file. Then every search fetches an index chunk or two for each word (192 of them
# an edition at national size, 20-40 KB each): Zopfli took 0.5-1.7 s a chunk, libdeflate's
# level 10 takes 7 ms and writes them 5 % smaller (4.31 -> 4.09 MB for the Spanish edition;
# 'familia' 43.7 -> 41.5 KB). Each result is kept in `.cache/search/` under the hash of
# Pagefind's file (a chunk whose words and pages did not change is compressed once), and what
# a build did not use is removed when it has finished (`forget_unused`). The result files
# (one a page, 1-4 KB) stay as Pagefind writes them.
FIRST_SEARCH_FILES = ("*.pf_meta", "wasm.*.pagefind")
INDEX_CHUNKS = "index/*.pf_index"
ZOPFLI_ITERATIONS = 5  # 15 (its default) took twice as long for 0.03 % less
LIBDEFLATE_LEVEL = 10  # 12 (its highest) took twice as long for 0.3 % less


def _zopfli(data: bytes) -> bytes:
    import zopfli.gzip

    return zopfli.gzip.compress(data, numiterations=ZOPFLI_ITERATIONS)


def _libdeflate(data: bytes) -> bytes:
    import deflate

    return deflate.gzip_compress(data, LIBDEFLATE_LEVEL)


def smaller_search_files(bundle: Path, cache: Path) -> None:
    """Compress again the files of `bundle` that searches fetch: with Zopfli those every
    first search fetches, with libdeflate the index chunks. Each kept result is touched when
    used, so that `forget_unused` knows it is still needed."""
    for patterns, compress, kind in ((FIRST_SEARCH_FILES, _zopfli, ""),
                                     ((INDEX_CHUNKS,), _libdeflate, ".chunk")):
        for pattern in patterns:
            for path in bundle.glob(pattern):
                data = path.read_bytes()
                kept = cache / (hashlib.sha256(data).hexdigest() + kind + ".gz")
                unpacked = gzip.decompress(data)
                try:
                    smaller = kept.read_bytes()
                    os.utime(kept)
                except OSError:
                    smaller = compress(unpacked)
                    workspace.keep(kept, smaller)
                if len(smaller) < len(data) and gzip.decompress(smaller) == unpacked:
                    path.write_bytes(smaller)


def forget_unused(cache: Path, since: float) -> None:
    """Remove what `smaller_search_files` kept in `cache` and no build has used since `since`
    (a time): a national site's index chunks change with every record added, 8 MB a time."""
    try:
        entries = list(os.scandir(cache))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.name.endswith(".gz") and entry.stat().st_mtime < since:
                os.unlink(entry.path)
        except OSError:
            pass


class Indexing:
    """Pagefind indexing the search copies in `copies` into `site/pagefind`, in the background;
    the copies are deleted when it has finished. `memory`: what it will take at most. `cache`:
    where `smaller_search_files` keeps its files, for a site to publish (the live preview's
    index is left as Pagefind writes it)."""

    def __init__(self, copies: Path, site: Path, memory: int = 0, cache: Path | None = None):
        self.copies = copies
        self.memory = memory
        self.site, self.cache = site, cache
        self.ended = False
        self.discarding: threading.Thread | None = None
        self.compressing: threading.Thread | None = None
        self.failure: BaseException | None = None  # of the compression in the background
        self.process = subprocess.Popen(
            [*PAGEFIND, "--site", str(copies), "--output-path", str(site / BUNDLE), *OPTIONS,
             "--silent"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={ALLOCATOR[0]: ALLOCATOR[1], **os.environ})

    def finished(self) -> bool:
        return self.process.poll() is not None

    def wait(self, *, discard_in_background: bool = False,
             compress_in_background: bool = False) -> None:
        """Wait for the index; raise SearchIndexError if it could not be built. The copies are
        deleted, in a thread of their own if asked (the live preview's 15,000 copies took a
        third of a second from the save that found the index done). The files searches fetch
        are compressed again (`smaller_search_files`), in a thread of their own if asked
        (`compressed` waits for it): Zopfli and libdeflate let other threads run, so an
        edition's 0.6 s of it at national size go by while the next edition's Pagefind
        finishes and its files are compressed."""
        if self.ended:
            return
        out, err = self.process.communicate()
        self.ended = True
        if discard_in_background:
            self.discarding = threading.Thread(target=shutil.rmtree, args=(self.copies, True),
                                               daemon=True)
            self.discarding.start()
        else:
            shutil.rmtree(self.copies, ignore_errors=True)
        if self.process.returncode:
            raise SearchIndexError("the search index could not be built:\n"
                                   + (err or out)[-2000:])
        if self.cache is None:
            return
        if compress_in_background:
            self.compressing = threading.Thread(target=self._compress, daemon=True)
            self.compressing.start()
        else:
            smaller_search_files(self.site / BUNDLE, self.cache)

    def _compress(self) -> None:
        try:
            smaller_search_files(self.site / BUNDLE, self.cache)
        except BaseException as exc:  # noqa: BLE001 (said by `compressed`, in the caller)
            self.failure = exc

    def compressed(self) -> None:
        """Wait for the compression `wait` left in the background; raise what it raised."""
        if self.compressing is not None:
            self.compressing.join()
            self.compressing = None
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure

    def kill(self) -> None:
        self.process.kill()
        if not self.ended:
            self.process.communicate()
            self.ended = True
        shutil.rmtree(self.copies, ignore_errors=True)


# Search copies are read once, by Pagefind, right after they are written: where the machine has
# a RAM disk with room to spare, they go there rather than to a disk busy writing the site
# (creating 14,000 files took 10 s on a disk, 0.5 s in memory). Its size counts as memory in
# `make bench`.
RAM_DISK = Path("/dev/shm")
RAM_DISK_ROOM = 1 << 30


def scratch_folder(room: int = RAM_DISK_ROOM) -> str | None:
    """Where search copies go: the RAM disk if it has `room` bytes free, else None (the
    temporary folder)."""
    try:
        stats = os.statvfs(RAM_DISK)
    except OSError:
        return None
    free = stats.f_bavail * stats.f_frsize
    return str(RAM_DISK) if free >= room and os.access(RAM_DISK, os.W_OK) else None


class SearchCopies:
    """The folder an edition's search copies are written to while MkDocs builds it."""

    def __init__(self, scratch: Path | None = None, *, folder: Path | None = None):
        """A new folder in `scratch` (by default on the RAM disk, else in the temporary
        folder), or the copies already in `folder`."""
        self.folder = folder or workspace.make("reunify-search-", scratch or scratch_folder())
        self.pages = 0  # written so far
        self.may_move = True  # to the disk, should the RAM disk fill up
        self.expected: set[str] = set()  # made empty (`expect`), not yet written

    def expect(self, dest_uris) -> None:
        """Make the copies' files, empty, in the order of `dest_uris`. Pagefind numbers pages
        in the order it finds them (on a RAM disk, the order their files were made), and pages
        can be finished in another order than MkDocs is handed them (`mkdocs_plugin._Later`);
        this keeps the index the same whichever order they are finished in. Those that get
        no copy are removed before Pagefind runs."""
        folder = str(self.folder)  # (plain strings and calls: 15,000 pages' files in 0.2 s)
        for dest_uri in dest_uris:
            if indexed(dest_uri) and dest_uri not in self.expected:
                path = os.path.join(folder, dest_uri)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
                self.expected.add(dest_uri)

    def add(self, dest_uri: str, html: str) -> None:
        if not indexed(dest_uri):
            return
        copy = search_copy(html)
        if copy is None:
            return
        try:
            self._write(dest_uri, copy)
        except OSError as exc:
            if exc.errno != errno.ENOSPC or RAM_DISK not in self.folder.parents or \
                    not self.may_move:
                raise
            # the RAM disk filled up (others use it too): carry on on the disk
            moved = workspace.make("reunify-search-")
            shutil.copytree(self.folder, moved, dirs_exist_ok=True)
            self.discard()
            self.folder = moved
            self._write(dest_uri, copy)

    def _write(self, dest_uri: str, copy: str) -> None:
        path = self.folder / dest_uri
        if dest_uri not in self.expected:  # (an expected copy's folder is made already)
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(copy, encoding="utf-8")
        self.expected.discard(dest_uri)
        self.pages += 1

    def memory_needed(self) -> int:
        """What Pagefind will take to index these copies."""
        return self.pages * PAGEFIND_MEMORY_PER_PAGE

    def index(self, site: Path, cache: Path | None = None) -> Indexing:
        for dest_uri in self.expected:  # pages that turned out to have nothing to index
            (self.folder / dest_uri).unlink(missing_ok=True)
        self.expected = set()
        return Indexing(self.folder, site, self.memory_needed(), cache)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
