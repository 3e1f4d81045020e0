"""The plan: ordered Create/Update/Delete changes, counts, digests, the safety gate, and its
JSON form (`format_version` 1), which is also the plan file `apply PLANFILE` reads.

A plan is data. Renderers format it, apply executes it; neither decides the other's policy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from contentsync.errors import PlanRefused, UnsafePlan
from contentsync.model import Kind, Origin, Text

FORMAT_VERSION = 1
Action = Literal["create", "update", "delete"]
SYMBOL: Mapping[Action, str] = {"create": "+", "update": "~", "delete": "-"}

# Creates and updates go parents first; deletes go children first, after every move.
_LEVEL: Mapping[tuple[Action, Kind], int] = {
    ("create", "collection"): 0,
    ("update", "collection"): 0,
    ("create", "section"): 1,
    ("update", "section"): 1,
    ("delete", "section"): 2,
    ("delete", "collection"): 3,
}


@dataclass(frozen=True)
class FieldChange:
    path: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Change:
    """One action on one object.

    `ref` names the object within the plan ("collection:<help center>:<name>" for creates), so
    a section created under a collection created in the same plan points at it through
    `parent_ref`; apply resolves that to the new id.
    """

    action: Action
    kind: Kind
    help_center: str
    address: str
    ref: str
    name: str
    id: str | None = None
    help_center_id: str | None = None
    parent_id: str | None = None
    parent_ref: str | None = None
    old_parent_id: str | None = None
    default_locale: str = "en"
    description: str = ""
    translations: Mapping[str, Text] = field(default_factory=dict)
    removed_locales: tuple[str, ...] = ()
    fields: tuple[FieldChange, ...] = ()
    notes: tuple[str, ...] = ()
    origin: Origin | None = None

    @property
    def level(self) -> int:
        return _LEVEL[(self.action, self.kind)]

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        return (self.level, self.help_center, self.address, self.id or "")

    @property
    def label(self) -> str:
        return f"{self.kind} {self.address}" + (f" ({self.id})" if self.id else "")


@dataclass(frozen=True)
class Unmanaged:
    """A live object nothing claims, in a help center with `prune: false`."""

    kind: Kind
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
    max_delete_fraction: float = 0.25
    # What the plan was made against, in words ("the embedded sandbox" or the API URL), and
    # the Intercom-Version it was read with: the first line of every rendering names both.
    target: str = ""
    api_version: str = ""

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

    def depth(self) -> int:
        return len({c.level for c in self.changes})

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
                max_delete_fraction=float(data["max_delete_fraction"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PlanRefused(f"not a contentsync plan file ({exc!r})") from None


def _change_to_dict(change: Change) -> dict[str, Any]:
    return {
        "action": change.action,
        "kind": change.kind,
        "help_center": change.help_center,
        "address": change.address,
        "ref": change.ref,
        "id": change.id,
        "name": change.name,
        "help_center_id": change.help_center_id,
        "parent_id": change.parent_id,
        "parent_ref": change.parent_ref,
        "old_parent_id": change.old_parent_id,
        "default_locale": change.default_locale,
        "description": change.description,
        "translations": {
            locale: {"name": t.name, "description": t.description}
            for locale, t in sorted(change.translations.items())
        },
        "removed_locales": list(change.removed_locales),
        "fields": [{"path": f.path, "before": f.before, "after": f.after} for f in change.fields],
        "notes": list(change.notes),
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
        id=data["id"],
        name=data["name"],
        help_center_id=data["help_center_id"],
        parent_id=data["parent_id"],
        parent_ref=data["parent_ref"],
        old_parent_id=data["old_parent_id"],
        default_locale=data["default_locale"],
        description=data["description"],
        translations={k: Text(**v) for k, v in data["translations"].items()},
        removed_locales=tuple(data["removed_locales"]),
        fields=tuple(FieldChange(**f) for f in data["fields"]),
        notes=tuple(data["notes"]),
        origin=None if origin is None else Origin(origin["path"], origin["line"]),
    )


def digest(parts: Iterable[Any]) -> str:
    """A stable sha256 over JSON-able parts, used to tell whether content or live changed."""
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()
