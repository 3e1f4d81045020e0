"""Desired trees and their live JSON, in memory, for the pure planner tests.

`col` builds a collection with its child collections; `desired` gives every node the path the
loader would (its folder's _collection.yaml) and the loader's cleaning. `live_json` is what
Intercom's list endpoints would return after applying a desired state, in the shape of API
2.9 (collections, and sections with parent_id) or 2.10+ (nested collections with parent_id);
`live_from` reads it back as plan does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contentsync import live
from contentsync.locales import LOCALES, nests
from contentsync.model import (
    DesiredState,
    HelpCenterSpec,
    LiveState,
    Node,
    Origin,
    clean_description,
    clean_name,
    walk,
)

HC = "acme-help"
Texts = Mapping[str, Mapping[str, str]]  # locale -> {"name", "description"?}


@dataclass(frozen=True)
class Col:
    name: str
    children: tuple[Col, ...] = ()
    id: str | None = None
    description: str = ""
    translations: Texts = field(default_factory=dict)


def col(
    name: str,
    *children: Col,
    id: str | None = None,
    description: str = "",
    translations: Texts | None = None,
) -> Col:
    return Col(name, children, id, description, translations or {})


def node(c: Col, parent_folder: str, index: int, default_locale: str) -> Node:
    folder = f"{parent_folder}/{index:02d}"
    return Node(
        kind="collection",
        path=f"{folder}/_collection.yaml",
        fields={"name": clean_name(c.name), "description": clean_description(c.description)},
        translations={
            locale: {
                "name": clean_name(text["name"]),
                "description": clean_description(text.get("description")),
            }
            for locale, text in sorted(c.translations.items())
            if locale != default_locale
        },
        children=tuple(
            node(child, folder, i, default_locale) for i, child in enumerate(c.children, 1)
        ),
        id=c.id,
        origin=Origin(f"content/{folder}/_collection.yaml", 1, 7),
    )


def desired(*collections: Col, prune: bool = True, locale: str = "en") -> DesiredState:
    children = tuple(node(c, HC, i, locale) for i, c in enumerate(collections, 1))
    return DesiredState((HelpCenterSpec(HC, locale, prune, children),))


def translated_content(
    default: str, text: Mapping[str, str], others: Texts, with_description: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "group_translated_content", **dict.fromkeys(LOCALES)}
    for loc, t in {**others, default: text}.items():
        out[loc] = {
            "type": "group_content",
            "name": t["name"],
            "description": t.get("description", "") if with_description else "",
        }
    return out


def live_json(
    state: DesiredState, *, api_version: str = "2.9", next_id: int = 100
) -> dict[str, list[dict[str, Any]]]:
    """What the list endpoints would return after applying `state` (ids made up, pins kept).
    On 2.9 a depth-2 collection is a section: no description, no help_center_id."""
    data: dict[str, list[dict[str, Any]]] = {"help_centers": [], "collections": [], "sections": []}
    for h, hc in enumerate(state.help_centers, start=1):
        data["help_centers"].append({"id": str(h), "identifier": hc.identifier})
        ids: dict[str, str] = {}
        for n, parent, depth in walk(hc.children):
            next_id += 1
            ids[n.path] = n.id or str(next_id)
            section = depth == 2 and not nests(api_version)
            raw: dict[str, Any] = {
                "id": ids[n.path],
                "name": n.fields["name"],
                "translated_content": translated_content(
                    hc.default_locale, n.fields, n.translations, not section
                ),
            }
            if parent is not None:
                raw["parent_id"] = int(ids[parent.path])
            if section:
                data["sections"].append(raw)
                continue
            raw["description"] = n.fields["description"] or None
            raw["default_locale"] = hc.default_locale
            raw["help_center_id"] = h if parent is None else None
            data["collections"].append(raw)
    return data


def live_from(data: Mapping[str, list[dict[str, Any]]]) -> LiveState:
    help_centers = tuple(live.help_center(h) for h in data["help_centers"])
    nodes = [live.collection(c) for c in data["collections"] + data.get("sections", [])]
    only = help_centers[0].id if len(help_centers) == 1 else None
    return LiveState(help_centers, tuple(live.rooted(nodes, only)))
