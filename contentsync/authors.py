"""Pure: an article's `author` (a teammate's email or admin id) -> the admin id Intercom wants,
from one `GET /admins`. An unknown email or id is a plan error at the article file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from contentsync.errors import IdentityError, Problem
from contentsync.model import DesiredState, Node, walk


def admin_ids(admins: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Lower-cased email and id -> admin id."""
    out: dict[str, str] = {}
    for admin in admins:
        admin_id = str(admin.get("id", ""))
        if not admin_id:
            continue
        out[admin_id] = admin_id
        email = admin.get("email")
        if isinstance(email, str) and email:
            out[email.strip().lower()] = admin_id
    return out


def resolve_authors(desired: DesiredState, ids: Mapping[str, str]) -> DesiredState:
    problems: list[Problem] = []

    def resolve(node: Node) -> Node:
        children = tuple(resolve(c) for c in node.children)
        if node.kind != "article":
            return replace(node, children=children)

        def one(fields: Mapping[str, str], locale: str) -> dict[str, str]:
            written = fields.get("author", "")
            found = ids.get(written.strip().lower())
            if found is None:
                where = "" if not locale else f" ({locale} translation)"
                at = node.origins.get(f"author:{locale}" if locale else "author", node.origin)
                problems.append(
                    Problem(
                        at.path, at.line, at.column, "author",
                        f"no Intercom teammate has the {'id' if written.isdigit() else 'email'} "
                        f"'{written}'{where}: use an email or id that GET /admins lists",
                    )
                )  # fmt: skip
                return dict(fields)
            return {**fields, "author": found}

        return replace(
            node,
            fields=one(node.fields, ""),
            translations={k: one(v, k) for k, v in node.translations.items()},
        )

    help_centers = tuple(
        replace(hc, children=tuple(resolve(n) for n in hc.children)) for hc in desired.help_centers
    )
    if problems:
        raise IdentityError(sorted(set(problems)))
    return replace(desired, help_centers=help_centers)


def emails(desired: DesiredState) -> list[str]:
    """Every author email the content names (the embedded sandbox makes them teammates)."""
    found: set[str] = set()
    for hc in desired.help_centers:
        for node, _, _ in walk(hc.children):
            for fields in (node.fields, *node.translations.values()):
                author = fields.get("author", "")
                if "@" in author:
                    found.add(author.strip().lower())
    return sorted(found)
