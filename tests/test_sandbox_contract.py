"""The sandbox answers like Intercom's 2.9 and 2.16 descriptions say, over real HTTP, for every
operation contentsync uses and every error it can give, from one state in the shape each
request's Intercom-Version asks for; the client sends only what they allow."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from contentsync.client import IntercomClient
from contentsync.errors import ConfigError, OutcomeUnknown
from contentsync.sandbox import (
    SANDBOX_TOKEN,
    FaultConfig,
    RunningSandbox,
    SandboxState,
    intercom_html,
    running_sandbox,
)
from tests.openapi_contract import match_path, spec_version, validate_request, validate_response

AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}", "Intercom-Version": "2.9"}


class ContractTransport(httpx.HTTPTransport):
    """Checks every request body and every response body against the description of the
    version the request asks for, and keeps them."""

    def __init__(self, *, check_requests: bool = True) -> None:
        super().__init__()
        self.check_requests = check_requests
        self.seen: list[tuple[str, str, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        version = spec_version(request.headers.get("Intercom-Version", "2.9"), request.url.path)
        template = match_path(request.method, request.url.path, version)
        if request.content and self.check_requests:
            validate_request(request.method, template, json.loads(request.content), version)
        response = super().handle_request(request)
        response.read()
        body = response.json()
        validate_response(request.method, template, response.status_code, body, version)
        self.seen.append((request.method, template, response.status_code))
        return response


@pytest.fixture
def api() -> Iterator[tuple[httpx.Client, ContractTransport, Any]]:
    # Responses only: these tests send invalid requests on purpose.
    transport = ContractTransport(check_requests=False)
    with (
        running_sandbox(None, ["acme-help", "other-help"]) as sb,
        httpx.Client(base_url=sb.url, headers=AUTH, transport=transport) as client,
    ):
        yield client, transport, sb


def _hc(client: httpx.Client, identifier: str = "acme-help") -> int:
    data = client.get("/help_center/help_centers").json()["data"]
    return int(next(h["id"] for h in data if h["identifier"] == identifier))


def test_every_operation_and_error_matches_the_spec(api: Any) -> None:
    client, transport, _ = api
    hc = _hc(client)
    assert client.get(f"/help_center/help_centers/{hc}").status_code == 200
    assert client.get("/help_center/help_centers/999999").status_code == 404
    made = client.post(
        "/help_center/collections",
        json={"name": "Billing", "description": "Money", "help_center_id": hc,
              "translated_content": {"fr": {"name": "Facturation", "description": "Argent"}}},
    )  # fmt: skip
    assert made.status_code == 200
    collection = made.json()
    assert collection["translated_content"]["fr"]["name"] == "Facturation"
    assert collection["translated_content"]["de"] is None
    assert collection["translated_content"]["en"]["name"] == "Billing"
    cid = int(collection["id"])
    assert client.post("/help_center/collections", json={"description": "x"}).status_code == 400
    unknown_hc = {"name": "X", "help_center_id": 999999}
    assert client.post("/help_center/collections", json=unknown_hc).status_code == 404
    assert client.get(f"/help_center/collections/{cid}").status_code == 200
    assert client.get("/help_center/collections/999999").status_code == 404
    assert client.put(f"/help_center/collections/{cid}", json={"name": "Bills"}).status_code == 200
    assert client.put("/help_center/collections/999999", json={"name": "X"}).status_code == 404
    section = client.post("/help_center/sections", json={"name": "Invoices", "parent_id": cid})
    assert section.status_code == 200 and section.json()["parent_id"] == cid
    sid = section.json()["id"]
    assert client.post("/help_center/sections", json={"name": "No parent"}).status_code == 400
    orphan = {"name": "Orphan", "parent_id": 999999}
    assert client.post("/help_center/sections", json=orphan).status_code == 404
    assert client.get(f"/help_center/sections/{sid}").status_code == 200
    assert client.get("/help_center/sections/999999").status_code == 404
    renamed = client.put(f"/help_center/sections/{sid}", json={"name": "Bills", "parent_id": cid})
    assert renamed.status_code == 200
    assert client.get("/help_center/sections").status_code == 200
    assert client.get("/help_center/collections").status_code == 200
    assert client.delete(f"/help_center/sections/{sid}").json() == {
        "id": sid, "object": "section", "deleted": True,
    }  # fmt: skip
    assert client.delete(f"/help_center/sections/{sid}").status_code == 404
    assert client.delete(f"/help_center/collections/{cid}").status_code == 200
    assert client.delete(f"/help_center/collections/{cid}").status_code == 404
    statuses = {status for _, _, status in transport.seen}
    assert statuses == {200, 400, 404}
    assert len({(m, t) for m, t, _ in transport.seen}) == 12  # every operation was checked


def test_unauthenticated_requests_get_401_without_rate_limit_headers(api: Any) -> None:
    _, _, sb = api
    transport = ContractTransport()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}):
        with httpx.Client(base_url=sb.url, headers=headers, transport=transport) as anonymous:
            response = anonymous.get("/help_center/collections")
            assert response.status_code == 401
            assert response.json()["errors"][0] == {
                "code": "unauthorized", "message": "Access Token Invalid",
            }  # fmt: skip
            assert "X-RateLimit-Limit" not in response.headers


def test_unknown_routes_are_error_lists(api: Any) -> None:
    client, _, _ = api
    response = httpx.get(f"{client.base_url}/help_center/articles", headers=AUTH)
    assert response.status_code == 404 and response.json()["type"] == "error.list"


def test_bodies_of_the_wrong_type_are_400s(api: Any) -> None:
    client, _, _ = api
    hc = _hc(client)
    for body in (
        {"name": 5, "help_center_id": hc},
        {"name": "X", "help_center_id": str(hc)},
        {"name": "X", "help_center_id": hc, "translated_content": {"xx": {"name": "Y"}}},
        {"name": "X", "help_center_id": hc, "translated_content": {"fr": "Y"}},
    ):
        response = httpx.post(f"{client.base_url}/help_center/collections", headers=AUTH, json=body)
        assert response.status_code == 400, body
        validate_response("POST", "/help_center/collections", 400, response.json())


def test_pagination_order_and_limits(api: Any) -> None:
    client, _, _ = api
    hc = _hc(client)
    ids = [
        client.post(
            "/help_center/collections", json={"name": f"C{i}", "help_center_id": hc}
        ).json()["id"]
        for i in range(7)
    ]
    client.put(f"/help_center/collections/{ids[0]}", json={"name": "C0 again"})
    first = client.get("/help_center/collections", params={"per_page": 3}).json()
    assert first["pages"] == {"type": "pages", "page": 1, "per_page": 3, "total_pages": 3}
    assert first["total_count"] == 7
    assert [c["id"] for c in first["data"]] == [ids[0], ids[6], ids[5]]  # updated_at desc
    every = []
    for page in (1, 2, 3):
        params = {"per_page": 3, "page": page}
        every += client.get("/help_center/collections", params=params).json()["data"]
    assert sorted(c["id"] for c in every) == sorted(ids)
    past = client.get("/help_center/collections", params={"per_page": 3, "page": 9}).json()
    assert past["data"] == [] and past["pages"]["page"] == 9
    clamped = client.get("/help_center/collections", params={"per_page": 1000}).json()
    assert clamped["pages"]["per_page"] == 250
    default = client.get("/help_center/collections").json()
    assert default["pages"]["per_page"] == 20


def test_translations_merge_and_null_removes(api: Any) -> None:
    client, _, _ = api
    hc = _hc(client)
    body = {"name": "Billing", "help_center_id": hc, "translated_content": {
        "fr": {"name": "Facturation"}, "de": {"name": "Rechnung"}}}  # fmt: skip
    cid = client.post("/help_center/collections", json=body).json()["id"]
    changed = client.put(
        f"/help_center/collections/{cid}",
        json={"translated_content": {"fr": None, "es": {"name": "Facturación"}}},
    ).json()["translated_content"]
    assert changed["fr"] is None
    assert changed["de"]["name"] == "Rechnung"
    assert changed["es"]["name"] == "Facturación"
    via_default = client.put(
        f"/help_center/collections/{cid}", json={"translated_content": {"en": None}}
    ).json()
    assert via_default["name"] == "Billing"  # the default locale is never removed
    mirrored = client.put(
        f"/help_center/collections/{cid}",
        json={"translated_content": {"en": {"name": "Payments", "description": "P"}}},
    ).json()
    assert (mirrored["name"], mirrored["description"]) == ("Payments", "P")


def test_deleting_a_collection_deletes_its_sections(api: Any) -> None:
    client, _, sb = api
    hc = _hc(client)
    cid = client.post("/help_center/collections", json={"name": "A", "help_center_id": hc})
    cid = int(cid.json()["id"])
    for name in ("x", "y"):
        client.post("/help_center/sections", json={"name": name, "parent_id": cid})
    assert len(sb.state.collections) == 3
    client.delete(f"/help_center/collections/{cid}")
    assert sb.state.collections == {}


def test_rate_limit_headers_and_429() -> None:
    with running_sandbox(None, ["acme-help"], rate_limit=3, rate_window_s=30) as sb:
        statuses, remaining = [], []
        for _ in range(5):
            response = httpx.get(f"{sb.url}/help_center/collections", headers=AUTH)
            statuses.append(response.status_code)
            remaining.append(response.headers["X-RateLimit-Remaining"])
            validate_response("GET", "/help_center/collections", response.status_code,
                              response.json())  # fmt: skip
        assert statuses == [200, 200, 200, 429, 429]
        assert remaining[:3] == ["2", "1", "0"]
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert int(response.headers["X-RateLimit-Reset"]) > 0
        error = response.json()["errors"][0]
        assert error["code"] == "rate_limit_exceeded"
        assert error["message"] == "Exceeded rate limit of 3 in 30_seconds"


@pytest.mark.parametrize(
    ("kind", "committed", "dropped"),
    [
        ("error_before_commit", False, False),
        ("error_after_commit", True, False),
        ("drop_after_commit", True, True),
        ("rate_limit", False, False),
    ],
)
def test_fault_kinds(kind: str, committed: bool, dropped: bool) -> None:
    faults = FaultConfig(rate=1.0, seed=7, kinds=(kind,))
    with running_sandbox(None, ["acme-help"], faults=faults) as sb:
        hc = next(iter(sb.state.help_centers))
        body = {"name": "Billing", "help_center_id": int(hc)}
        try:
            response = httpx.post(f"{sb.url}/help_center/collections", headers=AUTH, json=body)
        except httpx.RemoteProtocolError:
            assert dropped
        else:
            assert not dropped
            expected = 429 if kind == "rate_limit" else 500
            assert response.status_code == expected
            validate_response("POST", "/help_center/collections", expected, response.json())
        assert len(sb.state.collections) == (1 if committed else 0)
        assert sb.sandbox.counters.faults == {kind: 1}


def test_client_never_duplicates_a_create_whose_connection_dropped() -> None:
    faults = FaultConfig(rate=1.0, seed=1, kinds=("drop_after_commit",))
    with running_sandbox(None, ["acme-help"], faults=faults) as sb:
        hc = int(next(iter(sb.state.help_centers)))
        with IntercomClient(sb.url, SANDBOX_TOKEN, sleep=lambda s: None) as client:
            with pytest.raises(OutcomeUnknown):
                client.create_collection({"name": "Once", "help_center_id": hc})
            assert client.requests_sent == 1
        assert [c["translations"]["en"]["name"] for c in sb.state.collections.values()] == ["Once"]


def test_a_client_session_sends_only_what_the_spec_allows() -> None:
    transport = ContractTransport()
    with (
        running_sandbox(None, ["acme-help"]) as sb,
        IntercomClient(sb.url, SANDBOX_TOKEN, transport=transport) as client,
    ):
        hc = client.list_help_centers()[0]["id"]
        c = client.create_collection({
            "name": "A", "description": "d", "help_center_id": int(hc),
            "translated_content": {"fr": {"name": "Un", "description": "d"}},
        })  # fmt: skip
        s = client.create_section({"name": "S", "parent_id": int(c["id"])})
        client.update_section(s["id"], {"name": "S2", "parent_id": int(c["id"]),
                                        "translated_content": {"de": {"name": "S"}}})  # fmt: skip
        client.update_collection(c["id"], {"name": "B", "translated_content": {"fr": None}})
        client.list_collections()
        client.list_sections()
        client.get_collection(c["id"])
        client.delete_section(s["id"])
        client.delete_collection(c["id"])
    assert len(transport.seen) == 10


def test_state_persists_atomically_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "state" / "sandbox.json"
    with running_sandbox(path, ["acme-help"]) as sb:
        hc = int(next(iter(sb.state.help_centers)))
        made = httpx.post(
            f"{sb.url}/help_center/collections", headers=AUTH,
            json={"name": "Kept", "help_center_id": hc},
        ).json()  # fmt: skip
    assert json.loads(path.read_text())["format"] == 2
    assert [p.name for p in path.parent.iterdir()] == ["sandbox.json"]  # no temp files left
    again = SandboxState.load(path)
    assert made["id"] in again.collections
    with running_sandbox(path, ["acme-help"]) as sb:
        listed = httpx.get(f"{sb.url}/help_center/collections", headers=AUTH).json()["data"]
        assert [c["name"] for c in listed] == ["Kept"]
        assert len(sb.state.help_centers) == 1  # seeding is idempotent


def test_concurrent_creates_get_distinct_ids() -> None:
    with running_sandbox(None, ["acme-help"]) as sb:
        hc = int(next(iter(sb.state.help_centers)))
        ids: list[str] = []
        lock = threading.Lock()

        def create(n: int) -> None:
            with httpx.Client(base_url=sb.url, headers=AUTH) as c:
                for i in range(10):
                    body = {"name": f"{n}-{i}", "help_center_id": hc}
                    got = c.post("/help_center/collections", json=body).json()["id"]
                    with lock:
                        ids.append(got)

        threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(ids) == 80 and len(set(ids)) == 80


def test_latency_is_when_the_answer_leaves_not_when_the_work_starts() -> None:
    """`latency_ms` delays the answer, counted from the request's arrival; the work (here a
    commit) happens at once, as on a remote server, so concurrent requests never queue behind
    each other's waits."""
    with running_sandbox(None, ["acme-help"], latency_ms=1000) as sb:
        hc = int(next(iter(sb.state.help_centers)))
        answered: list[float] = []

        def create() -> None:
            started = time.monotonic()
            with httpx.Client(base_url=sb.url, headers=AUTH) as c:
                body = {"name": "Slow network", "help_center_id": hc}
                c.post("/help_center/collections", json=body).raise_for_status()
            answered.append(time.monotonic() - started)

        sender = threading.Thread(target=create)
        sent = time.monotonic()
        sender.start()
        assert not sb.state.collections
        while not sb.state.collections:
            assert time.monotonic() - sent < 0.5, "the create was not made on arrival"
            time.sleep(0.005)
        assert sender.is_alive(), "answered before the latency was over"
        sender.join()
    assert answered and answered[0] >= 0.95


