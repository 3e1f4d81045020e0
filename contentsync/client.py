"""Intercom's Help Center, article and admin endpoints over httpx: typed errors, pagination,
rate limits, retries. Every request names its `Intercom-Version`: "2.9" (collections and
sections) or "2.10" to "2.16" (nested collections; 2.16 has no sections). The methods return
Intercom's JSON as it comes, in the shape of that version; reading it is live.py's job.

One client is shared by every apply thread: httpx's transport (its connection pool) is
thread-safe, and the rate-limit window and the request counter are behind locks.

The token lives in the httpx client's default headers and nowhere else: it is never part of an
exception message, a log record or a repr. httpx's own exceptions (which carry the request,
headers included) are never chained to ours, and text the server sends back is scrubbed of the
token before it is put in a message.

Retries, with exponential backoff and full jitter:

- GET, PUT and DELETE are retried on timeouts, connection errors, 429 and 5xx, up to
  `max_attempts`; then TransportError, RateLimited or ApiError.
- POST (create) is retried only when it provably was not processed: a 429, or no connection
  was ever made (ConnectError, ConnectTimeout, PoolTimeout). On a 5xx, a read timeout, a
  dropped connection or an unreadable 2xx it raises OutcomeUnknown at once and never sends
  again: the caller re-reads the parent's children to find out.
- A DELETE retried after an attempt that may have gone through (5xx, answer lost) and then
  answered 404 returns the deleted object's answer: the earlier attempt did it. A 404 on a
  first attempt is NotFound.

Rate limits: X-RateLimit-Limit/Remaining/Reset are read from every response, and what is left
of the window is spent evenly until Reset across every thread (_RateWindow): a long apply
paces itself instead of running into 429s. When the window is spent anyway (another client of
the same app), requests wait for Reset; a 429 waits until Reset (or backs off when there is
none) and is retried, POST included, since a 429 was not processed. A wait long enough to
notice (a second or more: not the pacing's short ones) is logged and passed to
`on_rate_wait`, so a progress display can say why it stalls.

Logging (logger "contentsync.client"): INFO, each list read and, on close, the requests sent
and their time per method and kind; DEBUG, every HTTP request with its status and time.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import orjson

from contentsync import __version__
from contentsync.errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    TransportError,
)

API_VERSIONS = ("2.9", *(f"2.{n}" for n in range(10, 17)))
# The first version without /help_center/sections.
NO_SECTIONS = "2.16"
MAX_PER_PAGE = 250
# 250,000 objects: far beyond any help center; a server still paging past it is broken.
MAX_PAGES = 1_000
# Longest single wait for a rate-limit window: Intercom's windows are 10 s, so anything longer
# means a clock or unit mismatch, and the retry that follows will tell.
MAX_RATE_WAIT = 60.0
# A rate-limit wait this long is worth telling the user about; the pacing's are shorter.
NOTICEABLE_WAIT = 1.0
# Reset values below this are seconds-from-now, above it Unix timestamps.
EPOCH_FLOOR = 1_000_000_000
# httpx errors raised before the request left this machine: even a create may be sent again.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

log = logging.getLogger("contentsync.client")


def check_api_url(url: str) -> str:
    """The base URL without a trailing slash. https anywhere; plain http only to loopback
    (127.0.0.0/8, ::1, localhost), because the token would travel in clear text."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ConfigError(f"api_url {text!r} is not a valid URL") from None
    if parts.username is not None or parts.password is not None:
        # Not echoed: the part before the @ may be a credential.
        raise ConfigError("api_url must not contain a user name or password")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"api_url {text!r} is not an http(s) URL")
    if parts.query or parts.fragment:
        raise ConfigError(f"api_url {text!r} must not have a query or fragment")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"refusing to send the access token over plain http to {parts.hostname}: "
            "use https (plain http is allowed only to a loopback address)"
        )
    return text.rstrip("/")


