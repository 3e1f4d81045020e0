"""Live state -> content files (ids pinned) that `validate` accepts and `plan` finds unchanged.

Folder names carry a zero-padded prefix from Intercom's `order`, so the files sort, and so are
created, in the order Intercom shows them.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

import yaml

from contentsync.canonical import target
from contentsync.html_to_markdown import to_markdown
from contentsync.loader import COLLECTION_FILES, HELP_CENTER_FILES
from contentsync.locales import DEFAULT_LOCALE
from contentsync.model import LiveHelpCenter, LiveNode, LiveState

MODELINE = "# yaml-language-server: $schema={up}schemas/{name}.schema.json\n"


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "collection"


def export_help_center(
    live: LiveState,
    help_center: LiveHelpCenter,
    default_locale: str | None = None,
    emails: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Relative file path -> text for one help center's folder. `emails`: admin id -> email,
    so authors are written as people read them."""
    nodes = [n for n in live.nodes if n.help_center_id == help_center.id]
    collection_ids = {n.id for n in nodes if n.kind == "collection"}
    locale = default_locale or _guess_default_locale(nodes) or DEFAULT_LOCALE
    children: dict[str | None, list[LiveNode]] = defaultdict(list)
    articles: dict[str, list[LiveNode]] = defaultdict(list)
    for n in nodes:
        if n.kind == "collection":
            children[n.parent_id].append(n)
    for n in live.nodes:
        if n.kind == "article" and n.parent_id in collection_ids and not n.other_parents:
            articles[n.parent_id or ""].append(n)
    files = {
        HELP_CENTER_FILES[0]: MODELINE.format(up="../../", name="help_center")
        + _dump({"default_locale": locale, "prune": True})
    }

    located: dict[str, str] = {}  # article id -> its default-locale file

    def write(parent: str | None, folder: str, depth: int) -> None:
        for c, name in _numbered(children.get(parent, [])):
            path = f"{folder}{name}/"
            data: dict[str, Any] = {"id": c.id, "name": c.key}
            if c.fields.get("description"):
                data["description"] = c.fields["description"]
            translations = _texts(c.translations, locale)
            if translations:
                data["translations"] = translations
            up = "../" * (depth + 2)
            files[path + COLLECTION_FILES[0]] = MODELINE.format(up=up, name="collection") + _dump(
                data
            )
            write(c.id, path, depth + 1)
            for article, article_path, text in _articles(
                articles.get(c.id, []), locale, emails or {}
            ):
                files[path + article_path] = text
                if article is not None:
                    located[article] = path + article_path

    write(None, "", 1)
    return _relative_links(files, located)


_HREF = re.compile(r"\]\((https?://[^)\s]+)\)")


def _relative_links(files: dict[str, str], located: Mapping[str, str]) -> dict[str, str]:
    """Links to exported articles become links to their files, as a writer writes them."""

    def rewrite(path: str, text: str) -> str:
        def swap(match: re.Match[str]) -> str:
            found = target(match.group(1))
            article, _, fragment = found.removeprefix("article:").partition("#")
            if not found.startswith("article:") or article not in located:
                return match.group(0)
            relative = posixpath.relpath(located[article], posixpath.dirname(path))
            return f"]({relative}{'#' + fragment if fragment else ''})"

        return _HREF.sub(swap, text)

    return {p: rewrite(p, t) if p.endswith(".md") else t for p, t in files.items()}


def _numbered(siblings: list[LiveNode]) -> list[tuple[LiveNode, str]]:
    """Siblings in Intercom's order (`order`, else creation), each with a file name that sorts
    in that order: a zero-padded position and a slug of its name."""
    ordered = sorted(siblings, key=lambda n: (n.order, int(n.id)))
    width = len(str(len(ordered)))
    taken: set[str] = set()
    out = []
    for index, node in enumerate(ordered, start=1):
        name = f"{index:0{width}d}-{slug(node.key)}"
        if name in taken:
            name = f"{name}-{node.id}"
        taken.add(name)
        out.append((node, name))
    return out


def _articles(
    articles: list[LiveNode], default_locale: str, emails: Mapping[str, str]
) -> list[tuple[str | None, str, str]]:
    """Markdown files, prefixed in creation order: Intercom shows them in that order."""
    out: list[tuple[str | None, str, str]] = []
    for a, name in _numbered(articles):
        out.append((a.id, f"{name}.md", _article_file(a.id, a.fields, None, emails)))
        for locale, fields in sorted(a.translations.items()):
            if locale != default_locale:
                text = _article_file(None, fields, a.fields, emails)
                out.append((None, f"{name}.{locale}.md", text))
    return out


def _article_file(
    id: str | None,
    fields: Mapping[str, str],
    default: Mapping[str, str] | None,
    emails: Mapping[str, str],
) -> str:
    data: dict[str, Any] = {} if id is None else {"id": id}
    data["title"] = fields["title"]
    if fields.get("description"):
        data["description"] = fields["description"]
    for key in ("state", "author"):
        value = fields.get(key, "")
        if key == "author":
            value = emails.get(value, value)
        if value and (default is None or value != emails.get(default[key], default[key])):
            data[key] = value
    return "---\n" + _dump(data) + "---\n" + to_markdown(fields.get("body", ""))


def _guess_default_locale(nodes: list[LiveNode]) -> str | None:
    found = Counter(n.default_locale for n in nodes if n.default_locale)
    return found.most_common(1)[0][0] if found else None


def _texts(
    translations: Mapping[str, Mapping[str, str]], default_locale: str
) -> dict[str, dict[str, str]]:
    out = {}
    for locale, text in sorted(translations.items()):
        if locale == default_locale:
            continue
        entry = {"name": text["name"]}
        if text.get("description"):
            entry["description"] = text["description"]
        out[locale] = entry
    return out


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
