"""Content trees on disk, and the matching live JSON, for benchmarks and tests alike.

`write_tree` writes any collection tree from a dict, so tests describe content as data instead
of hand-writing folders. The synthetic help centers of the benchmarks are one such tree:
collections with translations in every non-default locale (names and descriptions), each with
sections (child folders, names only), names unique under each parent, as a writer would have it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from contentsync.locales import DEFAULT_LOCALE, LOCALES

TRANSLATED: tuple[str, ...] = tuple(loc for loc in LOCALES if loc != DEFAULT_LOCALE)
COLLECTION_FILE = "_collection.yaml"

# A collection as data: the keys of its _collection.yaml (id, name, description, translations)
# plus `children`: folder name -> child collection, written as child folders in this shape.
Tree = Mapping[str, Mapping[str, Any]]


def write_tree(folder: Path, tree: Tree) -> list[Path]:
    """Write each collection of `tree` as folder/<folder name>/_collection.yaml, its children
    below it; return the files written, depth first in file order. `folder` is a help center
    folder (top-level collections) or a collection folder (its children)."""
    written: list[Path] = []
    for name, collection in tree.items():
        here = folder / name
        here.mkdir(parents=True, exist_ok=True)
        data = {k: v for k, v in collection.items() if k != "children"}
        path = here / COLLECTION_FILE
        path.write_text(dump(data), encoding="utf-8")
        written.append(path)
        written += write_tree(here, collection.get("children", {}))
    return written


def write_help_center(
    content_dir: Path, identifier: str, tree: Tree, settings: Mapping[str, Any] | None = None
) -> Path:
    """A help center folder with its collection tree and, if given, its _help_center.yaml."""
    folder = content_dir / identifier
    folder.mkdir(parents=True, exist_ok=True)
    if settings is not None:
        (folder / "_help_center.yaml").write_text(dump(dict(settings)), encoding="utf-8")
    write_tree(folder, tree)
    return folder


def dump(data: Mapping[str, Any]) -> str:
    return yaml.dump(
        dict(data), Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=1000
    )


# ---- the synthetic help center --------------------------------------------------------------


def collection_name(i: int) -> str:
    return f"Collection {i:04d}"


def section_name(i: int, j: int) -> str:
    return f"Section {i:04d}.{j:02d}"


def collection_folder(i: int) -> str:
    return f"collection-{i:04d}"


def collection_doc(i: int, sections: int, locales: tuple[str, ...] = TRANSLATED) -> dict[str, Any]:
    """Collection i with its sections as `children` (write_tree's shape)."""
    name = collection_name(i)
    return {
        "name": name,
        "description": f"Everything about topic {i}: guides, answers and tips.",
        "translations": {
            loc: {"name": f"{name} [{loc}]", "description": f"Topic {i} described in {loc}."}
            for loc in locales
        },
        "children": {
            f"section-{j:02d}": {
                "name": section_name(i, j),
                "translations": {loc: {"name": f"{section_name(i, j)} [{loc}]"} for loc in locales},
            }
            for j in range(sections)
        },
    }


def write_content(
    content_dir: Path,
    identifier: str,
    collections: int,
    sections: int,
    *,
    locales: tuple[str, ...] = TRANSLATED,
    first: int = 0,
) -> list[Path]:
    """Write `collections` collection folders of `sections` section folders each under
    content_dir/identifier; return the collections' _collection.yaml files."""
    tree = {
        collection_folder(i): collection_doc(i, sections, locales)
        for i in range(first, first + collections)
    }
    write_help_center(content_dir, identifier, tree, {"default_locale": "en", "prune": True})
    folder = content_dir / identifier
    return [folder / name / COLLECTION_FILE for name in tree]


def translated_content(texts: dict[str, Any], with_description: bool) -> dict[str, Any]:
    """The API's group_translated_content: every locale key, null where nothing is written."""
    out: dict[str, Any] = {"type": "group_translated_content"}
    for loc in LOCALES:
        text = texts.get(loc)
        if text is None:
            out[loc] = None
        else:
            content = {"type": "group_content", "name": text["name"]}
            if with_description:
                content["description"] = text.get("description", "")
            out[loc] = content
    return out


def live_json(
    help_center_id: str, collections: int, sections: int, locales: tuple[str, ...] = TRANSLATED
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What Intercom's 2.9 list endpoints (collections, sections) return for a help center
    equal to the generated content."""
    out_c: list[dict[str, Any]] = []
    out_s: list[dict[str, Any]] = []
    next_id = 1000
    for i in range(collections):
        doc = collection_doc(i, sections, locales)
        next_id += 1
        cid = next_id
        texts = dict(doc["translations"])
        texts[DEFAULT_LOCALE] = {"name": doc["name"], "description": doc["description"]}
        out_c.append(
            {
                "id": str(cid),
                "workspace_id": "bench",
                "name": doc["name"],
                "description": doc["description"],
                "help_center_id": int(help_center_id),
                "default_locale": DEFAULT_LOCALE,
                "translated_content": translated_content(texts, True),
            }
        )
        for s in doc["children"].values():
            next_id += 1
            stexts = dict(s["translations"])
            stexts[DEFAULT_LOCALE] = {"name": s["name"]}
            out_s.append(
                {
                    "id": str(next_id),
                    "parent_id": cid,
                    "name": s["name"],
                    "translated_content": translated_content(stexts, False),
                }
            )
    return out_c, out_s
