"""The sandbox: Intercom's Help Center endpoints of API 2.9 as a Starlette app.

Responses follow the 2.9 OpenAPI description (tests validate every one of them): ids are
strings, help_center_id and a section's parent_id integers, translated_content lists all 37
locales with null where absent, errors are error.list bodies. What the description leaves
open is emulated cautiously and said here:

- Deleting a collection deletes its sections (Intercom does not document it).
- In translated_content, a locale set to null removes that translation; the default locale
  mirrors the top-level name and description both ways.
- `per_page` above 250 is served as 250; a page past the end has `data: []`.
- Without a configured rate limit the headers report 10,000 per window and nothing is refused.

Faults (seeded) make the failures a real network shows: a 500 before anything changed, a 500
after the change was made, a connection dropped after the change was made, and 429s.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from contentsync.locales import LOCALE_SET, LOCALES
from contentsync.sandbox.state import SandboxState

SANDBOX_TOKEN = "sandbox-token"
WORKSPACE = "sandbox"
DEFAULT_PER_PAGE, MAX_PER_PAGE = 20, 250
UNLIMITED = 10_000
FAULT_KINDS = ("error_before_commit", "error_after_commit", "drop_after_commit", "rate_limit")
MUTATING = {"POST", "PUT", "DELETE"}


@dataclass(frozen=True)
class FaultConfig:
    rate: float = 0.0
    seed: int = 0
    kinds: tuple[str, ...] = FAULT_KINDS


NO_FAULTS = FaultConfig()


@dataclass
class Counters:
    requests: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)


class ApiProblem(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code: str, message: str) -> dict[str, Any]:
    return {
        "type": "error.list",
        "request_id": str(uuid.uuid4()),
        "errors": [{"code": code, "message": message}],
    }


class _Dropped(Response):
    """Starts a 200 answer and cuts the connection before the body is complete."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"id": "', "more_body": True})
        raise ConnectionAbortedError("sandbox fault: connection dropped after commit")


@dataclass(frozen=True)
class SandboxOptions:
    """How the sandbox behaves: who may call it, and what a real network does to calls.

    token None accepts any bearer token; rate_limit None enforces no limit (the headers
    still report one); rate_window_s is the length of a rate-limit window.
    """

    token: str | None = SANDBOX_TOKEN
    latency_ms: float = 0
    faults: FaultConfig = NO_FAULTS
    rate_limit: int | None = None
    rate_window_s: float = 10.0


DEFAULT_OPTIONS = SandboxOptions()