def check_api_version(version: str) -> str:
    if version not in API_VERSIONS:
        raise ConfigError(
            f'api_version {version!r} is not supported: use "2.9" (collections and '
            'sections) or "2.10" to "2.16" (nested collections)'
        )
    return version


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _check_token(token: str) -> str:
    token = token.strip()
    if not token:
        raise ConfigError("the access token is empty: set INTERCOM_ACCESS_TOKEN")
    if not all(33 <= ord(ch) <= 126 for ch in token):
        # h11 would quote the whole header value in its error: refuse before that can happen.
        raise ConfigError("the access token holds characters that cannot be sent in a header")
    return token


class _RateWindow:
    """The server's rate-limit window, shared by every thread, and the pace it allows.

    What the server says is left (X-RateLimit-Remaining) is spent evenly until the window
    resets (X-RateLimit-Reset): each request takes the next slot, one even share of the time
    left after the previous one, whichever thread sends it. So a long apply sends at a steady
    rate from all its workers instead of spending the window at once, running into 429s and
    stalling until the reset. A client below that rate never waits.

    `remaining` is what may still be sent before `reset_at`, never more than the server would
    allow: a request takes one when it reserves its slot, and an answer can only lower it, to
    what the server had left then minus the requests still in flight (which it may not have
    counted yet). Requests in flight when the window ends may be counted in the next one, so
    the next one starts with the limit minus them, until its first answer says when it ends.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.limit: int | None = None
        self.remaining: int | None = None
        self.reset_at: float | None = None  # Unix time; None in a window not heard from yet
        self.in_flight = 0  # reserved and not answered yet
        self.next_at = 0.0  # when the next slot opens
        self.spacing = 0.0  # the last slot's share of its window

    def reserve(self, *, waited: bool = False) -> float:
        """Take a slot for one request: the seconds to sleep before sending it (0 when it may
        go now). A window that is spent books the slot after its reset. `waited`: the caller
        already slept until the reset (after a 429), so the window counts as over even when
        the clock disagrees; a sleep that returned early cannot make us spin."""
        with self.lock:
            now = time.time()
            self.in_flight += 1
            spent = self.remaining is not None and self.remaining <= 0
            if self.reset_at is not None and (now >= self.reset_at or (waited and spent)):
                self.remaining = None if self.limit is None else self.limit - self.in_flight + 1
                self.reset_at = None
            if self.remaining is None:
                return 0.0
            if self.reset_at is None:  # a new window: room for `remaining` until it answers
                self.remaining -= 1
                return 0.0
            slot = max(now, self.next_at)
            if self.remaining > 0:
                self.spacing = max(0.0, self.reset_at - slot) / self.remaining
                self.remaining -= 1
            else:  # counted in the next window, as a request in flight when it begins
                slot = max(slot, self.reset_at)
            self.next_at = slot + self.spacing
            return min(slot - now, MAX_RATE_WAIT)

    def observe(self, headers: httpx.Headers | None) -> None:
        """A request reserved earlier is over: answered with these headers, or (None) not."""
        limit = remaining = reset = None
        if headers is not None:
            limit = _int_header(headers, "X-RateLimit-Limit")
            remaining = _int_header(headers, "X-RateLimit-Remaining")
            reset = _reset_header(headers)
        with self.lock:
            self.in_flight = max(0, self.in_flight - 1)
            if limit is not None:
                self.limit = limit
            if remaining is None or reset is None or reset <= time.time():
                return  # nothing said about the window we are in
            left = remaining - self.in_flight
            if self.reset_at is not None and reset > self.reset_at:
                # a window we have not counted in: what we booked into it is in flight
                self.remaining = left
            elif self.remaining is not None and reset == (self.reset_at or reset):
                self.remaining = min(self.remaining, left)
            else:
                self.remaining = left
            self.reset_at = reset

    def seconds_to_reset(self) -> float | None:
        with self.lock:
            if self.reset_at is None:
                return None
            wait = self.reset_at - time.time()
        return min(wait, MAX_RATE_WAIT) if wait > 0 else None


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, ValueError):
        return None


def _reset_header(headers: httpx.Headers) -> float | None:
    try:
        value = float(headers["X-RateLimit-Reset"])
    except (KeyError, ValueError):
        return None
    return value if value >= EPOCH_FLOOR else time.time() + max(0.0, value)


class IntercomClient:
    """The Help Center endpoints contentsync uses. Every method returns the decoded JSON
    object, or raises an errors.ApiError subclass, TransportError or OutcomeUnknown."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        api_version: str = "2.9",
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        max_attempts: int = 6,
        backoff_base: float = 0.25,
        backoff_cap: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
        seed: int | None = None,
        on_rate_wait: Callable[[float], None] | None = None,
    ) -> None:
        self.base_url = check_api_url(base_url)
        # Called (from any thread) with the seconds about to be slept for the rate limit.
        self.on_rate_wait = on_rate_wait
        self.api_version = check_api_version(api_version)
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.requests_sent = 0
        self._sleep = sleep
        self._random = random.Random(seed)
        self._random_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._timings: dict[str, list[float]] = defaultdict(list)  # "GET collections" -> s
        self._window = _RateWindow()
        self._token = _check_token(token)
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {self._token}",
                "Intercom-Version": api_version,
                "Accept": "application/json",
                "User-Agent": f"contentsync/{__version__}",
            },
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
            follow_redirects=False,  # a redirect must not carry the token somewhere else
        )
        # Every request goes to one host, so to one transport: the one httpx.Client picked
        # for it (a proxy from the environment included). Requests are sent straight to it,
        # built with the client's headers and timeout: httpx.Client.request() costs 0.25 ms
        # of CPU more per request (merging URLs, headers and cookies, and a cookie jar per
        # answer), a third of the client's CPU in an apply. Cookies are neither kept nor
        # sent: the API authenticates by token.
        self._transport = self._http._transport_for_url(self._http.base_url)
        self._timeout = self._http.timeout.as_dict()

    def __repr__(self) -> str:
        return f"IntercomClient({self.base_url!r}, api_version={self.api_version!r})"

    def close(self) -> None:
        self._http.close()
        with self._count_lock:
            timings = sorted(self._timings.items())
        for what, seconds in timings:
            log.info(
                "%s: %d request%s, %.2f s in all, slowest %.0f ms",
                what, len(seconds), "s" * (len(seconds) != 1), sum(seconds), max(seconds) * 1000,
            )  # fmt: skip

    def __enter__(self) -> IntercomClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the API ----------------------------------------------------------------------

    def list_help_centers(self) -> list[dict[str, Any]]:
        return self._list("/help_center/help_centers", "help centers")

    def list_collections(self) -> list[dict[str, Any]]:
        return self._list("/help_center/collections", "collections")

    def get_help_center(self, id: str) -> dict[str, Any]:
        return self._call("GET", _path("help_centers", id), what=f"help center {id}")

    def get_collection(self, id: str) -> dict[str, Any]:
        return self._call("GET", _path("collections", id), what=f"collection {id}")

    def create_collection(self, body: dict[str, Any]) -> dict[str, Any]:
        """On 2.10+ `parent_id` (a string in 2.16's description, null at the top) nests it."""
        what = f"collection {body.get('name')!r}"
        return self._call("POST", "/help_center/collections", json=body, what=what)

    def update_collection(self, id: str, body: dict[str, Any]) -> dict[str, Any]:
        path = _path("collections", id)
        return self._call("PUT", path, json=body, what=f"collection {id}")

    def delete_collection(self, id: str) -> dict[str, Any]:
        gone = {"id": str(id), "object": "collection", "deleted": True}
        return self._call("DELETE", _path("collections", id), what=f"collection {id}", gone=gone)

    # Sections: API 2.9 to 2.15 only.

    def list_sections(self) -> list[dict[str, Any]]:
        self._check_sections()
        return self._list("/help_center/sections", "sections")

    def get_section(self, id: str) -> dict[str, Any]:
        self._check_sections()
        return self._call("GET", _path("sections", id), what=f"section {id}")

    def create_section(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_sections()
        what = f"section {body.get('name')!r}"
        return self._call("POST", "/help_center/sections", json=body, what=what)

    def update_section(self, id: str, body: dict[str, Any]) -> dict[str, Any]:
        self._check_sections()
        return self._call("PUT", _path("sections", id), json=body, what=f"section {id}")

    def delete_section(self, id: str) -> dict[str, Any]:
        self._check_sections()
        gone = {"id": str(id), "object": "section", "deleted": True}
        return self._call("DELETE", _path("sections", id), what=f"section {id}", gone=gone)

    def _check_sections(self) -> None:
        if self.api_version == NO_SECTIONS:
            raise ConfigError(
                f"API {self.api_version} has no sections (Intercom removed "
                "/help_center/sections in 2.16): level-2 folders are collections with a "
                "parent_id there"
            )

    # Articles. Intercom's facts: `author_id` is an admin id as an integer (/admins lists them
    # as strings); `parent_id` is an integer in a create and a string in an update; 2.9 answers
    # with parent_id/parent_type, 2.10+ with parent_ids.

    def list_articles(self) -> list[dict[str, Any]]:
        """Every article. Lists are sorted by updated_at, newest first, so a write made while
        they are read moves an article across pages: read everything before writing (objects
        seen twice are kept once, by id)."""
        return self._list("/articles", "articles")

    def list_recent_articles(self) -> list[dict[str, Any]]:
        """The first page of /articles, newest first (the 250 most recently updated): where a
        create whose outcome is unknown is looked for, since a new article is the newest."""
        params = {"per_page": MAX_PER_PAGE, "page": 1}
        body = self._call("GET", "/articles", params=params, what="articles")
        return _objects(body, "data", "GET", "/articles", "articles")

    def get_article(self, id: str) -> dict[str, Any]:
        return self._call("GET", _article_path(id), what=f"article {id}")

    def create_article(self, body: dict[str, Any]) -> dict[str, Any]:
        what = f"article {body.get('title')!r}"
        return self._call("POST", "/articles", json=body, what=what)

    def update_article(self, id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("PUT", _article_path(id), json=body, what=f"article {id}")

    def delete_article(self, id: str) -> dict[str, Any]:
        gone = {"id": str(id), "object": "article", "deleted": True}
        return self._call("DELETE", _article_path(id), what=f"article {id}", gone=gone)

    # Admins.

    def list_admins(self) -> list[dict[str, Any]]:
        """Every teammate, with ids as strings and emails (one request: /admins has no pages)."""
        body = self._call("GET", "/admins", what="admins")
        return _objects(body, "admins", "GET", "/admins", "admins")

    def me(self) -> dict[str, Any]:
        """The admin who owns the token."""
        return self._call("GET", "/me", what="the token's admin")

    # ---- paging -------------------------------------------------------------------------

    def _list(self, path: str, what: str) -> list[dict[str, Any]]:
        """Every object, `MAX_PER_PAGE` at a time, pages 1, 2, ... .

        Intercom's `pages.next` is a URL string in real responses and an object in the spec;
        either way only its presence is used (following a URL the server names could send the
        token to another host). `pages` may be null or absent. In order: an empty page ends
        the list; then `total_pages`; then `next`; then `total_count`; with none of them a
        full page may have a successor and a short one is the last. Objects are kept once by
        id: an object updated while we read moves to the front and may show up twice.
        """
        found: dict[Any, dict[str, Any]] = {}
        started = time.monotonic()
        try:
            return self._pages(path, what, found)
        finally:
            log.info("read %d %s in %.2f s", len(found), what, time.monotonic() - started)

    def _pages(
        self, path: str, what: str, found: dict[Any, dict[str, Any]]
    ) -> list[dict[str, Any]]:
        page = 1
        while True:
            params = {"per_page": MAX_PER_PAGE, "page": page}
            body = self._call("GET", path, params=params, what=what)
            data = _objects(body, "data", "GET", path, what)
            if not data:
                return list(found.values())
            fresh = 0
            for obj in data:
                key = obj.get("id", id(obj))
                fresh += key not in found
                found[key] = obj
            more, told = _more(body, page, len(found), len(data))
            if fresh == 0:
                if told and more:
                    raise _invalid("GET", path, f"{what}: page {page} repeats earlier pages")
                # Nothing said there was more: an endpoint that ignores `page`.
                return list(found.values())
            if not more:
                return list(found.values())
            if page >= MAX_PAGES:
                raise _invalid("GET", path, f"{what}: still more after {MAX_PAGES} pages")
            page += 1

    # ---- one call, with retries -----------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        gone: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One request, retried as the module docstring says. `gone` is a DELETE's answer
        when a retry finds the object missing after an earlier attempt that may have
        deleted it (a 5xx or a connection lost after sending): that was our own delete."""
        create = method == "POST"
        maybe_done = False  # an earlier attempt may have been carried out
        waited = False  # the last backoff already waited for the window to reset
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            wait = self._window.reserve(waited=waited)
            waited = False
            if wait > 0:
                if wait >= NOTICEABLE_WAIT:
                    self._wait_for_rate_limit(wait)
                else:
                    log.debug("%s %s: paced by the rate limit, wait %.2fs", method, path, wait)
                self._sleep(wait)
            with self._count_lock:
                self.requests_sent += 1
            failure: httpx.TransportError | None = None
            started = time.monotonic()
            try:
                response = self._send(method, path, json, params)
            except httpx.TransportError as exc:
                failure = exc  # handled below, outside this block: nothing chains to it
            took = time.monotonic() - started
            with self._count_lock:
                self._timings[f"{method} {_kind(path)}"].append(took)
            if failure is not None:
                self._window.observe(None)
                reason = type(failure).__name__
                log.debug(
                    "%s %s -> %s in %.0f ms (attempt %d)",
                    method,
                    path,
                    reason,
                    took * 1000,
                    attempt,
                )
                if create and not isinstance(failure, NOT_SENT):
                    raise OutcomeUnknown(f"create {what}: outcome unknown ({reason})")
                if last:
                    raise TransportError(
                        f"{method} {path}: no answer from {self.base_url} after "
                        f"{attempt} attempt{'s' * (attempt > 1)} ({reason})"
                    )
                maybe_done = maybe_done or not isinstance(failure, NOT_SENT)
                self._backoff(method, path, attempt, reason)
                continue

            self._window.observe(response.headers)
            status = response.status_code
            log.debug(
                "%s %s -> %d in %.0f ms (attempt %d)", method, path, status, took * 1000, attempt
            )
            if status < 300:
                body = _json_object(response)
                if body is not None:
                    return body
                if create:
                    raise OutcomeUnknown(
                        f"create {what}: outcome unknown (HTTP {status}, unreadable body)"
                    )
                raise _invalid(method, path, "the answer is not a JSON object", status)
            if status == 429:
                if last:
                    raise self._error(response, method, path, what, RateLimited)
                until = self._window.seconds_to_reset()
                if until is None:
                    until = _retry_after(response)
                if until is not None:
                    self._wait_for_rate_limit(until)
                self._backoff(method, path, attempt, "HTTP 429", at_least=until)
                waited = until is not None
                continue
            if status >= 500:
                if create:
                    raise OutcomeUnknown(f"create {what}: outcome unknown (HTTP {status})")
                if last:
                    raise self._error(response, method, path, what, ApiError)
                maybe_done = True
                self._backoff(method, path, attempt, f"HTTP {status}")
                continue
            if status == 401:
                raise self._error(response, method, path, what, AuthenticationError)
            if status == 404:
                if gone is not None and maybe_done:
                    return gone
                raise self._error(response, method, path, what, NotFound)
            raise self._error(response, method, path, what, ApiError)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self, method: str, path: str, json: dict[str, Any] | None, params: dict[str, Any] | None
    ) -> httpx.Response:
        """One HTTP exchange, the answer read in full (no redirect is followed). A body is
        the bytes httpx's `json=` would send (UTF-8, compact), encoded by orjson: 2 us
        instead of 36 for a collection in 37 locales."""
        request = httpx.Request(
            method,
            self.base_url + path,
            params=params,
            content=None if json is None else orjson.dumps(json),
            headers=self._http.headers,
            extensions={"timeout": self._timeout},
        )
        if json is not None:
            request.headers["Content-Type"] = "application/json"
        response = self._transport.handle_request(request)
        try:
            response.read()
        finally:
            response.close()
        return response

    def _wait_for_rate_limit(self, seconds: float) -> None:
        log.info("waiting %.0f s for Intercom's rate limit", max(1.0, seconds))
        if self.on_rate_wait is not None:
            self.on_rate_wait(seconds)

    def _backoff(
        self, method: str, path: str, attempt: int, reason: str, at_least: float | None = None
    ) -> None:
        """Full jitter: uniform(0, min(cap, base * 2^(attempt-1))). When the server named a
        time (rate-limit reset), wait until then plus a little jitter so threads spread out."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        with self._random_lock:
            delay = self._random.uniform(0, ceiling)
            if at_least is not None:
                delay = min(at_least, MAX_RATE_WAIT) + self._random.uniform(0, self.backoff_base)
        log.debug("%s %s: %s on attempt %d, wait %.2fs", method, path, reason, attempt, delay)
        self._sleep(delay)

    def _error(
        self,
        response: httpx.Response,
        method: str,
        path: str,
        what: str,
        kind: type[ApiError],
    ) -> ApiError:
        """An error.list body becomes its first error's code and message; anything else (an
        HTML page from a proxy, an empty body) the status line."""
        status = response.status_code
        code, message = "http_error", response.reason_phrase or f"HTTP {status}"
        body = _json_object(response)
        errors = body.get("errors") if body is not None else None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            code = str(errors[0].get("code") or code)
            message = str(errors[0].get("message") or message)
        code, message = self._scrub(code)[:100], self._scrub(message)[:500]
        if kind is AuthenticationError:
            message = (
                f"the access token was rejected ({status} {message}): check INTERCOM_ACCESS_TOKEN"
            )
        elif kind is NotFound:
            message = f"{what} not found ({message})"
        return kind(status, code, message, method=method, path=path)

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "[token]")


def _kind(path: str) -> str:
    """What a request is about, for timings: "/help_center/collections/12" -> "collections"."""
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) > 1 else parts[0]


