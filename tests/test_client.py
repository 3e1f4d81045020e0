"""The Intercom client against the sandbox over real HTTP: round trips, pagination, typed
errors, retries under injected faults, rate limits, threads and the token's secrecy.

httpx.MockTransport appears only for what real Intercom does and the sandbox does not
(`pages.next` as a URL string, `pages: null`, proxy HTML on a 502, a server that pages forever,
transport failures at a chosen moment).
"""

from __future__ import annotations

import json
import logging
import re
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from contentsync import __version__
from contentsync.client import API_VERSIONS, MAX_PER_PAGE, IntercomClient, check_api_url
from contentsync.errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    ContentsyncError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    TransportError,
)
from contentsync.sandbox import SANDBOX_TOKEN, FaultConfig, RunningSandbox, running_sandbox

HC = "acme-help"
BASE = "https://api.intercom.io"


class Sleeps(list[float]):
    """An injected sleep that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sb() -> Iterator[RunningSandbox]:
    with running_sandbox(None, [HC]) as sandbox:
        yield sandbox


def connect(url: str, token: str = SANDBOX_TOKEN, **kw: Any) -> IntercomClient:
    kw.setdefault("sleep", Sleeps())
    kw.setdefault("seed", 7)
    return IntercomClient(url, token, **kw)


def hc_id(client: IntercomClient) -> int:
    (hc,) = client.list_help_centers()
    return int(hc["id"])


def collection_body(hc: int, name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": f"about {name}", "help_center_id": hc, **extra}


def create_in(client: IntercomClient, hc: int) -> Callable[[int], dict[str, Any]]:
    return lambda i: client.create_collection(collection_body(hc, f"C{i}"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# ---- round trips against the sandbox -------------------------------------------------------------


def test_collection_and_section_round_trip(sb: RunningSandbox) -> None:
    with connect(sb.url) as client:
        hc = hc_id(client)
        fr = {"type": "group_content", "name": "Facturation", "description": "Payer"}
        made = client.create_collection(
            collection_body(hc, "Billing", translated_content={"fr": fr})
        )
        cid = made["id"]
        assert made["type"] == "collection" and made["name"] == "Billing"
        assert made["help_center_id"] == hc
        assert made["translated_content"]["fr"]["name"] == "Facturation"

        got = client.get_collection(cid)
        assert got["description"] == "about Billing"
        updated = client.update_collection(cid, {"name": "Payments"})
        assert updated["name"] == "Payments"
        assert client.get_collection(cid)["name"] == "Payments"
        assert [c["id"] for c in client.list_collections()] == [cid]

        section = client.create_section({"name": "Invoices", "parent_id": int(cid)})
        sid = section["id"]
        assert section["type"] == "section" and section["parent_id"] == int(cid)
        assert client.update_section(sid, {"name": "Receipts"})["name"] == "Receipts"
        assert client.get_section(sid)["name"] == "Receipts"
        assert [s["id"] for s in client.list_sections()] == [sid]

        assert client.delete_section(sid) == {"id": sid, "object": "section", "deleted": True}
        with pytest.raises(NotFound):
            client.get_section(sid)
        assert client.delete_collection(cid)["deleted"] is True
        assert client.list_collections() == []
        assert client.get_help_center(str(hc))["identifier"] == HC
        # Nothing was retried and nothing was sent twice: one request per call above.
        assert client.requests_sent == 15
        assert sb.sandbox.counters.requests == 15


def test_every_request_carries_the_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"type": "list", "data": []})

    transport = httpx.MockTransport(handler)
    with connect(BASE, "tok", api_version="2.11", transport=transport) as client:
        client.list_collections()
        client.create_section({"name": "x", "parent_id": 1})
        client.delete_section("5")
    assert [r.method for r in seen] == ["GET", "POST", "DELETE"]
    for r in seen:
        assert r.headers["Authorization"] == "Bearer tok"
        assert r.headers["Intercom-Version"] == "2.11"
        assert r.headers["Accept"] == "application/json"
        assert r.headers["User-Agent"] == f"contentsync/{__version__}"
    assert seen[1].headers["Content-Type"] == "application/json"
    assert json.loads(seen[1].content) == {"name": "x", "parent_id": 1}
    assert "Content-Type" not in seen[0].headers and "Content-Type" not in seen[2].headers
    assert seen[0].url.params["per_page"] == str(MAX_PER_PAGE) == "250"


# ---- API versions --------------------------------------------------------------------------------


def test_every_supported_api_version_is_sent_and_others_are_refused() -> None:
    assert API_VERSIONS == ("2.9", "2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Intercom-Version"])
        return httpx.Response(200, json={"type": "admin", "id": "1"})

    for version in API_VERSIONS:
        with connect(BASE, "tok", api_version=version, transport=httpx.MockTransport(handler)) as c:
            c.me()
    assert seen == list(API_VERSIONS)
    for wrong in ("2.8", "2.17", "2.1", "latest", "Unstable", "", " 2.9"):
        with pytest.raises(ConfigError) as err:
            IntercomClient(BASE, "tok", api_version=wrong)
        assert str(err.value) == (
            f'api_version {wrong!r} is not supported: use "2.9" (collections and sections) '
            'or "2.10" to "2.16" (nested collections)'
        )


def test_sections_are_refused_on_2_16_before_anything_is_sent() -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, json={}))
    with connect(BASE, "tok", api_version="2.16", transport=transport) as client:
        for call in (
            client.list_sections,
            lambda: client.get_section("1"),
            lambda: client.create_section({"name": "S", "parent_id": 1}),
            lambda: client.update_section("1", {"name": "S"}),
            lambda: client.delete_section("1"),
        ):
            with pytest.raises(ConfigError, match=r"API 2\.16 has no sections"):
                call()
    assert seen == []


def test_2_15_still_has_sections(sb: RunningSandbox) -> None:
    with connect(sb.url, api_version="2.15") as client:
        cid = client.create_collection(collection_body(hc_id(client), "C"))["id"]
        section = client.create_section({"name": "S", "parent_id": int(cid)})
        assert [s["id"] for s in client.list_sections()] == [section["id"]]
        # ... and on 2.10+ the same section is also a collection with a parent.
        nested = {c["id"]: c["parent_id"] for c in client.list_collections()}
        assert nested == {cid: None, section["id"]: cid}


# ---- articles and admins -------------------------------------------------------------------------


def article_body(client: IntercomClient, title: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "author_id": int(client.me()["id"]), **extra}


def test_articles_are_read_250_a_page_once_each_and_the_newest_first(sb: RunningSandbox) -> None:
    with connect(sb.url) as client:
        author = int(client.me()["id"])
        with ThreadPoolExecutor(8) as pool:
            made = list(pool.map(
                lambda i: client.create_article({"title": f"A{i}", "author_id": author}),
                range(520),
            ))  # fmt: skip
        newest = client.update_article(made[0]["id"], {"description": "touched"})
        before = client.requests_sent
        listed = client.list_articles()
        assert client.requests_sent - before == 3  # 250 + 250 + 20
        assert sorted(a["id"] for a in listed) == sorted(a["id"] for a in made)
        recent = client.list_recent_articles()
        assert client.requests_sent - before == 4  # one page, one request
        assert len(recent) == MAX_PER_PAGE and recent[0]["id"] == newest["id"]


def test_a_create_whose_answer_was_lost_is_found_on_the_first_page(tmp_path: Path) -> None:
    """What apply does with an article create whose outcome is unknown: look at the newest
    articles instead of sending it again."""
    path = tmp_path / "state.json"
    with running_sandbox(path, [HC]) as sandbox, connect(sandbox.url) as client:
        for i in range(30):
            client.create_article(article_body(client, f"Old {i}"))
    faults = FaultConfig(rate=1.0, seed=1, kinds=("drop_after_commit",))
    with running_sandbox(path, [HC], faults=faults) as sb, connect(sb.url) as client:
        with pytest.raises(OutcomeUnknown, match="create article 'Refunds': outcome unknown"):
            client.create_article({"title": "Refunds", "author_id": int(sb.state.owner_id)})
        assert client.requests_sent == 1
    with running_sandbox(path, [HC]) as sb, connect(sb.url) as client:
        recent = client.list_recent_articles()
        assert recent[0]["title"] == "Refunds"
        assert [a["title"] for a in client.list_articles()].count("Refunds") == 1


def test_admins_and_me() -> None:
    with running_sandbox(None, [HC], admins=["jane@acme.test"]) as box, connect(box.url) as client:
        admins = client.list_admins()
        assert [a["email"] for a in admins] == ["owner@sandbox.test", "jane@acme.test"]
        assert client.me()["id"] == admins[0]["id"]
        assert client.requests_sent == 2


def test_an_admins_answer_without_a_list_is_an_error() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"admins": "none"}))
    with connect(BASE, "tok", transport=transport) as client, pytest.raises(ApiError) as err:
        client.list_admins()
    assert err.value.code == "invalid_response" and "'admins' is not a list" in str(err.value)


# ---- pagination ----------------------------------------------------------------------------------


def test_pages_through_600_collections_in_three_requests_from_eight_threads(
    sb: RunningSandbox,
) -> None:
    with connect(sb.url) as client:
        hc = hc_id(client)
        with ThreadPoolExecutor(8) as pool:
            made = list(pool.map(create_in(client, hc), range(600)))
        assert client.requests_sent == 1 + 600  # thread-safe count, nothing retried
        assert len(sb.state.collections) == 600

        before = client.requests_sent
        listed = client.list_collections()
        assert client.requests_sent - before == 3  # 250 + 250 + 100
        assert sorted(c["id"] for c in listed) == sorted(c["id"] for c in made)
        assert len({c["id"] for c in listed}) == 600

        # A count that fills its last page exactly needs no extra request either.
        parent = int(made[0]["id"])
        for i in range(MAX_PER_PAGE):
            client.create_section({"name": f"S{i}", "parent_id": parent})
        before = client.requests_sent
        assert len(client.list_sections()) == MAX_PER_PAGE
        assert client.requests_sent - before == 1


def mock_pages(pages: list[dict[str, Any]], seen: list[httpx.Request]) -> httpx.MockTransport:
    """Serves the given list bodies by `page` (1-based); `data: []` past the end."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        page = int(request.url.params["page"])
        body = pages[page - 1] if page <= len(pages) else {"type": "list", "data": []}
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handler)


