"""The sandbox answers like Intercom's 2.9 and 2.16 descriptions say, over real HTTP, for every
operation contentsync uses and every error it can give, from one state in the shape each
request's Intercom-Version asks for; the client sends only what they allow."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from contentsync.client import IntercomClient
from contentsync.errors import OutcomeUnknown
from contentsync.sandbox import SANDBOX_TOKEN, FaultConfig, SandboxState, running_sandbox
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
