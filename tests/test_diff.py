"""The pure planner: ordering, refs, field paths, normalization, digests."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contentsync import live
from contentsync.apply import dependencies
from contentsync.diff import Options, content_digest, live_digest, make_plan
from contentsync.errors import IdentityError, UnsafePlan
from contentsync.locales import LOCALES
from contentsync.model import DesiredState, HelpCenterSpec, LiveState, Origin
from contentsync.plan import Plan
from tests.trees import HC, Col, col, desired, live_from, live_json, node


def empty_live() -> LiveState:
    return live_from(
        {"help_centers": [{"id": "1", "identifier": HC}], "collections": [], "sections": []}
    )


def actions(plan: Plan) -> list[tuple[str, str, str]]:
    return [(c.action, c.kind, c.address) for c in plan.changes]


# ---- ordering ----------------------------------------------------------------------------


def test_creates_go_parents_first_in_file_order_and_children_refer_to_new_parent() -> None:
    """A depth-first walk in file order; each create waits for its parent and for its
    previous sibling, so Intercom shows siblings in file order."""
    plan = make_plan(desired(col("B", col("b1")), col("A", col("a1"), col("a2"))), empty_live())
    assert [(c.depth, c.name) for c in plan.changes] == [
        (1, "B"), (2, "b1"), (1, "A"), (2, "a1"), (2, "a2"),
    ]  # fmt: skip
    assert {c.kind for c in plan.changes} == {"collection"}
    ref = {c.name: c.ref for c in plan.changes}
    deps = dependencies(plan.changes)
    assert deps == {
        ref["B"]: set(),
        ref["b1"]: {ref["B"]},
        ref["A"]: {ref["B"]},
        ref["a1"]: {ref["A"]},
        ref["a2"]: {ref["A"], ref["a1"]},
    }
    by_ref = {c.ref: c for c in plan.changes}
    for c in plan.changes:
        if c.depth == 2:
            assert by_ref[c.parent_ref or ""].depth == 1


@pytest.mark.parametrize("api_version", ["2.9", "2.16"])
def test_deletes_go_children_first(api_version: str) -> None:
    state = desired(col("Keep"), col("Gone", col("g1"), col("g2")))
    data = live_json(state, api_version=api_version)
    plan = make_plan(desired(col("Keep")), live_from(data), Options(api_version=api_version))
    assert [(c.action, c.depth) for c in plan.changes] == [
        ("delete", 2),
        ("delete", 2),
        ("delete", 1),
    ]
    deps = dependencies(plan.changes)
    gone = next(c for c in plan.changes if c.depth == 1)
    assert deps[gone.ref] == {c.ref for c in plan.changes if c.depth == 2}


def test_move_goes_before_its_old_collection_delete() -> None:
    state = desired(col("Old", col("s", id="7")), col("New"))
    plan = make_plan(desired(col("New", col("s", id="7"))), live_from(live_json(state)))
    assert [(c.action, c.depth) for c in plan.changes] == [("update", 2), ("delete", 1)]
    move, delete = plan.changes
    assert move.old_parent_id == delete.id and move.parent_id != delete.id
    assert move.ref in dependencies(plan.changes)[delete.ref]


def test_move_into_collection_created_in_the_same_plan() -> None:
    state = desired(col("Old", col("s", id="7")))
    plan = make_plan(
        desired(col("Old"), col("Fresh", col("s", id="7"))), live_from(live_json(state))
    )
    create, move = plan.changes
    assert (create.action, create.depth, move.action, move.depth) == ("create", 1, "update", 2)
    assert move.parent_ref == create.ref
    assert dependencies(plan.changes)[move.ref] == {create.ref}


# ---- refs and field paths ------------------------------------------------------------------


def test_pinned_and_unpinned_collection_with_the_same_name_get_distinct_refs() -> None:
    live_state = live_from(live_json(desired(col("Docs", id="55"))))
    plan = make_plan(
        desired(col("Docs", col("Intro"), id="55"), col("Docs", col("Intro"))), live_state
    )
    refs = [c.ref for c in plan.changes]
    assert len(refs) == len(set(refs)), refs
    new_sections = [c for c in plan.changes if c.depth == 2]
    parents = {c.parent_id or c.parent_ref for c in new_sections}
    assert len(parents) == 2, parents


def test_translation_field_paths() -> None:
    before = desired(col("C", translations={"fr": {"name": "Avant", "description": "d"}}))
    after = desired(
        col(
            "C",
            translations={"fr": {"name": "Après", "description": "d"}, "de": {"name": "Neu"}},
        )
    )
    plan = make_plan(after, live_from(live_json(before)))
    (change,) = plan.changes
    got = {(f.path, f.before, f.after) for f in change.fields}
    assert ("translations.fr.name", "Avant", "Après") in got
    assert ("translations.de.name", None, "Neu") in got


def test_removed_translation_is_a_field_change_and_a_removed_locale() -> None:
    before = desired(col("C", translations={"fr": {"name": "Nom"}}))
    plan = make_plan(desired(col("C")), live_from(live_json(before)))
    (change,) = plan.changes
    assert change.removed_locales == ("fr",)
    assert ("translations.fr.name", "Nom", None) in {
        (f.path, f.before, f.after) for f in change.fields
    }


# ---- normalization (hypothesis) --------------------------------------------------------------

name_st = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
).filter(lambda s: s.strip() == s and s)
desc_st = st.text(max_size=40).map(str.rstrip)


@st.composite
def trees(draw: st.DrawFn, depth: int, nested: bool, locale_st: Any) -> list[Col]:
    """Collections under one parent; on 2.9 the second level (sections) has names only."""
    names = draw(st.lists(name_st, max_size=4 if depth == 1 else 3, unique=True))
    described = depth == 1 or nested
    out = []
    for n in names:
        text = st.fixed_dictionaries(
            {"name": name_st, **({"description": desc_st} if described else {})}
        )
        children = draw(trees(depth + 1, nested, locale_st)) if depth < (3 if nested else 2) else []
        out.append(
            col(
                n,
                *children,
                description=draw(desc_st) if described else "",
                translations=draw(st.dictionaries(locale_st, text, max_size=2)),
            )
        )
    return out


@st.composite
def states(draw: st.DrawFn, api_version: str = "2.9") -> DesiredState:
    default = draw(st.sampled_from(["en", "fr", "pt-BR"]))
    locale_st = st.sampled_from([x for x in LOCALES if x != default])
    return desired(*draw(trees(1, api_version != "2.9", locale_st)), locale=default)


@pytest.mark.parametrize("api_version", ["2.9", "2.16"])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_plan_of_desired_against_its_own_live_is_empty(api_version: str, data: Any) -> None:
    state = data.draw(states(api_version))
    live_state = live_from(live_json(state, api_version=api_version))
    assert make_plan(state, live_state, Options(api_version=api_version)).empty


@settings(max_examples=40, deadline=None)
@given(states())
def test_switching_api_version_plans_no_changes(state: DesiredState) -> None:
    """Content valid on 2.9, and the same live objects read in the 2.16 shape (sections are
    level-2 collections with the same ids): no changes either way."""
    for api_version in ("2.9", "2.16"):
        live_state = live_from(live_json(state, api_version=api_version))
        assert make_plan(state, live_state, Options(api_version=api_version)).empty


@settings(max_examples=60, deadline=None)
@given(states(), st.sampled_from([" ", "  ", "\t", "\n"]), st.sampled_from(["", " ", "\n", "  \n"]))
def test_whitespace_never_produces_an_update(state: DesiredState, pad: str, tail: str) -> None:
    data = live_json(state)
    for c in data["collections"]:
        c["name"] = pad + c["name"] + pad
        c["description"] = (c["description"] or "") + tail
        for content in c["translated_content"].values():
            if isinstance(content, dict):
                content["name"] = pad + content["name"] + pad
                content["description"] = content["description"] + tail
    for s in data["sections"]:
        s["name"] = pad + s["name"]
    assert make_plan(state, live_from(data)).empty


# ---- digests ---------------------------------------------------------------------------------


def test_digests_are_stable_across_dict_order_and_change_on_edits() -> None:
    fr, de = {"name": "F"}, {"name": "D"}
    a = desired(col("C", translations={"fr": fr, "de": de}), col("Other"))
    b = desired(col("C", translations={"de": de, "fr": fr}), col("Other"))
    assert content_digest(a) == content_digest(b)
    edited = desired(col("C", translations={"fr": {"name": "F2"}, "de": de}), col("Other"))
    assert content_digest(edited) != content_digest(a)

    data = live_json(a)
    changes = make_plan(edited, live_from(data)).changes  # updates C only
    assert [c.name for c in changes] == ["C"]
    reordered = {k: list(reversed(v)) for k, v in data.items()}
    base = live_digest(changes, live_from(data))
    assert live_digest(changes, live_from(reordered)) == base
    # what the plan touches changed in Intercom: stale
    data["collections"][0]["translated_content"]["fr"]["name"] = "changed"
    assert live_digest(changes, live_from(data)) != base
    data2 = live_json(a)
    data2["collections"][0]["description"] = "new"
    assert live_digest(changes, live_from(data2)) != base
    # something the plan does not touch changed: not stale
    data3 = live_json(a)
    data3["collections"][1]["description"] = "a typo fixed in Intercom"
    assert live_digest(changes, live_from(data3)) == base


# ---- safety gate on real plans -----------------------------------------------------------------


def eight_live() -> LiveState:
    full = desired(
        col("A", *(col(f"a{i}") for i in range(3))), col("B", *(col(f"b{i}") for i in range(3)))
    )
    return live_from(live_json(full))  # 2 collections + 6 sections = 8 objects


@pytest.mark.parametrize(("deleted", "refused"), [(2, False), (3, True)])
def test_safety_gate_on_a_real_plan(deleted: int, refused: bool) -> None:
    """8 live objects: deleting exactly 25% (2) passes, 3 refuses."""
    kept_a = [col(f"a{i}") for i in range(3 - deleted)]
    plan = make_plan(
        desired(col("A", *kept_a), col("B", *(col(f"b{i}") for i in range(3)))), eight_live()
    )
    (summary,) = plan.help_centers
    assert (summary.live_objects, summary.deletes) == (8, deleted)
    if refused:
        with pytest.raises(UnsafePlan):
            plan.raise_if_unsafe(allow_mass_delete=False)
    else:
        plan.raise_if_unsafe(allow_mass_delete=False)
    plan.raise_if_unsafe(allow_mass_delete=True)


def test_seven_live_objects_never_refuse() -> None:
    seven = live_from(live_json(desired(col("A", *(col(f"a{i}") for i in range(6))))))
    plan = make_plan(desired(), seven)
    assert plan.counts()["delete"] == 7
    plan.raise_if_unsafe(allow_mass_delete=False)


# ---- default locale --------------------------------------------------------------------------


def test_a_default_locale_intercom_contradicts_is_refused_at_its_line() -> None:
    french = {"name": "Premiers pas", "description": "Le premier jour"}
    premiers_pas = node(col("Premiers pas", translations={"en": {"name": "Start"}}), HC, 1, "fr")
    content = DesiredState(
        (
            HelpCenterSpec(
                HC, "fr", True, (premiers_pas,),
                origin=Origin("content/acme-help/_help_center.yaml", 1, 17),
            ),
        )
    )  # fmt: skip
    data = live_json(desired(col("Getting started", translations={"fr": french})))
    with pytest.raises(IdentityError) as caught:
        make_plan(content, live_from(data))
    [problem] = caught.value.problems
    assert (problem.path, problem.line, problem.column) == (
        "content/acme-help/_help_center.yaml", 1, 17,
    )  # fmt: skip
    assert "default_locale is 'fr'" in problem.message and "is 'en'" in problem.message


def test_a_help_center_that_states_no_default_locale_is_not_contradicted() -> None:
    """Intercom returns `default_locale` only for multilingual help centers."""
    content = desired(col("Premiers pas", translations={"en": {"name": "Start"}}), locale="fr")
    data = live_json(content)
    for c in data["collections"]:
        del c["default_locale"]
    assert make_plan(content, live_from(data)).changes == ()


class _Listed:
    """Intercom's 2.9 list answers, as decoded JSON."""

    api_version = "2.9"

    def __init__(self, data: dict[str, list[dict[str, Any]]]) -> None:
        self.data = data

    def list_help_centers(self) -> list[dict[str, Any]]:
        return self.data["help_centers"]

    def list_collections(self) -> list[dict[str, Any]]:
        return self.data["collections"]

    def list_sections(self) -> list[dict[str, Any]]:
        return self.data["sections"]

    def list_articles(self) -> list[dict[str, Any]]:
        return []