def objs(start: int, count: int) -> list[dict[str, Any]]:
    return [
        {"id": str(i), "type": "collection", "name": f"c{i}"} for i in range(start, start + count)
    ]


NEXT_URL = "https://api.intercom.io/help_center/collections?per_page=1&page={}"


def page(start: int, count: int, **pages: Any) -> dict[str, Any]:
    """A list body: objects start..start+count, and `pages` as given."""
    return {"type": "list", "data": objs(start, count), "pages": {"type": "pages", **pages}}


def err_body(code: str, message: str) -> dict[str, Any]:
    return {"type": "error.list", "errors": [{"code": code, "message": message}]}


@pytest.mark.parametrize(
    ("pages", "requests"),
    [
        pytest.param(  # what the real API sends: next is a URL string, no total_pages
            [
                page(0, 3, page=1, next=NEXT_URL.format(2)),
                page(3, 3, page=2, next=NEXT_URL.format(3)),
                page(6, 1, page=3, next=None),
            ],
            3,
            id="next-url-string",
        ),
        pytest.param(  # the spec's shape: next is an object
            [page(0, 2, page=1, next={"page": 2, "starting_after": "x"}), page(2, 5, page=2)],
            2,
            id="next-object-then-absent",
        ),
        pytest.param(
            [{"data": objs(0, 7), "pages": None}],
            1,
            id="pages-null-short-page",
        ),
        pytest.param(
            [{"data": objs(0, MAX_PER_PAGE)}, {"data": objs(MAX_PER_PAGE, 7)}],
            2,
            id="pages-absent-full-page-has-a-successor",
        ),
        pytest.param(
            [{"data": objs(0, MAX_PER_PAGE), "pages": None}, {"data": objs(MAX_PER_PAGE, 0)}],
            2,
            id="pages-null-full-then-empty",
        ),
        pytest.param(
            [{"data": objs(0, 4), "total_count": 7}, {"data": objs(4, 3), "total_count": 7}],
            2,
            id="total-count-only",
        ),
        pytest.param(
            [page(0, 4, total_pages=9, next=NEXT_URL.format(2)), page(4, 0, total_pages=9)],
            2,
            id="empty-page-ends-it",
        ),
        pytest.param(
            [
                page(0, 4, page=1, total_pages=2, next=NEXT_URL.format(2)),
                page(4, 3, page=2, total_pages=2, next=NEXT_URL.format(3)),
            ],
            2,
            id="total-pages-wins-over-next",
        ),
    ],
)  # fmt: skip
def test_pagination_quirks_of_the_real_api(pages: list[dict[str, Any]], requests: int) -> None:
    seen: list[httpx.Request] = []
    expected = [o for p in pages for o in p["data"]]
    with connect(BASE, "tok", transport=mock_pages(pages, seen)) as client:
        got = client.list_collections()
    assert got == expected
    assert [int(r.url.params["page"]) for r in seen] == list(range(1, requests + 1))
    # next's URL is never followed as such: every request goes to our base URL, 250 a page.
    assert {(r.url.host, r.url.path, r.url.params["per_page"]) for r in seen} == {
        ("api.intercom.io", "/help_center/collections", "250")
    }