def _path(kind: str, id: str) -> str:
    return f"/help_center/{kind}/{quote(str(id), safe='')}"


def _article_path(id: str) -> str:
    return f"/articles/{quote(str(id), safe='')}"


def _objects(
    body: dict[str, Any], key: str, method: str, path: str, what: str
) -> list[dict[str, Any]]:
    """The list of objects under `key` (none when it is null or absent)."""
    found = body.get(key)
    if found is None:
        return []
    if not isinstance(found, list) or not all(isinstance(o, dict) for o in found):
        raise _invalid(method, path, f"{what}: {key!r} is not a list of objects")
    return found


def _invalid(method: str, path: str, message: str, status: int = 200) -> ApiError:
    """A 2xx answer we cannot use: the server (or something in between) is misbehaving."""
    return ApiError(status, "invalid_response", message, method=method, path=path)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The answer's JSON object (UTF-8, as Intercom sends it), None when it is not one."""
    try:
        body = orjson.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _more(body: dict[str, Any], page: int, have: int, got: int) -> tuple[bool, bool]:
    """(is there another page, did the server say so rather than us guessing)."""
    pages = body.get("pages")
    if isinstance(pages, dict):
        total = pages.get("total_pages")
        if isinstance(total, int) and not isinstance(total, bool):
            return page < total, True
        if "next" in pages:
            return bool(pages["next"]), True
    total_count = body.get("total_count")
    if isinstance(total_count, int) and not isinstance(total_count, bool):
        return have < total_count, True
    return got >= MAX_PER_PAGE, False


def _retry_after(response: httpx.Response) -> float | None:
    try:
        value = float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None
    return value if value > 0 else None