# ---- versions: one state, two shapes -------------------------------------------------------------


def versioned(sb: RunningSandbox, version: str, *, check_requests: bool = True) -> httpx.Client:
    """A raw client on `version`, every exchange checked against its description."""
    headers = {**AUTH, "Intercom-Version": version}
    transport = ContractTransport(check_requests=check_requests)
    return httpx.Client(base_url=sb.url, headers=headers, transport=transport)


@pytest.fixture
def sb() -> Iterator[RunningSandbox]:
    with running_sandbox(None, ["acme-help", "other-help"], admins=["jane@acme.test"]) as box:
        yield box


def made(client: httpx.Client, path: str, **body: Any) -> dict[str, Any]:
    """POST `body`, which must succeed: the object made."""
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _author(client: httpx.Client, email: str = "jane@acme.test") -> int:
    admins = client.get("/admins").json()["admins"]
    return int(next(a["id"] for a in admins if a["email"] == email))


def test_one_state_in_both_shapes(sb: RunningSandbox) -> None:
    with versioned(sb, "2.9") as v9, versioned(sb, "2.16") as v16, versioned(sb, "2.12") as v12:
        hc = _hc(v9)
        top = v9.post("/help_center/collections", json={"name": "Billing", "help_center_id": hc})
        cid = top.json()["id"]
        section = v9.post("/help_center/sections", json={"name": "Invoices", "parent_id": int(cid)})
        sid = section.json()["id"]
        author = _author(v9)
        article = made(
            v9,
            "/articles",
            title="Refunds",
            author_id=author,
            parent_id=int(sid),
            parent_type="section",
            state="published",
        )
        assert (article["parent_id"], article["parent_type"]) == (int(sid), "section")

        # 2.16: the section is a level-2 collection with the same id.
        nested = {c["id"]: c for c in v16.get("/help_center/collections").json()["data"]}
        assert set(nested) == {cid, sid}
        assert nested[sid]["parent_id"] == cid and nested[cid]["parent_id"] is None
        assert nested[sid]["name"] == "Invoices"
        assert "type" not in nested[cid]  # 2.16's collection has none
        assert v16.get(f"/articles/{article['id']}").json()["parent_ids"] == [int(sid)]
        assert "parent_type" not in v16.get(f"/articles/{article['id']}").json()
        assert v16.get("/help_center/sections").status_code == 404
        assert v16.get(f"/help_center/sections/{sid}").status_code == 404

        # 2.9 does not show a level-2 collection as a collection, nor a level-1 as a section.
        assert [c["id"] for c in v9.get("/help_center/collections").json()["data"]] == [cid]
        assert v9.get(f"/help_center/collections/{sid}").status_code == 404
        assert v9.get(f"/help_center/sections/{cid}").status_code == 404
        # 2.10 to 2.15 still have sections, in the 2.9 shape.
        assert [s["id"] for s in v12.get("/help_center/sections").json()["data"]] == [sid]

        # A level-3 collection made on 2.16 has a place only there.
        deep = made(v16, "/help_center/collections", name="2024", parent_id=sid)
        assert deep["parent_id"] == sid
        assert deep["help_center_id"] is None  # nested without one: use the root's
        assert [c["id"] for c in v9.get("/help_center/sections").json()["data"]] == [sid]
        too_deep = v16.post("/help_center/collections", json={"name": "x", "parent_id": deep["id"]})
        assert too_deep.status_code == 400
        assert too_deep.json()["errors"][0]["code"] == "parameter_invalid"

        # Moves under itself, deeper than three levels or to another help center are refused.
        def move(id: str, parent_id: str | None) -> httpx.Response:
            return v16.put(f"/help_center/collections/{id}", json={"parent_id": parent_id})

        second = made(v16, "/help_center/collections", name="Payments", help_center_id=hc)
        other = made(
            v16, "/help_center/collections", name="O", help_center_id=_hc(v9, "other-help")
        )
        assert move(cid, sid).status_code == 400
        assert move(cid, second["id"]).status_code == 400
        assert move(sid, other["id"]).status_code == 400
        assert move(sid, second["id"]).json()["parent_id"] == second["id"]
        assert v9.get(f"/help_center/sections/{sid}").json()["parent_id"] == int(second["id"])
        lifted = move(sid, None).json()
        assert lifted["parent_id"] is None and lifted["help_center_id"] == hc

        # Deleting a collection deletes what is below it; its articles lose that parent.
        assert v16.delete(f"/help_center/collections/{sid}").status_code == 200
        assert deep["id"] not in sb.state.collections
        assert v9.get(f"/articles/{article['id']}").json()["parent_id"] is None


