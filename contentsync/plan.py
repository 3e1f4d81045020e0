"""The plan: ordered Create/Update/Delete changes, counts, digests, the safety gate, and its
JSON form (`format_version` 3), which is also the plan file `apply PLANFILE` reads.

A plan is data. Renderers format it, apply executes it; neither decides the other's policy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from contentsync.errors import PlanRefused, UnsafePlan
from contentsync.model import KindName, Origin

FORMAT_VERSION = 3  # 3: a new body's size in words; content digests of bodies by digest
_BODY = "body"
Action = Literal["create", "update", "delete"]
SYMBOL: Mapping[Action, str] = {"create": "+", "update": "~", "delete": "-"}
Texts = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class FieldChange:
    """One field's change. A body's text is long: `diff` holds its unified diff, and the plan
    file keeps only that and the digests of both sides."""

    path: str
    before: str | None
    after: str | None
    diff: str = ""
    words: int = 0  # a new body's, to say how long it is

    def to_dict(self) -> dict[str, Any]:
        if not self.path.endswith(_BODY):
            return {"path": self.path, "before": self.before, "after": self.after}
        return {
            "path": self.path,
            "before": None if self.before is None else _sha(self.before),
            "after": None if self.after is None else _sha(self.after),
            "words": self.words,
            "diff": self.diff,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldChange:
        return cls(
            data["path"], data["before"], data["after"], data.get("diff", ""), data.get("words", 0)
        )


@dataclass(frozen=True)
class Change:
    """One action on one object.

    `ref` names the object within the plan: the content file's path for what the files hold,
    "<kind>:<id>" for a live object only. A create under a collection created in the same plan
    names it in `parent_ref`, and a create waits for its previous sibling's (`after_ref`) so
    Intercom shows siblings in file order; apply resolves both to the new ids. `depth` is the
    level under the help center (1: top), which API 2.9 needs to tell sections from collections.
    `text` and `translations` are what is sent (default locale, then the others).
    """

    action: Action
    kind: KindName
    help_center: str
    address: str
    ref: str
    name: str
    position: int
    depth: int = 1
    id: str | None = None
    help_center_id: str | None = None
    parent_id: str | None = None
    parent_ref: str | None = None
    after_ref: str | None = None
    old_parent_id: str | None = None
    default_locale: str = "en"
    text: Mapping[str, str] = field(default_factory=dict)
    translations: Texts = field(default_factory=dict)
    removed_locales: tuple[str, ...] = ()
    fields: tuple[FieldChange, ...] = ()
    notes: tuple[str, ...] = ()
    origin: Origin | None = None
    # article bodies: the article file each link names -> its live id, or the ref of the
    # create that makes it in this plan (apply waits for that create, then links to it)
    links: Mapping[str, str] = field(default_factory=dict)
    # the locales each linked article has: a link in a translation goes to the same locale's
    # page when the target has it, else to the default locale's
    link_locales: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # a second update of an object this plan creates: the create's ref (its id comes at apply)
    target_ref: str | None = None
    refused: str = ""  # why apply will not run it (an article being edited in Intercom)

    @property
    def sort_key(self) -> tuple[bool, int]:
        """Creates and updates parents first in file order, then deletes children first."""
        return (self.action == "delete", self.position)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.address}" + (f" ({self.id})" if self.id else "")


@dataclass(frozen=True)
class Unmanaged:
    """A live object nothing claims, in a help center with `prune: false`."""

    kind: KindName
    help_center: str
    id: str
    address: str


@dataclass(frozen=True)
class HelpCenterSummary:
    identifier: str
    live_objects: int
    deletes: int

    def unsafe(self, max_delete_fraction: float) -> bool:
        return self.live_objects >= 8 and self.deletes > max_delete_fraction * self.live_objects


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    help_centers: tuple[HelpCenterSummary, ...]
    unmanaged: tuple[Unmanaged, ...] = ()
    content_digest: str = ""
    live_digest: str = ""
    api_url: str = ""
    api_version: str = "2.9"
    pins_ignored: str = ""  # why pins were not used ("--sandbox", "--ignore-pins"), or ""
    max_delete_fraction: float = 0.25
    # What the plan was made against, in words ("the embedded sandbox (...)" or the API URL):
    # the first line of every rendering names it, with the API version.
    target: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", tuple(sorted(self.changes, key=lambda c: c.sort_key)))

    @property
    def empty(self) -> bool:
        return not self.changes

    def counts(self) -> dict[Action, int]:
        counts: dict[Action, int] = {"create": 0, "update": 0, "delete": 0}
        for change in self.changes:
            counts[change.action] += 1
        return counts

    def with_texts(self, texts: Mapping[str, tuple[Mapping[str, str], Texts]]) -> Plan:
        """The plan with each change's text taken from the content (ref -> default-locale
        fields and translations): a plan file holds article bodies by digest only."""
        # A second update that writes links ("<ref>#links") carries its article's texts too.
        changes = tuple(
            replace(c, text=texts[node][0], translations=texts[node][1])
            if c.action != "delete" and (node := c.ref.partition("#")[0]) in texts
            else c
            for c in self.changes
        )
        return replace(self, changes=changes)

    def unsafe_help_centers(self) -> list[HelpCenterSummary]:
        return [h for h in self.help_centers if h.unsafe(self.max_delete_fraction)]

    def raise_if_unsafe(self, *, allow_mass_delete: bool) -> None:
        unsafe = self.unsafe_help_centers()
        if unsafe and not allow_mass_delete:
            detail = "; ".join(
                f"{h.identifier}: {h.deletes} of {h.live_objects} live objects" for h in unsafe
            )
            raise UnsafePlan(
                f"refusing to apply: the plan deletes more than "
                f"{self.max_delete_fraction:.0%} of a help center ({detail}). "
                "Check the content folder, then re-run with --allow-mass-delete if intended."
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "api_url": self.api_url,
            "target": self.target,
            "api_version": self.api_version,
            "pins_ignored": self.pins_ignored,
            "content_digest": self.content_digest,
            "live_digest": self.live_digest,
            "max_delete_fraction": self.max_delete_fraction,
            "summary": self.counts(),
            "help_centers": [
                {"identifier": h.identifier, "live_objects": h.live_objects, "deletes": h.deletes}
                for h in self.help_centers
            ],
            "changes": [_change_to_dict(c) for c in self.changes],
            "unmanaged": [
                {"kind": u.kind, "help_center": u.help_center, "id": u.id, "address": u.address}
                for u in self.unmanaged
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        if data.get("format_version") != FORMAT_VERSION:
            raise PlanRefused(
                f"plan file format_version {data.get('format_version')!r} is not "
                f"{FORMAT_VERSION}: make the plan again with this contentsync"
            )
        try:
            return cls(
                changes=tuple(_change_from_dict(c) for c in data["changes"]),
                help_centers=tuple(HelpCenterSummary(**h) for h in data["help_centers"]),
                unmanaged=tuple(Unmanaged(**u) for u in data.get("unmanaged", [])),
                content_digest=data["content_digest"],
                live_digest=data["live_digest"],
                api_url=data["api_url"],
                target=data["target"],
                api_version=data["api_version"],
                pins_ignored=data["pins_ignored"],
                max_delete_fraction=float(data["max_delete_fraction"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PlanRefused(f"not a contentsync plan file ({exc!r})") from None


def _sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _text_to_dict(text: Mapping[str, str]) -> dict[str, str]:
    """Article bodies go into the plan file by digest: apply renders them again from the
    content, which the content digest vouches is the content that was reviewed."""
    return {k: (_sha(v) if k == _BODY else v) for k, v in text.items()}


def _change_to_dict(change: Change) -> dict[str, Any]:
    return {
        "action": change.action,
        "kind": change.kind,
        "help_center": change.help_center,
        "address": change.address,
        "ref": change.ref,
        "position": change.position,
        "depth": change.depth,
        "id": change.id,
        "name": change.name,
        "help_center_id": change.help_center_id,
        "parent_id": change.parent_id,
        "parent_ref": change.parent_ref,
        "after_ref": change.after_ref,
        "old_parent_id": change.old_parent_id,
        "default_locale": change.default_locale,
        "text": _text_to_dict(change.text),
        "translations": {
            locale: _text_to_dict(t) for locale, t in sorted(change.translations.items())
        },
        "removed_locales": list(change.removed_locales),
        "fields": [f.to_dict() for f in change.fields],
        "notes": list(change.notes),
        "links": dict(sorted(change.links.items())),
        "link_locales": {k: list(v) for k, v in sorted(change.link_locales.items())},
        "target_ref": change.target_ref,
        "refused": change.refused,
        "origin": (
            None
            if change.origin is None
            else {"path": change.origin.path, "line": change.origin.line}
        ),
    }


def _change_from_dict(data: Mapping[str, Any]) -> Change:
    origin = data.get("origin")
    return Change(
        action=data["action"],
        kind=data["kind"],
        help_center=data["help_center"],
        address=data["address"],
        ref=data["ref"],
        position=int(data["position"]),
        depth=int(data["depth"]),
        id=data["id"],
        name=data["name"],
        help_center_id=data["help_center_id"],
        parent_id=data["parent_id"],
        parent_ref=data["parent_ref"],
        after_ref=data["after_ref"],
        old_parent_id=data["old_parent_id"],
        default_locale=data["default_locale"],
        text=dict(data["text"]),
        translations={k: dict(v) for k, v in data["translations"].items()},
        removed_locales=tuple(data["removed_locales"]),
        fields=tuple(FieldChange.from_dict(f) for f in data["fields"]),
        notes=tuple(data["notes"]),
        links=dict(data["links"]),
        link_locales={k: tuple(v) for k, v in data["link_locales"].items()},
        target_ref=data["target_ref"],
        refused=data["refused"],
        origin=None if origin is None else Origin(origin["path"], origin["line"]),
    )


def digest(parts: Iterable[Any]) -> str:
    """A stable sha256 over JSON-able parts, used to tell whether content or live changed."""
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()
