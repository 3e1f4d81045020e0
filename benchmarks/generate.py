"""Synthetic help centers: content files on disk and the matching live JSON.

One file per collection, translations in every non-default locale (names and descriptions for
collections, names for sections), names unique under each parent, as a writer would have it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from contentsync.locales import DEFAULT_LOCALE, LOCALES

TRANSLATED: tuple[str, ...] = tuple(loc for loc in LOCALES if loc != DEFAULT_LOCALE)


def collection_name(i: int) -> str:
    return f"Collection {i:04d}"


def section_name(i: int, j: int) -> str:
    return f"Section {i:04d}.{j:02d}"


def collection_doc(i: int, sections: int, locales: tuple[str, ...] = TRANSLATED) -> dict[str, Any]:
    name = collection_name(i)
    return {
        "name": name,
        "description": f"Everything about topic {i}: guides, answers and tips.",
        "translations": {
            loc: {"name": f"{name} [{loc}]", "description": f"Topic {i} described in {loc}."}
            for loc in locales
        },
        "sections": [
            {
                "name": section_name(i, j),
                "translations": {loc: {"name": f"{section_name(i, j)} [{loc}]"} for loc in locales},
            }
            for j in range(sections)
        ],
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
    """Write `collections` files of `sections` sections each under content_dir/identifier."""
    folder = content_dir / identifier
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_help_center.yaml").write_text("default_locale: en\nprune: true\n", "utf-8")
    files = []
    for i in range(first, first + collections):
        path = folder / f"collection-{i:04d}.yaml"
        text = yaml.dump(
            collection_doc(i, sections, locales),
            Dumper=yaml.CSafeDumper,
            allow_unicode=True,
            sort_keys=False,
            width=1000,
        )
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


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
    """What Intercom's list endpoints return for a help center equal to the generated content."""
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
        for s in doc["sections"]:
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
