"""Intercom's Help Center API (2.9) over httpx: typed errors, pagination, rate limits, retries.

Safe to share between threads (apply runs up to `parallelism` requests at once). The token is
kept in the transport headers only: it is never part of a message, a log record or a repr.

Retries: GET, PUT and DELETE are retried on timeouts, connection errors, 429 and 5xx with
exponential backoff and full jitter. A POST (create) is retried only when it provably was not
processed (429, or the connection was never made); any other failure raises OutcomeUnknown and
the caller re-reads to find out, so a create is never sent twice blindly.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

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

MAX_PER_PAGE = 250
MAX_PAGES = 100_000
log = logging.getLogger("contentsync.client")


def check_api_url(url: str) -> str:
    """The base URL, without a trailing slash; plain http only to a loopback address."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"api_url {url!r} is not an http(s) URL")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError(
            f"refusing to send the access token over plain http to {parts.hostname}: "
            "use https (plain http is allowed only to a loopback address)"
        )
    return url.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _RateLimit:
    """What the server said about the current window, shared by every thread."""

    def __init__(self, sleep: Callable[[float], None]) -> None:
        self.lock = threading.Lock()
        self.remaining: int | None = None
        self.reset_at = 0.0
        self.sleep = sleep

    def observe(self, response: httpx.Response) -> None:
        remaining = response.headers.get("X-RateLimit-Remaining")
        reset = response.headers.get("X-RateLimit-Reset")
        if remaining is None or reset is None:
            return
        try:
            with self.lock:
                self.remaining = int(remaining)
                self.reset_at = float(reset)
        except ValueError:
            return

    def wait_turn(self) -> None:
        """Before a request: if the window is spent, sleep until it resets."""
        with self.lock:
            if self.remaining is None or self.remaining > 1:
                if self.remaining is not None:
                    self.remaining -= 1
                return
            delay = self.reset_at - time.time()
            if delay <= 0:
                self.remaining = None
                return
        log.info("rate limit window spent: waiting %.1fs", delay)
        self.sleep(min(delay, 60.0))

    def seconds_to_reset(self) -> float | None:
        with self.lock:
            delay = self.reset_at - time.time()
        return delay if delay > 0 else None


