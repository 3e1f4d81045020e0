"""The client and the sandbox against Intercom's 2.9 and 2.16 descriptions: every request body
the client sends and every response it gets, over whole CRUD sessions on real HTTP, checked by
a transport that sits between them against the description of the version the client asks
for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contentsync.client import IntercomClient
from contentsync.errors import ApiError, AuthenticationError, NotFound
from contentsync.sandbox import SANDBOX_TOKEN, FaultConfig, RunningSandbox, running_sandbox
from tests.openapi_contract import match_path, spec_version, validate_request, validate_response

HC = "contract-help"


class ContractTransport(httpx.HTTPTransport):
    """Real HTTP, with every exchange checked against the spec and recorded."""

    def __init__(self, api_version: str = "2.9") -> None:
        super().__init__()
        self.api_version = api_version
        self.exchanges: list[tuple[str, str, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        version = spec_version(self.api_version, request.url.path)
        template = match_path(request.method, request.url.path, version)
        assert request.headers["Intercom-Version"] == self.api_version
        assert request.headers["Accept"] == "application/json"
        if request.method in ("POST", "PUT"):
            assert request.headers["Content-Type"] == "application/json"
            validate_request(request.method, template, json.loads(request.content), version)
        else:
            assert not request.content, f"{request.method} with a body"
        assert set(request.url.params) <= {"page", "per_page"}
        response = super().handle_request(request)
        response.read()
        self.exchanges.append((request.method, template, response.status_code))
        body = response.json()
        validate_response(request.method, template, response.status_code, body, version)
        return response


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(None, [HC, "other-help"], admins=["jane@acme.test"]) as sb:
        yield sb


def contract_client(
    url: str, token: str = SANDBOX_TOKEN, **kw: Any
) -> tuple[IntercomClient, ContractTransport]:
    kw.setdefault("sleep", lambda s: None)
    transport = ContractTransport(kw.get("api_version", "2.9"))
    return IntercomClient(url, token, transport=transport, **kw), transport


def translated(**names: str) -> dict[str, Any]:
    return {loc: {"name": n, "description": f"{n}, described"} for loc, n in names.items()}


def test_a_full_crud_session_keeps_to_the_spec(sandbox: RunningSandbox) -> None:
    client, checked = contract_client(sandbox.url)
    with client:
        centers = {h["identifier"]: h for h in client.list_help_centers()}
        hc = int(centers[HC]["id"])
        assert client.get_help_center(str(hc))["identifier"] == HC

        first = client.create_collection(
            {
                "name": "Getting started",
                "description": "First steps",
                "help_center_id": hc,
                "translated_content": translated(fr="Premiers pas", de="Erste Schritte"),
            }
        )
        second = client.create_collection({"name": "Billing", "help_center_id": hc})
        client.update_collection(
            first["id"],
            {
                "name": "Start here",
                "description": "",
                "translated_content": {**translated(fr="Commencer"), "de": None},
            },
        )
        got = client.get_collection(first["id"])
        assert got["translated_content"]["fr"]["name"] == "Commencer"
        assert got["translated_content"]["de"] is None

        section = client.create_section(
            {
                "name": "Install",
                "parent_id": int(first["id"]),
                "translated_content": {"fr": {"name": "Installer"}},
            }
        )
        client.update_section(
            section["id"],
            {"name": "Installation", "parent_id": int(second["id"]),
             "translated_content": {"fr": {"name": "Installation"}}},
        )  # fmt: skip
        assert client.get_section(section["id"])["parent_id"] == int(second["id"])
        assert [s["id"] for s in client.list_sections()] == [section["id"]]
        assert len(client.list_collections()) == 2

        with pytest.raises(NotFound):
            client.get_collection("999999")
        with pytest.raises(ApiError) as rejected:
            client.create_section({"name": "Nowhere", "parent_id": 999999})
        assert rejected.value.status == 404

        client.delete_section(section["id"])
        client.delete_collection(second["id"])
        client.delete_collection(first["id"])
        assert client.list_collections() == [] and client.list_sections() == []

    exchanges = checked.exchanges
    assert {(m, t) for m, t, _ in exchanges} == {
        ("GET", "/help_center/help_centers"),
        ("GET", "/help_center/help_centers/{id}"),
        ("GET", "/help_center/collections"),
        ("POST", "/help_center/collections"),
        ("GET", "/help_center/collections/{id}"),
        ("PUT", "/help_center/collections/{id}"),
        ("DELETE", "/help_center/collections/{id}"),
        ("GET", "/help_center/sections"),
        ("POST", "/help_center/sections"),
        ("GET", "/help_center/sections/{id}"),
        ("PUT", "/help_center/sections/{id}"),
        ("DELETE", "/help_center/sections/{id}"),
    }
    assert {s for _, _, s in exchanges} == {200, 404}
    assert len(exchanges) == client.requests_sent == 18


def test_errors_and_retried_faults_keep_to_the_spec(sandbox: RunningSandbox) -> None:
    client, checked = contract_client(sandbox.url, "not-the-token")
    with client, pytest.raises(AuthenticationError):
        client.list_collections()
    assert checked.exchanges == [("GET", "/help_center/collections", 401)]

    faults = FaultConfig(rate=0.5, seed=4, kinds=("error_before_commit", "rate_limit"))
    with running_sandbox(None, [HC], faults=faults) as faulty:
        client, checked = contract_client(faulty.url, max_attempts=12)
        with client:
            for _ in range(10):
                client.list_help_centers()
                client.list_collections()
    statuses = {s for _, _, s in checked.exchanges}
    assert statuses == {200, 429, 500}


def test_the_contract_transport_catches_a_body_off_the_spec(sandbox: RunningSandbox) -> None:
    client, _ = contract_client(sandbox.url)
    with client:
        (hc, *_) = client.list_help_centers()
        # help_center_id as the string the API returns ids as, not the integer it takes.
        with pytest.raises(AssertionError, match="help_center_id"):
            client.create_collection({"name": "Typed wrong", "help_center_id": hc["id"]})
        with pytest.raises(AssertionError, match=r"unknown_field|Additional properties"):
            client.create_collection({"name": "Extra", "unknown_field": 1})
    assert not sandbox.state.collections


def jane(client: IntercomClient) -> int:
    """author_id is an integer; /admins gives ids as strings."""
    return int(next(a["id"] for a in client.list_admins() if a["email"] == "jane@acme.test"))


def test_articles_in_sections_on_2_9_keep_to_the_spec(sandbox: RunningSandbox) -> None:
    client, checked = contract_client(sandbox.url)
    with client:
        hc = int(next(h["id"] for h in client.list_help_centers() if h["identifier"] == HC))
        collection = client.create_collection({"name": "Billing", "help_center_id": hc})
        section = client.create_section({"name": "Invoices", "parent_id": int(collection["id"])})
        author = jane(client)
        assert client.me()["email"] == "owner@sandbox.test"
        article = client.create_article({
            "title": "Refunds", "description": "Money back", "body": "<p>Five days.</p>",
            "author_id": author, "state": "published",
            "parent_id": int(section["id"]), "parent_type": "section",
            "translated_content": {"fr": {"title": "Remboursements", "author_id": author,
                                          "state": "draft", "body": "<p>Cinq jours.</p>"}},
        })  # fmt: skip
        assert (article["parent_id"], article["parent_type"]) == (int(section["id"]), "section")
        moved = client.update_article(article["id"], {
            "parent_id": collection["id"], "parent_type": "collection",
            "translated_content": {"fr": None},
        })  # fmt: skip
        assert moved["parent_type"] == "collection"
        assert moved["translated_content"]["fr"] is None
        assert client.get_article(article["id"])["title"] == "Refunds"
        assert [a["id"] for a in client.list_articles()] == [article["id"]]
        assert [a["id"] for a in client.list_recent_articles()] == [article["id"]]
        client.delete_article(article["id"])
        with pytest.raises(NotFound, match=f"article {article['id']} not found"):
            client.get_article(article["id"])
    assert {(m, t) for m, t, _ in checked.exchanges} >= {
        ("GET", "/admins"), ("GET", "/me"), ("GET", "/articles"), ("POST", "/articles"),
        ("GET", "/articles/{id}"), ("PUT", "/articles/{id}"), ("DELETE", "/articles/{id}"),
    }  # fmt: skip


def test_nested_collections_and_articles_on_2_16_keep_to_the_spec(
    sandbox: RunningSandbox,
) -> None:
    client, checked = contract_client(sandbox.url, api_version="2.16")
    with client:
        centers = {h["identifier"]: h for h in client.list_help_centers()}
        assert centers[HC]["default"] is True and "en" in centers[HC]["locales"]
        hc = int(centers[HC]["id"])
        top = client.create_collection({"name": "Guides", "help_center_id": hc})
        fr = translated(fr="Installation")
        mid = client.create_collection(
            {"name": "Setup", "parent_id": top["id"], "translated_content": fr}
        )
        low = client.create_collection({"name": "Linux", "parent_id": mid["id"]})
        assert (mid["parent_id"], low["parent_id"]) == (top["id"], mid["id"])
        other = client.create_collection({"name": "Other", "help_center_id": hc})
        client.update_collection(mid["id"], {"parent_id": other["id"], "name": "Install"})
        assert client.get_collection(mid["id"])["parent_id"] == other["id"]
        listed = {c["id"]: c for c in client.list_collections()}
        assert listed[low["id"]]["parent_id"] == mid["id"]
        article = client.create_article({"title": "Install on Linux", "author_id": jane(client),
                                         "parent_id": int(low["id"])})  # fmt: skip
        assert article["parent_ids"] == [int(low["id"])]
        assert article["has_unpublished_changes"] is False
        updated = client.update_article(
            article["id"], {"parent_id": top["id"], "state": "published"}
        )
        assert (updated["parent_ids"], updated["state"]) == ([int(top["id"])], "published")
        client.delete_article(article["id"])
        client.delete_collection(top["id"])
        client.delete_collection(other["id"])
        assert client.list_collections() == [] and client.list_articles() == []
    assert {s for _, _, s in checked.exchanges} == {200}
    assert ("PUT", "/help_center/collections/{collection_id}") in {
        (m, t) for m, t, _ in checked.exchanges
    }


def test_the_contract_catches_bodies_off_the_2_16_spec(sandbox: RunningSandbox) -> None:
    client, _ = contract_client(sandbox.url, api_version="2.16")
    with client:
        top = client.create_collection({"name": "Top"})
        # 2.16 takes a collection's parent_id as a string, an article's author_id as an integer.
        with pytest.raises(AssertionError, match="parent_id"):
            client.create_collection({"name": "Nested", "parent_id": int(top["id"])})
        with pytest.raises(AssertionError, match="author_id"):
            client.create_article({"title": "T", "author_id": sandbox.state.owner_id})
    assert list(sandbox.state.collections) == [top["id"]] and not sandbox.state.articles


def test_the_contract_refuses_fields_a_version_does_not_have() -> None:
    collection = {"id": "1", "name": "C", "parent_id": None, "help_center_id": 1}
    validate_response("GET", "/help_center/collections/{collection_id}", 200, collection, "2.16")
    with pytest.raises(AssertionError, match="'type' was unexpected"):
        validate_response(
            "GET", "/help_center/collections/{collection_id}", 200,
            {**collection, "type": "collection"}, "2.16",
        )  # fmt: skip
    with pytest.raises(AssertionError, match="'parent_id' was unexpected"):
        validate_response("GET", "/help_center/collections/{id}", 200, collection, "2.9")
    # An article is its list item plus statistics: both sets of fields are allowed, no others.
    article = {"id": "1", "title": "T", "parent_ids": [1], "statistics": None}
    validate_response("GET", "/articles/{article_id}", 200, article, "2.16")
    with pytest.raises(AssertionError, match="'parent_type' was unexpected"):
        validate_response(
            "GET", "/articles/{article_id}", 200, {**article, "parent_type": "section"}, "2.16"
        )
    assert match_path("GET", "/articles/12", "2.16") == "/articles/{article_id}"
    assert match_path("GET", "/articles/search", "2.16") == "/articles/search"
    with pytest.raises(AssertionError, match=r"not an operation of API 2\.16"):
        match_path("GET", "/help_center/sections", "2.16")
