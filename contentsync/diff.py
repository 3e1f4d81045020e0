"""Pure: (desired, live) -> Plan. Identity (SPEC section 2), normalization and field diffs.

Matching order matters and is fixed: pinned collections, then collections by name, then
pinned sections, then sections by name, so a pin always wins over a name match.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from deepdiff import DeepDiff

from contentsync.errors import IdentityError, Problem
from contentsync.gcpause import collector_paused
from contentsync.model import (
    CollectionSpec,
    DesiredState,
    HelpCenterSpec,
    LiveCollection,
    LiveSection,
    LiveState,
    Origin,
    SectionSpec,
    Text,
)
from contentsync.plan import Change, FieldChange, HelpCenterSummary, Plan, Unmanaged, digest

_Live = TypeVar("_Live", LiveCollection, LiveSection)

ARTICLES_NOTE = (
    "Intercom does not document what happens to articles still in a deleted collection: "
    "move them first"
)


def make_plan(
    desired: DesiredState,
    live: LiveState,
    *,
    max_delete_fraction: float = 0.25,
    api_url: str = "",
) -> Plan:
    with collector_paused():
        return _make_plan(desired, live, max_delete_fraction, api_url)


def _make_plan(
    desired: DesiredState, live: LiveState, max_delete_fraction: float, api_url: str
) -> Plan:
    matcher = _Matcher(desired, live)
    matcher.match()
    if matcher.problems:
        raise IdentityError(matcher.problems)
    changes = _with_rename_hints(matcher.changes())
    summaries = tuple(
        HelpCenterSummary(
            identifier=hc.identifier,
            live_objects=matcher.live_count(hc),
            deletes=sum(
                1 for c in changes if c.action == "delete" and c.help_center == hc.identifier
            ),
        )
        for hc in desired.help_centers
    )
    return Plan(
        changes=tuple(changes),
        help_centers=summaries,
        unmanaged=tuple(sorted(matcher.unmanaged, key=lambda u: (u.help_center, u.address))),
        content_digest=content_digest(desired),
        live_digest=live_digest(desired, live),
        api_url=api_url,
        max_delete_fraction=max_delete_fraction,
    )


def content_digest(desired: DesiredState) -> str:
    def texts(t: Mapping[str, Text]) -> dict[str, list[str]]:
        return {k: [v.name, v.description] for k, v in t.items()}

    return digest(
        [
            hc.identifier,
            hc.default_locale,
            hc.prune,
            [
                [c.id, c.name, c.description, texts(c.translations)]
                + [[s.id, s.name, texts(s.translations)] for s in c.sections]
                for c in hc.collections
            ],
        ]
        for hc in desired.help_centers
    )


def live_digest(desired: DesiredState, live: LiveState) -> str:
    """Only what the managed help centers hold: changes elsewhere do not stale a plan."""
    wanted = {hc.identifier for hc in desired.help_centers}
    hc_ids = {h.id for h in live.help_centers if h.identifier in wanted}
    collections = sorted(
        (c for c in live.collections if c.help_center_id in hc_ids), key=lambda c: c.id
    )
    collection_ids = {c.id for c in collections}
    sections = sorted(
        (s for s in live.sections if s.parent_id in collection_ids), key=lambda s: s.id
    )
    rows: list[Any] = [sorted(hc_ids)]
    rows += [[c.id, c.help_center_id, c.name, c.description, _flat_texts(c.translations)]
             for c in collections]  # fmt: skip
    rows += [[s.id, s.parent_id, s.name, _flat_texts(s.translations)] for s in sections]
    return digest(rows)


def _flat_texts(texts: Mapping[str, Text]) -> list[list[str]]:
    return [[k, v.name, v.description] for k, v in sorted(texts.items())]


@dataclass
class _Match:
    spec: CollectionSpec
    help_center: HelpCenterSpec
    live: LiveCollection | None = None
    sections: dict[int, LiveSection | None] = field(default_factory=dict)


class _Matcher:
    def __init__(self, desired: DesiredState, live: LiveState) -> None:
        self.desired = desired
        self.live = live
        self.problems: list[Problem] = []
        self.unmanaged: list[Unmanaged] = []
        self.help_center_ids: dict[str, str] = {}
        self.collections_by_id = {c.id: c for c in live.collections}
        self.sections_by_id = {s.id: s for s in live.sections}
        self.collections_in: dict[str | None, list[LiveCollection]] = defaultdict(list)
        for c in live.collections:
            self.collections_in[c.help_center_id].append(c)
        self.sections_in: dict[str, list[LiveSection]] = defaultdict(list)
        for s in live.sections:
            self.sections_in[s.parent_id].append(s)
        self.claimed: set[str] = set()
        self.matches: list[_Match] = []

    # ---- matching -------------------------------------------------------------------------

    def match(self) -> None:
        live_by_identifier = {h.identifier: h for h in self.live.help_centers}
        for hc in self.desired.help_centers:
            found = live_by_identifier.get(hc.identifier)
            if found is None:
                known = ", ".join(sorted(live_by_identifier)) or "none"
                self._problem(
                    hc.origin,
                    f"help center '{hc.identifier}' does not exist in Intercom (the API cannot "
                    f"create help centers; the live ones are: {known})",
                )
                continue
            self.help_center_ids[hc.identifier] = found.id
            if self._default_locale_differs(hc, found.id):
                continue
            self.matches += [_Match(c, hc) for c in hc.collections]
        for m in self.matches:
            if m.spec.id is not None:
                m.live = self._pinned_collection(m)
        for m in self.matches:
            if m.spec.id is None:
                m.live = self._named(
                    m.spec.name,
                    m.spec.origin,
                    self.collections_in[self.help_center_ids[m.help_center.identifier]],
                    "collection",
                    f"help center '{m.help_center.identifier}'",
                )
        for m in self.matches:
            for i, s in enumerate(m.spec.sections):
                if s.id is not None:
                    m.sections[i] = self._pinned_section(m, s)
        for m in self.matches:
            siblings = self.sections_in[m.live.id] if m.live else []
            for i, s in enumerate(m.spec.sections):
                if s.id is None:
                    where = f"collection '{m.spec.name}'"
                    m.sections[i] = self._named(s.name, s.origin, siblings, "section", where)

    def _default_locale_differs(self, hc: HelpCenterSpec, help_center_id: str) -> bool:
        """The top-level name and description are the default locale's text, so a content
        default that is not Intercom's would write one language's text into another's place
        on every apply. Intercom says its default only on collections of multilingual help
        centers (`default_locale`); with none, nothing contradicts the content."""
        live = sorted({c.default_locale for c in self.collections_in[help_center_id]} - {""})
        if not live or live == [hc.default_locale]:
            return False
        theirs = " or ".join(f"'{locale}'" for locale in live)
        self._problem(
            hc.origin,
            f"default_locale is '{hc.default_locale}', but Intercom's default locale for help "
            f"center '{hc.identifier}' is {theirs}: set default_locale to match in "
            "_help_center.yaml (Intercom's default is a workspace setting the API cannot change)",
        )
        return True

    def _problem(self, origin: Origin, message: str) -> None:
        self.problems.append(Problem(origin.path, origin.line, origin.column, "", message))

    def _pinned_collection(self, m: _Match) -> LiveCollection | None:
        where = m.spec.id_origin or m.spec.origin
        found = self._pinned("collection", m.spec.id or "", where, self.collections_by_id)
        expected = self.help_center_ids[m.help_center.identifier]
        if found is not None and found.help_center_id != expected:
            self._problem(
                where,
                f"id: collection {found.id} is in another help center (id "
                f"{found.help_center_id}); the API cannot move collections between help centers",
            )
            return None
        return found

    def _pinned_section(self, m: _Match, spec: SectionSpec) -> LiveSection | None:
        """A pinned section may move between collections of one help center, never out of
        another one: help centers without a folder are never touched, and Intercom does not
        document moves across help centers."""
        where = spec.id_origin or spec.origin
        found = self._pinned("section", spec.id or "", where, self.sections_by_id)
        parent = self.collections_by_id.get(found.parent_id) if found else None
        expected = self.help_center_ids[m.help_center.identifier]
        if found is not None and parent is not None and parent.help_center_id != expected:
            self._problem(
                where,
                f"id: section {found.id} is in another help center (id "
                f"{parent.help_center_id}); sections cannot be moved between help centers",
            )
            return None
        return found

    def _pinned(
        self, kind: str, id: str, origin: Origin, live: Mapping[str, _Live]
    ) -> _Live | None:
        found = live.get(id)
        if found is None:
            self._problem(
                origin,
                f"id: {kind} {id} does not exist in Intercom; remove the pin to create it again",
            )
            return None
        self.claimed.add(found.id)
        return found

    def _named(
        self, name: str, origin: Origin, candidates: Iterable[_Live], kind: str, where: str
    ) -> _Live | None:
        same = [c for c in candidates if c.name == name and c.id not in self.claimed]
        if len(same) > 1:
            ids = ", ".join(sorted((c.id for c in same), key=int))
            self._problem(
                origin,
                f"{len(same)} live {kind}s in {where} are named '{name}' (ids {ids}): "
                "pin one with `id:`",
            )
            return None
        if same:
            self.claimed.add(same[0].id)
            return same[0]
        return None

    def live_count(self, hc: HelpCenterSpec) -> int:
        collections = self.collections_in[self.help_center_ids.get(hc.identifier)]
        return len(collections) + sum(len(self.sections_in[c.id]) for c in collections)

    # ---- changes ------------------------------------------------------------------------------

    def changes(self) -> list[Change]:
        out: list[Change] = []
        collection_names = {c.id: c.name for c in self.live.collections}
        for m in self.matches:
            out += self._collection_change(m)
            parent_ref = None if m.live else _collection_ref(m)
            for i, spec in enumerate(m.spec.sections):
                out += self._section_change(
                    m, spec, m.sections.get(i), parent_ref, collection_names
                )
        for hc in self.desired.help_centers:
            if hc.identifier in self.help_center_ids:
                out += self._leftovers(hc)
        return out

    def _collection_change(self, m: _Match) -> list[Change]:
        spec, hc = m.spec, m.help_center
        common: dict[str, Any] = {
            "kind": "collection",
            "help_center": hc.identifier,
            "address": spec.name,
            "name": spec.name,
            "help_center_id": self.help_center_ids[hc.identifier],
            "default_locale": hc.default_locale,
            "description": spec.description,
            "translations": spec.translations,
            "origin": spec.origin,
        }
        after = _flat(spec.name, spec.description, spec.translations, hc.default_locale, True)
        if m.live is None:
            fields = _field_changes({}, after)
            return [Change(action="create", ref=_collection_ref(m), fields=fields, **common)]
        before = _flat(
            m.live.name, m.live.description, m.live.translations, hc.default_locale, True
        )
        if before == after:
            return []
        return [
            Change(
                action="update",
                ref=f"collection:{m.live.id}",
                id=m.live.id,
                removed_locales=_removed(m.live.translations, spec.translations, hc),
                fields=_field_changes(before, after),
                **common,
            )
        ]

    def _section_change(
        self,
        m: _Match,
        spec: SectionSpec,
        live: LiveSection | None,
        parent_ref: str | None,
        collection_names: Mapping[str, str],
    ) -> list[Change]:
        hc = m.help_center
        parent_id = m.live.id if m.live else None
        common: dict[str, Any] = {
            "kind": "section",
            "help_center": hc.identifier,
            "address": f"{m.spec.name} / {spec.name}",
            "name": spec.name,
            "parent_id": parent_id,
            "parent_ref": parent_ref,
            "default_locale": hc.default_locale,
            "translations": spec.translations,
            "origin": spec.origin,
        }
        after = _flat(spec.name, "", spec.translations, hc.default_locale, False)
        if live is None:
            ref = f"section:{parent_ref or parent_id}:{spec.name}"
            return [Change(action="create", ref=ref, fields=_field_changes({}, after), **common)]
        before = _flat(live.name, "", live.translations, hc.default_locale, False)
        moved = live.parent_id != parent_id
        if before == after and not moved:
            return []
        fields = _field_changes(before, after)
        if moved:
            old = f"{collection_names.get(live.parent_id, '?')} ({live.parent_id})"
            new = f"{m.spec.name} ({parent_id})" if parent_id else f"{m.spec.name} (new)"
            fields = (FieldChange("parent", old, new), *fields)
        return [
            Change(
                action="update",
                ref=f"section:{live.id}",
                id=live.id,
                old_parent_id=live.parent_id if moved else None,
                removed_locales=_removed(live.translations, spec.translations, hc),
                fields=fields,
                **common,
            )
        ]

    def _leftovers(self, hc: HelpCenterSpec) -> list[Change]:
        out: list[Change] = []
        hc_id = self.help_center_ids[hc.identifier]
        for c in self.collections_in[hc_id]:
            for s in self.sections_in[c.id]:
                if s.id not in self.claimed:
                    out += self._leftover(hc, "section", s.id, f"{c.name} / {s.name}", s.name)
            if c.id not in self.claimed:
                remaining = [s for s in self.sections_in[c.id] if s.id in self.claimed]
                notes = [ARTICLES_NOTE]
                if remaining and hc.prune:
                    notes.append(f"{len(remaining)} of its sections move out first")
                out += self._leftover(hc, "collection", c.id, c.name, c.name, tuple(notes))
        return out

    def _leftover(
        self,
        hc: HelpCenterSpec,
        kind: Any,
        id: str,
        address: str,
        name: str,
        notes: tuple[str, ...] = (),
    ) -> list[Change]:
        if not hc.prune:
            self.unmanaged.append(Unmanaged(kind, hc.identifier, id, address))
            return []
        live = self.sections_by_id[id] if kind == "section" else self.collections_by_id[id]
        description = live.description if isinstance(live, LiveCollection) else ""
        before = _flat(
            live.name, description, live.translations, hc.default_locale, kind == "collection"
        )
        return [
            Change(
                action="delete",
                kind=kind,
                help_center=hc.identifier,
                address=address,
                ref=f"{kind}:{id}",
                id=id,
                name=name,
                help_center_id=live.help_center_id if isinstance(live, LiveCollection) else None,
                parent_id=live.parent_id if isinstance(live, LiveSection) else None,
                default_locale=hc.default_locale,
                description=description,
                translations={k: v for k, v in live.translations.items() if k != hc.default_locale},
                fields=_field_changes(before, {}),
                notes=notes,
            )
        ]


def _collection_ref(m: _Match) -> str:
    return f"collection:{m.help_center.identifier}:{m.spec.name}"


def _removed(
    live: Mapping[str, Text], desired: Mapping[str, Text], hc: HelpCenterSpec
) -> tuple[str, ...]:
    return tuple(sorted(k for k in live if k not in desired and k != hc.default_locale))


def _flat(
    name: str,
    description: str,
    translations: Mapping[str, Text],
    default_locale: str,
    with_description: bool,
) -> dict[str, str]:
    """The comparable form: dotted field -> text, without the default locale's duplicate."""
    flat = {"name": name}
    if with_description:
        flat["description"] = description
    for locale, text in sorted(translations.items()):
        if locale == default_locale:
            continue
        flat[f"translations.{locale}.name"] = text.name
        if with_description:
            flat[f"translations.{locale}.description"] = text.description
    return flat


