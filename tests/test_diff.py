"""The pure planner: ordering, refs, field paths, normalization, digests."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contentsync import live
from contentsync.apply import dependencies
from contentsync.diff import content_digest, live_digest, make_plan
from contentsync.errors import IdentityError, UnsafePlan
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
from contentsync.plan import Plan

HC = "acme-help"


def desired(*collections: CollectionSpec, prune: bool = True, locale: str = "en") -> DesiredState:
    return DesiredState((HelpCenterSpec(HC, locale, prune, tuple(collections)),))


def col(name: str, *sections: SectionSpec, id: str | None = None, **kw: Any) -> CollectionSpec:
    return CollectionSpec(
        name=name,
        description=kw.get("description", ""),
        translations=kw.get("translations", {}),
        sections=sections,
        id=id,
    )


def sec(
    name: str, id: str | None = None, translations: dict[str, Text] | None = None
) -> SectionSpec:
    return SectionSpec(name=name, translations=translations or {}, id=id)


def tc(default: str, text: Text, others: dict[str, Text], with_desc: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "group_translated_content", **dict.fromkeys(LOCALES)}
    for loc, t in {**others, default: text}.items():
        out[loc] = {"type": "group_content", "name": t.name}
        out[loc]["description"] = t.description if with_desc else ""
    return out


def live_json(state: DesiredState, *, next_id: int = 100) -> dict[str, list[dict[str, Any]]]:
    """What the sandbox would return after applying `state` (ids made up)."""
    data: dict[str, list[dict[str, Any]]] = {"help_centers": [], "collections": [], "sections": []}
    for h, hc in enumerate(state.help_centers, start=1):
        data["help_centers"].append({"id": str(h), "identifier": hc.identifier})
        for c in hc.collections:
            cid = c.id or str(next_id := next_id + 1)
            data["collections"].append(
                {
                    "id": cid,
                    "name": c.name,
                    "description": c.description or None,
                    "help_center_id": h,
                    "default_locale": hc.default_locale,
                    "translated_content": tc(
                        hc.default_locale,
                        Text(c.name, c.description),
                        dict(c.translations),
                        True,
                    ),
                }
            )
            for s in c.sections:
                data["sections"].append(
                    {
                        "id": s.id or str(next_id := next_id + 1),
                        "name": s.name,
                        "parent_id": int(cid),
                        "translated_content": tc(
                            hc.default_locale, Text(s.name), dict(s.translations), False
                        ),
                    }
                )
    return data


def live_from(data: dict[str, list[dict[str, Any]]]) -> LiveState:
    return LiveState(
        tuple(live.help_center(h) for h in data["help_centers"]),
        tuple(live.collection(c) for c in data["collections"]),
        tuple(live.section(s) for s in data["sections"]),
    )


def empty_live() -> LiveState:
    return live_from(
        {"help_centers": [{"id": "1", "identifier": HC}], "collections": [], "sections": []}
    )


def actions(plan: Plan) -> list[tuple[str, str, str]]:
    return [(c.action, c.kind, c.address) for c in plan.changes]


# ---- ordering ----------------------------------------------------------------------------


def test_creates_go_parents_first_and_children_refer_to_new_parent() -> None:
    plan = make_plan(desired(col("B", sec("b1")), col("A", sec("a1"), sec("a2"))), empty_live())
    kinds = [c.kind for c in plan.changes]
    assert kinds == ["collection", "collection", "section", "section", "section"]
    by_ref = {c.ref: c for c in plan.changes}
    deps = dependencies(plan.changes)
    for c in plan.changes:
        if c.kind == "section":
            assert c.parent_ref in by_ref and by_ref[c.parent_ref].kind == "collection"
            assert deps[c.ref] == {c.parent_ref}


def test_deletes_go_children_first() -> None:
    state = desired(col("Keep"), col("Gone", sec("g1"), sec("g2")))
    plan = make_plan(desired(col("Keep")), live_from(live_json(state)))
    assert [c.action + " " + c.kind for c in plan.changes] == [
        "delete section",
        "delete section",
        "delete collection",
    ]
    deps = dependencies(plan.changes)
    gone = next(c for c in plan.changes if c.kind == "collection")
    assert deps[gone.ref] == {c.ref for c in plan.changes if c.kind == "section"}


def test_move_goes_before_its_old_collection_delete() -> None:
    state = desired(col("Old", sec("s", id="7")), col("New"))
    plan = make_plan(desired(col("New", sec("s", id="7"))), live_from(live_json(state)))
    assert [(c.action, c.kind) for c in plan.changes] == [
        ("update", "section"),
        ("delete", "collection"),
    ]
    move, delete = plan.changes
    assert move.old_parent_id == delete.id and move.parent_id != delete.id
    assert move.ref in dependencies(plan.changes)[delete.ref]


def test_move_into_collection_created_in_the_same_plan() -> None:
    state = desired(col("Old", sec("s", id="7")))
    plan = make_plan(
        desired(col("Old"), col("Fresh", sec("s", id="7"))), live_from(live_json(state))
    )
    create, move = plan.changes
    assert (create.action, create.kind, move.action, move.kind) == (
        "create",
        "collection",
        "update",
        "section",
    )
    assert move.parent_ref == create.ref
    assert dependencies(plan.changes)[move.ref] == {create.ref}


# ---- refs and field paths ------------------------------------------------------------------


def test_pinned_and_unpinned_collection_with_the_same_name_get_distinct_refs() -> None:
    live_state = live_from(live_json(desired(col("Docs", id="55"))))
    plan = make_plan(
        desired(col("Docs", sec("Intro"), id="55"), col("Docs", sec("Intro"))), live_state
    )
    refs = [c.ref for c in plan.changes]
    assert len(refs) == len(set(refs)), refs
    new_sections = [c for c in plan.changes if c.kind == "section"]
    parents = {c.parent_id or c.parent_ref for c in new_sections}
    assert len(parents) == 2, parents


def test_translation_field_paths() -> None:
    before = desired(col("C", translations={"fr": Text("Avant", "d")}))
    after = desired(col("C", translations={"fr": Text("Après", "d"), "de": Text("Neu")}))
    plan = make_plan(after, live_from(live_json(before)))
    (change,) = plan.changes
    got = {(f.path, f.before, f.after) for f in change.fields}
    assert ("translations.fr.name", "Avant", "Après") in got
    assert ("translations.de.name", None, "Neu") in got


def test_removed_translation_is_a_field_change_and_a_removed_locale() -> None:
    before = desired(col("C", translations={"fr": Text("Nom")}))
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
def states(draw: st.DrawFn) -> DesiredState:
    default = draw(st.sampled_from(["en", "fr", "pt-BR"]))
    locale_st = st.sampled_from([x for x in LOCALES if x != default])
    names = draw(st.lists(name_st, min_size=0, max_size=4, unique=True))
    cols = []
    for n in names:
        trans = draw(st.dictionaries(locale_st, st.builds(Text, name_st, desc_st), max_size=3))
        sec_names = draw(st.lists(name_st, max_size=3, unique=True))
        sections = [
            sec(
                s,
                translations=draw(st.dictionaries(locale_st, st.builds(Text, name_st), max_size=2)),
            )
            for s in sec_names
        ]
        cols.append(col(n, *sections, description=draw(desc_st), translations=trans))
    return desired(*cols, locale=default)


@settings(max_examples=60, deadline=None)
@given(states())
def test_plan_of_desired_against_its_own_live_is_empty(state: DesiredState) -> None:
    assert make_plan(state, live_from(live_json(state))).empty


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
    a = desired(col("C", translations={"fr": Text("F"), "de": Text("D")}))
    b = desired(col("C", translations={"de": Text("D"), "fr": Text("F")}))
    assert content_digest(a) == content_digest(b)
    edited = desired(col("C", translations={"fr": Text("F2"), "de": Text("D")}))
    assert content_digest(edited) != content_digest(a)
    data = live_json(a)
    reordered = {k: list(reversed(v)) for k, v in data.items()}
    assert live_digest(a, live_from(data)) == live_digest(a, live_from(reordered))
    base = live_digest(a, live_from(data))
    data["collections"][0]["translated_content"]["fr"]["name"] = "changed"
    assert live_digest(a, live_from(data)) != base
    data2 = live_json(a)
    data2["collections"][0]["description"] = "new"
    assert live_digest(a, live_from(data2)) != base


# ---- safety gate on real plans -----------------------------------------------------------------


def eight_live() -> LiveState:
    full = desired(
        col("A", *(sec(f"a{i}") for i in range(3))), col("B", *(sec(f"b{i}") for i in range(3)))
    )
    return live_from(live_json(full))  # 2 collections + 6 sections = 8 objects


@pytest.mark.parametrize(("deleted", "refused"), [(2, False), (3, True)])
def test_safety_gate_on_a_real_plan(deleted: int, refused: bool) -> None:
    """8 live objects: deleting exactly 25% (2) passes, 3 refuses."""
    kept_a = [sec(f"a{i}") for i in range(3 - deleted)]
    plan = make_plan(
        desired(col("A", *kept_a), col("B", *(sec(f"b{i}") for i in range(3)))), eight_live()
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
    seven = live_from(live_json(desired(col("A", *(sec(f"a{i}") for i in range(6))))))
    plan = make_plan(desired(), seven)
    assert plan.counts()["delete"] == 7
    plan.raise_if_unsafe(allow_mass_delete=False)


# ---- default locale --------------------------------------------------------------------------


def test_a_default_locale_intercom_contradicts_is_refused_at_its_line() -> None:
    french = Text("Premiers pas", "Le premier jour")
    content = DesiredState(
        (
            HelpCenterSpec(
                HC, "fr", True, (col("Premiers pas", translations={"en": Text("Start")}),),
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
    content = desired(col("Premiers pas", translations={"en": Text("Start")}), locale="fr")
    data = live_json(content)
    for c in data["collections"]:
        del c["default_locale"]
    assert make_plan(content, live_from(data)).changes == ()


class _Listed:
    """Intercom's list answers, as decoded JSON."""

    def __init__(self, data: dict[str, list[dict[str, Any]]]) -> None:
        self.data = data

    def list_help_centers(self) -> list[dict[str, Any]]:
        return self.data["help_centers"]

    def list_collections(self) -> list[dict[str, Any]]:
        return self.data["collections"]

    def list_sections(self) -> list[dict[str, Any]]:
        return self.data["sections"]


def test_a_collection_with_a_null_help_center_id_is_in_the_only_help_center() -> None:
    """The 2.9 description lets help_center_id be null: with one help center the collection
    can only be there, and is matched rather than created again."""
    content = desired(col("Billing", sec("Invoices")))
    data = live_json(content)
    data["collections"][0]["help_center_id"] = None
    assert make_plan(content, live.read_live(_Listed(data))).changes == ()


def test_a_rename_hint_survives_an_unrelated_delete_elsewhere() -> None:
    before = desired(
        col("Account", sec("Privacy and GDPR"), sec("Passwords")),
        col("Troubleshooting", sec("Notifications"), sec("Login")),
    )
    after = desired(
        col("Account", sec("Privacy"), sec("Passwords")),
        col("Troubleshooting", sec("Login")),
    )
    plan = make_plan(after, live_from(live_json(before)))
    notes = {c.address: c.notes for c in plan.changes}
    assert any("looks like a rename of section 'Privacy and GDPR'" in n
               for n in notes["Account / Privacy"])  # fmt: skip
    assert notes["Troubleshooting / Notifications"] == ()
