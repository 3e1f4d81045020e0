"""Articles, served in the shape of the version each call asks for.

- An article has one parent collection or none, and per locale a title, description, body,
  author_id and state (draft unless said). The default locale (its help center's) mirrors the
  top-level fields both ways. A PUT merges field by field; a locale sent as null is removed
  (there is no endpoint that deletes one). A create needs a title and the author_id of an
  admin, else 400 with Intercom's own message.
- 2.9: `parent_id` (an integer) and `parent_type` ("section" for a level-2 collection, else
  "collection"), `parent_ids` empty. 2.10 and later (served as 2.16 is): `parent_ids` and
  `has_unpublished_changes`, which is false, since every write here comes from the API.
- Bodies go through intercom_html: stored as Intercom stores them (a 400 for HTML it refuses)
  and served as it serves them.
- Lists: 25 a page by default, 250 at most, most recently updated first.
"""

from __future__ import annotations

from typing import Any

from contentsync.locales import LOCALE_SET, LOCALES
from contentsync.sandbox import intercom_html
from contentsync.sandbox.calls import (
    HOST,
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

DEFAULT_PER_PAGE = 25
STATES = ("published", "draft")
FIELDS = ("title", "description", "body", "author_id", "state")


# ---- rendering ----------------------------------------------------------------------------------


def _url(hc: dict[str, Any], locale: str, article: dict[str, Any], title: str) -> str:
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in title.lower()).split())
    return f"{HOST}/{hc['identifier']}/{locale}/articles/{article['id']}-{slug}"


def render_article(state: SandboxState, call: Call, a: dict[str, Any]) -> dict[str, Any]:
    hc = state.help_center_of(a["parent_id"])
    default = hc["default_locale"]
    main = a["translations"][default]
    out: dict[str, Any] = {
        "id": a["id"],
        "type": "article",
        "workspace_id": WORKSPACE,
        "title": main["title"],
        "description": main["description"],
        "body": intercom_html.served(main["body"], call.now),
        "author_id": main["author_id"],
        "state": main["state"],
        "created_at": a["created_at"],
        "updated_at": a["updated_at"],
        "url": _url(hc, default, a, main["title"]),
    }
    parent = a["parent_id"]
    if call.nested:
        out["parent_ids"] = [] if parent is None else [int(parent)]
        out["has_unpublished_changes"] = False
    else:
        out["parent_id"] = None if parent is None else int(parent)
        out["parent_type"] = None if parent is None else _parent_type(state, parent)
        out["parent_ids"] = []
    if len(hc["locales"]) > 1:
        out["default_locale"] = default
        out["translated_content"] = _translated(hc, call, a)
    return out


def _translated(hc: dict[str, Any], call: Call, a: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "article_translated_content"}
    for locale in LOCALES:
        content = a["translations"].get(locale)
        if content is None:
            out[locale] = None
            continue
        out[locale] = {
            "type": "article_content",
            "title": content["title"],
            "description": content["description"],
            "body": intercom_html.served(content["body"], call.now),
            "author_id": content["author_id"],
            "state": content["state"],
            "created_at": content["created_at"],
            "updated_at": content["updated_at"],
            "url": _url(hc, locale, a, content["title"]),
        }
        if call.nested:
            out[locale]["has_unpublished_changes"] = False
    return out


def _parent_type(state: SandboxState, collection_id: str) -> str:
    return "section" if state.level(collection_id) == 2 else "collection"


# ---- endpoints ----------------------------------------------------------------------------------


def list_articles(state: SandboxState, call: Call) -> dict[str, Any]:
    return page(
        call,
        newest_first(state.articles.values()),
        lambda a: render_article(state, call, a),
        default_per_page=DEFAULT_PER_PAGE,
    )


def get_article(state: SandboxState, call: Call) -> dict[str, Any]:
    return render_article(state, call, find(state.articles, call.id))


def create_article(state: SandboxState, call: Call) -> dict[str, Any]:
    body = call.body
    parent_id = _parent(state, call)
    hc = state.help_center_of(parent_id)
    now = int(call.now)
    record: dict[str, Any] = {
        "id": "",
        "parent_id": parent_id,
        "translations": {},
        "created_at": now,
    }
    _write(state, record, hc, body, now)
    record["id"] = state.new_id()
    state.touch(record)
    state.articles[record["id"]] = record
    return render_article(state, call, record)


