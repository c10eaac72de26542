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


class SearchIndexError(Exception):
    pass


def index_site(folder: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(folder),
                             "--output-subdir", BUNDLE, "--silent"],
                            capture_output=True, text=True, check=False)
    if result.returncode:
        raise SearchIndexError("the search index could not be built:\n"
                               + (result.stderr or result.stdout)[-2000:])