def test_an_object_seen_twice_while_paging_is_kept_once_with_its_latest_version() -> None:
    first = {"id": "1", "name": "old"}
    pages: list[dict[str, Any]] = [
        {"data": [first, {"id": "2"}], "pages": {"total_pages": 2}},
        {"data": [{"id": "2"}, {"id": "1", "name": "new"}, {"id": "3"}], "pages": None},
    ]
    with connect(BASE, "tok", transport=mock_pages(pages, [])) as client:
        got = client.list_collections()
    assert got == [{"id": "1", "name": "new"}, {"id": "2"}, {"id": "3"}]


def test_a_server_that_never_stops_paging_is_stopped() -> None:
    seen: list[httpx.Request] = []

    def forever(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        page = int(request.url.params["page"])
        body = {
            "data": objs(page * 10, 10),
            "pages": {"page": page, "next": NEXT_URL.format(page + 1)},
        }
        return httpx.Response(200, json=body)  # fmt: skip

    with (
        connect(BASE, "tok", transport=httpx.MockTransport(forever)) as client,
        pytest.raises(ApiError, match="still more after 1000 pages"),
    ):
        client.list_sections()
    assert len(seen) == 1000


def test_a_server_that_ignores_page_while_claiming_more_is_an_error() -> None:
    seen: list[httpx.Request] = []

    def same(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": objs(0, 5), "pages": {"total_pages": 50}})

    with (
        connect(BASE, "tok", transport=httpx.MockTransport(same)) as client,
        pytest.raises(ApiError, match="page 2 repeats earlier pages"),
    ):
        client.list_collections()
    assert len(seen) == 2


def test_an_unpaginated_endpoint_that_ignores_page_is_read_once_through() -> None:
    # Help centers have no `pages` in 2.9; a full page of them is asked for once more.
    seen: list[httpx.Request] = []

    def same(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"type": "list", "data": objs(0, MAX_PER_PAGE)})

    with connect(BASE, "tok", transport=httpx.MockTransport(same)) as client:
        assert len(client.list_help_centers()) == MAX_PER_PAGE
    assert len(seen) == 2


def test_a_list_without_a_list_is_an_error() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"data": {"id": "1"}}))
    with connect(BASE, "tok", transport=transport) as client, pytest.raises(ApiError) as err:
        client.list_collections()
    assert err.value.code == "invalid_response"


