"""Intercom's JSON -> the live model. One list call per kind, page by page; nothing per object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from contentsync.gcpause import collector_paused
from contentsync.locales import LOCALES
from contentsync.model import (
    LiveCollection,
    LiveHelpCenter,
    LiveSection,
    LiveState,
    Text,
    clean_description,
    clean_name,
)


class Lister(Protocol):
    def list_help_centers(self) -> list[dict[str, Any]]: ...
    def list_collections(self) -> list[dict[str, Any]]: ...
    def list_sections(self) -> list[dict[str, Any]]: ...


def read_live(client: Lister) -> LiveState:
    """API 2.9 lets a collection's help_center_id be null. In a workspace with one help center
    such a collection can only be in that one, and must be matched there: left out, its name
    would be free and the plan would create it again."""
    # The content is loaded by now; see collector_paused for why the collector waits.
    with collector_paused():
        help_centers = tuple(help_center(h) for h in client.list_help_centers())
        only = help_centers[0].id if len(help_centers) == 1 else None
        return LiveState(
            help_centers=help_centers,
            collections=tuple(collection(c, only) for c in client.list_collections()),
            sections=tuple(section(s) for s in client.list_sections()),
        )


def help_center(raw: Mapping[str, Any]) -> LiveHelpCenter:
    return LiveHelpCenter(
        id=str(raw["id"]),
        identifier=str(raw.get("identifier") or ""),
        display_name=str(raw.get("display_name") or ""),
    )


def collection(raw: Mapping[str, Any], help_center_if_null: str | None = None) -> LiveCollection:
    help_center_id = raw.get("help_center_id")
    if help_center_id is None:
        help_center_id = help_center_if_null
    return LiveCollection(
        id=str(raw["id"]),
        help_center_id=None if help_center_id is None else str(help_center_id),
        name=clean_name(raw.get("name")),
        description=clean_description(raw.get("description")),
        translations=translations(raw.get("translated_content"), with_description=True),
        default_locale=str(raw.get("default_locale") or ""),
    )


def section(raw: Mapping[str, Any]) -> LiveSection:
    return LiveSection(
        id=str(raw["id"]),
        parent_id=str(raw.get("parent_id") or ""),
        name=clean_name(raw.get("name")),
        translations=translations(raw.get("translated_content"), with_description=False),
    )


def translations(raw: Mapping[str, Any] | None, *, with_description: bool) -> dict[str, Text]:
    """Every locale with a name; null, absent and empty locales are all 'no translation'."""
    out: dict[str, Text] = {}
    for locale in LOCALES:
        content = (raw or {}).get(locale)
        if not isinstance(content, Mapping):
            continue
        name = clean_name(content.get("name"))
        if not name:
            continue
        description = clean_description(content.get("description")) if with_description else ""
        out[locale] = Text(name, description)
    return out