def test_help_centers_on_2_16_have_locales_and_a_default(sb: RunningSandbox) -> None:
    with versioned(sb, "2.16") as v16, versioned(sb, "2.9") as v9:
        centers = v16.get("/help_center/help_centers").json()["data"]
        assert [h["default"] for h in centers] == [True, False]
        assert centers[0]["locales"][0] == "en" and len(centers[0]["locales"]) == 37
        assert "locales" not in v9.get("/help_center/help_centers").json()["data"][0]


def test_a_request_names_its_version_or_gets_2_9(sb: RunningSandbox) -> None:
    bare = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    hc = next(iter(sb.state.help_centers))
    made = httpx.post(f"{sb.url}/help_center/collections", headers=bare,
                      json={"name": "N", "help_center_id": int(hc)}).json()  # fmt: skip
    assert made["type"] == "collection" and "parent_id" not in made
    for bad in ("2.8", "2.17", "latest", "Unstable"):
        response = httpx.get(f"{sb.url}/articles", headers={**bare, "Intercom-Version": bad})
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "intercom_version_invalid"
        validate_response("GET", "/articles", 400, response.json(), "2.16")


# ---- articles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2.9", "2.16"])
def test_article_crud_and_errors(sb: RunningSandbox, version: str) -> None:
    with versioned(sb, version) as api:
        hc = _hc(api)
        cid = made(api, "/help_center/collections", name="C", help_center_id=hc)["id"]
        author = _author(api)
        response = api.post("/articles", json={
            "title": "Refunds", "author_id": author, "parent_id": int(cid),
            "body": "<p>Five days.</p>",
            "translated_content": {"fr": {"title": "Remboursements", "description": "Argent"}},
        })  # fmt: skip
        assert response.status_code == 200
        article = response.json()
        aid = article["id"]
        assert article["state"] == "draft"  # the default
        assert article["description"] == ""
        stored = sb.state.articles[aid]["translations"]["en"]["body"]
        assert stored == intercom_html.store("<p>Five days.</p>")
        assert "Five days." in article["body"]
        fr = article["translated_content"]["fr"]
        assert (fr["title"], fr["author_id"], fr["state"]) == ("Remboursements", author, "draft")
        assert article["translated_content"]["de"] is None
        if version == "2.16":
            assert article["has_unpublished_changes"] is False
            assert fr["has_unpublished_changes"] is False

        # A PUT merges: fr's description is kept, en's title changes, de appears, state set.
        updated = api.put(f"/articles/{aid}", json={
            "title": "Refunds and returns", "state": "published", "parent_id": str(cid),
            "translated_content": {"fr": {"title": "Remboursement"},
                                   "de": {"title": "Erstattung", "body": "<p>Fünf</p>"}},
        }).json()  # fmt: skip
        assert updated["title"] == "Refunds and returns"
        assert updated["state"] == "published"
        content = updated["translated_content"]
        assert (content["fr"]["title"], content["fr"]["description"]) == ("Remboursement", "Argent")
        assert content["de"]["author_id"] == author  # a new locale takes the default's author
        assert content["en"]["title"] == "Refunds and returns"
        # A locale sent as null is removed; the default one never is.
        nulls = {"translated_content": {"de": None, "en": None}}
        dropped = api.put(f"/articles/{aid}", json=nulls)
        assert dropped.json()["translated_content"]["de"] is None
        assert dropped.json()["title"] == "Refunds and returns"
        assert api.put(f"/articles/{aid}").status_code == 200  # no body: nothing to change
        assert api.get(f"/articles/{aid}").json()["title"] == "Refunds and returns"

        def refused(body: dict[str, Any], status: int = 400) -> str:
            with versioned(sb, version, check_requests=False) as loose:
                response = loose.post("/articles", json=body)
            assert response.status_code == status, body
            return str(response.json()["errors"][0]["code"])

        assert refused({"author_id": author}) == "parameter_not_found"
        assert refused({"title": "  ", "author_id": author}) == "parameter_not_found"
        assert refused({"title": "T"}) == "parameter_not_found"
        assert refused({"title": "T", "author_id": 42}) == "parameter_invalid"
        assert refused({"title": "T", "author_id": author, "state": "live"}) == "parameter_invalid"
        assert refused({"title": "T", "author_id": author, "parent_id": 999999}, 404) == "not_found"
        assert refused({"title": "T", "author_id": author,
                        "translated_content": {"fr": {"description": "no title"}}}) \
            == "parameter_not_found"  # fmt: skip
        assert api.put("/articles/999999", json={"title": "x"}).status_code == 404
        assert api.put("/articles/999999").status_code == 404
        assert api.get("/articles/999999").status_code == 404
        deleted = {"id": aid, "object": "article", "deleted": True}
        assert api.delete(f"/articles/{aid}").json() == deleted
        assert api.delete(f"/articles/{aid}").status_code == 404
    assert len(sb.state.articles) == 0


