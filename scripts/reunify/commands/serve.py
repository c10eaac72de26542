"""`reunify serve`: the live preview (the engine's server, rebuilding what a save changed)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from reunify.commands.build import mkdocs_logging
from reunify.content import editions


def run(args) -> int:
    from mkdocs.commands.serve import serve

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if args.today:
        os.environ["REUNIFY_TODAY"] = args.today
    mkdocs_logging(True)
    root = Path(args.root).resolve()
    config_file = editions.config_file(root, args.language)
    if not config_file.exists():
        print(f"reunify serve: there is no {config_file.name}; the editions are "
              f"{', '.join(editions.languages(root))}", file=sys.stderr)
        return 1
    # "dirty": after the first build, MkDocs writes only the pages the plugin reports changed
    serve(config_file=str(config_file), livereload=True, dev_addr=args.addr, build_type="dirty")
    return 0
