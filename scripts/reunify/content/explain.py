"""Turn pydantic validation errors into problems an editor can act on."""
from __future__ import annotations

import difflib
import types
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from reunify.content.models import Expect
from reunify.content.problems import Problems
from reunify.content.yamlsource import Document

_DATE_HINT = "dates are written 2026-06-15"


def expected(annotation: Any, metadata: list | None = None) -> str:
    """Plain words for what a value of this type looks like."""
    for meta in metadata or []:
        if isinstance(meta, Expect):
            return meta.text
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return expected(args[0], list(args[1:]))
    if origin in (Union, types.UnionType):
        return expected(next(a for a in args if a is not type(None)))
    if origin is list:
        return f"a list, each item {expected(args[0])}"
    if origin is Literal:
        return "one of: " + ", ".join(str(a) for a in args)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "a group of fields (" + ", ".join(annotation.model_fields) + ")"
    return {bool: "true or false", str: "text", int: "a whole number", float: "a number",
            date: "a date written 2026-06-15",
            datetime: "a date and time written 2026-06-10 18:00"}.get(annotation, "a value")


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation


def _annotation_at(model: type[BaseModel], loc: tuple) -> tuple[Any, list, type[BaseModel]]:
    """The annotation (and field metadata) that `loc` points at inside `model`."""
    annotation: Any = model
    metadata: list = []
    owner = model
    for part in loc:
        current = _unwrap(annotation)
        if isinstance(part, int) and get_origin(current) is list:
            annotation, metadata = get_args(current)[0], []
        elif isinstance(part, str) and isinstance(current, type) and \
                issubclass(current, BaseModel):
            owner = current  # the group the field is in (a drop-off place, not the drive)
            if part in current.model_fields:
                info = current.model_fields[part]
                annotation, metadata = info.annotation, list(info.metadata)
    return annotation, metadata, owner


def found(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "…'"


def _field_name(loc: tuple) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _closest(word: str, choices) -> str | None:
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return match[0] if match else None


def report(exc: ValidationError, model: type[BaseModel], doc: Document, base: tuple,
           record: str, problems: Problems) -> None:
    """Add one problem per pydantic error, positioned at the offending key or value."""
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if isinstance(p, (str, int)))
        kind = error["type"]
        value = error.get("input")
        annotation, metadata, owner = _annotation_at(model, loc)
        want = expected(annotation, metadata)
        hint = None
        if kind == "extra_forbidden":
            line, column = doc.where(base + loc, key=True)
            guess = _closest(loc[-1], owner.model_fields)
            hint = f"did you mean `{guess}`?" if guess else \
                "the fields allowed here are: " + ", ".join(owner.model_fields)
            message = f"unknown field {loc[-1]!r}"
        elif kind == "missing":
            line, column = doc.where(base + loc[:-1])
            message = f"required field missing: expected {want}"
            hint = f"add a line `{loc[-1]}: …`"
        else:
            line, column = doc.where(base + loc)
            if kind == "invalid":
                message = error["msg"]
                hint = (error.get("ctx") or {}).get("hint") or None
            else:
                message = f"expected {want}, found {found(value)}"
                if kind.startswith(("date", "datetime")):
                    hint = _DATE_HINT
                elif kind == "literal_error":
                    guess = _closest(value, get_args(_unwrap(annotation)))
                    hint = f"did you mean `{guess}`?" if guess else None
                elif kind == "list_type" and isinstance(value, (str, int)):
                    hint = f"write a list: [{value}], or one `- item` per line"
                elif kind == "string_type" and isinstance(value, (int, float, bool)):
                    hint = "put the value in quotes"
                elif kind == "too_short":
                    message = f"expected {want}, with at least one item; found an empty list"
                elif kind in ("greater_than_equal", "less_than_equal"):
                    message = f"expected {want}, found {found(value)} ({error['msg'].lower()})"
        problems.add(doc.file, line, column, message, record=record,
                     field=_field_name(loc) or None, hint=hint)
