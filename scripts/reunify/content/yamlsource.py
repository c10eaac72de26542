"""Safe YAML reading that remembers where every value came from.

PyYAML alone keeps no line numbers, silently keeps the last of two duplicate keys and will expand
an alias bomb until memory runs out. We compose the node tree with the (C) safe loader, then build
plain Python data ourselves so that we can record positions, refuse duplicate keys and unknown tags,
and cap alias expansion.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from reunify.content.problems import Problems

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ALIAS_NODES = 10_000
MAX_DEPTH = 40  # fields within fields: the content model needs five levels

# Characters no reader sees that change what they see: control characters (NUL, bell…; tabs and
# line ends are fine) and the bidirectional overrides and isolates that make text display in
# another order than it is written ("Trojan Source").
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def forbidden_problem(char: str) -> tuple[str, str]:
    """(message, hint) for a forbidden character."""
    code = f"U+{ord(char):04X}"
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return (f"the text contains a right-to-left or left-to-right override ({code}), which "
                "makes it display in another order than it is written",
                "delete it: retype the text around it, or paste it as plain text")
    return (f"the text contains an invisible control character ({code})",
            "delete it: it usually comes from pasting; retype the text around it")
_ALLOWED_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}
_STR = "tag:yaml.org,2002:str"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple  # a path into the data: ("resources", 3, "audiences", 0)


@dataclass
class Document:
    """Parsed YAML data with the line and column (1-based) of every key and value."""

    file: Path
    data: Any
    values: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    keys: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: tuple, *, key: bool = False) -> tuple[int | None, int | None]:
        """Position of `path`, or of its closest ancestor that has one."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))


class _Refused(Exception):
    def __init__(self, message: str, mark=None, hint: str | None = None):
        super().__init__(message)
        self.mark = mark
        self.hint = hint


