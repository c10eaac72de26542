"""Which static-site engine turns the generated pages into the site.

ProperDocs, the maintained continuation of MkDocs 1.6 by its original maintainers, is the
default; MkDocs 1.6.1 (unmaintained since 2024) is kept as the fallback: set
`REUNIFY_ENGINE=mkdocs`. Both run Material for MkDocs and our plugin unchanged, and a test builds
the same content with each and compares the sites file for file.

ProperDocs works by redirecting every `mkdocs.*` import to `properdocs.*`, so the choice must be
made before anything imports MkDocs: `reunify/__init__.py` calls `select()` first thing. If
MkDocs itself is already running (someone ran `mkdocs build` with our plugin), it is left alone.
"""
from __future__ import annotations

import os
import sys

ENGINES = ("properdocs", "mkdocs")
DEFAULT = "properdocs"


def select(name: str | None = None) -> str:
    """Make `mkdocs.*` imports load the chosen engine; return the engine in use."""
    wanted = name or os.environ.get("REUNIFY_ENGINE") or DEFAULT
    if wanted not in ENGINES:
        raise SystemExit(f"REUNIFY_ENGINE: expected one of {', '.join(ENGINES)}, "
                         f"found {wanted!r}")
    if wanted == "properdocs" and "mkdocs" not in sys.modules:
        try:
            import properdocs.replacement  # noqa: F401  (redirects mkdocs.* from now on)
        except ImportError:  # not installed: MkDocs carries on
            pass
    return current()


def current() -> str:
    """The engine that `import mkdocs` gives."""
    import mkdocs

    return "properdocs" if mkdocs.__name__ == "properdocs" else "mkdocs"


def logger(name: str = ""):
    """The engine's logger (`properdocs…` or `mkdocs…`): what it counts for --strict, and
    where its messages are printed."""
    import logging

    import mkdocs

    return logging.getLogger(mkdocs.__name__ + (f".{name}" if name else ""))


def version() -> str:
    import mkdocs

    return f"{current()} {mkdocs.__version__}"
