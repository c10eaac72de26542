"""Site search with Pagefind: a chunked index built from the finished HTML.

MkDocs' own search makes every visitor download one index of the whole site (about 1 KB a page:
megabytes at national size) before the first result. Pagefind splits the index into small
pieces and the browser fetches only those a query needs. Pagefind's binary comes inside its PyPI
wheel, so indexing needs no download. Only elements marked `data-pagefind-body` (record pages
and hand-written pages) are indexed; listings, which repeat the records, are not.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BUNDLE = "pagefind"

# The pages that can be in the index: the records' own pages and the pages one folder below the
# root (hand-written pages, section fronts, data, news, campaign years). Listings further down
# (stories/page/2/, resources/topics/…) carry no data-pagefind-body, and reading them made
# Pagefind take half as much memory again at national size (0.9 GB instead of 0.6 GB).
INDEXED = "{*,stories/*,resources/*,organizations/*,drives/*,events/*}/index.html"


class SearchIndexError(Exception):
    pass


def start_indexing(folder: Path) -> subprocess.Popen:
    """Start Pagefind on a finished edition; it runs beside whatever is built next."""
    return subprocess.Popen([sys.executable, "-m", "pagefind", "--site", str(folder),
                             "--output-subdir", BUNDLE, "--glob", INDEXED, "--silent"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_indexing(process: subprocess.Popen) -> None:
    out, err = process.communicate()
    if process.returncode:
        raise SearchIndexError("the search index could not be built:\n" + (err or out)[-2000:])


def index_site(folder: Path) -> None:
    finish_indexing(start_indexing(folder))
