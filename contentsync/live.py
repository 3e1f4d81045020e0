"""Intercom's JSON -> the live tree. One list call per kind, page by page; nothing per object.

This is the reading half of the API adapter: API 2.9 has collections and sections, 2.10+ has
collections that nest through `parent_id`; both become the same tree of collection nodes (a 2.9
section is a level-2 collection, as it is on 2.10+ with the same id). A nested collection's help
center is its root's: 2.10+ may report it as null below the top.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from contentsync.gcpause import collector_paused
from contentsync.locales import LOCALES, nests
from contentsync.model import (
    ARTICLE,
    COLLECTION,
    Kind,
    LiveHelpCenter,
    LiveNode,
    LiveState,
    clean_description,
    clean_name,
)


class Lister(Protocol):
    api_version: str

    def list_help_centers(self) -> list[dict[str, Any]]: ...
    def list_collections(self) -> list[dict[str, Any]]: ...
    def list_sections(self) -> list[dict[str, Any]]: ...
    def list_articles(self) -> list[dict[str, Any]]: ...


def read_live(client: Lister, *, articles: bool = True) -> LiveState:
    """API 2.9 lets a collection's help_center_id be null. In a workspace with one help center
    such a collection can only be in that one, and must be matched there: left out, its name
    would be free and the plan would create it again."""
    # The content is loaded by now; see collector_paused for why the collector waits.
    with collector_paused():
        help_centers = tuple(help_center(h) for h in client.list_help_centers())
        only = help_centers[0].id if len(help_centers) == 1 else None
        raw = client.list_collections()
        if not nests(client.api_version):
            raw = [*raw, *client.list_sections()]
        nodes = [collection(c) for c in raw]
        if articles:
            nodes += [article(a) for a in client.list_articles()]
        return LiveState(help_centers, tuple(rooted(nodes, only)))


def rooted(nodes: list[LiveNode], only_help_center: str | None) -> list[LiveNode]:
    """Every node with its root collection's help center (or the only help center's)."""
    by_id = {n.id: n for n in nodes if n.kind == "collection"}

    def root_help_center(node: LiveNode, seen: int = 0) -> str | None:
        parent = by_id.get(node.parent_id or "")
        if parent is None or seen > 8:
            return node.help_center_id
        return root_help_center(parent, seen + 1)

    out = []
    for node in nodes:
        found = root_help_center(node) if node.parent_id else node.help_center_id
        if found is None and node.kind == "collection":
            found = only_help_center
        if found != node.help_center_id:
            node = LiveNode(
                node.kind, node.id, node.parent_id, found, node.fields, node.translations,
                node.order, node.default_locale, node.other_parents, node.pending_draft,
            )  # fmt: skip
        out.append(node)
    return out


def help_center(raw: Mapping[str, Any]) -> LiveHelpCenter:
    return LiveHelpCenter(
        id=str(raw["id"]),
        identifier=str(raw.get("identifier") or ""),
        display_name=str(raw.get("display_name") or ""),
    )


def collection(raw: Mapping[str, Any]) -> LiveNode:
    parent = raw.get("parent_id")
    help_center_id = raw.get("help_center_id")
    return LiveNode(
        kind="collection",
        id=str(raw["id"]),
        parent_id=None if parent in (None, "") else str(parent),
        help_center_id=None if help_center_id is None else str(help_center_id),
        fields=_fields(COLLECTION, raw),
        translations=translations(COLLECTION, raw.get("translated_content")),
        order=int(raw.get("order") or 0),
        default_locale=str(raw.get("default_locale") or ""),
    )


def article(raw: Mapping[str, Any]) -> LiveNode:
    """2.9 says `parent_id` (and `parent_type`); 2.10+ says `parent_ids`."""
    parents = [str(p) for p in raw.get("parent_ids") or ()]
    if not parents and raw.get("parent_id") not in (None, ""):
        parents = [str(raw["parent_id"])]
    return LiveNode(
        kind="article",
        id=str(raw["id"]),
        parent_id=parents[0] if parents else None,
        help_center_id=None,
        fields=_fields(ARTICLE, raw),
        translations=translations(ARTICLE, raw.get("translated_content")),
        order=int(raw.get("created_at") or 0),
        default_locale=str(raw.get("default_locale") or ""),
        other_parents=tuple(parents[1:]),
        pending_draft=bool(raw.get("has_unpublished_changes")),
    )


def _fields(kind: Kind, raw: Mapping[str, Any]) -> dict[str, str]:
    """The comparable text of one locale (or of the top level)."""
    if kind is COLLECTION:
        return {
            "name": clean_name(raw.get("name")),
            "description": clean_description(raw.get("description")),
        }
    author = raw.get("author_id")
    return {
        "title": clean_name(raw.get("title")),
        "description": clean_description(raw.get("description")),
        "body": str(raw.get("body") or ""),
        "state": str(raw.get("state") or "draft"),
        "author": "" if author is None else str(author),
    }


def translations(kind: Kind, raw: Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    """Every locale with a name (title); null, absent and empty locales are 'no translation'."""
    out: dict[str, dict[str, str]] = {}
    for locale in LOCALES:
        content = (raw or {}).get(locale)
        if not isinstance(content, Mapping):
            continue
        fields = _fields(kind, content)
        if fields[kind.key_field]:
            out[locale] = fields
    return out
