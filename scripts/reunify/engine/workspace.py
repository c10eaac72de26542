"""Temporary folders a build owns, named after its process, so that a later build can remove
the ones a build that was killed outright left behind (`kill -9`, the out-of-memory killer, a
power cut): a national site's staging folder is 750 MB on the disk, its search copies 140 MB
of the RAM disk."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def keep(path: Path, data: bytes) -> bool:
    """Write a cache file whole or not at all (another process reading it sees the old file or
    the new one); False if it cannot be written, which only costs the next run time."""
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(data)
        os.replace(part, path)
    except OSError:
        try:
            part.unlink(missing_ok=True)
        except OSError:
            pass
        return False
    return True


def make(prefix: str, folder: Path | str | None = None) -> Path:
    """A new folder `<prefix><this process's id>-<random>` in `folder` (default: the temporary
    folder)."""
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=folder))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def abandoned(folder: Path | str, prefix: str) -> list[Path]:
    """The folders `make(prefix, folder)` made for processes that have ended."""
    found = []
    for path in Path(folder).glob(f"{prefix}*"):
        owner = path.name[len(prefix):].split("-", 1)[0]
        if owner.isdigit() and not _running(int(owner)) and path.is_dir():
            found.append(path)
    return found


# The folders this project's processes make: a build's search copies and scratch files, the
# preview's site and its search copies.
PREFIXES = ("reunify-build-", "reunify-search-", "reunify-preview-")


def remove_abandoned(folders) -> None:
    """Delete what builds and previews that were killed outright left in `folders` (the
    temporary folder, the RAM disk): on a RAM disk it would hold memory until the machine
    restarts."""
    for folder in {str(f) for f in folders if f is not None and os.path.isdir(f)}:
        for prefix in PREFIXES:
            for leftover in abandoned(folder, prefix):
                shutil.rmtree(leftover, ignore_errors=True)
