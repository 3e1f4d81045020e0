"""Pure: (desired, live) -> Plan. Identity (SPEC section 2), normalization and field diffs.

One walk over one tree serves every kind. Matching runs in a fixed order, each live object
claimed once: pins; then names under the same parent, depth first (an article also by a title
unique in its help center, so a moved folder moves its articles); then, unless `exact`, the
leftovers on both sides are paired when the evidence is clear (a rename or a move, printed with
its evidence). What is left is created or deleted.
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from deepdiff import DeepDiff

from contentsync.bodies import article_url, link_targets, resolve_links, word_count
from contentsync.canonical import canonical
from contentsync.errors import IdentityError, Problem
from contentsync.gcpause import collector_paused
from contentsync.model import (
    KINDS,
    DesiredState,
    HelpCenterSpec,
    KindName,
    LiveNode,
    LiveState,
    Node,
    Origin,
    walk,
)
from contentsync.plan import Change, FieldChange, HelpCenterSummary, Plan, Unmanaged, digest
from contentsync.projections import Projections


@dataclass(frozen=True)
class Options:
    max_delete_fraction: float = 0.25
    api_url: str = ""
    api_version: str = "2.9"
    pins_ignored: str = ""  # why pins are not used ("--sandbox", "--ignore-pins"), or ""
    exact: bool = False  # no pairing of leftovers into renames and moves


def make_plan(
    desired: DesiredState,
    live: LiveState,
    options: Options = Options(),
    projections: Projections | None = None,
) -> Plan:
    """`projections` remembers article bodies' projections between runs (none: this run's)."""
    projections = projections or Projections()
    with collector_paused():
        matcher = _Matcher(desired, live, options, projections)
        matcher.match()
        if matcher.problems:
            raise IdentityError(matcher.problems)
        changes = matcher.changes()
        summaries = tuple(
            HelpCenterSummary(
                identifier=hc.identifier,
                live_objects=len(matcher.managed.get(hc.identifier, ())),
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
            live_digest=live_digest(changes, live, projections),
            api_url=options.api_url,
            api_version=options.api_version,
            pins_ignored=options.pins_ignored,
            max_delete_fraction=options.max_delete_fraction,
        )


def content_digest(desired: DesiredState) -> str:
    """What a saved plan was made from. Bodies go in by their own digests: JSON-encoding 180 MB
    of article HTML took 4x as long as hashing it."""
    return digest(
        [
            hc.identifier,
            hc.default_locale,
            hc.prune,
            list(hc.ignore),
            [
                [
                    n.path,
                    n.kind,
                    n.id,
                    _bodies_digested(n.fields),
                    {k: _bodies_digested(v) for k, v in n.translations.items()},
                ]
                for n, _, _ in walk(hc.children)
            ],
        ]
        for hc in desired.help_centers
    )


def _bodies_digested(fields: Mapping[str, str]) -> dict[str, str]:
    return {
        k: hashlib.sha256(v.encode("utf-8", "surrogatepass")).hexdigest() if k == "body" else v
        for k, v in fields.items()
    }


def live_digest(
    changes: Iterable[Change], live: LiveState, projections: Projections | None = None
) -> str:
    """What a saved plan depends on in Intercom: each object it touches, and each parent it
    touches or moves out of with that parent's children, so a sibling made in Intercom with the
    name of a create stales the plan. A change anywhere else does not (a typo fixed in
    Intercom's editor must not stale every open pull request)."""
    by_id = {n.id: n for n in live.nodes}
    children: dict[str, list[LiveNode]] = defaultdict(list)
    for n in live.nodes:
        children[n.parent_id or f"help_center:{n.help_center_id}"].append(n)
    touched: set[str] = set()
    parents: set[str] = set()
    for c in changes:
        if c.id:
            touched.add(c.id)
        for parent in (c.parent_id, c.old_parent_id):
            if parent:
                parents.add(parent)
        if c.depth == 1 and c.kind == "collection":
            parents.add(f"help_center:{c.help_center_id}")
    rows: list[Any] = []
    for id in sorted(touched | parents):
        node = by_id.get(id)
        rows.append([id, _node_row(node, projections or Projections()) if node else None])
    for id in sorted(parents):
        rows.append([id, sorted((n.kind, n.id, n.key) for n in children.get(id, ()))])
    return digest(rows)


def _node_row(n: LiveNode, projections: Projections) -> list[Any]:
    """A live object as a saved plan depends on it: bodies by (the key of) their canonical
    projection, since Intercom signs image URLs anew on every read."""

    def seen(fields: Mapping[str, str]) -> dict[str, str]:
        return {k: projections.key(v) if k == "body" else v for k, v in fields.items()}

    return [n.kind, n.parent_id, n.help_center_id, seen(n.fields),
            {k: seen(v) for k, v in sorted(n.translations.items())}]  # fmt: skip


@dataclass
class _Place:
    """A desired node in context."""

    node: Node
    parent: Node | None
    depth: int
    help_center: HelpCenterSpec
    help_center_id: str


@dataclass
class _Pair:
    live: LiveNode
    evidence: str = ""  # why a leftover pair is one object (a rename or a move)


class _Matcher:
    def __init__(
        self,
        desired: DesiredState,
        live: LiveState,
        options: Options,
        projections: Projections,
    ) -> None:
        self.desired = desired
        self.live = live
        self.options = options
        self.projections = projections
        self.problems: list[Problem] = []
        self.unmanaged: list[Unmanaged] = []
        self.help_center_ids: dict[str, str] = {}
        self.by_id = {n.id: n for n in live.nodes}
        self.places: list[_Place] = []
        self.matched: dict[str, _Pair] = {}  # desired path -> live
        self.claimed: set[str] = set()
        # what each managed help center holds that contentsync may touch, ignored subtrees out
        self.managed: dict[str, list[LiveNode]] = {}
        self.children_of: dict[str, list[LiveNode]] = defaultdict(list)
        self._urls: dict[str, str] | None = None
        self._live_bodies: dict[str, str] = {}  # body HTML -> its projection's key
        self._desired_bodies: dict[str, str] = {}  # the same, for content, links resolved
        self.by_path: dict[str, _Place] = {}
        # (help center, parent file or "", kind) -> the places there, in file order
        self.siblings: dict[tuple[str, str, str], list[_Place]] = defaultdict(list)
        self.sibling_index: dict[str, int] = {}
        self._last_live: dict[tuple[str, str, str], int] = {}  # sibling group -> last matched
        self._translations: dict[str, tuple[str, ...]] | None = None

    # ---- setup ------------------------------------------------------------------------------

    def _problem(self, origin: Origin, message: str, field: str = "") -> None:
        self.problems.append(Problem(origin.path, origin.line, origin.column, field, message))

    def _parent_key(self, node: LiveNode) -> str:
        return node.parent_id or f"help_center:{node.help_center_id}"

    def _address(self, node: LiveNode) -> str:
        names = [node.key]
        parent = self.by_id.get(node.parent_id or "")
        while parent is not None and len(names) < 8:
            names.append(parent.key)
            parent = self.by_id.get(parent.parent_id or "")
        return " / ".join(reversed(names))

    def match(self) -> None:
        live_by_identifier = {h.identifier: h for h in self.live.help_centers}
        in_help_center: dict[str | None, list[LiveNode]] = defaultdict(list)
        for n in self.live.nodes:
            in_help_center[n.help_center_id].append(n)
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
            if self._default_locale_differs(hc, in_help_center[found.id]):
                continue
            managed = self._managed(hc, in_help_center[found.id])
            self.managed[hc.identifier] = managed
            for n in managed:
                self.children_of[self._parent_key(n)].append(n)
            for node, parent, depth in walk(hc.children):
                self.places.append(_Place(node, parent, depth, hc, found.id))
        for place in self.places:
            self.by_path[place.node.path] = place
            here = self.siblings[_sibling_key(place)]
            self.sibling_index[place.node.path] = len(here)
            here.append(place)
        self._check_ignored()
        if not self.options.pins_ignored:
            for place in self.places:
                if place.node.id is not None:
                    self._pin(place)
        # A pair (a renamed or moved collection) gives its children a live parent to be
        # matched by name under, so names and pairing go round until nothing new matches.
        while True:
            matched = len(self.matched)
            for place in self.places:
                if place.node.path not in self.matched:
                    self._by_name(place)
            for place in self.places:
                if place.node.kind == "article" and place.node.path not in self.matched:
                    self._by_unique_title(place)
            if not self.options.exact:
                self._pair_leftovers()
            if len(self.matched) == matched:
                break

    def _managed(self, hc: HelpCenterSpec, nodes: list[LiveNode]) -> list[LiveNode]:
        """Everything in the help center but what `ignore:` gives to another team."""
        if not hc.ignore:
            return nodes
        ignored: set[str] = set()
        for n in nodes:
            if n.kind == "collection":
                path = self._address(n).replace(" / ", "/")
                if any(fnmatch.fnmatchcase(path, pattern) for pattern in hc.ignore):
                    ignored.add(n.id)

        def under_ignored(n: LiveNode) -> bool:
            seen = 0
            current: LiveNode | None = n
            while current is not None and seen < 8:
                if current.id in ignored:
                    return True
                current = self.by_id.get(current.parent_id or "")
                seen += 1
            return False

        return [n for n in nodes if not under_ignored(n)]

    def _check_ignored(self) -> None:
        for place in self.places:
            if place.node.kind != "collection" or not place.help_center.ignore:
                continue
            path = "/".join(self._desired_names(place))
            for pattern in place.help_center.ignore:
                if fnmatch.fnmatchcase(path, pattern):
                    self._problem(
                        place.node.origin,
                        f"this collection matches `ignore: {pattern}` in _help_center.yaml, "
                        "so contentsync may not touch it: remove the folder or the pattern",
                    )

    def _desired_names(self, place: _Place) -> list[str]:
        names = [place.node.key]
        parent = place.parent
        while parent is not None:
            names.append(parent.key)
            parent = self.by_path[parent.path].parent
        return list(reversed(names))

    def _default_locale_differs(self, hc: HelpCenterSpec, nodes: list[LiveNode]) -> bool:
        """The top-level name and description are the default locale's text, so a content
        default that is not Intercom's would write one language's text into another's place
        on every apply. Intercom says its default only on objects of multilingual help
        centers (`default_locale`); with none, nothing contradicts the content."""
        live = sorted({n.default_locale for n in nodes if n.kind == "collection"} - {""})
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

    # ---- matching ---------------------------------------------------------------------------

    def _claim(self, place: _Place, live: LiveNode, evidence: str = "") -> None:
        self.claimed.add(live.id)
        self.matched[place.node.path] = _Pair(live, evidence)
        self._urls = None
        self._desired_bodies.clear()  # they compared with the links matched so far

    def _pin(self, place: _Place) -> None:
        node = place.node
        where = node.id_origin or node.origin
        found = self.by_id.get(node.id or "")
        if found is None or found.kind != node.kind:
            self._problem(
                where,
                f"{node.kind} {node.id} does not exist in Intercom; remove the pin to create "
                "it again (or plan with --ignore-pins against another workspace)",
                "id",
            )
            return
        if found.help_center_id != place.help_center_id:
            self._problem(
                where,
                f"{node.kind} {found.id} is in another help center (id "
                f"{found.help_center_id}); objects cannot move between help centers",
                "id",
            )
            return
        self._claim(place, found)

    def live_parent(self, place: _Place) -> str | None:
        """The live id (or help center key) the node should sit under, None if that parent
        is itself new."""
        if place.parent is None:
            return f"help_center:{place.help_center_id}"
        pair = self.matched.get(place.parent.path)
        return pair.live.id if pair else None

    def _by_name(self, place: _Place) -> None:
        parent = self.live_parent(place)
        if parent is None:
            return
        node = place.node
        same = [
            n
            for n in self.children_of.get(parent, ())
            if n.kind == node.kind and n.key == node.key and n.id not in self.claimed
        ]
        if len(same) > 1:
            ids = ", ".join(sorted((n.id for n in same), key=int))
            where = "this help center" if place.parent is None else f"'{place.parent.key}'"
            self._problem(
                node.origin,
                f"{len(same)} live {node.kind}s in {where} are named '{node.key}' (ids {ids}): "
                "pin one with `id:`",
            )
        elif same:
            self._claim(place, same[0])

    def _by_unique_title(self, place: _Place) -> None:
        """An article whose folder moved or was recreated keeps its id: moved, not deleted
        and created again."""
        hc_articles = [
            n
            for n in self.managed.get(place.help_center.identifier, ())
            if n.kind == "article" and n.key == place.node.key
        ]
        free = [n for n in hc_articles if n.id not in self.claimed]
        if len(hc_articles) == 1 and free:
            self._claim(place, free[0], "same title")

    def _pair_leftovers(self) -> None:
        """Pair what is left on both sides when the evidence is clear, depth first so a
        renamed parent's children are found under it. Both sides must be each other's only
        candidate."""
        left = [p for p in self.places if p.node.path not in self.matched]
        if not left:
            return
        pool: dict[tuple[str, str], list[LiveNode]] = defaultdict(list)
        for identifier, nodes in self.managed.items():
            for n in nodes:
                if n.id not in self.claimed:
                    pool[(identifier, n.kind)].append(n)
        candidates = {p.node.path: self._candidates(p, pool) for p in left}
        wanted = Counter(live.id for found in candidates.values() for live, _ in found)
        for place in left:
            found = candidates[place.node.path]
            if len(found) == 1 and wanted[found[0][0].id] == 1:
                self._claim(place, *found[0])

    def _candidates(
        self, place: _Place, pool: Mapping[tuple[str, str], list[LiveNode]]
    ) -> list[tuple[LiveNode, str]]:
        """The leftover live objects this one may be, each with the evidence."""
        node = place.node
        parent = self.live_parent(place)
        leftovers = pool.get((place.help_center.identifier, node.kind), [])
        siblings_left = [
            p for p in self.siblings[_sibling_key(place)] if p.node.path not in self.matched
        ]
        out = []
        for live in leftovers:
            same_parent = parent is not None and self._parent_key(live) == parent
            reasons = []
            if same_parent:
                reasons.append("same parent")
            live_translations = {
                k: v for k, v in live.translations.items() if k != place.help_center.default_locale
            }
            unchanged = [
                locale
                for locale, text in sorted(node.translations.items())
                if self._comparable_text(node.kind, text, desired=True)
                == self._comparable_text(
                    node.kind, live_translations.get(locale, {}), desired=False
                )
            ]
            evidence = []
            if node.translations and len(unchanged) == len(node.translations) == len(
                live_translations
            ):
                evidence.append(" and ".join(unchanged) + " unchanged")
            for name in KINDS[node.kind].fields:
                if name in (KINDS[node.kind].key_field, "state", "author"):
                    continue
                mine = self._value(name, node.fields.get(name, ""), desired=True)
                theirs = self._value(name, live.fields.get(name, ""), desired=False)
                if mine and mine == theirs:
                    evidence.append(f"same {name}")
            if node.key == live.key and not same_parent:
                evidence.append("same name" if node.kind == "collection" else "same title")
            if not evidence and same_parent:
                alone = len(siblings_left) == 1 and [
                    n for n in self.children_of.get(parent or "", ())
                    if n.kind == node.kind and n.id not in self.claimed
                ] == [live]  # fmt: skip
                if alone:
                    evidence.append("the only one left there on both sides")
            if evidence:
                out.append((live, ", ".join(reasons + evidence)))
        return out

    def _comparable_text(
        self, kind: KindName, text: Mapping[str, str], *, desired: bool
    ) -> list[str]:
        return [
            self._value(name, text.get(name, ""), desired=desired) for name in KINDS[kind].fields
        ]

    def _value(self, name: str, value: str, *, desired: bool) -> str:
        """A field as it is compared. Intercom rewrites the HTML it stores, so a body compares
        by (the key of) its canonical projection, with links to other articles by their ids."""
        if name != "body":
            return value
        # pairing compares every leftover with every other: project each body once
        memo = self._desired_bodies if desired else self._live_bodies
        found = memo.get(value)
        if found is None:
            found = self.projections.key(self._resolved(value) if desired else value)
            memo[value] = found
        return found

    def _resolved(self, html: str) -> str:
        """A content body with its links resolved as far as they can be (a link to an article
        made in this plan never equals a live one)."""
        return resolve_links(html, self.article_urls())

    def _keyed(self, flat: Mapping[str, str], *, desired: bool) -> dict[str, str]:
        return {
            path: self._value(path.rpartition(".")[2], value, desired=desired)
            for path, value in flat.items()
        }

    def _field_changes(
        self, before: Mapping[str, str], after: Mapping[str, str]
    ) -> tuple[FieldChange, ...]:
        """Field-level detail between two flat forms (live, content): bodies compare by their
        projections, and a changed one shows as the unified diff of them."""
        changed = (
            _changed_fields(self._keyed(before, desired=False), self._keyed(after, desired=True))
            if before and after
            else _changed_fields(before, after)  # a create or a delete: nothing to compare
        )
        return tuple(
            self._body_change(f.path, before, after) if f.path.endswith("body") else f
            for f in changed
        )

    def _body_change(
        self, path: str, before: Mapping[str, str], after: Mapping[str, str]
    ) -> FieldChange:
        """A body created is summed up by its words, one deleted by nothing, one changed by
        the unified diff of its readable projection."""
        old, new = before.get(path) or "", after.get(path) or ""
        if not before:
            return FieldChange(path, None, new, words=word_count(new))
        if not after:
            return FieldChange(path, old, None)
        old = canonical(old) if old else ""
        new = canonical(self._resolved(new)) if new else ""
        lines = difflib.unified_diff(
            old.splitlines(), new.splitlines(), "live", "content", n=2, lineterm=""
        )
        return FieldChange(path, old or None, new or None, "\n".join(lines))

    def article_urls(self) -> dict[str, str]:
        """Article file -> a URL naming its live article, for what is matched so far."""
        if self._urls is None:
            self._urls = {
                path: article_url("help", "en", pair.live.id)
                for path, pair in self.matched.items()
                if pair.live.kind == "article"
            }
        return self._urls

    # ---- changes ----------------------------------------------------------------------------

    def changes(self) -> list[Change]:
        out: list[Change] = []
        position = 0
        last_create: dict[tuple[str, str], str] = {}  # (parent, kind) -> ref of previous create
        for place in self.places:
            position += 1
            change = self._change(place, position, last_create)
            if change is not None:
                out.append(change)
        out = _second_updates(out)
        for hc in self.desired.help_centers:
            if hc.identifier in self.managed:
                out += self._leftovers(hc, position)
                position += len(self.managed[hc.identifier])
        return out

    def _flat(
        self,
        kind: KindName,
        fields: Mapping[str, str],
        translations: Mapping[str, Mapping[str, str]],
        default_locale: str,
    ) -> dict[str, str]:
        """The flat form: dotted field -> value, default locale at the top (Intercom also
        lists it among the translations of a multilingual help center)."""
        names = KINDS[kind].fields
        flat = {name: fields.get(name, "") for name in names}
        for locale, text in sorted(translations.items()):
            if locale == default_locale:
                continue
            for name in names:
                flat[f"translations.{locale}.{name}"] = text.get(name, "")
        return flat

    def _change(
        self, place: _Place, position: int, last_create: dict[tuple[str, str], str]
    ) -> Change | None:
        node, hc = place.node, place.help_center
        pair = self.matched.get(place.node.path)
        parent_live = self.live_parent(place)
        parent_id = (
            None if parent_live is None or parent_live.startswith("help_center:") else parent_live
        )
        parent_ref = (
            None if parent_live is not None else (place.parent.path if place.parent else None)
        )
        links = self._links(node)
        common: dict[str, Any] = {
            "links": links,
            "link_locales": {path: self._locales_of(path) for path in links},
            "kind": node.kind,
            "help_center": hc.identifier,
            "address": " / ".join(self._desired_names(place)),
            "name": node.key,
            "position": position,
            "depth": place.depth,
            "help_center_id": place.help_center_id,
            "parent_id": parent_id,
            "parent_ref": parent_ref,
            "default_locale": hc.default_locale,
            "text": node.fields,
            "translations": node.translations,
            "origin": node.origin,
        }
        after = self._flat(node.kind, node.fields, node.translations, hc.default_locale)
        sibling_key = (parent_live or parent_ref or "", node.kind)
        if pair is None:
            previous = last_create.get(sibling_key)
            last_create[sibling_key] = node.path
            return Change(
                action="create",
                ref=node.path,
                after_ref=previous,
                fields=self._field_changes({}, after),
                notes=self._appears_last(place),
                **common,
            )
        live = pair.live
        before = self._flat(live.kind, live.fields, live.translations, hc.default_locale)
        moved = self._parent_key(live) != (parent_live or parent_ref)
        if moved and live.other_parents:
            self._problem(
                node.origin,
                f"article {live.id} is in several help centers: contentsync never moves it",
            )
        same = self._keyed(before, desired=False) == self._keyed(after, desired=True)
        if same and not moved:
            return None
        fields = () if same else self._field_changes(before, after)
        if moved:
            old = (
                f"{self._address(self.by_id[live.parent_id])} ({live.parent_id})"
                if live.parent_id in self.by_id
                else "(top of the help center)"
            )
            new = (
                f"{' / '.join(self._desired_names(place)[:-1])} ({parent_id or 'new'})"
                if place.parent
                else "(top of the help center)"
            )
            fields = (FieldChange("parent", old, new), *fields)
        notes: tuple[str, ...] = ()
        if pair.evidence:
            verb = "moved" if moved else "renamed"
            if moved and live.key != node.key:
                verb = "moved and renamed"
            renamed = f": '{live.key}' -> '{node.key}'" if live.key != node.key else ""
            notes = (f"{verb}{renamed} ({pair.evidence})",)
        refused = ""
        if live.pending_draft:
            refused = (
                f"article {live.id} has unpublished changes in Intercom (someone is editing "
                "it): publish or discard them there, then plan again"
            )
            notes = (*notes, refused)
        return Change(
            action="update",
            ref=node.path,
            id=live.id,
            refused=refused,
            old_parent_id=(live.parent_id or None) if moved else None,
            removed_locales=tuple(
                sorted(
                    k
                    for k in live.translations
                    if k not in node.translations and k != hc.default_locale
                )
            ),
            fields=fields,
            notes=notes,
            **common,
        )

    def _links(self, node: Node) -> dict[str, str]:
        """Each article file this one's bodies link to -> its live id, or its own path when
        this plan creates it (the create's ref)."""
        if node.kind != "article":
            return {}
        out = {}
        for fields in (node.fields, *node.translations.values()):
            for path in link_targets(fields.get("body", "")):
                pair = self.matched.get(path)
                out[path] = pair.live.id if pair else path
        return out

    def _locales_of(self, path: str) -> tuple[str, ...]:
        """The translations an article file has (its default locale is always there)."""
        if self._translations is None:
            self._translations = {
                p.node.path: tuple(sorted(p.node.translations)) for p in self.places
            }
        return self._translations.get(path, ())

    def _appears_last(self, place: _Place) -> tuple[str, ...]:
        """Intercom shows siblings in creation order and cannot reorder them: a create before
        an existing sibling in file order lands after it."""
        key = _sibling_key(place)
        if key not in self._last_live:
            indexes = [i for i, p in enumerate(self.siblings[key]) if p.node.path in self.matched]
            self._last_live[key] = max(indexes, default=-1)
        if self.sibling_index[place.node.path] < self._last_live[key]:
            return ("Intercom cannot reorder: it will appear after the existing ones",)
        return ()

    def _leftovers(self, hc: HelpCenterSpec, position: int) -> list[Change]:
        out: list[Change] = []
        managed = self.managed[hc.identifier]
        unclaimed = [n for n in managed if n.id not in self.claimed]
        depth_of: dict[str, int] = {}

        def depth(n: LiveNode) -> int:
            if n.id not in depth_of:
                parent = self.by_id.get(n.parent_id or "")
                depth_of[n.id] = 1 if parent is None else depth(parent) + 1
            return depth_of[n.id]

        # children first: deepest first, then by address for a stable order
        for n in sorted(unclaimed, key=lambda n: (-depth(n), self._address(n), n.id)):
            position += 1
            if n.kind == "article" and n.other_parents:
                self.unmanaged.append(
                    Unmanaged(
                        n.kind,
                        hc.identifier,
                        n.id,
                        self._address(n) + " (in several help centers: never deleted)",
                    )
                )
                continue
            if not hc.prune:
                self.unmanaged.append(Unmanaged(n.kind, hc.identifier, n.id, self._address(n)))
                continue
            notes = self._holds(n) if n.kind == "collection" else ()
            before = self._flat(n.kind, n.fields, n.translations, hc.default_locale)
            out.append(
                Change(
                    action="delete",
                    kind=n.kind,
                    help_center=hc.identifier,
                    address=self._address(n),
                    ref=f"{n.kind}:{n.id}",
                    name=n.key,
                    position=position,
                    depth=depth(n),
                    id=n.id,
                    help_center_id=n.help_center_id,
                    parent_id=n.parent_id,
                    default_locale=hc.default_locale,
                    fields=self._field_changes(before, {}),
                    notes=notes,
                )
            )
        return out

    def _holds(self, collection: LiveNode) -> tuple[str, ...]:
        """What a deleted collection still holds that the plan does not move elsewhere."""
        inside = [n for n in self.children_of.get(collection.id, ()) if n.id not in self.claimed]
        notes = []
        for kind in ("article", "collection"):
            items = [n for n in inside if n.kind == kind]
            if items:
                names = ", ".join(f"'{n.key}'" for n in items[:5]) + (
                    ", ..." if len(items) > 5 else ""
                )
                noun = kind if len(items) == 1 else f"{kind}s"
                notes.append(f"still holds {len(items)} {noun}, deleted with it: {names}")
        return tuple(notes)


def _sibling_key(place: _Place) -> tuple[str, str, str]:
    parent = place.parent.path if place.parent else ""
    return (place.help_center.identifier, parent, place.node.kind)


def _second_updates(changes: list[Change]) -> list[Change]:
    """Articles made in this plan that link to each other in a cycle cannot each wait for
    the other: the link that closes a cycle is left out of the first write ('#'), and a second
    update, once both exist, writes the bodies with every link."""
    creates = {c.ref for c in changes if c.action == "create" and c.kind == "article"}
    by_ref = {c.ref: c for c in changes}
    waits = {
        c.ref: sorted(t for t in c.links.values() if t in creates and t != c.ref)
        for c in changes
        if c.kind == "article"
    }
    state: dict[str, int] = {}
    deferred: dict[str, set[str]] = defaultdict(set)

    def visit(ref: str) -> None:
        state[ref] = 1
        for target in waits.get(ref, ()):
            if state.get(target) == 1:
                deferred[ref].add(target)
            elif target not in state:
                visit(target)
        state[ref] = 2

    for ref in waits:
        if ref not in state:
            visit(ref)
    if not deferred:
        return changes
    out = []
    for c in changes:
        if c.ref not in deferred:
            out.append(c)
            continue
        later = deferred[c.ref]
        out.append(replace(c, links={p: t for p, t in c.links.items() if t not in later}))
    for ref, later in sorted(deferred.items()):
        first = by_ref[ref]
        names = ", ".join(f"'{by_ref[t].name}'" for t in sorted(later))
        out.append(
            replace(
                first,
                action="update",
                ref=f"{ref}#links",
                target_ref=ref if first.action == "create" else None,
                after_ref=None,
                parent_ref=None,
                old_parent_id=None,
                position=first.position + len(changes),
                fields=(),
                notes=(f"writes the links to {names}, made in this plan, once they exist",),
            )
        )
    return out


def _changed_fields(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[FieldChange, ...]:
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
    order = {name: i for i, name in enumerate(before)}  # the kind's fields first, in order
    return tuple(
        sorted(
            out, key=lambda f: (f.path.startswith("translations."), order.get(f.path, 0), f.path)
        )
    )


def _key(deepdiff_path: str) -> str:
    # "root['translations.fr.name']" -> "translations.fr.name"
    return deepdiff_path[len("root['") : -len("']")]