def test_articles_on_2_9_say_whether_their_parent_is_a_section(sb: RunningSandbox) -> None:
    with versioned(sb, "2.9") as api:
        hc = _hc(api)
        cid = made(api, "/help_center/collections", name="C", help_center_id=hc)["id"]
        sid = made(api, "/help_center/sections", name="S", parent_id=int(cid))["id"]
        author = _author(api)
        in_collection = made(api, "/articles", title="A", author_id=author, parent_id=int(cid))
        assert (in_collection["parent_id"], in_collection["parent_type"]) == (
            int(cid),
            "collection",
        )
        wrong = api.post(
            "/articles",
            json={
                "title": "B",
                "author_id": author,
                "parent_id": int(cid),
                "parent_type": "section",
            },
        )
        assert wrong.status_code == 400
        moved = api.put(f"/articles/{in_collection['id']}", json={"parent_id": sid}).json()
        assert (moved["parent_id"], moved["parent_type"]) == (int(sid), "section")
        loose = made(api, "/articles", title="C", author_id=author)
        assert (loose["parent_id"], loose["parent_type"], loose["parent_ids"]) == (None, None, [])


def test_articles_page_25_by_default_250_at_most_newest_first(sb: RunningSandbox) -> None:
    with versioned(sb, "2.16") as api:
        author = _author(api)
        ids = [api.post("/articles", json={"title": f"A{i}", "author_id": author}).json()["id"]
               for i in range(30)]  # fmt: skip
        api.put(f"/articles/{ids[0]}", json={"description": "touched"})
        first = api.get("/articles").json()
        assert first["pages"] == {"type": "pages", "page": 1, "per_page": 25, "total_pages": 2}
        assert first["total_count"] == 30
        assert [a["id"] for a in first["data"][:3]] == [ids[0], ids[29], ids[28]]
        second = api.get("/articles", params={"page": 2}).json()["data"]
        assert sorted(a["id"] for a in first["data"] + second) == sorted(ids)
        assert api.get("/articles", params={"page": 3}).json()["data"] == []
        assert api.get("/articles", params={"per_page": 1000}).json()["pages"]["per_page"] == 250