# ---- typed errors --------------------------------------------------------------------------------


def test_404_names_the_object_and_is_not_retried(sb: RunningSandbox) -> None:
    with connect(sb.url) as client:
        with pytest.raises(NotFound) as err:
            client.get_collection("424242")
        assert "collection 424242 not found" in str(err.value)
        assert (err.value.status, err.value.code) == (404, "not_found")
        assert (err.value.method, err.value.path) == ("GET", "/help_center/collections/424242")
        with pytest.raises(NotFound, match="section 77 not found"):
            client.update_section("77", {"name": "x"})
        with pytest.raises(NotFound, match="section 77 not found"):
            client.delete_section("77")
        with pytest.raises(NotFound, match="help center 9 not found"):
            client.get_help_center("9")
        assert client.requests_sent == 4


def test_401_says_which_token_to_check_and_is_not_retried(sb: RunningSandbox) -> None:
    with connect(sb.url, "wrong-token") as client:
        with pytest.raises(AuthenticationError) as err:
            client.list_collections()
        assert client.requests_sent == 1
    text = str(err.value)
    assert "access token was rejected (401" in text and "INTERCOM_ACCESS_TOKEN" in text
    assert err.value.code == "unauthorized"


def test_a_rejected_body_is_an_api_error_with_the_servers_code(sb: RunningSandbox) -> None:
    with connect(sb.url) as client:
        with pytest.raises(ApiError) as err:
            client.create_section({"name": "orphan"})
        assert type(err.value) is ApiError
        assert (err.value.status, err.value.code) == (400, "parameter_not_found")
        assert "Parent is a required parameter." in str(err.value)
        assert client.requests_sent == 1
        assert not sb.state.collections


def test_an_id_cannot_escape_its_path(sb: RunningSandbox) -> None:
    with connect(sb.url) as client, pytest.raises(NotFound) as err:
        client.get_collection("../help_centers")
    assert err.value.path == "/help_center/collections/..%2Fhelp_centers"


def proxy_502(request: httpx.Request) -> httpx.Response:
    return httpx.Response(502, text="<html><body>Bad Gateway</body></html>",
                          headers={"Content-Type": "text/html"})  # fmt: skip


def test_a_non_json_502_is_retried_then_reported_by_its_status_line() -> None:
    sleeps = Sleeps()
    transport = httpx.MockTransport(proxy_502)
    with connect(BASE, "tok", transport=transport, sleep=sleeps, max_attempts=4) as client:
        with pytest.raises(ApiError) as err:
            client.get_section("1")
        assert client.requests_sent == 4
    assert (err.value.status, err.value.code, err.value.api_message) == (
        502,
        "http_error",
        "Bad Gateway",
    )
    assert len(sleeps) == 3  # fmt: skip


def test_a_non_json_502_on_create_is_an_unknown_outcome_at_once() -> None:
    transport = httpx.MockTransport(proxy_502)
    with connect(BASE, "tok", transport=transport) as client:
        with pytest.raises(OutcomeUnknown) as err:
            client.create_collection({"name": "Name", "help_center_id": 1})
        assert client.requests_sent == 1
    assert str(err.value) == "create collection 'Name': outcome unknown (HTTP 502)"