def _field_changes(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[FieldChange, ...]:
    """Field-level detail from deepdiff over the flat normalized objects."""
    if not before:
        return tuple(FieldChange(k, None, v) for k, v in after.items() if v)
    if not after:
        return tuple(FieldChange(k, v, None) for k, v in before.items() if v)
    diff = DeepDiff(dict(before), dict(after), verbose_level=2)
    out = [
        FieldChange(_key(path), str(d["old_value"]), str(d["new_value"]))
        for path, d in diff.get("values_changed", {}).items()
    ]
    out += [
        FieldChange(_key(path), None, str(v))
        for path, v in diff.get("dictionary_item_added", {}).items()
        if v
    ]
    out += [
        FieldChange(_key(path), str(v), None)
        for path, v in diff.get("dictionary_item_removed", {}).items()
        if v
    ]
    return tuple(sorted(out, key=lambda f: (f.path != "name", f.path != "description", f.path)))


def _key(deepdiff_path: str) -> str:
    # "root['translations.fr.name']" -> "translations.fr.name"
    return deepdiff_path[len("root['") : -len("']")]


def _with_rename_hints(changes: list[Change]) -> list[Change]:
    """Flag delete+create pairs that look like a rename: same parent, same translations. With
    no translations or description to compare, only a lone create and a lone delete under the
    same parent look like one."""

    def place(c: Change) -> tuple[str, str, str | None]:
        return c.kind, c.help_center, c.help_center_id if c.kind == "collection" else c.parent_id

    creates = [c for c in changes if c.action == "create"]
    deletes_at: dict[tuple[str, str, str | None], list[Change]] = defaultdict(list)
    for change in changes:
        if change.action == "delete":
            deletes_at[place(change)].append(change)
    creates_at = Counter(place(c) for c in creates)
    hinted: dict[int, Change] = {}
    for create in creates:
        here = place(create)
        candidates = [
            d
            for d in deletes_at.get(here, ())
            if dict(d.translations) == dict(create.translations)
            and d.description == create.description
        ]
        alone = len(deletes_at.get(here, ())) == 1 and creates_at[here] == 1
        looks_renamed = len(candidates) == 1 and (
            create.translations or create.description or alone
        )
        if looks_renamed and here[2] is not None:
            old = candidates[0]
            hint = (
                f"looks like a rename of {old.kind} '{old.name}' ({old.id}): pin "
                f'`id: "{old.id}"` to rename it in place instead of delete + create'
            )
            hinted[id(create)] = _add_note(create, hint)
            hinted[id(old)] = _add_note(old, f"looks renamed to '{create.name}': see the create")
    return [hinted.get(id(c), c) for c in changes]


def _add_note(change: Change, note: str) -> Change:
    return replace(change, notes=(*change.notes, note))