def test_admins_and_me(sb: RunningSandbox) -> None:
    for version in ("2.9", "2.16"):
        with versioned(sb, version) as api:
            admins = api.get("/admins").json()
            assert admins["type"] == "admin.list"
            emails = [a["email"] for a in admins["admins"]]
            assert emails == ["owner@sandbox.test", "jane@acme.test"]
            assert all(isinstance(a["id"], str) for a in admins["admins"])
            me = api.get("/me").json()
            assert me["email"] == "owner@sandbox.test"
            assert me["id"] == admins["admins"][0]["id"]


# ---- fidelity: what Intercom's own SDK and schemathesis found ---------------------------------


def test_a_put_naming_one_locale_keeps_its_description(api: Any) -> None:
    client, _, _ = api
    body = {
        "name": "Billing",
        "description": "Money",
        "help_center_id": _hc(client),
        "translated_content": {"fr": {"name": "Facturation", "description": "Argent"}},
    }
    cid = client.post("/help_center/collections", json=body).json()["id"]
    put = {"translated_content": {"fr": {"name": "Factures"}, "en": {"name": "Bills"}}}
    got = client.put(f"/help_center/collections/{cid}", json=put).json()
    fr = got["translated_content"]["fr"]
    assert fr == {"type": "group_content", "name": "Factures", "description": "Argent"}
    assert (got["name"], got["description"]) == ("Bills", "Money")


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_and_blank_names_are_parameter_not_found(api: Any, name: str) -> None:
    client, _, _ = api
    hc = _hc(client)
    cid = made(client, "/help_center/collections", name="A", help_center_id=hc)["id"]
    attempts = [
        client.post("/help_center/collections", json={"name": name, "help_center_id": hc}),
        client.put(f"/help_center/collections/{cid}", json={"name": name}),
        client.put(f"/help_center/collections/{cid}",
                   json={"translated_content": {"fr": {"name": name}}}),
        client.post("/help_center/sections", json={"name": name, "parent_id": int(cid)}),
    ]  # fmt: skip
    for response in attempts:
        assert response.status_code == 400
        assert response.json()["errors"][0] == {
            "code": "parameter_not_found", "message": "Name is a required parameter.",
        }  # fmt: skip
    assert client.get(f"/help_center/collections/{cid}").json()["name"] == "A"


