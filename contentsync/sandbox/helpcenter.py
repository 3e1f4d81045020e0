"""Help centers, collections and sections: one tree of collections, served in the shape of the
version each call asks for.

- 2.9: `/help_center/collections` holds the level-1 collections, `/help_center/sections` the
  level-2 ones (a section is a level-2 collection, same id); a level-3 collection has no place
  in 2.9 and is not shown. `parent_id` in a 2.9 collection body is ignored, as 2.9 has none.
- 2.10 and later (all served as 2.16 is): every collection at `/help_center/collections` with a
  `parent_id` (a string, null at the top), nesting at most 3 levels. A collection created under
  a parent without a `help_center_id` reports null for it, as Intercom may (its help center is
  its root's). 2.10 to 2.15 still answer `/help_center/sections` in the 2.9 shape; 2.16 does not
  have it (404).

What the descriptions leave open is emulated cautiously: deleting a collection deletes every
collection below it and leaves its articles without that parent; moves never cross help
centers (400). A monolingual help center (one locale) answers with no `default_locale` and no
`translated_content`; a locale it does not have is refused (400).
"""

from __future__ import annotations

from typing import Any

from contentsync.locales import LOCALE_SET, LOCALES
from contentsync.sandbox.calls import (
    HOST,
    NOT_FOUND,
    WORKSPACE,
    ApiProblem,
    Call,
    find,
    id_field,
    integer,
    newest_first,
    page,
    required_text,
    text,
)
from contentsync.sandbox.state import SandboxState

MAX_LEVELS = 3
NAME_REQUIRED = "Name is a required parameter."
DEFAULT_PER_PAGE = 20


# ---- help centers -------------------------------------------------------------------------------


def render_help_center(state: SandboxState, call: Call, hc: dict[str, Any]) -> dict[str, Any]:
    out = {
        "id": hc["id"],
        "workspace_id": WORKSPACE,
        "created_at": hc["created_at"],
        "updated_at": hc["updated_at"],
        "identifier": hc["identifier"],
        "website_turned_on": True,
        "display_name": hc["display_name"],
        "url": f"{HOST}/{hc['identifier']}",
        "custom_domain": None,
    }
    if call.nested:
        out["locales"] = list(hc["locales"])
        out["default"] = hc["id"] == min(state.help_centers, key=int)
    return out


def list_help_centers(state: SandboxState, call: Call) -> dict[str, Any]:
    """Paged like the other lists, though without `pages` (the descriptions have none): the
    official SDK asks for pages until one is empty."""
    return page(
        call,
        sorted(state.help_centers.values(), key=lambda h: int(h["id"])),
        lambda h: render_help_center(state, call, h),
        default_per_page=DEFAULT_PER_PAGE,
        with_pages=False,
    )


def get_help_center(state: SandboxState, call: Call) -> dict[str, Any]:
    return render_help_center(state, call, find(state.help_centers, call.id))


# ---- rendering ----------------------------------------------------------------------------------


def _translated(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "group_translated_content"}
    for locale in LOCALES:
        content = record["translations"].get(locale)
        out[locale] = None if content is None else {
            "type": "group_content",
            "name": content["name"],
            "description": content.get("description", ""),
        }  # fmt: skip
    return out


def render_collection(state: SandboxState, call: Call, c: dict[str, Any]) -> dict[str, Any]:
    hc = state.help_center_of(c["id"])
    default = c["translations"].get(hc["default_locale"], {})
    out: dict[str, Any] = {
        "id": c["id"],
        "workspace_id": WORKSPACE,
        "name": default.get("name", ""),
        "url": f"{HOST}/{hc['identifier']}/collections/{c['id']}",
        "order": c["order"],
        "created_at": c["created_at"],
        "updated_at": c["updated_at"],
        "description": default.get("description", ""),
        "icon": "book-bookmark",
    }
    if call.nested:
        hc_id = c["help_center_id"]
        out["help_center_id"] = None if hc_id is None else int(hc_id)
        out["parent_id"] = c["parent_id"]
    else:
        out["help_center_id"] = int(hc["id"])
        out["type"] = "collection"
    if len(hc["locales"]) > 1:
        out["default_locale"] = hc["default_locale"]
        out["translated_content"] = _translated(c)
    return out


def render_section(state: SandboxState, call: Call, s: dict[str, Any]) -> dict[str, Any]:
    hc = state.help_center_of(s["id"])
    default = s["translations"].get(hc["default_locale"], {})
    out: dict[str, Any] = {
        "type": "section",
        "id": s["id"],
        "workspace_id": WORKSPACE,
        "name": default.get("name", ""),
        "created_at": s["created_at"],
        "updated_at": s["updated_at"],
        "url": f"{HOST}/{hc['identifier']}/sections/{s['id']}",
        "icon": None,
        "order": s["order"],
        "parent_id": int(s["parent_id"]),
    }
    if len(hc["locales"]) > 1:
        out["default_locale"] = hc["default_locale"]
        out["translated_content"] = _translated(s)
    return out


