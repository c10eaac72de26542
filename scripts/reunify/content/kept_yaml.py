"""Large YAML files as earlier runs parsed them, kept in `.cache/yaml/` beside the content.

A national hub's resources.yaml (10,000 resources, 11 MB) took 1.6 s to parse at every check,
build and preview start, though it changes far less often than the stories. `parse` gives back
what the last run parsed from the same text with the same code, or parses it and keeps the
result. Only a parse that found no problem is kept, so a file with a mistake is read (and its
mistakes reported) every time, exactly as before.

One cache file per source file, written again when the text changes, so the folder does not
grow with every edit. It is read with an unpickler that makes nothing but plain data and dates
(Python's "restricting globals"), so a changed cache can at worst give wrong data, which the
content models then check like any other: never run code.

Smaller texts (the stories' front matter: 1,333 of them at national size, 0.15 s of every
check's, build's and preview start's 0.3 s to read them) share one cache file,
`small.pickle`, holding what the last run parsed (`save_small`): a story edited or removed
drops out of it.
"""
from __future__ import annotations

import functools
import hashlib
import io
import pickle
from importlib import metadata
from pathlib import Path

from reunify.content import yamlsource
from reunify.content.problems import Problems
from reunify.content.yamlsource import Document
from reunify.engine import workspace

KEEP_FROM = 256 * 1024  # smaller texts share one cache file (a file each would be 1,000s)
_ALLOWED = {("datetime", name) for name in ("date", "datetime", "timezone", "timedelta")}
_folder: Path | None = None
SMALL = "small.pickle"
_small: dict[bytes, bytes] | None = None  # the small texts parsed, by key: as kept, pickled
_small_read: set[bytes] = set()  # the keys `small.pickle` held when it was read or written
_used: dict[bytes, bytes] = {}  # the small texts this run parsed or took from `_small`


def keep_parsed(folder: Path | None) -> None:
    """Use (and update) the parsed files kept in `folder`; None: keep nothing. Called at the
    start of each run (a live preview's save is one): the small texts the last run in this
    process parsed are at hand without reading `small.pickle` again."""
    global _folder, _small, _used
    if folder != _folder:
        _small = None  # read from the new folder when first needed
    elif _used:
        _small = {**(_small or {}), **_used}
    _folder, _used = folder, {}


class _PlainData(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


@functools.lru_cache(maxsize=1)
def _code() -> bytes:
    """What parsing depends on besides the text: the reader, this module and PyYAML."""
    parts = [Path(yamlsource.__file__).read_bytes(), Path(__file__).read_bytes(),
             metadata.version("PyYAML").encode()]
    return hashlib.sha256(b"\0".join(parts)).digest()


def _place(file: Path) -> Path:
    name = hashlib.sha256(str(Path(file).resolve()).encode("utf-8", "surrogatepass"))
    return _folder / f"{name.hexdigest()[:32]}.pickle"


def _key(text: str) -> bytes:
    return hashlib.sha256(_code() + text.encode("utf-8", "surrogatepass")).digest()


def _document(stream, file: Path) -> Document | None:
    """The document kept in `stream` (plain data only), or None if it is not one; raises if
    the stream is damaged."""
    data, values, keys = _PlainData(stream).load()
    if not (isinstance(values, dict) and isinstance(keys, dict)):
        return None
    return Document(file=Path(file), data=data, values=values, keys=keys)


def _kept_form(doc: Document) -> bytes:
    return pickle.dumps((doc.data, doc.values, doc.keys), protocol=5)


def _parsed(text: str, file: Path, problems: Problems, line_offset: int = 0):
    """(the document parsed afresh or None, whether it may be kept: it had no problem)."""
    before = len(problems.items)
    doc = yamlsource.parse(text, file, problems, line_offset)
    return doc, doc is not None and len(problems.items) == before


def _read(place: Path, key: bytes, file: Path) -> Document | None:
    try:
        with place.open("rb") as stream:
            if stream.read(len(key)) != key:
                return None
            return _document(stream, file)
    except Exception:  # none yet, another text, or damaged: parsed again
        return None


def _write(place: Path, key: bytes, doc: Document) -> None:
    workspace.keep(place, key + _kept_form(doc))


def _small_kept() -> dict[bytes, bytes]:
    global _small
    if _small is None:
        _small = {}
        try:
            with (_folder / SMALL).open("rb") as stream:
                kept = _PlainData(stream).load()
            if isinstance(kept, dict):
                _small = {key: value for key, value in kept.items()
                          if isinstance(key, bytes) and isinstance(value, bytes)}
        except Exception:  # none yet, or damaged: parsed again
            pass
        _small_read.clear()
        _small_read.update(_small)
    return _small


def _parse_small(text: str, file: Path, problems: Problems, line_offset: int) -> Document | None:
    key = _key(f"{line_offset}\0{text}")
    kept = _used.get(key) or _small_kept().get(key)
    if kept is not None:
        try:  # each time made anew from its pickle: a caller may change what it is given
            doc = _document(io.BytesIO(kept), file)
        except Exception:  # damaged: parsed again
            doc = None
        if doc is not None:
            _used[key] = kept
            return doc
    doc, clean = _parsed(text, file, problems, line_offset)
    if clean:
        _used[key] = _kept_form(doc)
    return doc


def save_small() -> None:
    """Keep the small texts this run parsed in `small.pickle`, if they are not what it holds
    already (those no longer parsed, a story removed or edited, are left out). Only after a
    run that read every text: a live preview's save reads only the stories that changed
    (`load._PARSED` holds the others)."""
    if _folder is None or not _used or set(_used) == _small_read:
        return
    workspace.keep(_folder / SMALL, pickle.dumps(_used, protocol=5))
    _small_read.clear()
    _small_read.update(_used)


def parse(text: str, file: Path, problems: Problems, line_offset: int = 0) -> Document | None:
    """`yamlsource.parse(text, file, problems, line_offset)`, from the cache when an earlier
    run parsed the same text without a problem."""
    if _folder is None:
        return yamlsource.parse(text, file, problems, line_offset)
    if len(text) < KEEP_FROM:
        return _parse_small(text, file, problems, line_offset)
    if line_offset:
        return yamlsource.parse(text, file, problems, line_offset)
    place, key = _place(file), _key(text)
    doc = _read(place, key, file)
    if doc is not None:
        return doc
    doc, clean = _parsed(text, file, problems)
    if clean:
        _write(place, key, doc)
    return doc