def update_article(state: SandboxState, call: Call) -> dict[str, Any]:
    record = find(state.articles, call.id)
    parent_id = _parent(state, call) if "parent_id" in call.body else record["parent_id"]
    _write(state, record, state.help_center_of(parent_id), call.body, int(call.now))
    record["parent_id"] = parent_id
    state.touch(record)
    return render_article(state, call, record)


def delete_article(state: SandboxState, call: Call) -> dict[str, Any]:
    record = find(state.articles, call.id)
    del state.articles[record["id"]]
    state.changed()
    return {"id": record["id"], "object": "article", "deleted": True}


# ---- fields -------------------------------------------------------------------------------------


def _parent(state: SandboxState, call: Call) -> str | None:
    raw = call.body.get("parent_id")
    if raw is None:
        return None
    parent_id = id_field(raw, "parent_id")
    if parent_id not in state.collections:
        raise ApiProblem(404, "not_found", "Parent Not Found")
    parent_type = text(call.body, "parent_type")
    if parent_type is not None:
        if parent_type not in ("collection", "section"):
            raise ApiProblem(400, "parameter_invalid", "parent_type must be collection or section")
        if not call.nested and parent_type != _parent_type(state, parent_id):
            raise ApiProblem(
                400, "parameter_invalid", f"{parent_id} is not a {parent_type} (parent_type)"
            )
    return parent_id


def _write(
    state: SandboxState, record: dict[str, Any], hc: dict[str, Any], body: dict[str, Any], now: int
) -> None:
    """Merge the top-level fields (the default locale's) and `translated_content` into the
    record, checking each locale that results. Nothing is changed when something is refused."""
    default = hc["default_locale"]
    incoming: dict[str, dict[str, Any] | None] = {}
    raw = body.get("translated_content")
    if raw is not None:
        if not isinstance(raw, dict):
            raise ApiProblem(400, "parameter_invalid", "translated_content must be an object")
        for locale, content in raw.items():
            if locale == "type":
                continue
            if locale not in LOCALE_SET:
                raise ApiProblem(400, "parameter_invalid", f"Unknown locale {locale}")
            if locale not in hc["locales"]:
                raise ApiProblem(
                    400, "parameter_invalid", f"Locale {locale} is not enabled in this help center"
                )
            if content is not None and not isinstance(content, dict):
                raise ApiProblem(
                    400, "parameter_invalid", f"translated_content.{locale} must be an object"
                )
            incoming[locale] = content
    top = {key: body[key] for key in FIELDS if body.get(key) is not None}
    incoming[default] = {**(incoming.get(default) or {}), **top}

    translations = dict(record["translations"])
    for locale, content in incoming.items():
        if content is None:
            if locale != default:
                translations.pop(locale, None)
            continue
        before = translations.get(locale)
        fallback = translations.get(default) or incoming[default] or {}
        translations[locale] = _locale(state, locale, default, before, content, fallback, now)
    record["translations"] = translations


def _locale(
    state: SandboxState,
    locale: str,
    default: str,
    before: dict[str, Any] | None,
    content: dict[str, Any],
    fallback: dict[str, Any],
    now: int,
) -> dict[str, Any]:
    """One locale's fields after a write: what was sent over what was there. A new
    translation takes its author from the default locale's."""
    where = (
        "in the main body or default locale translated_content object"
        if locale == default
        else f"in translated_content.{locale}"
    )
    merged = dict(before or {"description": "", "body": "", "state": "draft", "created_at": now})
    if content.get("title") is not None or "title" not in merged:
        merged["title"] = required_text(content, "title", f"title must be {where}")
    for key in ("description", "body"):
        value = text(content, key)
        if value is not None:
            merged[key] = value if key == "description" else _stored(value)
    author = content.get("author_id", merged.get("author_id", fallback.get("author_id")))
    if author is None:
        raise ApiProblem(400, "parameter_not_found", f"author_id must be {where}")
    if str(integer(author, "author_id")) not in state.admins:
        raise ApiProblem(
            400, "parameter_invalid", f"author_id {author} is not an admin of this workspace"
        )
    merged["author_id"] = author
    value = content.get("state")
    if value is not None:
        if value not in STATES:
            raise ApiProblem(400, "parameter_invalid", "state must be published or draft")
        merged["state"] = value
    if merged != before:
        merged["updated_at"] = now
    return merged


def _stored(html: str) -> str:
    try:
        return intercom_html.store(html)
    except intercom_html.Refused as refused:
        raise ApiProblem(400, "parameter_invalid", str(refused)) from None