def test_a_collection_with_a_null_help_center_id_is_in_the_only_help_center() -> None:
    """The 2.9 description lets help_center_id be null: with one help center the collection
    can only be there, and is matched rather than created again."""
    content = desired(col("Billing", col("Invoices")))
    data = live_json(content)
    data["collections"][0]["help_center_id"] = None
    assert make_plan(content, live.read_live(_Listed(data))).changes == ()


def test_a_rename_survives_an_unrelated_delete_elsewhere() -> None:
    """The renamed section is the only leftover of its collection on both sides: one update.
    The section deleted in another collection is no evidence for or against it."""
    before = desired(
        col("Account", col("Privacy and GDPR"), col("Passwords")),
        col("Troubleshooting", col("Notifications"), col("Login")),
    )
    after = desired(
        col("Account", col("Privacy"), col("Passwords")),
        col("Troubleshooting", col("Login")),
    )
    plan = make_plan(after, live_from(live_json(before)))
    assert actions(plan) == [
        ("update", "collection", "Account / Privacy"),
        ("delete", "collection", "Troubleshooting / Notifications"),
    ]
    notes = {c.address: c.notes for c in plan.changes}
    assert notes["Account / Privacy"] == (
        "renamed: 'Privacy and GDPR' -> 'Privacy' (same parent, the only one left there on "
        "both sides)",
    )
    assert notes["Troubleshooting / Notifications"] == ()


def test_exact_turns_pairing_off() -> None:
    before = desired(col("Account", col("Privacy and GDPR"), col("Passwords")))
    after = desired(col("Account", col("Privacy"), col("Passwords")))
    plan = make_plan(after, live_from(live_json(before)), Options(exact=True))
    assert actions(plan) == [
        ("create", "collection", "Account / Privacy"),
        ("delete", "collection", "Account / Privacy and GDPR"),
    ]