class Sandbox:
    def __init__(self, state: SandboxState, options: SandboxOptions = DEFAULT_OPTIONS) -> None:
        self.state = state
        self.token = options.token
        self.latency = options.latency_ms / 1000
        self.lateness = 0.0  # how much earlier to wake; see _answer_after_latency
        self.faults = options.faults
        self.random = random.Random(options.faults.seed)
        self.rate_limit = options.rate_limit
        self.window = options.rate_window_s
        self.window_start = 0.0
        self.window_count = 0
        self.counters = Counters()
        self.lock = threading.Lock()

    # ---- plumbing ---------------------------------------------------------------------

    async def _answer_after_latency(
        self, request: Request, handler: Callable[[Request, dict[str, Any] | None], Any]
    ) -> Response:
        """The answer leaves `latency` after the request arrived, as a remote server's does:
        the work (and any commit) happens at once and the wait covers it, instead of the
        wait being added to it. A single-threaded emulator that did its work after the wait
        would make concurrent requests queue behind each other's work, a cost no real
        server shows (on 2 cores, 0.05x of the apply bound when idle and 0.2x beside a busy
        process; see docs/benchmarks.md).

        asyncio wakes late, by an amount that depends on the duration and the kernel (here a
        10 ms sleep took 10.3-11.4 ms), so a fixed correction cannot work: each wait measures
        how late it woke and the next one aims that much earlier (a running average), so what
        clients see is the latency asked for, which is what benchmarks compute bounds from.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.latency
        response = await self._answer(request, handler)
        wait = deadline - loop.time() - self.lateness
        if wait > 0:  # work that took longer than the latency is not the timer's lateness
            await asyncio.sleep(wait)
            late = loop.time() - deadline
            self.lateness = max(0.0, min(self.latency, self.lateness + 0.05 * late))
        return response

    def _rate_headers(self, now: float) -> dict[str, str]:
        limit = self.rate_limit or UNLIMITED
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - self.window_count)),
            "X-RateLimit-Reset": str(math.ceil(self.window_start + self.window)),
        }

    def _fault(self, method: str) -> str | None:
        if self.faults.rate <= 0 or self.random.random() >= self.faults.rate:
            return None
        kinds = [
            k for k in self.faults.kinds if method in MUTATING or not k.endswith("after_commit")
        ]
        if not kinds:
            return None
        kind = self.random.choice(kinds)
        self.counters.faults[kind] = self.counters.faults.get(kind, 0) + 1
        return kind

    async def dispatch(
        self, request: Request, handler: Callable[[Request, dict[str, Any] | None], Any]
    ) -> Response:
        if self.latency:
            return await self._answer_after_latency(request, handler)
        return await self._answer(request, handler)

    async def _answer(
        self, request: Request, handler: Callable[[Request, dict[str, Any] | None], Any]
    ) -> Response:
        auth = request.headers.get("authorization", "")
        scheme, _, presented = auth.partition(" ")
        if (
            scheme.lower() != "bearer"
            or not presented
            or (self.token is not None and presented != self.token)
        ):
            return JSONResponse(error_body("unauthorized", "Access Token Invalid"), 401)
        now = time.time()
        with self.lock:
            self.counters.requests += 1
            method = request.method
            self.counters.by_method[method] = self.counters.by_method.get(method, 0) + 1
            if now >= self.window_start + self.window:
                self.window_start, self.window_count = now, 0
            self.window_count += 1
            over = self.rate_limit is not None and self.window_count > self.rate_limit
            fault = self._fault(method)
        headers = self._rate_headers(now)
        if over or fault == "rate_limit":
            limit = self.rate_limit or UNLIMITED
            message = f"Exceeded rate limit of {limit} in {self.window:g}_seconds"
            return JSONResponse(error_body("rate_limit_exceeded", message), 429, headers)
        if fault == "error_before_commit":
            return JSONResponse(error_body("server_error", "Internal Server Error"), 500, headers)
        body: dict[str, Any] | None = None
        if method in ("POST", "PUT"):
            try:
                parsed = await request.json()
            except ValueError:
                return JSONResponse(
                    error_body("parameter_invalid", "Body is not valid JSON"), 400, headers
                )
            if not isinstance(parsed, dict):
                return JSONResponse(
                    error_body("parameter_invalid", "Body must be an object"), 400, headers
                )
            body = parsed
        try:
            with self.state.lock:
                result = handler(request, body)
        except ApiProblem as problem:
            return JSONResponse(error_body(problem.code, problem.message), problem.status, headers)
        if fault == "error_after_commit":
            return JSONResponse(error_body("server_error", "Internal Server Error"), 500, headers)
        if fault == "drop_after_commit":
            return _Dropped()
        return JSONResponse(result, 200, headers)

    # ---- rendering ------------------------------------------------------------------------

    def _help_center_for(self, help_center_id: str) -> dict[str, Any]:
        return self.state.help_centers.get(
            help_center_id, {"identifier": "help", "default_locale": "en"}
        )

    def render_help_center(self, hc: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": hc["id"],
            "workspace_id": WORKSPACE,
            "created_at": hc["created_at"],
            "updated_at": hc["updated_at"],
            "identifier": hc["identifier"],
            "website_turned_on": True,
            "display_name": hc["display_name"],
            "url": f"https://help.sandbox.test/{hc['identifier']}",
            "custom_domain": None,
        }

    def _translated(self, record: dict[str, Any], with_description: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "group_translated_content"}
        for locale in LOCALES:
            text = record["translations"].get(locale)
            if text is None:
                out[locale] = None
            else:
                content = {"type": "group_content", "name": text["name"]}
                content["description"] = text.get("description", "") if with_description else ""
                out[locale] = content
        return out

    def render_collection(self, c: dict[str, Any]) -> dict[str, Any]:
        hc = self._help_center_for(c["help_center_id"])
        default = c["translations"].get(hc["default_locale"], {})
        return {
            "id": c["id"],
            "workspace_id": WORKSPACE,
            "name": default.get("name", ""),
            "url": f"https://help.sandbox.test/{hc['identifier']}/collections/{c['id']}",
            "order": c["order"],
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
            "description": default.get("description") or None,
            "icon": "book-bookmark",
            "help_center_id": int(c["help_center_id"]),
            "type": "collection",
            "default_locale": hc["default_locale"],
            "translated_content": self._translated(c, True),
        }

    def render_section(self, s: dict[str, Any]) -> dict[str, Any]:
        parent = self.state.collections.get(s["parent_id"], {})
        hc = self._help_center_for(parent.get("help_center_id", ""))
        default = s["translations"].get(hc["default_locale"], {})
        return {
            "type": "section",
            "id": s["id"],
            "workspace_id": WORKSPACE,
            "name": default.get("name", ""),
            "created_at": s["created_at"],
            "updated_at": s["updated_at"],
            "url": f"https://help.sandbox.test/{hc['identifier']}/sections/{s['id']}",
            "icon": None,
            "order": s["order"],
            "parent_id": int(s["parent_id"]),
            "default_locale": hc["default_locale"],
            "translated_content": self._translated(s, False),
        }

    def page(
        self,
        request: Request,
        records: list[dict[str, Any]],
        render: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> dict[str, Any]:
        page = _int_param(request, "page", 1)
        per_page = min(MAX_PER_PAGE, _int_param(request, "per_page", DEFAULT_PER_PAGE))
        ordered = sorted(records, key=lambda r: (r["updated_at"], r["seq"]), reverse=True)
        chunk = ordered[(page - 1) * per_page : page * per_page]
        return {
            "type": "list",
            "data": [render(r) for r in chunk],
            "total_count": len(ordered),
            "pages": {
                "type": "pages",
                "page": page,
                "per_page": per_page,
                "total_pages": max(1, math.ceil(len(ordered) / per_page)),
            },
        }

    # ---- endpoints --------------------------------------------------------------------------

    def list_help_centers(self, request: Request, body: Any) -> dict[str, Any]:
        ordered = sorted(self.state.help_centers.values(), key=lambda h: int(h["id"]))
        return {"type": "list", "data": [self.render_help_center(h) for h in ordered]}

    def get_help_center(self, request: Request, body: Any) -> dict[str, Any]:
        return self.render_help_center(self._find(self.state.help_centers, request))

    def list_collections(self, request: Request, body: Any) -> dict[str, Any]:
        return self.page(request, list(self.state.collections.values()), self.render_collection)

    def get_collection(self, request: Request, body: Any) -> dict[str, Any]:
        return self.render_collection(self._find(self.state.collections, request))

    def create_collection(self, request: Request, body: Any) -> dict[str, Any]:
        assert body is not None
        name = _text(body, "name", required=True)
        description = _text(body, "description") or ""
        hc_id = body.get("help_center_id")
        if hc_id is None:
            if not self.state.help_centers:
                raise ApiProblem(400, "parameter_invalid", "No help center to create it in")
            hc_id = min(self.state.help_centers, key=int)
        elif not isinstance(hc_id, int) or isinstance(hc_id, bool):
            raise ApiProblem(400, "parameter_invalid", "help_center_id must be an integer")
        hc_id = str(hc_id)
        if hc_id not in self.state.help_centers:
            raise ApiProblem(404, "not_found", "Help Center Not Found")
        translations = _translations(body)
        default = self.state.help_centers[hc_id]["default_locale"]
        translations[default] = {"name": name, "description": description}
        record = self._new(translations, order=len(self.state.collections) + 1)
        record["help_center_id"] = hc_id
        self.state.collections[record["id"]] = record
        return self.render_collection(record)

    def update_collection(self, request: Request, body: Any) -> dict[str, Any]:
        record = self._find(self.state.collections, request)
        default = self._help_center_for(record["help_center_id"])["default_locale"]
        self._update_texts(record, body, default, with_description=True)
        self.state.touch(record)
        return self.render_collection(record)

    def delete_collection(self, request: Request, body: Any) -> dict[str, Any]:
        record = self._find(self.state.collections, request)
        del self.state.collections[record["id"]]
        for section_id in [
            i for i, s in self.state.sections.items() if s["parent_id"] == record["id"]
        ]:
            del self.state.sections[section_id]
        self.state.changed()
        return {"id": record["id"], "object": "collection", "deleted": True}

    def list_sections(self, request: Request, body: Any) -> dict[str, Any]:
        return self.page(request, list(self.state.sections.values()), self.render_section)

    def get_section(self, request: Request, body: Any) -> dict[str, Any]:
        return self.render_section(self._find(self.state.sections, request))

    def create_section(self, request: Request, body: Any) -> dict[str, Any]:
        assert body is not None
        name = _text(body, "name", required=True)
        parent_id = self._parent(body, required=True)
        translations = _translations(body, with_description=False)
        assert parent_id is not None
        parent = self.state.collections[parent_id]
        default = self._help_center_for(parent["help_center_id"])["default_locale"]
        translations[default] = {"name": name}
        record = self._new(translations, order=len(self.state.sections) + 1)
        record["parent_id"] = parent_id
        self.state.sections[record["id"]] = record
        return self.render_section(record)

    def update_section(self, request: Request, body: Any) -> dict[str, Any]:
        record = self._find(self.state.sections, request)
        parent_id = self._parent(body, required=False)
        if parent_id is not None:
            record["parent_id"] = parent_id
        parent = self.state.collections.get(record["parent_id"], {})
        default = self._help_center_for(parent.get("help_center_id", ""))["default_locale"]
        self._update_texts(record, body, default, with_description=False)
        self.state.touch(record)
        return self.render_section(record)

    def delete_section(self, request: Request, body: Any) -> dict[str, Any]:
        record = self._find(self.state.sections, request)
        del self.state.sections[record["id"]]
        self.state.changed()
        return {"id": record["id"], "object": "section", "deleted": True}

    # ---- helpers ------------------------------------------------------------------------------

    def _find(self, table: dict[str, dict[str, Any]], request: Request) -> dict[str, Any]:
        record = table.get(str(request.path_params["id"]))
        if record is None:
            raise ApiProblem(404, "not_found", "Resource Not Found")
        return record

    def _new(self, translations: dict[str, Any], order: int) -> dict[str, Any]:
        now = int(time.time())
        record = {
            "id": self.state.new_id(),
            "translations": translations,
            "created_at": now,
            "order": order,
        }
        self.state.touch(record)
        return record

    def _parent(self, body: Any, *, required: bool) -> str | None:
        parent = body.get("parent_id")
        if parent is None:
            if required:
                raise ApiProblem(400, "parameter_not_found", "Parent is a required parameter.")
            return None
        if not isinstance(parent, int) or isinstance(parent, bool):
            raise ApiProblem(400, "parameter_invalid", "parent_id must be an integer")
        if str(parent) not in self.state.collections:
            raise ApiProblem(404, "not_found", "Parent collection Not Found")
        return str(parent)

    @staticmethod
    def _update_texts(
        record: dict[str, Any], body: Any, default: str, *, with_description: bool
    ) -> None:
        translations = record["translations"]
        incoming = _translations(body, with_description=with_description, allow_null=True)
        for locale, text in incoming.items():
            if text is None:
                if locale != default:
                    translations.pop(locale, None)
            else:
                translations[locale] = text
        current = dict(translations.get(default, {"name": ""}))
        name = _text(body, "name")
        if name is not None:
            current["name"] = name
        if with_description:
            description = _text(body, "description")
            if description is not None:
                current["description"] = description
        translations[default] = current


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiProblem(400, "parameter_invalid", f"{name} must be an integer") from None
    if value < 1:
        raise ApiProblem(400, "parameter_invalid", f"{name} must be at least 1")
    return value


def _text(body: Any, key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise ApiProblem(
                400, "parameter_not_found", f"{key.capitalize()} is a required parameter."
            )
        return None
    if not isinstance(value, str):
        raise ApiProblem(400, "parameter_invalid", f"{key} must be a string")
    return value


def _translations(
    body: Any, *, with_description: bool = True, allow_null: bool = False
) -> dict[str, Any]:
    raw = body.get("translated_content")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ApiProblem(400, "parameter_invalid", "translated_content must be an object")
    out: dict[str, Any] = {}
    for locale, content in raw.items():
        if locale == "type":
            continue
        if locale not in LOCALE_SET:
            raise ApiProblem(400, "parameter_invalid", f"Unknown locale {locale}")
        if content is None:
            if allow_null:
                out[locale] = None
            continue
        if not isinstance(content, dict):
            raise ApiProblem(
                400, "parameter_invalid", f"translated_content.{locale} must be an object"
            )
        name = _text(content, "name")
        if not name:
            continue
        text = {"name": name}
        if with_description:
            text["description"] = _text(content, "description") or ""
        out[locale] = text
    return out


def create_app(state: SandboxState, options: SandboxOptions = DEFAULT_OPTIONS) -> Starlette:
    sandbox = Sandbox(state, options)

    def route(path: str, method: str, handler: Callable[[Request, Any], dict[str, Any]]) -> Route:
        async def endpoint(request: Request) -> Response:
            return await sandbox.dispatch(request, handler)

        return Route(path, endpoint, methods=[method])

    routes = [
        route("/help_center/help_centers", "GET", sandbox.list_help_centers),
        route("/help_center/help_centers/{id}", "GET", sandbox.get_help_center),
        route("/help_center/collections", "GET", sandbox.list_collections),
        route("/help_center/collections", "POST", sandbox.create_collection),
        route("/help_center/collections/{id}", "GET", sandbox.get_collection),
        route("/help_center/collections/{id}", "PUT", sandbox.update_collection),
        route("/help_center/collections/{id}", "DELETE", sandbox.delete_collection),
        route("/help_center/sections", "GET", sandbox.list_sections),
        route("/help_center/sections", "POST", sandbox.create_section),
        route("/help_center/sections/{id}", "GET", sandbox.get_section),
        route("/help_center/sections/{id}", "PUT", sandbox.update_section),
        route("/help_center/sections/{id}", "DELETE", sandbox.delete_section),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        code = "not_found" if status == 404 else "method_not_allowed"
        message = "Resource Not Found" if status == 404 else "Method Not Allowed"
        return JSONResponse(error_body(code, message), status)

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    app.state.sandbox = sandbox
    return app