# ---- collections --------------------------------------------------------------------------------


def _visible(state: SandboxState, call: Call, level: int) -> list[dict[str, Any]]:
    """The collections a call sees at a path: on 2.10+ every one at /collections."""
    if call.nested and level == 1:
        return list(state.collections.values())
    return [c for c in state.collections.values() if state.level(c["id"]) == level]


def _find_at(state: SandboxState, call: Call, level: int) -> dict[str, Any]:
    record = find(state.collections, call.id)
    if (level == 2 or not call.nested) and state.level(record["id"]) != level:
        raise NOT_FOUND
    return record


def list_collections(state: SandboxState, call: Call) -> dict[str, Any]:
    return page(
        call,
        newest_first(_visible(state, call, 1)),
        lambda c: render_collection(state, call, c),
        default_per_page=DEFAULT_PER_PAGE,
    )


def get_collection(state: SandboxState, call: Call) -> dict[str, Any]:
    return render_collection(state, call, _find_at(state, call, 1))


def create_collection(state: SandboxState, call: Call) -> dict[str, Any]:
    body = call.body
    name = required_text(body, "name", NAME_REQUIRED)
    description = text(body, "description")
    parent_id = _parent(state, body) if call.nested else None
    hc_id = body.get("help_center_id")
    if hc_id is not None:
        hc_id = str(integer(hc_id, "help_center_id"))
        if hc_id not in state.help_centers:
            raise ApiProblem(404, "not_found", "Help Center Not Found")
    if parent_id is not None:
        if state.level(parent_id) >= MAX_LEVELS:
            raise ApiProblem(
                400, "parameter_invalid", f"Collections nest at most {MAX_LEVELS} levels deep"
            )
        hc = state.help_center_of(parent_id)
        if hc_id is not None and hc_id != hc["id"]:
            raise ApiProblem(400, "parameter_invalid", "The parent is in another help center")
    else:
        if hc_id is None:
            if not state.help_centers:
                raise ApiProblem(400, "parameter_invalid", "No help center to create it in")
            hc_id = min(state.help_centers, key=int)
        hc = state.help_centers[hc_id]
    translations = _merged_texts({}, body, hc)
    default = translations.setdefault(hc["default_locale"], {})
    default["name"] = name
    if description is not None or "description" not in default:
        default["description"] = description or ""
    record = _new(state, call, parent_id)
    record["help_center_id"] = hc_id
    record["translations"] = translations
    state.collections[record["id"]] = record
    return render_collection(state, call, record)


def update_collection(state: SandboxState, call: Call) -> dict[str, Any]:
    record = _find_at(state, call, 1)
    translations = _updated_texts(state, record, call.body)
    if call.nested and "parent_id" in call.body:
        _move(state, record, _parent(state, call.body))
    record["translations"] = translations
    state.touch(record)
    return render_collection(state, call, record)


def delete_collection(state: SandboxState, call: Call) -> dict[str, Any]:
    record = _find_at(state, call, 1)
    _delete(state, record["id"])
    return {"id": record["id"], "object": "collection", "deleted": True}


# ---- sections (2.9 to 2.15) ---------------------------------------------------------------------


def _no_sections(call: Call) -> None:
    if call.version == "2.16":
        raise NOT_FOUND


def list_sections(state: SandboxState, call: Call) -> dict[str, Any]:
    _no_sections(call)
    return page(
        call,
        newest_first(_visible(state, call, 2)),
        lambda s: render_section(state, call, s),
        default_per_page=DEFAULT_PER_PAGE,
    )


def get_section(state: SandboxState, call: Call) -> dict[str, Any]:
    _no_sections(call)
    return render_section(state, call, _find_at(state, call, 2))


def create_section(state: SandboxState, call: Call) -> dict[str, Any]:
    _no_sections(call)
    name = required_text(call.body, "name", NAME_REQUIRED)
    parent_id = _section_parent(state, call.body)
    if parent_id is None:
        raise ApiProblem(400, "parameter_not_found", "Parent is a required parameter.")
    hc = state.help_center_of(parent_id)
    translations = _merged_texts({}, call.body, hc)
    translations.setdefault(hc["default_locale"], {})["name"] = name
    record = _new(state, call, parent_id)
    record["help_center_id"] = hc["id"]
    record["translations"] = translations
    state.collections[record["id"]] = record
    return render_section(state, call, record)


def update_section(state: SandboxState, call: Call) -> dict[str, Any]:
    _no_sections(call)
    record = _find_at(state, call, 2)
    translations = _updated_texts(state, record, call.body)
    parent_id = _section_parent(state, call.body)
    if parent_id is not None:
        _move(state, record, parent_id)
    record["translations"] = translations
    state.touch(record)
    return render_section(state, call, record)


