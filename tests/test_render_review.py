"""How a plan is shown to the people who review it (issue 13, items 3 and 5): the first line
names the target, a cut pull-request comment keeps every delete, and a note's code reads as
code. Pure functions over Plan values."""

from __future__ import annotations

import html
import io
import json

import pytest

from contentsync.plan import Change, FieldChange, HelpCenterSummary, Plan
from contentsync.render import (
    header_line,
    md_escape,
    md_note,
    render_json,
    render_markdown,
    render_text,
)


def change(action: str, address: str, position: int, **kw: object) -> Change:
    return Change(
        action=action,  # type: ignore[arg-type]
        kind="collection",
        help_center="acme-help",
        address=address,
        ref=f"collection:{address}",
        name=address.split(" / ")[-1],
        position=position,
        **kw,  # type: ignore[arg-type]
    )


def targeted(**kw: object) -> Plan:
    return Plan(
        (change("create", "Billing", 0, fields=(FieldChange("name", None, "Billing"),)),),
        (HelpCenterSummary("acme-help", 0, 0),),
        api_url="sandbox",
        target="the embedded sandbox (.contentsync/sandbox.json)",
        api_version="2.9",
        **kw,  # type: ignore[arg-type]
    )


def text(plan: Plan) -> str:
    out = io.StringIO()
    render_text(plan, out)
    return out.getvalue()


def test_every_rendering_names_the_target_and_api_version_first() -> None:
    plan = targeted()
    line = "Target: the embedded sandbox (.contentsync/sandbox.json), Intercom API 2.9"
    assert header_line(plan) == line
    assert text(plan).splitlines()[0] == line
    md = render_markdown(plan).splitlines()
    assert md[0] == "## contentsync plan"
    assert html.unescape(md[2]) == f"_{line}_"
    data = json.loads(render_json(plan))
    assert (data["api_url"], data["target"], data["api_version"]) == (
        "sandbox", "the embedded sandbox (.contentsync/sandbox.json)", "2.9",
    )  # fmt: skip
    assert Plan.from_dict(data) == plan


def test_the_first_line_says_when_pins_are_ignored() -> None:
    assert header_line(targeted(pins_ignored="--sandbox")).endswith(
        "Intercom API 2.9; pinned ids ignored (--sandbox)"
    )


def test_a_plan_made_against_no_target_has_no_target_line() -> None:
    plan = Plan((), ())
    assert header_line(plan) == ""
    assert text(plan) == "No changes. The help center matches the content.\n"


def creates_then_deletes(creates: int, deletes: int) -> Plan:
    changes = [
        change(
            "create", f"New collection {i}", i,
            fields=(FieldChange("name", None, f"New collection {i}" + " padding" * 20),),
        )
        for i in range(creates)
    ] + [
        change(
            "delete", f"Old collection {i}", creates + i, id=str(1000 + i),
            fields=(FieldChange("name", f"Old collection {i}" + " padding" * 20, None),),
        )
        for i in range(deletes)
    ]  # fmt: skip
    return Plan(tuple(changes), (HelpCenterSummary("acme-help", 1000, deletes),))


@pytest.mark.parametrize("deletes", [5, 60, 200])
def test_a_cut_plan_keeps_the_deletes_visible(deletes: int) -> None:
    """Creates come first in the plan, so cutting the tail used to drop every delete."""
    limit = 5000
    plan = creates_then_deletes(300, deletes)
    md = render_markdown(plan, max_chars=limit)
    assert len(md) <= limit
    assert f"**Plan: 300 to create, 0 to update, {deletes} to delete.**" in md
    visible = [n for n in range(deletes) if f"Old collection {n}**" in md]
    if deletes * 60 < limit:  # room for a line per delete: every one of them is there
        assert len(visible) == deletes
        assert "every delete is listed first; " in md
    else:  # not even that: the note says how many deletes are missing
        assert f"only {len(visible)} of the {deletes} deletes fit; 300 more" in md
    assert visible
    assert md.index("✂️") < md.index("Old collection 0")  # the note is never cut off
    assert f"### Every delete ({deletes}" in md
    if "New collection" in md:
        assert md.index("Every delete") < md.index("New collection")


def test_an_uncut_plan_is_unchanged_by_max_chars() -> None:
    plan = creates_then_deletes(3, 2)
    full = render_markdown(plan)
    assert render_markdown(plan, max_chars=len(full)) == full
    assert "Every delete" not in full


def test_a_rename_hint_shows_its_pin_as_code() -> None:
    note = "looks like a rename of section 'Old' (1003): pin `id: \"1003\"` to rename it in place"
    shown = md_note(note)
    assert '<code>id: "1003"</code>' in shown
    assert "&quot;" not in shown and "\\`" not in shown
    assert "|" not in md_note("a `x | y` b")  # a pipe in code cannot split the table row
    assert md_note("one ` only") == md_escape("one ` only")
    assert md_note("`<img src=x onerror=alert(1)>`") == (
        "<code>&lt;img src=x onerror=alert(1)&gt;</code>"
    )
    plan = Plan((change("create", "New", 0, notes=(note,)),), (HelpCenterSummary("a", 1, 0),))
    assert '<code>id: "1003"</code>' in render_markdown(plan)
