"""The plan file (Plan.to_dict / from_dict), the safety gate, and the request bodies apply sends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contentsync.apply import request_body
from contentsync.diff import Options, make_plan
from contentsync.errors import PlanRefused, UnsafePlan
from contentsync.model import Origin
from contentsync.plan import FORMAT_VERSION, Change, FieldChange, HelpCenterSummary, Plan, Unmanaged
from tests.trees import col, desired, live_from, live_json


def rich_plan() -> Plan:
    return Plan(
        changes=(
            Change(
                action="create", kind="collection", help_center="acme-help", address="Billing",
                ref="acme-help/1-billing/_collection.yaml", name="Billing", position=1,
                help_center_id="1", default_locale="fr",
                text={"name": "Facturation", "description": "Argent"},
                translations={"en": {"name": "Billing", "description": "Money"},
                              "de": {"name": "Abrechnung", "description": ""}},
                fields=(FieldChange("name", None, "Billing"),),
                notes=("Intercom cannot reorder: it will appear after the existing ones",),
                origin=Origin("content/acme-help/1-billing/_collection.yaml", 3),
            ),
            Change(
                action="create", kind="collection", help_center="acme-help",
                address="Billing / Cards", ref="acme-help/1-billing/1-cards/_collection.yaml",
                name="Cards", position=2, depth=2,
                parent_ref="acme-help/1-billing/_collection.yaml",
                text={"name": "Cards", "description": ""},
            ),
            Change(
                action="create", kind="collection", help_center="acme-help",
                address="Billing / Wallets", ref="acme-help/1-billing/2-wallets/_collection.yaml",
                name="Wallets", position=3, depth=2,
                parent_ref="acme-help/1-billing/_collection.yaml",
                after_ref="acme-help/1-billing/1-cards/_collection.yaml",
                text={"name": "Wallets", "description": ""},
            ),
            Change(
                action="update", kind="collection", help_center="acme-help",
                address="Guide / Move", ref="acme-help/2-guide/1-move/_collection.yaml",
                name="Move", position=5, depth=2, id="7", parent_id="11", old_parent_id="12",
                removed_locales=("it",),
                fields=(FieldChange("translations.it.name", "Sposta", None),),
                notes=("moved (same name)",),
            ),
            Change(
                action="delete", kind="collection", help_center="acme-help", address="Old",
                ref="collection:12", name="Old", position=9, id="12", help_center_id="1",
            ),
        ),
        help_centers=(HelpCenterSummary("acme-help", 9, 1),),
        unmanaged=(Unmanaged("collection", "acme-help", "99", "Guide / Stray"),),
        content_digest="a" * 64,
        live_digest="b" * 64,
        api_url="http://127.0.0.1:8000",
        api_version="2.16",
        pins_ignored="--ignore-pins",
        max_delete_fraction=0.5,
    )  # fmt: skip


def test_round_trip_through_json() -> None:
    plan = rich_plan()
    again = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again == plan
    assert again.to_dict() == plan.to_dict()


def test_plan_file_fields_in_their_documented_order() -> None:
    data = rich_plan().to_dict()
    assert data["format_version"] == FORMAT_VERSION == 3
    assert (data["api_version"], data["pins_ignored"]) == ("2.16", "--ignore-pins")
    wallets = data["changes"][2]
    assert list(wallets)[:8] == [
        "action", "kind", "help_center", "address", "ref", "position", "depth", "id",
    ]  # fmt: skip
    assert wallets["after_ref"] == "acme-help/1-billing/1-cards/_collection.yaml"
    assert [c["position"] for c in data["changes"]] == [1, 2, 3, 5, 9]


@pytest.mark.parametrize("version", [None, 0, 1, 2, 4, "3"])
def test_wrong_format_version_is_refused(version: Any) -> None:
    data = rich_plan().to_dict()
    data["format_version"] = version
    with pytest.raises(PlanRefused, match="format_version"):
        Plan.from_dict(data)


@pytest.mark.parametrize(
    "garbage",
    [
        {"format_version": 3},
        {**rich_plan().to_dict(), "changes": "nope"},
        {**rich_plan().to_dict(), "changes": [["create"]]},
        {**rich_plan().to_dict(), "changes": None},
        {**rich_plan().to_dict(), "changes": [{"action": "create"}]},
        {**rich_plan().to_dict(), "help_centers": [{"who": "me"}]},
        {**rich_plan().to_dict(), "max_delete_fraction": "lots"},
    ],
)
def test_garbage_is_refused_readably(garbage: dict[str, Any]) -> None:
    with pytest.raises(PlanRefused) as caught:
        Plan.from_dict(garbage)
    assert "not a contentsync plan file" in str(caught.value)
    assert "Traceback" not in str(caught.value)


# ---- safety gate -----------------------------------------------------------------------------


def plan_deleting(live_objects: int, deletes: int) -> Plan:
    return Plan((), (HelpCenterSummary("acme-help", live_objects, deletes),))


@pytest.mark.parametrize(
    ("live_objects", "deletes", "refused"),
    [(8, 3, True), (8, 2, False), (12, 3, False), (12, 4, True), (7, 7, False), (100, 26, True)],
)
def test_raise_if_unsafe(live_objects: int, deletes: int, refused: bool) -> None:
    plan = plan_deleting(live_objects, deletes)
    if refused:
        with pytest.raises(UnsafePlan, match="--allow-mass-delete"):
            plan.raise_if_unsafe(allow_mass_delete=False)
    else:
        plan.raise_if_unsafe(allow_mass_delete=False)
    plan.raise_if_unsafe(allow_mass_delete=True)


# ---- request bodies ----------------------------------------------------------------------------


def real_plan(api_version: str) -> Plan:
    """Guide (pinned 10) gets a new description and loses its Italian; section 7 moves into it
    from Autre (11) and section Neuve is created in it; Nouvelle and its Intro are new."""
    before = desired(
        col(
            "Guide", id="10", description="Vieux",
            translations={"it": {"name": "Guida"}, "en": {"name": "Guide EN"}},
        ),
        col("Autre", col("Déplacée", id="7"), id="11"),
        locale="fr",
    )  # fmt: skip
    after = desired(
        col(
            "Guide", col("Déplacée", id="7"), col("Neuve", translations={"en": {"name": "New"}}),
            id="10", description="Le guide",
            translations={"en": {"name": "Guide EN", "description": "The guide"}},
        ),
        col("Autre", id="11"),
        col("Nouvelle", col("Intro")),
        locale="fr",
    )  # fmt: skip
    live_state = live_from(live_json(before, api_version=api_version))
    return make_plan(after, live_state, Options(api_version=api_version))


def body(plan: Plan, action: str, name: str, api_version: str) -> tuple[Change, dict[str, Any]]:
    c = next(c for c in plan.changes if (c.action, c.name) == (action, name))
    parent = c.parent_id if c.parent_ref is None else "555"
    return c, request_body(c, api_version, parent_id=parent)


def test_request_bodies_have_api_types_on_2_9() -> None:
    plan = real_plan("2.9")
    _, new_collection = body(plan, "create", "Nouvelle", "2.9")
    assert new_collection == {"name": "Nouvelle", "description": "", "help_center_id": 1}

    _, new_section = body(plan, "create", "Intro", "2.9")
    assert new_section == {"name": "Intro", "parent_id": 555}

    _, new_in_pinned = body(plan, "create", "Neuve", "2.9")
    assert new_in_pinned == {
        "name": "Neuve",
        "parent_id": 10,
        "translated_content": {"en": {"name": "New"}},
    }

    _, moved = body(plan, "update", "Déplacée", "2.9")
    assert moved["parent_id"] == 10 and isinstance(moved["parent_id"], int)
    assert "description" not in moved

    _, updated = body(plan, "update", "Guide", "2.9")
    assert updated["description"] == "Le guide"
    assert updated["translated_content"]["it"] is None  # removed locale is cleared
    assert "fr" not in updated["translated_content"]  # the default locale is the top level
    assert "help_center_id" not in updated


def test_request_bodies_on_2_16_are_nested_collections() -> None:
    """No sections on 2.10+: a level-2 collection has a description like any other, and
    its parent in parent_id (a string there); help_center_id only at the top."""
    plan = real_plan("2.16")
    _, new_child = body(plan, "create", "Intro", "2.16")
    assert new_child == {"name": "Intro", "description": "", "parent_id": "555"}
    _, new_in_pinned = body(plan, "create", "Neuve", "2.16")
    assert new_in_pinned == {
        "name": "Neuve",
        "description": "",
        "parent_id": "10",
        "translated_content": {"en": {"name": "New", "description": ""}},
    }
    _, moved = body(plan, "update", "Déplacée", "2.16")
    assert moved["parent_id"] == "10"  # 2.16 types a collection's parent_id as a string


def test_request_body_never_sends_the_default_locale_in_translated_content() -> None:
    for api_version in ("2.9", "2.16"):
        for c in real_plan(api_version).changes:
            if c.action != "delete":
                sent = request_body(c, api_version, parent_id="1").get("translated_content", {})
                assert c.default_locale not in sent
                assert all(isinstance(v, dict) or v is None for v in sent.values())