def delete_section(state: SandboxState, call: Call) -> dict[str, Any]:
    _no_sections(call)
    record = _find_at(state, call, 2)
    _delete(state, record["id"])
    return {"id": record["id"], "object": "section", "deleted": True}


# ---- the tree -----------------------------------------------------------------------------------


def _parent(state: SandboxState, body: dict[str, Any]) -> str | None:
    """A 2.10+ `parent_id`: null for the top, else an existing collection."""
    raw = body.get("parent_id")
    if raw is None:
        return None
    parent_id = id_field(raw, "parent_id")
    if parent_id not in state.collections:
        raise ApiProblem(404, "not_found", "Parent collection Not Found")
    return parent_id


def _section_parent(state: SandboxState, body: dict[str, Any]) -> str | None:
    """A section's `parent_id`: a level-1 collection."""
    raw = body.get("parent_id")
    if raw is None:
        return None
    parent_id = str(integer(raw, "parent_id"))
    if parent_id not in state.collections or state.level(parent_id) != 1:
        raise ApiProblem(404, "not_found", "Parent collection Not Found")
    return parent_id


def _move(state: SandboxState, record: dict[str, Any], parent_id: str | None) -> None:
    if parent_id == record["parent_id"]:
        return
    hc = state.help_center_of(record["id"])
    if parent_id is None:
        record["parent_id"], record["help_center_id"] = None, hc["id"]
        return
    if parent_id in state.subtree(record["id"]):
        raise ApiProblem(400, "parameter_invalid", "A collection cannot be moved under itself")
    if state.help_center_of(parent_id)["id"] != hc["id"]:
        raise ApiProblem(400, "parameter_invalid", "The parent is in another help center")
    if state.level(parent_id) + state.height(record["id"]) > MAX_LEVELS:
        raise ApiProblem(
            400, "parameter_invalid", f"Collections nest at most {MAX_LEVELS} levels deep"
        )
    record["parent_id"] = parent_id


def _delete(state: SandboxState, collection_id: str) -> None:
    gone = set(state.subtree(collection_id))
    for id in gone:
        del state.collections[id]
    for article in state.articles.values():
        if article["parent_id"] in gone:
            article["parent_id"] = None
            state.touch(article)
    state.changed()


def _new(state: SandboxState, call: Call, parent_id: str | None) -> dict[str, Any]:
    """A collection that takes the next `order` among its siblings, as Intercom's do."""
    siblings = [c["order"] for c in state.collections.values() if c["parent_id"] == parent_id]
    record: dict[str, Any] = {
        "id": state.new_id(),
        "parent_id": parent_id,
        "translations": {},
        "created_at": int(call.now),
        "order": 1 + max(siblings, default=0),
    }
    state.touch(record)
    return record


# ---- names and descriptions per locale ----------------------------------------------------------


def _updated_texts(
    state: SandboxState, record: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any]:
    """The record's translations after an update: `translated_content`, then the top-level
    name and description, which are the default locale's."""
    hc = state.help_center_of(record["id"])
    translations = _merged_texts(record["translations"], body, hc)
    current = translations.setdefault(hc["default_locale"], {"name": ""})
    if body.get("name") is not None:
        current["name"] = required_text(body, "name", NAME_REQUIRED)
    description = text(body, "description")
    if description is not None:
        current["description"] = description
    return translations


def _merged_texts(
    before: dict[str, Any], body: dict[str, Any], hc: dict[str, Any]
) -> dict[str, Any]:
    """`translated_content` merged into a copy of `before`, field by field: a locale sent with
    only its name keeps its description. A locale sent as null is removed (never the default
    one). `before` is left as it was, so a refused request changes nothing."""
    translations = {locale: dict(fields) for locale, fields in before.items()}
    raw = body.get("translated_content")
    if raw is None:
        return translations
    if not isinstance(raw, dict):
        raise ApiProblem(400, "parameter_invalid", "translated_content must be an object")
    enabled = set(hc["locales"])
    for locale, content in raw.items():
        if locale == "type":
            continue
        if locale not in LOCALE_SET:
            raise ApiProblem(400, "parameter_invalid", f"Unknown locale {locale}")
        if locale not in enabled:
            raise ApiProblem(
                400, "parameter_invalid", f"Locale {locale} is not enabled in this help center"
            )
        if content is None:
            if locale != hc["default_locale"]:
                translations.pop(locale, None)
            continue
        if not isinstance(content, dict):
            raise ApiProblem(
                400, "parameter_invalid", f"translated_content.{locale} must be an object"
            )
        merged = dict(translations.get(locale, {}))
        if content.get("name") is not None or "name" not in merged:
            merged["name"] = required_text(content, "name", NAME_REQUIRED)
        description = text(content, "description")
        if description is not None:
            merged["description"] = description
        translations[locale] = merged
    return translations
