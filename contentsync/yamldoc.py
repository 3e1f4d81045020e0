"""YAML text -> plain data, keeping the node tree so any problem can name its line and column.

Stricter than pyyaml's safe_load: duplicate keys, explicit tags, several documents in one file,
binary or non-UTF-8 bytes and runaway alias expansion are all reported as problems instead of
being accepted silently (or hanging). Composition uses libyaml when it is installed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from contentsync.errors import ContentError, Problem

try:
    _Loader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pyyaml built without libyaml
    _Loader = yaml.SafeLoader

MAX_BYTES = 64 * 1024 * 1024
_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_CONSTRUCTOR = SafeConstructor()

PathElem = str | int


@dataclass(frozen=True)
class Document:
    """One YAML file: its data and where each part of it is written."""

    path: str
    data: Any
    root: yaml.Node | None
    problems: tuple[Problem, ...] = ()  # found while reading, yet the data is usable

    def scalar_text(self, at: Sequence[PathElem]) -> str | None:
        """The value at `at` as written in the file, if it is a plain scalar."""
        node = self.root
        for elem in at:
            if isinstance(node, yaml.MappingNode):
                node = next(
                    (
                        v
                        for k, v in node.value
                        if isinstance(k, yaml.ScalarNode) and k.value == str(elem)
                    ),
                    None,
                )
            elif isinstance(node, yaml.SequenceNode) and isinstance(elem, int):
                node = node.value[elem] if 0 <= elem < len(node.value) else None
            else:
                return None
        return node.value if isinstance(node, yaml.ScalarNode) else None

    def where(self, at: Sequence[PathElem], *, key: bool = False) -> tuple[int, int]:
        """1-based line and column of the value at `at` (of its key with key=True).

        A path that is not in the file (a missing field) points at the deepest part that is.
        """
        node = self.root
        if node is None:
            return (1, 1)
        mark = node.start_mark
        for i, elem in enumerate(at):
            last = i == len(at) - 1
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == str(elem):
                        child = v
                        if last and key:
                            mark = k.start_mark
                            return (mark.line + 1, mark.column + 1)
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(elem, int)
                and 0 <= elem < len(node.value)
            ):
                child = node.value[elem]
            if child is None:
                break
            node = child
            mark = node.start_mark
        return (mark.line + 1, mark.column + 1)

    def problem(self, at: Sequence[PathElem], message: str, *, key: bool = False) -> Problem:
        line, column = self.where(at, key=key)
        return Problem(self.path, line, column, dotted(at), message)


def dotted(at: Sequence[PathElem]) -> str:
    out = ""
    for elem in at:
        out += f"[{elem}]" if isinstance(elem, int) else (f".{elem}" if out else str(elem))
    return out


def read_document(file: Path, display: str) -> Document:
    """Read and parse one file; raise ContentError with every problem found in it."""
    return parse_document(read_text(file, display, "YAML"), display)


def read_text(file: Path, display: str, what: str) -> str:
    """A content file's text: UTF-8, no NUL byte, at most MAX_BYTES; else ContentError."""
    raw = file.read_bytes()
    if len(raw) > MAX_BYTES:
        raise ContentError([Problem(display, 0, 0, "", f"file is larger than {MAX_BYTES} bytes")])
    if b"\x00" in raw:
        at = raw.index(b"\x00")
        line = raw.count(b"\n", 0, at) + 1
        column = at - (raw.rfind(b"\n", 0, at) + 1) + 1
        raise ContentError(
            [Problem(display, line, column, "", f"binary file: expected {what} text")]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError(
            [Problem(display, line, column, "", "not UTF-8 text: save the file as UTF-8")]
        ) from None


def parse_document(text: str, display: str) -> Document:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise ContentError([_yaml_problem(exc, display, text)]) from None
    except yaml.YAMLError as exc:
        raise ContentError([Problem(display, 0, 0, "", f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if root is None:
        return Document(display, None, None)
    converter = _Converter(display)
    try:
        data = converter.convert(root, 0)
    except _TooBig as exc:
        raise ContentError([Problem(display, exc.line, exc.column, "", str(exc))]) from None
    usable = converter.usable + _unused_anchors(text, display)
    if converter.fatal:
        raise ContentError(converter.fatal + usable)
    return Document(display, data, root, tuple(usable))


def _unused_anchors(text: str, display: str) -> list[Problem]:
    """An anchor nothing refers to: `name: &Co things` reads as "things", and the writer
    meant "&Co things". Composition drops anchor names, so this reads the events again, only
    for text where an anchor may be written ("Tips & tricks" and "R&D" cannot be one)."""
    if "&" not in text or not _MAYBE_ANCHOR.search(text):  # `in` first: 400x faster
        return []
    defined: dict[str, tuple[int, int]] = {}  # each name once: the composer refuses a second
    used: set[str | None] = set()
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            used.add(event.anchor)
        elif isinstance(event, yaml.NodeEvent) and event.anchor and event.start_mark:
            defined[event.anchor] = (event.start_mark.line + 1, event.start_mark.column + 1)
    message = (
        "'&{}' is a YAML anchor that nothing refers to, so it is not part of the value; "
        "if it is text, put the value in quotes"
    )
    return [
        Problem(display, line, column, "", message.format(name))
        for name, (line, column) in defined.items()
        if name not in used
    ]


def _yaml_problem(exc: yaml.MarkedYAMLError, display: str, text: str = "") -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    if exc.context == "expected a single document in the stream":
        return Problem(display, line, column, "", "one document per file: found a second '---'")
    context = exc.context or ""
    if context.startswith("found duplicate anchor") and exc.context_mark is not None:
        written = _ANCHOR.match(_line(text, mark.line), mark.column) if mark else None
        name = f" '{written.group()}'" if written else ""
        first = exc.context_mark.line + 1
        return Problem(
            display, line, column, "",
            f"invalid YAML: anchor{name} is already defined on line {first}; "
            "give each anchor its own name",
        )  # fmt: skip
    if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
        message = "tabs are not allowed for indentation; indent with spaces"
    else:
        message = exc.problem or context
        opened = re.match(r"while (?:parsing|scanning) an? (.+)", context)
        if opened and exc.context_mark is not None and exc.problem:
            what, start = opened.group(1), exc.context_mark
            if what == "flow node" and mark is not None:
                # libyaml marks where the missing value should be: name the open bracket
                what, start = _open_flow(text, mark.index) or (what, start)
            what = _BRACKET.get(what, what)
            message += f" (the {what} starts at line {start.line + 1}, column {start.column + 1})"
        if message.startswith(_QUOTE_IT) or context in (
            "while scanning an alias",
            "while scanning an anchor",
        ):
            message += "; if this value is text, put it in quotes"  # fmt: skip
    return Problem(display, line, column, "", f"invalid YAML: {message}")


def _open_flow(text: str, index: int) -> tuple[str, yaml.Mark] | None:
    """The innermost '[' or '{' still open at `index`: what a "flow node" error is inside."""
    starts = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)
    ends = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)
    stack: list[yaml.Token] = []
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if token.start_mark.index >= index:
                break
            if isinstance(token, starts):
                stack.append(token)
            elif isinstance(token, ends) and stack:
                stack.pop()
    except yaml.YAMLError:
        pass  # the scanner stops where the parser did not: what was open so far stands
    if not stack:
        return None
    token = stack[-1]
    kind = "sequence" if isinstance(token, yaml.FlowSequenceStartToken) else "mapping"
    return f"flow {kind}", token.start_mark


# libyaml's words for what a writer does by leaving a title unquoted (`Billing: 2024`,
# `@team`, `*New*`): the fix is always the same.
_QUOTE_IT = ("mapping values are not allowed", "found character that cannot start any token")


_BRACKET = {"flow sequence": "flow sequence '['", "flow mapping": "flow mapping '{'"}
_ANCHOR = re.compile(r"&[^\s,\[\]{}]+")
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s,\[{])&[^\s,\[\]{}]", re.MULTILINE)


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line] if 0 <= line < len(lines) else ""


def _char_at(text: str, line: int, column: int) -> str:
    written = _line(text, line)
    return written[column] if 0 <= column < len(written) else ""


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


class _TooBig(Exception):
    def __init__(self, message: str, node: yaml.Node) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1
        self.column = node.start_mark.column + 1


MAX_DEPTH = 64


class _Converter:
    """Builds plain data from nodes, collecting problems instead of stopping at the first.

    `fatal` problems (tags, bad keys) leave no trustworthy data; `usable` ones (a duplicate
    key: the first value is kept) still let the file be checked against its schema.
    """

    def __init__(self, display: str) -> None:
        self.display = display
        self.fatal: list[Problem] = []
        self.usable: list[Problem] = []
        self.visited = 0
        self.seen: set[int] = set()
        self.stack: set[int] = set()

    def _count(self, node: yaml.Node) -> None:
        self.visited += 1
        self.seen.add(id(node))
        # Aliases may repeat nodes; a tree that expands far beyond what the file holds is a
        # "billion laughs" bomb, refused before it eats memory.
        if self.visited > 10 * len(self.seen) + 250_000:
            raise _TooBig("aliases expand to far more than the file holds (alias bomb?)", node)

    def _report(self, node: yaml.Node, message: str, *, fatal: bool = True) -> None:
        mark = node.start_mark
        problem = Problem(self.display, mark.line + 1, mark.column + 1, "", message)
        (self.fatal if fatal else self.usable).append(problem)

    def convert(self, node: yaml.Node, depth: int) -> Any:
        self._count(node)
        if depth > MAX_DEPTH:
            raise _TooBig(f"invalid YAML: values are nested too deeply (over {MAX_DEPTH})", node)
        if isinstance(node, yaml.ScalarNode):
            if node.tag == f"{_TAG}str":
                return node.value
            if node.tag not in _SCALAR_TAGS:
                self._report(node, f"unsupported YAML tag '{_short(node.tag)}': plain values only")
                return None
            return _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
        if id(node) in self.stack:
            raise _TooBig("recursive alias: a value contains itself", node)
        self.stack.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != f"{_TAG}seq":
                    self._report(
                        node, f"unsupported YAML tag '{_short(node.tag)}': plain lists only"
                    )
                return [self.convert(item, depth + 1) for item in node.value]
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node, depth)
        finally:
            self.stack.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        if node.tag != f"{_TAG}map":
            self._report(node, f"unsupported YAML tag '{_short(node.tag)}': plain mappings only")
        written = {id(k) for k, _ in node.value if k.tag != f"{_TAG}merge"}
        if len(written) < len(node.value):
            try:
                _CONSTRUCTOR.flatten_mapping(node)
            except yaml.MarkedYAMLError as exc:
                self.fatal.append(_yaml_problem(exc, self.display))
        out: dict[str, Any] = {}
        first: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._report(key_node, "keys must be plain text, not lists or mappings")
                continue
            key = key_node.value
            if key in first:
                if id(first[key]) not in written or id(key_node) not in written:
                    # A key written here overrides one merged in with `<<:`, as YAML intends;
                    # flatten_mapping put the merged ones first.
                    if id(key_node) in written:
                        first[key] = key_node
                        out[key] = self.convert(value_node, depth + 1)
                    continue
                line = first[key].start_mark.line + 1
                message = f"duplicate key '{key}' (first written on line {line})"
                self._report(key_node, message, fatal=False)
                continue
            first[key] = key_node
            out[key] = self.convert(value_node, depth + 1)
        return out
