"""`reunify serve`: the live preview (the engine's server, rebuilding what a save changed)."""
from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from reunify.commands.build import mkdocs_logging
from reunify.content import editions
from reunify.engine import workspace
from reunify.outputs.search_index import RAM_DISK, scratch_folder

# The preview writes its site on the RAM disk when it has this much room (a national hub's
# English preview is 30,000 files, 0.5 GB): creating them on this project's machines' disks
# took 10 to 15 s of the preview's 30 s start, and a third of a second of every save.
PREVIEW_ROOM = 2 << 30


def _stop(signum, frame):
    raise KeyboardInterrupt  # the engine's server shuts down cleanly, and its folder goes


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
    workspace.remove_abandoned([RAM_DISK, tempfile.gettempdir()])
    # Everything the preview writes, the engine's site folder included (it makes that in the
    # temporary folder), goes in a folder of this process's own, on the RAM disk if it has
    # room; it is deleted when the preview stops, by Ctrl-C or by a termination signal, or by
    # the next build or preview if this one is killed outright.
    folder = workspace.make("reunify-preview-", scratch_folder(PREVIEW_ROOM))
    previous, tempfile.tempdir = tempfile.tempdir, str(folder)
    signal.signal(signal.SIGTERM, _stop)
    try:
        # "dirty": after the first build, MkDocs writes only the pages the plugin reports
        # changed
        serve(config_file=str(config_file), livereload=True, dev_addr=args.addr,
              build_type="dirty")
    except KeyboardInterrupt:
        pass  # stopped before the server was up (while the first build ran)
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(folder, ignore_errors=True)
    return 0