class _Builder:
    def __init__(self, doc: Document, line_offset: int):
        self.doc = doc
        self.offset = line_offset
        self.found: list[tuple[tuple[int, int], str, str]] = []  # characters written as escapes
        self.constructor = SafeConstructor()
        self.seen: set[int] = set()
        self.sizes: dict[int, int] = {}
        self.alias_nodes = 0

    def pos(self, mark) -> tuple[int, int]:
        return (mark.line + 1 + self.offset, mark.column + 1)

    def size(self, node) -> int:
        key = id(node)
        if key not in self.sizes:
            if isinstance(node, SequenceNode):
                self.sizes[key] = 1 + sum(self.size(child) for child in node.value)
            elif isinstance(node, MappingNode):
                self.sizes[key] = 1 + sum(self.size(k) + self.size(v) for k, v in node.value)
            else:
                self.sizes[key] = 1
        return self.sizes[key]

    def build(self, node, path: tuple) -> Any:
        if node.tag not in _ALLOWED_TAGS:
            raise _Refused(f"the tag {node.tag} is not allowed", node.start_mark,
                           "remove the tag: content is plain text, numbers, dates, lists and fields")
        if id(node) in self.seen and not isinstance(node, ScalarNode):
            self.alias_nodes += self.size(node)
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise _Refused(
                    f"aliases (*name) expand to more than {MAX_ALIAS_NODES:,} values",
                    node.start_mark, "write the values out instead of repeating aliases")
        self.seen.add(id(node))
        self.doc.values[path] = self.pos(node.start_mark)
        if len(path) > MAX_DEPTH:
            raise _Refused(f"the fields are nested more than {MAX_DEPTH} levels deep",
                           node.start_mark, "check the indentation and the brackets")
        if isinstance(node, ScalarNode):
            if node.style == '"' and FORBIDDEN.search(node.value):  # written as an escape
                self.found.append((self.pos(node.start_mark),
                                   *forbidden_problem(FORBIDDEN.search(node.value)[0])))
            if node.tag == _STR:  # nine values in ten: the text is the value
                return node.value
            try:
                return self.constructor.construct_object(node, deep=True)
            except (ConstructorError, ValueError) as exc:
                if node.tag == "tag:yaml.org,2002:timestamp":
                    return node.value  # an impossible date: the model says what was expected
                raise _Refused(f"cannot read the value {node.value!r} ({exc})", node.start_mark)
        if isinstance(node, SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        result: dict[Any, Any] = {}
        first_seen: dict[Any, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _Refused("a field name must be plain text", key_node.start_mark)
            if key_node.tag == "tag:yaml.org,2002:merge" or key_node.value == "<<":
                raise _Refused("merge keys (<<) are not supported", key_node.start_mark,
                               "write the fields out in full")
            key = self.build(key_node, path + ("<key>",))
            if not isinstance(key, str):
                key = str(key)
            here = self.pos(key_node.start_mark)
            if key in first_seen:
                raise _Refused(
                    f"the field {key!r} appears twice in the same record (first at line "
                    f"{first_seen[key][0]}); only one can be kept", key_node.start_mark,
                    "delete or rename one of the two")
            first_seen[key] = here
            self.doc.keys[path + (key,)] = here
            result[key] = self.build(value_node, path + (key,))
        return result


def read_text(file: Path, problems: Problems) -> str | None:
    """Read a content file as UTF-8, reporting size and encoding problems."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        problems.add(file, None, None, f"cannot read the file ({exc.strerror})")
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.add(file, None, None,
                     f"the file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}",
                     hint="split it or remove large pasted content")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.add(file, line, column,
                     f"expected text encoded as UTF-8, found the byte 0x{raw[exc.start]:02x}",
                     hint="save the file as UTF-8 in your editor")
        return None
    text = text.removeprefix("\ufeff")
    for match in FORBIDDEN.finditer(text) if FORBIDDEN.search(text) else ():
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        problems.add(file, line, column, *forbidden_problem(match[0])[:1],
                     hint=forbidden_problem(match[0])[1])
    return text


def parse(text: str, file: Path, problems: Problems, line_offset: int = 0) -> Document | None:
    """Parse YAML text; on any problem report it (with its line) and return None."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            problems.add(file, number + line_offset, len(line) - len(stripped) + 1,
                         "expected spaces for indentation, found a tab",
                         hint="replace the tab with spaces (two per level)")
            return None
    doc = Document(file=Path(file), data=None)
    # reported by `read_text`; YAML would refuse the whole file for one of them
    text = FORBIDDEN.sub(" ", text) if FORBIDDEN.search(text) else text
    try:
        node = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        problems.add(file, _deepest_line(text) + line_offset, None,
                     f"the fields are nested more than {MAX_DEPTH} levels deep",
                     hint="check the indentation and the brackets")
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        hint = ("check the indentation, and put text that contains ': ' or starts with a "
                "special character (* & ! % @ `) in quotes")
        if exc.context == "while scanning a simple key" and exc.context_mark:
            # YAML notices a missing colon only on the next line: point at the one without it
            mark = exc.context_mark
            hint = "add the colon after the field name (`title: …`)"
        line = mark.line + 1 + line_offset if mark else None
        column = mark.column + 1 if mark else None
        problems.add(file, line, column, f"YAML syntax error: {exc.problem or exc.context}",
                     hint=hint)
        return None
    except yaml.YAMLError as exc:
        problems.add(file, None, None, f"YAML error: {exc}")
        return None
    if node is None:
        doc.data = None
        return doc
    builder = _Builder(doc, line_offset)
    try:
        doc.data = builder.build(node, ())
    except _Refused as exc:
        line, column = builder.pos(exc.mark) if exc.mark else (None, None)
        problems.add(file, line, column, str(exc), hint=exc.hint)
        return None
    for (line, column), message, hint in builder.found:
        problems.add(file, line, column, message, hint=hint)
    return doc


def _deepest_line(text: str) -> int:
    """The line where brackets first open more than MAX_DEPTH deep (what makes the parser
    itself give up), or 1."""
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        for char in line:
            depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(char, 0)
            if depth > MAX_DEPTH:
                return number
    return 1


def load(file: Path, problems: Problems) -> Document | None:
    text = read_text(file, problems)
    return None if text is None else parse(text, file, problems)


def end_of_node(text: str, node) -> int:
    """Index just past the last line holding part of `node`: where to cut or insert when a
    command edits YAML as text, so that the editor's comments and layout survive."""
    last = node.start_mark.index
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ScalarNode) and current.value != "" or \
                not isinstance(current, ScalarNode) and current.flow_style:
            end = current.end_mark  # block scalars end at the start of the next line
            last = max(last, end.index - 1 if end.column == 0 else end.index)
        if isinstance(current, SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, MappingNode):
            for key, value in current.value:
                stack += [key, value]
    newline = text.find("\n", last)
    return len(text) if newline < 0 else newline + 1
