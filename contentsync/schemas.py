"""The JSON Schemas (Draft 2020-12) for contentsync's files, built from one source.

The loader validates with these dictionaries; `schemas/*.schema.json` in the repository are
the same dictionaries written out for editors (`contentsync schemas --write`), and a test
fails if the two ever differ.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contentsync.locales import API_VERSIONS, LOCALES

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_ID: dict[str, Any] = {
    "description": "Pins this object to a live Intercom object (export writes it).",
    "type": ["string", "integer"],
    "pattern": "^[0-9]+$",
    "minimum": 1,
}
# Intercom documents no length limit for collection or section names; 255 is its documented
# limit for the nearest thing (a content snippet's title, API 2.16) and the usual database
# column behind a name. A name is one line: Intercom shows it as a heading and a link text.
NAME_MAX_LENGTH = 255
_NAME: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": NAME_MAX_LENGTH,
    "pattern": "\\S",
    # A line break inside the name; one at either end is trimmed like other whitespace.
    "not": {"type": "string", "pattern": "\\S\\s*[\\n\\r]\\s*\\S"},
}
_DESCRIPTION: dict[str, Any] = {"type": ["string", "null"]}


def _translations(text_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": "Intercom locale code -> content; not the default locale.",
        "type": "object",
        "propertyNames": {"enum": list(LOCALES)},
        "additionalProperties": text_schema,
    }


def collection_schema() -> dict[str, Any]:
    collection_text = {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {"name": _NAME, "description": _DESCRIPTION},
    }
    return {
        "$schema": DIALECT,
        "$id": "collection.schema.json",
        "title": "contentsync _collection.yaml",
        "description": (
            "One Intercom Help Center collection: its folder holds its articles and its child "
            "collections (sections on API 2.9), one folder each."
        ),
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {
            "id": _ID,
            "name": _NAME,
            "description": _DESCRIPTION,
            "translations": _translations(collection_text),
        },
    }


_AUTHOR: dict[str, Any] = {
    "description": "An Intercom teammate's email, or an admin id.",
    "type": ["string", "integer"],
    "minLength": 1,
    "minimum": 1,
}
_STATE: dict[str, Any] = {"enum": ["published", "draft"]}


def article_schema() -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "$id": "article.schema.json",
        "title": "contentsync article front matter",
        "description": (
            "The YAML between the --- lines at the top of an article's Markdown file. "
            "`id` only in the default-locale file."
        ),
        "type": "object",
        "required": ["title"],
        "additionalProperties": False,
        "properties": {
            "id": _ID,
            "title": _NAME,
            "description": _DESCRIPTION,
            "state": _STATE,
            "author": _AUTHOR,
        },
    }


def help_center_schema() -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "$id": "help_center.schema.json",
        "title": "contentsync _help_center.yaml",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "default_locale": {"enum": list(LOCALES), "default": "en"},
            "locales": {
                "description": "The languages the help center is available in (status reads it).",
                "type": "array",
                "items": {"enum": list(LOCALES)},
                "uniqueItems": True,
            },
            "prune": {
                "type": "boolean",
                "default": True,
                "description": "Delete live objects no file claims (false: list them).",
            },
            "ignore": {
                "description": (
                    "Collections another team owns in Intercom, by default-locale name path "
                    "('Billing/Refunds'; globs allowed): never read into the plan, never touched."
                ),
                "type": "array",
                "items": {"type": "string", "minLength": 1},
            },
            "default_author": _AUTHOR,
            "default_state": {**_STATE, "default": "published"},
        },
    }


def config_schema() -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "$id": "config.schema.json",
        "title": "contentsync.yaml",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "content_dir": {"type": "string", "minLength": 1, "default": "content"},
            "api_url": {
                "type": "string",
                "pattern": "^https?://",
                "default": "https://api.intercom.io",
            },
            "api_version": {"enum": list(API_VERSIONS), "default": "2.9"},
            "assets_base_url": {
                "description": "Where the repository's images are served (relative image paths).",
                "type": "string",
                "pattern": "^https://",
            },
            "default_author": _AUTHOR,
            "parallelism": {"type": "integer", "minimum": 1, "maximum": 64, "default": 8},
            "safety": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "max_delete_fraction": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": 1,
                        "default": 0.25,
                    }
                },
            },
        },
    }


SCHEMAS = {
    "collection.schema.json": collection_schema,
    "article.schema.json": article_schema,
    "help_center.schema.json": help_center_schema,
    "config.schema.json": config_schema,
}


def render(name: str) -> str:
    return json.dumps(SCHEMAS[name](), indent=2, ensure_ascii=False) + "\n"


def write_all(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        target = directory / name
        target.write_text(render(name), encoding="utf-8")
        written.append(target)
    return written