def test_an_empty_description_is_an_empty_string(api: Any) -> None:
    client, _, _ = api
    collection = made(client, "/help_center/collections", name="A", help_center_id=_hc(client))
    assert collection["description"] == ""
    assert collection["translated_content"]["en"]["description"] == ""


def test_a_put_without_a_body_is_a_valid_request(api: Any) -> None:
    client, _, _ = api
    cid = made(client, "/help_center/collections", name="A", help_center_id=_hc(client))["id"]
    assert client.put(f"/help_center/collections/{cid}").status_code == 200
    assert client.put("/help_center/collections/999999").status_code == 404
    empty = client.put(f"/help_center/collections/{cid}", content=b"",
                       headers={"Content-Type": "application/json"})  # fmt: skip
    assert empty.status_code == 200 and empty.json()["name"] == "A"


def test_paging_past_the_help_centers_ends(api: Any) -> None:
    client, _, _ = api
    assert len(client.get("/help_center/help_centers").json()["data"]) == 2
    assert client.get("/help_center/help_centers", params={"page": 2}).json()["data"] == []
    one = client.get("/help_center/help_centers", params={"per_page": 1, "page": 2}).json()
    assert [h["identifier"] for h in one["data"]] == ["other-help"]


def test_405s_carry_allow(api: Any) -> None:
    client, _, _ = api
    for path, allowed in (
        ("/help_center/collections", {"GET", "HEAD", "POST"}),
        ("/articles/1", {"GET", "HEAD", "PUT", "DELETE"}),
        ("/admins", {"GET", "HEAD"}),
    ):
        response = httpx.patch(f"{client.base_url}{path}", headers=AUTH)
        assert response.status_code == 405
        assert set(response.headers["Allow"].split(", ")) == allowed
        assert response.json()["errors"][0]["code"] == "method_not_allowed"


