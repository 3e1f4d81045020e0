"""Live state -> content files (ids pinned) that `validate` accepts and `plan` finds unchanged."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

import yaml

from contentsync.loader import HELP_CENTER_FILES
from contentsync.locales import DEFAULT_LOCALE
from contentsync.model import LiveHelpCenter, LiveState, Text


def modeline(schema: str, depth: int) -> str:
    """The editor's pointer to a file's JSON Schema, from a file `depth` folders below the
    project root: `contentsync export` writes schemas/ there, beside the content directory,
    so the pointer resolves in a repository that had no schemas/ before."""
    return f"# yaml-language-server: $schema={'../' * depth}schemas/{schema}.schema.json\n"


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "collection"


def export_help_center(
    live: LiveState, help_center: LiveHelpCenter, default_locale: str | None = None
) -> dict[str, str]:
    """File name -> YAML text for one help center's folder."""
    collections = sorted(
        (c for c in live.collections if c.help_center_id == help_center.id),
        key=lambda c: (c.name, c.id),
    )
    locale = default_locale or _guess_default_locale(live, help_center) or DEFAULT_LOCALE
    sections_in: dict[str, list[Any]] = {}
    for s in sorted(live.sections, key=lambda s: (s.name, s.id)):
        sections_in.setdefault(s.parent_id, []).append(s)
    files = {
        HELP_CENTER_FILES[0]: modeline("help_center", depth=2)
        + _dump({"default_locale": locale, "prune": True})
    }
    taken: set[str] = set(files)
    for c in collections:
        data: dict[str, Any] = {"id": c.id, "name": c.name}
        if c.description:
            data["description"] = c.description
        translations = _texts(c.translations, locale, with_description=True)
        if translations:
            data["translations"] = translations
        sections = []
        for s in sections_in.get(c.id, []):
            section: dict[str, Any] = {"id": s.id, "name": s.name}
            texts = _texts(s.translations, locale, with_description=False)
            if texts:
                section["translations"] = texts
            sections.append(section)
        if sections:
            data["sections"] = sections
        file = f"{slug(c.name)}.yaml"
        if file in taken:
            file = f"{slug(c.name)}-{c.id}.yaml"
        taken.add(file)
        files[file] = modeline("collection", depth=2) + _dump(data)
    return files


def _guess_default_locale(live: LiveState, help_center: LiveHelpCenter) -> str | None:
    found = Counter(
        c.default_locale
        for c in live.collections
        if c.help_center_id == help_center.id and c.default_locale
    )
    return found.most_common(1)[0][0] if found else None


def _texts(
    translations: dict[str, Text] | Any, default_locale: str, *, with_description: bool
) -> dict[str, dict[str, str]]:
    out = {}
    for locale, text in sorted(translations.items()):
        if locale == default_locale:
            continue
        entry = {"name": text.name}
        if with_description and text.description:
            entry["description"] = text.description
        out[locale] = entry
    return out


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
