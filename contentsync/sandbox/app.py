"""The sandbox: Intercom's Help Center, article and admin endpoints as a Starlette app, one
state answered in the shape of the `Intercom-Version` each request asks for ("2.9", or "2.10"
to "2.16", all of which are served as 2.16 is; 2.9 when a request names none; another value
is a 400).

Responses follow the 2.9 and 2.16 OpenAPI descriptions (tests validate every one of them);
helpcenter.py and articles.py say what each endpoint emulates where the descriptions leave it
open. Errors are error.list bodies, 405s carry `Allow`, a POST or PUT with no body is a
request with every field left out. Rate-limit windows start at multiples of their length in
epoch time, as `X-RateLimit-Reset` (epoch seconds) implies; without a configured limit the
headers report 10,000 per window and nothing is refused.

Faults (seeded) make the failures a real network shows: a 500 before anything changed, a 500
after the change was made, a connection dropped after the change was made, and 429s.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from contentsync.sandbox import admins, articles, helpcenter
from contentsync.sandbox.calls import API_VERSIONS, ApiProblem, Call, error_body
from contentsync.sandbox.state import SandboxState

Handler = Callable[[SandboxState, Call], dict[str, Any]]

SANDBOX_TOKEN = "sandbox-token"
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


class _Json(JSONResponse):
    """Starlette's JSONResponse, the same bytes (UTF-8, compact), encoded by orjson: 2 us
    instead of 36 for a collection in 37 locales."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


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

    async def _answer_after_latency(self, request: Request, handler: Handler) -> Response:
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

    async def dispatch(self, request: Request, handler: Handler) -> Response:
        if self.latency:
            return await self._answer_after_latency(request, handler)
        return await self._answer(request, handler)

    async def _answer(self, request: Request, handler: Handler) -> Response:
        auth = request.headers.get("authorization", "")
        scheme, _, presented = auth.partition(" ")
        if (
            scheme.lower() != "bearer"
            or not presented
            or (self.token is not None and presented != self.token)
        ):
            return _Json(error_body("unauthorized", "Access Token Invalid"), 401)
        now = time.time()
        with self.lock:
            self.counters.requests += 1
            method = request.method
            self.counters.by_method[method] = self.counters.by_method.get(method, 0) + 1
            start = math.floor(now / self.window) * self.window
            if start != self.window_start:
                self.window_start, self.window_count = start, 0
            self.window_count += 1
            over = self.rate_limit is not None and self.window_count > self.rate_limit
            fault = self._fault(method)
        headers = self._rate_headers(now)
        if over or fault == "rate_limit":
            limit = self.rate_limit or UNLIMITED
            message = f"Exceeded rate limit of {limit} in {self.window:g}_seconds"
            return _Json(error_body("rate_limit_exceeded", message), 429, headers)
        if fault == "error_before_commit":
            return _Json(error_body("server_error", "Internal Server Error"), 500, headers)
        try:
            call = await _call(request, now)
            with self.state.lock:
                result = handler(self.state, call)
        except ApiProblem as problem:
            return _Json(error_body(problem.code, problem.message), problem.status, headers)
        if fault == "error_after_commit":
            return _Json(error_body("server_error", "Internal Server Error"), 500, headers)
        if fault == "drop_after_commit":
            return _Dropped()
        return _Json(result, 200, headers)


async def _call(request: Request, now: float) -> Call:
    version = request.headers.get("intercom-version", "2.9").strip()
    if version not in API_VERSIONS:
        raise ApiProblem(
            400,
            "intercom_version_invalid",
            f"Requested Intercom-Version {version!r} is not valid: use one of "
            + ", ".join(API_VERSIONS),
        )
    body: dict[str, Any] = {}
    if request.method in ("POST", "PUT"):
        raw = await request.body()
        if raw.strip():
            try:
                parsed = orjson.loads(raw)
            except ValueError:
                raise ApiProblem(400, "parameter_invalid", "Body is not valid JSON") from None
            if not isinstance(parsed, dict):
                raise ApiProblem(400, "parameter_invalid", "Body must be an object")
            body = parsed
    return Call(version, str(request.path_params.get("id", "")), request.query_params, body, now)


ROUTES: dict[str, dict[str, Handler]] = {
    "/help_center/help_centers": {"GET": helpcenter.list_help_centers},
    "/help_center/help_centers/{id}": {"GET": helpcenter.get_help_center},
    "/help_center/collections": {
        "GET": helpcenter.list_collections,
        "POST": helpcenter.create_collection,
    },
    "/help_center/collections/{id}": {
        "GET": helpcenter.get_collection,
        "PUT": helpcenter.update_collection,
        "DELETE": helpcenter.delete_collection,
    },
    "/help_center/sections": {
        "GET": helpcenter.list_sections,
        "POST": helpcenter.create_section,
    },
    "/help_center/sections/{id}": {
        "GET": helpcenter.get_section,
        "PUT": helpcenter.update_section,
        "DELETE": helpcenter.delete_section,
    },
    "/articles": {"GET": articles.list_articles, "POST": articles.create_article},
    "/articles/{id}": {
        "GET": articles.get_article,
        "PUT": articles.update_article,
        "DELETE": articles.delete_article,
    },
    "/admins": {"GET": admins.list_admins},
    "/me": {"GET": admins.me},
}


def create_app(state: SandboxState, options: SandboxOptions = DEFAULT_OPTIONS) -> Starlette:
    sandbox = Sandbox(state, options)

    def route(path: str, handlers: dict[str, Handler]) -> Route:
        async def endpoint(request: Request) -> Response:
            method = "GET" if request.method == "HEAD" else request.method
            return await sandbox.dispatch(request, handlers[method])

        return Route(path, endpoint, methods=list(handlers))

    async def refused(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        headers = getattr(exc, "headers", None)
        if status == 405:
            body = error_body("method_not_allowed", "Method Not Allowed")
        else:
            body = error_body("not_found", "Resource Not Found")
        return _Json(body, status, headers)

    app = Starlette(
        routes=[route(path, handlers) for path, handlers in ROUTES.items()],
        exception_handlers={404: refused, 405: refused},
    )
    app.state.sandbox = sandbox
    return app