def test_an_unreadable_success_is_an_error_and_on_create_an_unknown_outcome() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, text='{"id": '))
    with connect(BASE, "tok", transport=transport) as client:
        with pytest.raises(ApiError, match="not a JSON object"):
            client.get_collection("1")
        with pytest.raises(OutcomeUnknown, match="unreadable body"):
            client.create_section({"name": "S", "parent_id": 1})


def test_a_redirect_is_not_followed() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"Location": "https://elsewhere.example/steal"})

    with (
        connect(BASE, "tok", transport=httpx.MockTransport(handler)) as client,
        pytest.raises(ApiError) as err,
    ):
        client.list_collections()
    assert err.value.status == 302
    assert [r.url.host for r in seen] == ["api.intercom.io"]


# ---- retries: backoff, which methods, which failures ---------------------------------------------


def flaky(
    failures: list[Exception | int], then: dict[str, Any]
) -> Callable[[httpx.Request], httpx.Response]:
    """Fails with each of `failures` in turn (an exception, or a status), then answers `then`."""
    queue = list(failures)

    def handler(request: httpx.Request) -> httpx.Response:
        if queue:
            failure = queue.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return httpx.Response(failure, json=err_body("server_error", "boom"))
        return httpx.Response(200, json=then)

    return handler


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("reset by peer"),
        500,
        503,
        429,
    ],
    ids=repr,
)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_requests_are_retried(failure: Exception | int, method: str) -> None:
    sleeps = Sleeps()
    handler = flaky([failure, failure], {"id": "1", "type": "section"})
    with connect(BASE, "tok", transport=httpx.MockTransport(handler), sleep=sleeps) as client:
        if method == "GET":
            answer = client.get_section("1")
        elif method == "PUT":
            answer = client.update_section("1", {"name": "n"})
        else:
            answer = client.delete_section("1")
        assert answer["id"] == "1"
        assert client.requests_sent == 3
    assert len(sleeps) == 2


def test_retries_stop_after_max_attempts_with_a_transport_error() -> None:
    sleeps = Sleeps()
    handler = flaky([httpx.ReadTimeout("slow")] * 10, {})
    transport = httpx.MockTransport(handler)
    with connect(BASE, "tok", transport=transport, sleep=sleeps, max_attempts=3) as client:
        with pytest.raises(TransportError) as err:
            client.list_collections()
        assert client.requests_sent == 3
    assert str(err.value) == (
        "GET /help_center/collections: no answer from https://api.intercom.io after 3 attempts "
        "(ReadTimeout)"
    )


def test_backoff_is_exponential_full_jitter_and_seeded() -> None:
    def run(seed: int) -> Sleeps:
        sleeps = Sleeps()
        handler = flaky([500] * 20, {})
        with (
            connect(
                BASE,
                "tok",
                transport=httpx.MockTransport(handler),
                sleep=sleeps,
                seed=seed,
                max_attempts=9,
                backoff_base=0.5,
                backoff_cap=8.0,
            ) as client,
            pytest.raises(ApiError),
        ):
            client.get_collection("1")  # fmt: skip
        return sleeps

    a, b, c = run(1), run(1), run(2)
    assert len(a) == 8
    assert a == b and a != c
    ceilings = [min(8.0, 0.5 * 2**k) for k in range(8)]
    assert all(0 <= s <= cap for s, cap in zip(a, ceilings, strict=True))
    assert ceilings[-3:] == [8.0, 8.0, 8.0]
    # Full jitter, not a fixed schedule: the waits are not simply the ceilings.
    assert a != ceilings