def test_a_monolingual_help_center_has_no_default_locale_or_translations() -> None:
    with running_sandbox(None, ["solo"], default_locales={"solo": "fr"},
                         locales={"solo": ["fr"]}) as sb:  # fmt: skip
        for version in ("2.9", "2.16"):
            with versioned(sb, version) as api:
                hc = _hc(api, "solo")
                response = api.post("/help_center/collections", json={
                    "name": f"Aide {version}", "description": "Tout",
                    "help_center_id": hc})  # fmt: skip
                collection = response.json()
                assert "default_locale" not in collection
                assert "translated_content" not in collection
                assert collection["description"] == "Tout"
                refused = api.post("/help_center/collections", json={
                    "name": "X", "help_center_id": hc,
                    "translated_content": {"en": {"name": "Help"}}})  # fmt: skip
                assert refused.status_code == 400
                article = made(
                    api,
                    "/articles",
                    title="Bonjour",
                    author_id=_author(api, "owner@sandbox.test"),
                    parent_id=int(collection["id"]),
                )
                assert "translated_content" not in article and "default_locale" not in article
                assert sb.state.articles[article["id"]]["translations"]["fr"]["title"] == "Bonjour"
        with versioned(sb, "2.16") as api:
            assert api.get("/help_center/help_centers").json()["data"][0]["locales"] == ["fr"]


def test_rate_limit_windows_start_at_multiples_of_their_length() -> None:
    with running_sandbox(None, ["acme-help"], rate_limit=1000, rate_window_s=5) as sb:
        resets = set()
        for _ in range(3):
            response = httpx.get(f"{sb.url}/help_center/collections", headers=AUTH)
            reset = int(response.headers["X-RateLimit-Reset"])
            assert reset % 5 == 0
            assert 0 < reset - time.time() <= 5
            resets.add(reset)
        assert len(resets) <= 2  # at most one window boundary crossed


# ---- the state file -----------------------------------------------------------------------------


