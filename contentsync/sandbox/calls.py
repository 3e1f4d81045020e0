"""What every endpoint of the sandbox shares: the call it answers, the errors it raises, paging
and the checks of request fields that Intercom answers 400 for."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

API_VERSIONS = ("2.9", *(f"2.{n}" for n in range(10, 17)))
WORKSPACE = "sandbox"
HOST = "https://help.sandbox.test"


@dataclass(frozen=True)
class Call:
    """One request, as an endpoint sees it: the API version it asked for, the `{id}` of its
    path, its query and its JSON body ({} when it had none)."""

    version: str
    id: str
    query: Mapping[str, str]
    body: dict[str, Any]
    now: float

    @property
    def nested(self) -> bool:
        """2.10 and later: collections nest, and every such version is served as 2.16 is."""
        return self.version != "2.9"


class ApiProblem(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


NOT_FOUND = ApiProblem(404, "not_found", "Resource Not Found")


def error_body(code: str, message: str) -> dict[str, Any]:
    return {
        "type": "error.list",
        "request_id": str(uuid.uuid4()),
        "errors": [{"code": code, "message": message}],
    }


def find(table: Mapping[str, dict[str, Any]], id: str) -> dict[str, Any]:
    record = table.get(id)
    if record is None:
        raise NOT_FOUND
    return record


def page(
    call: Call,
    records: list[dict[str, Any]],
    render: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    default_per_page: int,
    with_pages: bool = True,
) -> dict[str, Any]:
    """One page of `records` in the order given. `per_page` above 250 is served as 250; a
    page past the end has no data."""
    number = int_param(call, "page", 1)
    per_page = min(250, int_param(call, "per_page", default_per_page))
    ordered = records
    chunk = ordered[(number - 1) * per_page : number * per_page]
    out: dict[str, Any] = {"type": "list", "data": [render(r) for r in chunk]}
    if with_pages:
        out["total_count"] = len(ordered)
        out["pages"] = {
            "type": "pages",
            "page": number,
            "per_page": per_page,
            "total_pages": max(1, math.ceil(len(ordered) / per_page)),
        }
    return out


def newest_first(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Intercom's order for lists: by updated_at, most recent first."""
    return sorted(records, key=lambda r: (r["updated_at"], r["seq"]), reverse=True)


def int_param(call: Call, name: str, default: int) -> int:
    raw = call.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiProblem(400, "parameter_invalid", f"{name} must be an integer") from None
    if value < 1:
        raise ApiProblem(400, "parameter_invalid", f"{name} must be at least 1")
    return value


def text(body: Mapping[str, Any], key: str) -> str | None:
    """An optional string field."""
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ApiProblem(400, "parameter_invalid", f"{key} must be a string")
    return value


def required_text(body: Mapping[str, Any], key: str, message: str) -> str:
    """A string that must be there and hold more than blanks, as Intercom's example for an
    empty name shows (400 parameter_not_found)."""
    value = text(body, key)
    if value is None or not value.strip():
        raise ApiProblem(400, "parameter_not_found", message)
    return value


def integer(value: Any, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ApiProblem(400, "parameter_invalid", f"{key} must be an integer")
    return value


def id_field(value: Any, key: str) -> str:
    """An id sent as an integer or a string of digits (the specs disagree between endpoints
    and between create and update, so both are accepted)."""
    if isinstance(value, str) and value.isdigit():
        return value
    return str(integer(value, key))