class IntercomClient:
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
    ) -> None:
        self.base_url = check_api_url(base_url)
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep
        self.random = random.Random(seed)
        self.rate = _RateLimit(sleep)
        self._count_lock = threading.Lock()
        self.requests_sent = 0
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {token}",
                "Intercom-Version": api_version,
                "Accept": "application/json",
                "User-Agent": f"contentsync/{__version__}",
            },
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
        )

    def __repr__(self) -> str:
        return f"IntercomClient({self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> IntercomClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the API ----------------------------------------------------------------------

    def list_help_centers(self) -> list[dict[str, Any]]:
        return self._list("/help_center/help_centers")

    def list_collections(self) -> list[dict[str, Any]]:
        return self._list("/help_center/collections")

    def list_sections(self) -> list[dict[str, Any]]:
        return self._list("/help_center/sections")

    def get_help_center(self, id: str) -> dict[str, Any]:
        return self._call("GET", f"/help_center/help_centers/{id}", what=f"help center {id}")

    def get_collection(self, id: str) -> dict[str, Any]:
        return self._call("GET", f"/help_center/collections/{id}", what=f"collection {id}")

    def get_section(self, id: str) -> dict[str, Any]:
        return self._call("GET", f"/help_center/sections/{id}", what=f"section {id}")

    def create_collection(self, body: dict[str, Any]) -> dict[str, Any]:
        what = f"collection {body.get('name')!r}"
        return self._call("POST", "/help_center/collections", json=body, what=what)

    def update_collection(self, id: str, body: dict[str, Any]) -> dict[str, Any]:
        path = f"/help_center/collections/{id}"
        return self._call("PUT", path, json=body, what=f"collection {id}")

    def delete_collection(self, id: str) -> dict[str, Any]:
        path = f"/help_center/collections/{id}"
        return self._call("DELETE", path, what=f"collection {id}")

    def create_section(self, body: dict[str, Any]) -> dict[str, Any]:
        what = f"section {body.get('name')!r}"
        return self._call("POST", "/help_center/sections", json=body, what=what)

    def update_section(self, id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("PUT", f"/help_center/sections/{id}", json=body, what=f"section {id}")

    def delete_section(self, id: str) -> dict[str, Any]:
        return self._call("DELETE", f"/help_center/sections/{id}", what=f"section {id}")

    # ---- paging -----------------------------------------------------------------------

    def _list(self, path: str) -> list[dict[str, Any]]:
        """Every page, the largest the API serves. Intercom's `pages.next` is a URL string in
        real responses and an object in the spec, and `pages` may be null: follow total_pages
        when given, else next, and always stop on an empty page."""
        items: list[dict[str, Any]] = []
        page = 1
        while page <= MAX_PAGES:
            params = {"page": page, "per_page": MAX_PER_PAGE}
            body = self._call("GET", path, params=params, what=path)
            data = body.get("data") or []
            items.extend(data)
            pages = body.get("pages")
            if not data or not isinstance(pages, dict):
                break
            total = pages.get("total_pages")
            if isinstance(total, int):
                if page >= total:
                    break
            elif not pages.get("next"):
                break
            page += 1
        return items

    # ---- one call, with retries ---------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        create = method == "POST"
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            self.rate.wait_turn()
            with self._count_lock:
                self.requests_sent += 1
            try:
                response = self._http.request(method, path, json=json, params=params)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # Never reached the server: safe to send again, even a create.
                reason = f"cannot connect to {self.base_url} ({type(exc).__name__})"
                if last:
                    raise TransportError(f"{method} {path}: {reason}") from None
                self._backoff(method, path, attempt, reason)
                continue
            except httpx.TransportError as exc:
                reason = f"{type(exc).__name__}: no complete answer"
                if create:
                    raise OutcomeUnknown(f"create {what}: outcome unknown ({reason})") from None
                if last:
                    raise TransportError(f"{method} {path}: {reason}") from None
                self._backoff(method, path, attempt, reason)
                continue
            self.rate.observe(response)
            log.debug("%s %s -> %s (attempt %d)", method, path, response.status_code, attempt)
            status = response.status_code
            if status < 400:
                return self._json(response, method, path)
            if status == 429:
                if last:
                    raise self._error(response, method, path, what, RateLimited)
                wait = self.rate.seconds_to_reset()
                self._backoff(method, path, attempt, "429 rate limited", at_least=wait)
                continue
            if status >= 500:
                if create:
                    raise OutcomeUnknown(f"create {what}: outcome unknown (HTTP {status})")
                if last:
                    raise self._error(response, method, path, what, ApiError)
                self._backoff(method, path, attempt, f"HTTP {status}")
                continue
            if status == 401:
                raise self._error(response, method, path, what, AuthenticationError)
            if status == 404:
                raise self._error(response, method, path, what, NotFound)
            raise self._error(response, method, path, what, ApiError)
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(
        self, method: str, path: str, attempt: int, reason: str, at_least: float | None = None
    ) -> None:
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        delay = self.random.uniform(0, ceiling)
        if at_least is not None:
            delay = max(delay, at_least + self.random.uniform(0, self.backoff_base))
        log.info("%s %s: %s; retry %d in %.2fs", method, path, reason, attempt, delay)
        self.sleep(delay)

    @staticmethod
    def _json(response: httpx.Response, method: str, path: str) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            raise ApiError(response.status_code, "invalid_json", "the answer was not JSON",
                           method=method, path=path) from None  # fmt: skip
        if not isinstance(body, dict):
            raise ApiError(response.status_code, "invalid_json", "the answer was not an object",
                           method=method, path=path)  # fmt: skip
        return body

    @staticmethod
    def _error(
        response: httpx.Response, method: str, path: str, what: str, kind: type[ApiError]
    ) -> ApiError:
        code, message = "http_error", response.reason_phrase or "error"
        try:
            body = response.json()
            first = (body.get("errors") or [{}])[0]
            code = str(first.get("code") or code)
            message = str(first.get("message") or message)
        except (ValueError, AttributeError, IndexError, TypeError):
            pass
        status = response.status_code
        if kind is AuthenticationError:
            message = f"the access token was rejected ({message}): check {'INTERCOM_ACCESS_TOKEN'}"
        elif kind is NotFound:
            message = f"{what} not found ({message})"
        return kind(status, code, message, method=method, path=path)