def test_the_state_file_round_trips_articles_and_nesting(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    with (
        running_sandbox(path, ["acme-help"], admins=["jane@acme.test"]) as sb,
        versioned(sb, "2.16") as api,
    ):
        hc = _hc(api)
        top = made(api, "/help_center/collections", name="A", help_center_id=hc)
        mid = made(api, "/help_center/collections", name="B", parent_id=top["id"])
        low = made(api, "/help_center/collections", name="C", parent_id=mid["id"])
        article = api.post("/articles", json={
                "title": "T", "author_id": _author(api), "parent_id": int(low["id"]),
                "translated_content": {"de": {"title": "D"}}}).json()  # fmt: skip
        before = {
            "collections": api.get("/help_center/collections").json()["data"],
            "article": api.get(f"/articles/{article['id']}").json(),
            "admins": api.get("/admins").json(),
        }
    with (
        running_sandbox(path, ["acme-help"], admins=["jane@acme.test"]) as again,
        versioned(again, "2.16") as api,
    ):
        after = {
            "collections": api.get("/help_center/collections").json()["data"],
            "article": api.get(f"/articles/{article['id']}").json(),
            "admins": api.get("/admins").json(),
        }
    assert after == before
    assert [c["parent_id"] for c in after["collections"]] == [mid["id"], top["id"], None]


def test_a_state_file_of_format_1_loads_its_sections_as_level_2_collections(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    record = {"translations": {"en": {"name": "Billing"}}, "created_at": 1, "updated_at": 1,
              "seq": 1, "order": 1}  # fmt: skip
    path.write_text(json.dumps({
        "format": 1, "next_id": 1010, "seq": 2,
        "help_centers": {"1001": {"id": "1001", "identifier": "acme-help", "display_name": "Acme",
                                  "default_locale": "en", "created_at": 1, "updated_at": 1}},
        "collections": {"1002": {**record, "id": "1002", "help_center_id": "1001"}},
        "sections": {"1003": {**record, "id": "1003", "parent_id": "1002", "seq": 2,
                              "translations": {"en": {"name": "Invoices"}}}},
    }))  # fmt: skip
    with running_sandbox(path, ["acme-help"]) as sb, versioned(sb, "2.9") as v9:
        assert [s["id"] for s in v9.get("/help_center/sections").json()["data"]] == ["1003"]
        assert [c["id"] for c in v9.get("/help_center/collections").json()["data"]] == ["1002"]
        with versioned(sb, "2.16") as v16:
            section = v16.get("/help_center/collections/1003").json()
            assert (section["name"], section["parent_id"]) == ("Invoices", "1002")
            assert v16.get("/admins").json()["admins"][0]["email"] == "owner@sandbox.test"
            assert int(v16.get("/admins").json()["admins"][0]["id"]) > 1010  # no clash
        made(v9, "/help_center/collections", name="New", help_center_id=1001)
    assert json.loads(path.read_text())["format"] == 2  # saved in the new format


@pytest.mark.parametrize("text", ['{"format": 7}', "[]", "not json"])
def test_an_unknown_state_file_is_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sandbox.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match="is not a contentsync sandbox state file: delete it"):
        SandboxState.load(path)


def test_sandbox_serve_takes_admins(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "contentsync", "sandbox", "serve", "--port", str(port),
         "--admin", "jane@acme.test", "--admin", "li@acme.test"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/admins", headers=AUTH)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, server.stderr
                time.sleep(0.05)
        emails = [a["email"] for a in response.json()["admins"]]
        assert emails == ["owner@sandbox.test", "jane@acme.test", "li@acme.test"]
    finally:
        server.terminate()
        server.communicate(timeout=10)


def test_a_refused_write_changes_nothing(sb: RunningSandbox) -> None:
    with versioned(sb, "2.16", check_requests=False) as api:
        hc = _hc(api)
        a = made(api, "/help_center/collections", name="A", help_center_id=hc)
        b = made(api, "/help_center/collections", name="B", help_center_id=hc)
        article = made(api, "/articles", title="T", author_id=_author(api), parent_id=int(a["id"]))
        before = json.dumps(sb.state.to_dict(), sort_keys=True)
        refused = [
            api.put(f"/help_center/collections/{a['id']}", json={
                "parent_id": b["id"],
                "translated_content": {"fr": {"name": "Bon"}, "de": {"name": " "}}}),
            api.put(f"/help_center/collections/{a['id']}", json={
                "name": "New", "parent_id": a["id"]}),
            api.put(f"/articles/{article['id']}", json={
                "parent_id": b["id"], "title": "New", "state": "gone"}),
            api.post("/articles", json={"title": "T", "author_id": 1,
                                        "translated_content": {"fr": {"title": "F"}}}),
            api.post("/help_center/collections", json={
                "name": "C", "translated_content": {"fr": "not an object"}}),
        ]  # fmt: skip
        assert [r.status_code for r in refused] == [400] * 5
        assert json.dumps(sb.state.to_dict(), sort_keys=True) == before
