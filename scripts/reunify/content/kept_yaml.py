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
"""
from __future__ import annotations

import hashlib
import pickle
from importlib import metadata
from pathlib import Path

from reunify.content import yamlsource
from reunify.content.problems import Problems
from reunify.content.yamlsource import Document
from reunify.engine import workspace

KEEP_FROM = 256 * 1024  # smaller files parse in a tenth of a second: not worth a cache file
_ALLOWED = {("datetime", name) for name in ("date", "datetime", "timezone", "timedelta")}
_folder: Path | None = None


def keep_parsed(folder: Path | None) -> None:
    """Use (and update) the parsed files kept in `folder`; None: keep nothing."""
    global _folder
    _folder = folder


class _PlainData(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


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


def _read(place: Path, key: bytes, file: Path) -> Document | None:
    try:
        with place.open("rb") as stream:
            if stream.read(len(key)) != key:
                return None
            data, values, keys = _PlainData(stream).load()
    except Exception:  # none yet, another text, or damaged: parsed again
        return None
    if not (isinstance(values, dict) and isinstance(keys, dict)):
        return None
    return Document(file=Path(file), data=data, values=values, keys=keys)


def _write(place: Path, key: bytes, doc: Document) -> None:
    workspace.keep(place, key + pickle.dumps((doc.data, doc.values, doc.keys), protocol=5))


def parse(text: str, file: Path, problems: Problems) -> Document | None:
    """`yamlsource.parse(text, file, problems)`, from the cache when an earlier run parsed the
    same text without a problem."""
    if _folder is None or len(text) < KEEP_FROM:
        return yamlsource.parse(text, file, problems)
    place, key = _place(file), _key(text)
    doc = _read(place, key, file)
    if doc is not None:
        return doc
    before = len(problems.items)
    doc = yamlsource.parse(text, file, problems)
    if doc is not None and len(problems.items) == before:
        _write(place, key, doc)
    return doc
