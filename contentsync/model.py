"""The help center as contentsync sees it: what the files want and what Intercom has.

Frozen values only; this module imports nothing of ours and does no I/O. Text is already
normalized here (see `clean_name`, `clean_description`) so that equal content compares equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["collection", "section"]


def clean_name(value: str | None) -> str:
    """Names compare without surrounding whitespace: Intercom shows them trimmed."""
    return (value or "").strip()


def clean_description(value: str | None) -> str:
    """Absent, null and empty descriptions are the same; trailing whitespace never diffs."""
    return (value or "").rstrip()


@dataclass(frozen=True)
class Text:
    """One locale's content of a collection or section (sections have no description)."""

    name: str
    description: str = ""


@dataclass(frozen=True)
class Origin:
    """Where a desired object is written: 1-based line and column."""

    path: str
    line: int = 0
    column: int = 0


# ---- desired state: what the files say ---------------------------------------------------


@dataclass(frozen=True)
class SectionSpec:
    name: str
    translations: Mapping[str, Text]
    id: str | None = None
    origin: Origin = field(default=Origin(""), compare=False)
    id_origin: Origin | None = field(default=None, compare=False)  # where `id:` is written


@dataclass(frozen=True)
class CollectionSpec:
    name: str
    description: str
    translations: Mapping[str, Text]
    sections: tuple[SectionSpec, ...] = ()
    id: str | None = None
    origin: Origin = field(default=Origin(""), compare=False)
    id_origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class HelpCenterSpec:
    identifier: str
    default_locale: str
    prune: bool
    collections: tuple[CollectionSpec, ...]
    origin: Origin = field(default=Origin(""), compare=False)


@dataclass(frozen=True)
class DesiredState:
    help_centers: tuple[HelpCenterSpec, ...]


# ---- live state: what Intercom has ---------------------------------------------------------


@dataclass(frozen=True)
class LiveHelpCenter:
    id: str
    identifier: str
    display_name: str = ""


@dataclass(frozen=True)
class LiveCollection:
    id: str
    help_center_id: str | None
    name: str
    description: str
    translations: Mapping[str, Text]  # every locale Intercom returned content for
    default_locale: str = ""  # only returned for multilingual help centers


@dataclass(frozen=True)
class LiveSection:
    id: str
    parent_id: str
    name: str
    translations: Mapping[str, Text]


@dataclass(frozen=True)
class LiveState:
    help_centers: tuple[LiveHelpCenter, ...]
    collections: tuple[LiveCollection, ...]
    sections: tuple[LiveSection, ...]
