"""The help center as contentsync sees it: one tree of nodes, whose kinds are described once.

A node's text is its default-locale `fields` (what Intercom shows at the top level of an
object) plus `translations`, locale -> fields, without the default locale. Both sides, the files
and Intercom, are read into that one shape, so one differ, one planner and one applier serve
every kind. Frozen values only; this module imports nothing of ours and does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

KindName = Literal["collection", "article"]
Fields = Mapping[str, str]


@dataclass(frozen=True)
class Kind:
    """What the core knows of one kind of object. Its endpoints live in the API adapter."""

    name: KindName
    key_field: str  # the default-locale field that names an object among its siblings
    fields: tuple[str, ...]  # the text fields, default locale and translations alike

    def label(self, fields: Fields) -> str:
        return fields.get(self.key_field, "")


COLLECTION = Kind("collection", "name", ("name", "description"))
ARTICLE = Kind("article", "title", ("title", "description", "body", "state", "author"))
KINDS: Mapping[KindName, Kind] = {k.name: k for k in (COLLECTION, ARTICLE)}
MAX_COLLECTION_DEPTH = 3  # Intercom nests collections at most three levels deep


def clean_name(value: str | None) -> str:
    """Names compare without surrounding whitespace: Intercom shows them trimmed."""
    return (value or "").strip()


def clean_description(value: str | None) -> str:
    """Absent, null and empty descriptions are the same; trailing whitespace never diffs."""
    return (value or "").rstrip()


@dataclass(frozen=True)
class Origin:
    """Where a desired object is written: 1-based line and column."""

    path: str
    line: int = 0
    column: int = 0


# ---- desired state: what the files say ---------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One desired object: a collection folder or an article file.

    `path` (relative to the content directory) is its reference within a plan; `children` are
    in file order, which is the order Intercom is asked to create them in.
    """

    kind: KindName
    path: str
    fields: Fields
    translations: Mapping[str, Fields] = field(default_factory=dict)
    children: tuple[Node, ...] = ()
    id: str | None = None
    origin: Origin = field(default=Origin(""), compare=False)
    id_origin: Origin | None = field(default=None, compare=False)
    # where a field the plan may refuse is written, by "field" or "field:locale"
    origins: Mapping[str, Origin] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        return KINDS[self.kind].label(self.fields)


@dataclass(frozen=True)
class HelpCenterSpec:
    identifier: str
    default_locale: str
    prune: bool
    children: tuple[Node, ...]
    origin: Origin = field(default=Origin(""), compare=False)
    locales: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class DesiredState:
    help_centers: tuple[HelpCenterSpec, ...]
    # what Intercom may drop or flatten (a table's header row, a code block's language):
    # said, never silent; each is `path:line:col: message`
    warnings: tuple[str, ...] = ()


def walk(nodes: tuple[Node, ...]) -> list[tuple[Node, Node | None, int]]:
    """Every node depth first in file order, with its parent (None at the top) and depth (1+)."""
    out: list[tuple[Node, Node | None, int]] = []

    def visit(node: Node, parent: Node | None, depth: int) -> None:
        out.append((node, parent, depth))
        for child in node.children:
            visit(child, node, depth + 1)

    for node in nodes:
        visit(node, None, 1)
    return out


# ---- live state: what Intercom has ---------------------------------------------------------


@dataclass(frozen=True)
class LiveHelpCenter:
    id: str
    identifier: str
    display_name: str = ""


@dataclass(frozen=True)
class LiveNode:
    """One live object. `parent_id` is its collection (None: the top of its help center, or
    for an article no parent at all); `help_center_id` is its root collection's."""

    kind: KindName
    id: str
    parent_id: str | None
    help_center_id: str | None
    fields: Fields
    translations: Mapping[str, Fields] = field(default_factory=dict)
    order: int = 0
    default_locale: str = ""  # only returned for multilingual help centers
    other_parents: tuple[str, ...] = ()  # an article in several help centers
    pending_draft: bool = False  # 2.16: someone is editing it in Intercom (unpublished changes)

    @property
    def key(self) -> str:
        return KINDS[self.kind].label(self.fields)


@dataclass(frozen=True)
class LiveState:
    help_centers: tuple[LiveHelpCenter, ...]
    nodes: tuple[LiveNode, ...]
