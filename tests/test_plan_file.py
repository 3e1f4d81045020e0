"""The plan file (Plan.to_dict / from_dict), the safety gate, and the request bodies apply sends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contentsync import live
from contentsync.apply import request_body
from contentsync.diff import make_plan
from contentsync.errors import PlanRefused, UnsafePlan
from contentsync.locales import LOCALES
from contentsync.model import (
    CollectionSpec,
    DesiredState,
    HelpCenterSpec,
    LiveState,
    Origin,
    SectionSpec,
    Text,
)
from contentsync.plan import Change, FieldChange, HelpCenterSummary, Plan, Unmanaged


def rich_plan() -> Plan:
    return Plan(
        changes=(
            Change(
                action="create", kind="collection", help_center="acme-help", address="Billing",
                ref="collection:acme-help:Billing", name="Billing", help_center_id="1",
                default_locale="fr", description="Argent",
                translations={"en": Text("Billing", "Money"), "de": Text("Abrechnung")},
                fields=(FieldChange("name", None, "Billing"),),
                notes=("looks like a rename",), origin=Origin("content/acme-help/b.yaml", 3),
            ),
            Change(
                action="create", kind="section", help_center="acme-help",
                address="Billing / Cards", ref="section:acme-help:Billing:Cards", name="Cards",
                parent_ref="collection:acme-help:Billing",
            ),
            Change(
                action="update", kind="section", help_center="acme-help", address="Guide / Move",
                ref="section:7", name="Move", id="7", parent_id="11", old_parent_id="12",
                removed_locales=("it",),
                fields=(FieldChange("translations.it.name", "Sposta", None),),
            ),
            Change(
                action="delete", kind="collection", help_center="acme-help", address="Old",
                ref="collection:12", name="Old", id="12", help_center_id="1",
            ),
        ),
        help_centers=(HelpCenterSummary("acme-help", 9, 1),),
        unmanaged=(Unmanaged("section", "acme-help", "99", "Guide / Stray"),),
        content_digest="a" * 64,
        live_digest="b" * 64,
        api_url="http://127.0.0.1:8000",
        max_delete_fraction=0.5,
    )  # fmt: skip


def test_round_trip_through_json() -> None:
    plan = rich_plan()
    again = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again == plan
    assert again.to_dict() == plan.to_dict()


@pytest.mark.parametrize("version", [None, 0, 2, "1"])
def test_wrong_format_version_is_refused(version: Any) -> None:
    data = rich_plan().to_dict()
    data["format_version"] = version
    with pytest.raises(PlanRefused, match="format_version"):
        Plan.from_dict(data)


@pytest.mark.parametrize(
    "garbage",
    [
        {"format_version": 1},
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


def tc(default: str, name: str, others: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "group_translated_content", **dict.fromkeys(LOCALES)}
    for loc, n in {**others, default: name}.items():
        out[loc] = {"type": "group_content", "name": n, "description": ""}
    return out


def real_plan() -> Plan:
    desired = DesiredState(
        (
            HelpCenterSpec(
                "acme-help", "fr", True,
                (
                    CollectionSpec(
                        "Guide", "Le guide", {"en": Text("Guide EN", "The guide")},
                        (
                            SectionSpec("Déplacée", {}, id="7"),
                            SectionSpec("Neuve", {"en": Text("New")}),
                        ),
                        id="10",
                    ),
                    CollectionSpec("Nouvelle", "", {}, (SectionSpec("Intro", {}),)),
                ),
            ),
        )
    )  # fmt: skip
    live_state = LiveState(
        (live.help_center({"id": "1", "identifier": "acme-help"}),),
        (
            live.collection(
                {"id": "10", "name": "Guide", "description": "Vieux", "help_center_id": 1,
                 "translated_content": tc("fr", "Guide", {"it": "Guida", "en": "Guide EN"})}
            ),
            live.collection(
                {"id": "11", "name": "Autre", "description": None, "help_center_id": 1,
                 "translated_content": tc("fr", "Autre", {})}
            ),
        ),
        (
            live.section(
                {"id": "7", "name": "Déplacée", "parent_id": 11,
                 "translated_content": tc("fr", "Déplacée", {})}
            ),
        ),
    )  # fmt: skip
    return make_plan(desired, live_state)


def body(plan: Plan, action: str, kind: str, name: str) -> tuple[Change, dict[str, Any]]:
    c = next(c for c in plan.changes if (c.action, c.kind, c.name) == (action, kind, name))
    parent = c.parent_id if c.parent_ref is None else "555"
    return c, request_body(c, parent_id=parent)


def test_request_bodies_have_api_types() -> None:
    plan = real_plan()
    _, new_collection = body(plan, "create", "collection", "Nouvelle")
    assert new_collection == {"name": "Nouvelle", "description": "", "help_center_id": 1}

    _, new_section = body(plan, "create", "section", "Intro")
    assert new_section == {"name": "Intro", "parent_id": 555}

    _, new_in_pinned = body(plan, "create", "section", "Neuve")
    assert new_in_pinned == {
        "name": "Neuve",
        "parent_id": 10,
        "translated_content": {"en": {"name": "New"}},
    }

    _, moved = body(plan, "update", "section", "Déplacée")
    assert moved["parent_id"] == 10 and isinstance(moved["parent_id"], int)
    assert "description" not in moved

    _, updated = body(plan, "update", "collection", "Guide")
    assert updated["description"] == "Le guide"
    assert updated["translated_content"]["it"] is None  # removed locale is cleared
    assert "fr" not in updated["translated_content"]  # the default locale is the top level
    assert "help_center_id" not in updated


def test_request_body_never_sends_the_default_locale_in_translated_content() -> None:
    for c in real_plan().changes:
        if c.action != "delete":
            sent = request_body(c, parent_id="1").get("translated_content", {})
            assert c.default_locale not in sent
            assert all(isinstance(v, dict) or v is None for v in sent.values())