@pytest.mark.parametrize(
    "failure",
    [
        500,
        503,
        httpx.ReadTimeout("read timed out"),
        httpx.WriteTimeout("write timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("reset by peer"),
    ],
    ids=repr,
)
def test_a_create_with_an_unknown_outcome_is_never_sent_again(failure: Exception | int) -> None:
    handler = flaky([failure], {"id": "9"})
    with connect(BASE, "tok", transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(OutcomeUnknown) as err:
            client.create_collection({"name": "Name", "help_center_id": 1})
        assert client.requests_sent == 1
    assert str(err.value).startswith("create collection 'Name': outcome unknown (")


@pytest.mark.parametrize(
    "failure",
    [429, httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("busy")],
    ids=repr,
)
def test_a_create_that_provably_was_not_processed_is_retried(failure: Exception | int) -> None:
    handler = flaky([failure], {"id": "9", "type": "section"})
    with connect(BASE, "tok", transport=httpx.MockTransport(handler)) as client:
        assert client.create_section({"name": "S", "parent_id": 1})["id"] == "9"
        assert client.requests_sent == 2


@pytest.mark.parametrize("failure", [500, httpx.ReadTimeout("slow")], ids=repr)
def test_a_delete_that_went_through_before_its_answer_was_lost_is_done(
    failure: Exception | int,
) -> None:
    gone = httpx.Response(404, json=err_body("not_found", "Resource Not Found"))
    handler = flaky([failure], {})
    answers: list[Callable[[httpx.Request], httpx.Response]] = [handler, lambda r: gone]
    transport = httpx.MockTransport(lambda r: answers.pop(0)(r))
    with connect(BASE, "tok", transport=transport) as client:
        deleted = client.delete_collection("5")
        assert client.requests_sent == 2
    assert deleted == {"id": "5", "object": "collection", "deleted": True}


def test_a_delete_of_what_was_never_there_is_not_found() -> None:
    gone = httpx.Response(404, json=err_body("not_found", "Resource Not Found"))
    transport = httpx.MockTransport(lambda r: gone)
    with connect(BASE, "tok", transport=transport) as client, pytest.raises(NotFound):
        client.delete_collection("5")


# ---- retries against the sandbox's injected faults -----------------------------------------------


def seeded_state(
    path: Path, collections: int, sections_each: int
) -> tuple[int, list[str], list[str]]:
    """Objects made on a fault-free sandbox, saved to `path` for a faulty one to load."""
    with running_sandbox(path, [HC]) as sandbox, connect(sandbox.url) as client:
        hc = hc_id(client)
        cids = [
            client.create_collection(collection_body(hc, f"C{i}"))["id"] for i in range(collections)
        ]
        sids = [client.create_section({"name": f"S{j}", "parent_id": int(cid)})["id"]
                for cid in cids for j in range(sections_each)]  # fmt: skip
    return hc, cids, sids


def test_reads_updates_and_deletes_succeed_under_500s_before_commit(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    _, cids, sids = seeded_state(path, 6, 2)
    faults = FaultConfig(rate=0.4, seed=3, kinds=("error_before_commit",))
    with (
        running_sandbox(path, [HC], faults=faults) as sb,
        connect(sb.url, max_attempts=10) as client,
    ):
        for _ in range(5):
            assert len(client.list_collections()) == 6
            assert len(client.list_sections()) == 12
        for cid in cids:
            assert client.get_collection(cid)["id"] == cid
            assert client.update_collection(cid, {"name": f"new {cid}"})["name"] == f"new {cid}"
        for sid in sids:
            assert client.delete_section(sid)["deleted"] is True
        assert sorted(sb.state.collections) == sorted(cids)  # the sections are gone
        assert {c["translations"]["en"]["name"] for c in sb.state.collections.values()} == {
            f"new {cid}" for cid in cids
        }
        faults_seen = sb.sandbox.counters.faults["error_before_commit"]
        assert faults_seen >= 5
        # Every failed attempt was sent again, and each reached the server.
        assert client.requests_sent == sb.sandbox.counters.requests == 10 + 6 * 2 + 12 + faults_seen


def test_updates_and_deletes_succeed_when_the_answer_is_lost_after_commit(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    _, cids, sids = seeded_state(path, 4, 3)
    faults = FaultConfig(rate=0.5, seed=5, kinds=("error_after_commit", "drop_after_commit"))
    with (
        running_sandbox(path, [HC], faults=faults) as sb,
        connect(sb.url, max_attempts=10) as client,
    ):
        for sid in sids:
            assert (
                client.update_section(sid, {"name": f"renamed {sid}"})["name"] == f"renamed {sid}"
            )
        for cid in cids:
            assert client.delete_collection(cid) == {
                "id": cid,
                "object": "collection",
                "deleted": True,
            }
        assert not sb.state.collections
        counted = sb.sandbox.counters.faults
        assert (
            counted.get("error_after_commit", 0) >= 1 and counted.get("drop_after_commit", 0) >= 1
        )
        # One more request per fault (fewer when the fault fell on a retry that found the
        # object already deleted), each of which reached the server.
        assert 12 + 4 + 4 <= client.requests_sent == sb.sandbox.counters.requests


@pytest.mark.parametrize("kind", ["error_after_commit", "drop_after_commit", "error_before_commit"])
def test_a_create_under_a_fault_is_an_unknown_outcome_and_made_at_most_once(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "state.json"
    hc, _, _ = seeded_state(path, 0, 0)
    faults = FaultConfig(rate=1.0, seed=1, kinds=(kind,))
    with running_sandbox(path, [HC], faults=faults) as sb, connect(sb.url) as client:
        with pytest.raises(OutcomeUnknown) as err:
            client.create_collection(collection_body(hc, "Once"))
        assert client.requests_sent == sb.sandbox.counters.requests == 1
        made = [
            c for c in sb.state.collections.values() if c["translations"]["en"]["name"] == "Once"
        ]
        assert len(made) == (0 if kind == "error_before_commit" else 1)
    assert str(err.value) in (
        "create collection 'Once': outcome unknown (HTTP 500)",
        "create collection 'Once': outcome unknown (RemoteProtocolError)",
    )


def test_creates_are_retried_through_429s_and_made_exactly_once(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    hc, _, _ = seeded_state(path, 0, 0)
    faults = FaultConfig(rate=0.5, seed=2, kinds=("rate_limit",))
    sleeps = Sleeps()
    waits: list[float] = []
    with (
        running_sandbox(path, [HC], faults=faults) as sb,
        connect(sb.url, sleep=sleeps, max_attempts=20, on_rate_wait=waits.append) as client,
    ):
        for i in range(20):
            client.create_collection(collection_body(hc, f"R{i}"))
        names = sorted(c["translations"]["en"]["name"] for c in sb.state.collections.values())
        assert names == sorted(f"R{i}" for i in range(20))
        limited = sb.sandbox.counters.faults["rate_limit"]
        assert limited >= 5
        assert client.requests_sent == 20 + limited
    # Each 429 waited for the window's reset (the sandbox's windows are 10 s long). Other
    # sleeps are the pacing's: 10,000 requests a window are a millisecond apart, and a client
    # sending faster than that (sleeps here return at once) waits for its slots.
    assert len(waits) == limited
    assert all(0 < s <= 10 for s in waits)
    assert all(0 < s <= 10 + 1 + 0.25 for s in sleeps)


def test_429_after_the_last_attempt_is_rate_limited() -> None:
    with running_sandbox(None, [HC], faults=FaultConfig(rate=1.0, kinds=("rate_limit",))) as sb:
        with connect(sb.url, max_attempts=3) as client, pytest.raises(RateLimited) as err:
            client.list_collections()
        assert client.requests_sent == 3
    assert err.value.code == "rate_limit_exceeded"
    assert "Exceeded rate limit" in err.value.api_message


# ---- rate-limit headers --------------------------------------------------------------------------


def test_a_429_waits_until_the_reset_the_server_names() -> None:
    reset = int(time.time()) + 5
    answers = [
        httpx.Response(
            429,
            headers={"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0",
                     "X-RateLimit-Reset": str(reset)},
            json=err_body("rate_limit_exceeded", "Exceeded rate limit of 10 in 10_seconds"),
        ),
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(200, json={"id": "1"}),
    ]  # fmt: skip
    sleeps = Sleeps()
    transport = httpx.MockTransport(lambda r: answers.pop(0))
    with connect(BASE, "tok", transport=transport, sleep=sleeps, backoff_base=0.1) as client:
        assert client.create_collection({"name": "N"}) == {"id": "1"}
        assert client.requests_sent == 3
    first, second = sleeps
    assert reset - time.time() - 1 < first <= reset - time.time() + 0.1 + 0.5
    # The second 429 named no reset of its own, but the window it belongs to has not ended yet.
    assert second >= 3


def test_a_reset_given_as_seconds_is_not_read_as_a_date() -> None:
    answers = [
        httpx.Response(429, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2"}),
        httpx.Response(200, json={"id": "1"}),
    ]
    sleeps = Sleeps()
    transport = httpx.MockTransport(lambda r: answers.pop(0))
    with connect(BASE, "tok", transport=transport, sleep=sleeps, backoff_base=0.1) as client:
        client.get_section("1")
    (wait,) = sleeps
    assert 1.5 < wait <= 2.2


def test_a_small_rate_limit_slows_a_sequence_down_without_a_single_429() -> None:
    with (
        running_sandbox(None, [HC], rate_limit=5, rate_window_s=1.0) as sb,
        IntercomClient(sb.url, SANDBOX_TOKEN) as client,
    ):
        time.sleep(1 - time.time() % 1)  # windows start on the second: begin with a fresh one
        started = time.monotonic()
        for _ in range(8):
            assert client.list_help_centers()
        elapsed = time.monotonic() - started
        assert client.requests_sent == 8 == sb.sandbox.counters.requests
    # Windows of 5: the 6th waited for the first window to end.
    assert elapsed > 0.9


def test_a_small_rate_limit_slows_eight_threads_down_instead_of_failing() -> None:
    with (
        running_sandbox(None, [HC], rate_limit=8, rate_window_s=1.0) as sb,
        IntercomClient(sb.url, SANDBOX_TOKEN, seed=1) as client,
    ):
        hc = hc_id(client)
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            made = list(pool.map(create_in(client, hc), range(16)))
        elapsed = time.monotonic() - started
        assert len({m["id"] for m in made}) == 16 == len(sb.state.collections)
        # Every request reached the server: 429s were waited out, nothing failed.
        assert client.requests_sent == sb.sandbox.counters.requests
    assert elapsed > 1.0


def test_requests_run_in_parallel_up_to_sixteen_at_once() -> None:
    with (
        running_sandbox(None, [HC], latency_ms=300) as sb,
        IntercomClient(sb.url, SANDBOX_TOKEN) as client,
    ):
        started = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(lambda _: client.list_help_centers(), range(16)))
        elapsed = time.monotonic() - started
        assert client.requests_sent == 16
    assert all(len(r) == 1 for r in results)
    assert elapsed < 0.9, "16 requests of 300 ms each did not overlap"  # fmt: skip


# ---- the token stays secret ----------------------------------------------------------------------


SECRET = "tok_SECRET_1234567890"
PIECES = (SECRET, SECRET[4:], SECRET[-10:])


def assert_clean(*texts: str) -> None:
    for text in texts:
        for piece in PIECES:
            assert piece not in text, text


def test_the_token_appears_in_no_error_repr_or_debug_log(
    sb: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    def echo_500(request: httpx.Request) -> httpx.Response:
        # A server that echoes what it was sent: even then the token is not passed on.
        echoed = request.headers["Authorization"]
        return httpx.Response(500, json=err_body(echoed, f"bad {echoed}"))

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(f"timed out: {request.headers!r}", request=request)

    caplog.set_level(logging.DEBUG)  # the root logger: httpx and httpcore included
    errors: list[BaseException] = []
    clients = [
        connect(sb.url, SECRET, max_attempts=2),  # 401 over real HTTP
        connect(f"http://127.0.0.1:{free_port()}", SECRET, max_attempts=2),  # refused
        connect(BASE, SECRET, transport=httpx.MockTransport(echo_500), max_attempts=2),
        connect(BASE, SECRET, transport=httpx.MockTransport(timeout), max_attempts=2),
    ]
    for client in clients:
        with client:
            for call in (
                client.list_collections,
                lambda c=client: c.create_collection({"name": "n", "help_center_id": 1}),
                lambda c=client: c.delete_section("1"),
            ):
                try:
                    call()
                except ContentsyncError as failure:
                    errors.append(failure)
            assert_clean(repr(client), str(client))
    assert len(errors) == 12
    kinds = {type(e) for e in errors}
    assert {AuthenticationError, TransportError, ApiError, OutcomeUnknown} <= kinds
    for error in errors:
        assert error.__cause__ is None and error.__context__ is None
        chain = "".join(traceback.format_exception(error))
        assert_clean(str(error), repr(error), chain, repr(vars(error)))
    assert "[token]" in " ".join(str(e) for e in errors)  # the echo was scrubbed, not dropped
    assert any(r.name == "contentsync.client" for r in caplog.records)
    assert any(r.name.startswith("httpcore") for r in caplog.records)
    assert_clean(caplog.text, *(r.getMessage() for r in caplog.records))


@pytest.mark.parametrize("token", ["", "  ", "tok\nInjected: 1", "tok en", "tök"])
def test_a_token_that_cannot_be_a_header_is_refused_without_being_echoed(token: str) -> None:
    with pytest.raises(ConfigError) as err:
        IntercomClient(BASE, token)
    assert "tok" not in str(err.value).replace("token", "")


def test_surrounding_whitespace_of_a_token_is_dropped() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200, json={"id": "1"})

    with connect(BASE, " tok\n", transport=httpx.MockTransport(handler)) as client:
        client.get_collection("1")
    assert seen == ["Bearer tok"]


# ---- the base URL --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("https://api.intercom.io", "https://api.intercom.io"),
        ("https://api.intercom.io/", "https://api.intercom.io"),
        (" https://api.eu.intercom.io ", "https://api.eu.intercom.io"),
        ("https://api.au.intercom.io", "https://api.au.intercom.io"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://127.1.2.3:8000/", "http://127.1.2.3:8000"),
        ("http://localhost", "http://localhost"),
        ("http://LOCALHOST:9000", "http://LOCALHOST:9000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("http://[::ffff:127.0.0.1]", "http://[::ffff:127.0.0.1]"),
        ("https://10.0.0.5", "https://10.0.0.5"),
    ],
)
def test_api_urls_that_are_accepted(url: str, normalized: str) -> None:
    assert check_api_url(url) == normalized
    with IntercomClient(url, "tok") as client:
        assert client.base_url == normalized


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.com", "plain http to example.com"),
        ("http://10.0.0.5", "plain http to 10.0.0.5"),
        ("http://0.0.0.0:8000", "plain http to 0.0.0.0"),
        ("http://localhost.example.com", "plain http to localhost.example.com"),
        ("http://api.intercom.io", "plain http to api.intercom.io"),
        ("ftp://api.intercom.io", "not an http(s) URL"),
        ("ftp://me:hunter2@api.intercom.io", "user name or password"),
        ("api.intercom.io", "not an http(s) URL"),
        ("https://", "not an http(s) URL"),
        ("https://api.intercom.io:99999", "not a valid URL"),
        ("https://api.intercom.io/?x=1", "query or fragment"),
        ("https://user:hunter2@api.intercom.io", "user name or password"),
    ],
)
def test_api_urls_that_are_refused(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        check_api_url(url)
    assert "hunter2" not in str(err.value)
    with pytest.raises(ConfigError):
        IntercomClient(url, "tok")
