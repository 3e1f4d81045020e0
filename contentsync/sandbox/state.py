"""The sandbox's store: one state that every API version is served from, persisted as one JSON
file.

- help centers: identifier, default_locale and locales (one locale: a monolingual help center);
- collections: one table for every level. `parent_id` is null at the top; a 2.9 section is a
  level-2 collection with the same id. `help_center_id` is what the create said (null for a
  collection nested on 2.10+ without one, as Intercom may report it); `help_center_of` finds
  the real one through the root;
- articles: per-locale title, description, body, author_id and state, and one parent (or none);
- admins: the token's owner and the emails the sandbox was started with.

Records keep only what the emulator needs; app.py renders them in each version's shape. Files
of format 1 (collections with a separate sections table, before nesting and articles) load as
their level-1 and level-2 collections.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from contentsync.errors import ConfigError
from contentsync.locales import DEFAULT_LOCALE, LOCALES

FORMAT = 2
OWNER_EMAIL = "owner@sandbox.test"


class SandboxState:
    """Mutations happen under `lock`, one request at a time, so ids never collide."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        data = data or {}
        self.help_centers: dict[str, dict[str, Any]] = data.get("help_centers", {})
        self.collections: dict[str, dict[str, Any]] = data.get("collections", {})
        self.articles: dict[str, dict[str, Any]] = data.get("articles", {})
        self.admins: dict[str, dict[str, Any]] = data.get("admins", {})
        self.next_id: int = int(data.get("next_id", 1000))
        self.seq: int = int(data.get("seq", 0))
        self.lock = threading.RLock()
        self.version = 0  # bumped by every change; the writer saves when it moves
        self.owner_id: str = data.get("owner_id") or self._add_admin(OWNER_EMAIL)

    @classmethod
    def load(cls, path: Path | None) -> SandboxState:
        if path is None or not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = None
        if isinstance(data, dict) and data.get("format") == 1:
            return cls(_from_format_1(data))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ConfigError(
                f"{path} is not a contentsync sandbox state file: delete it to start from an "
                "empty sandbox"
            )
        return cls(data)

    def to_dict(self) -> dict[str, Any]:
        with self.lock:
            return {
                "format": FORMAT,
                "next_id": self.next_id,
                "seq": self.seq,
                "owner_id": self.owner_id,
                "admins": self.admins,
                "help_centers": self.help_centers,
                "collections": self.collections,
                "articles": self.articles,
            }

    def save(self, path: Path) -> None:
        """Atomically: a temporary file in the same folder, then os.replace."""
        with self.lock:
            text = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def new_id(self) -> str:
        with self.lock:
            self.next_id += 1
            return str(self.next_id)

    def touch(self, record: dict[str, Any]) -> None:
        """Mark a record changed now (updated_at, and a sequence for a stable order)."""
        with self.lock:
            self.seq += 1
            record["updated_at"] = int(time.time())
            record["seq"] = self.seq
            self.version += 1

    def changed(self) -> None:
        with self.lock:
            self.version += 1

    # ---- seeding ----------------------------------------------------------------------------

    def ensure_help_centers(
        self,
        identifiers: Iterable[str],
        default_locales: Mapping[str, str] | None = None,
        locales: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Make the help centers that do not exist yet. Each gets its default locale from
        `default_locales` (identifier -> locale, else en) and its languages from `locales`
        (else all 37; given for one that exists, they replace its languages); a help center
        whose only language is its default one is monolingual."""
        known = {h["identifier"]: h for h in self.help_centers.values()}
        for identifier in identifiers:
            if identifier in known:
                self._set_languages(known[identifier], (locales or {}).get(identifier))
                continue
            now = int(time.time())
            id = self.new_id()
            default = (default_locales or {}).get(identifier, DEFAULT_LOCALE)
            languages = list((locales or {}).get(identifier, LOCALES))
            self.help_centers[id] = {
                "id": id,
                "identifier": identifier,
                "display_name": identifier.replace("-", " ").title(),
                "default_locale": default,
                "locales": [default, *(loc for loc in languages if loc != default)],
                "created_at": now,
                "updated_at": now,
            }
            known[identifier] = self.help_centers[id]
            self.changed()

    def _set_languages(self, help_center: dict[str, Any], languages: Sequence[str] | None) -> None:
        """The embedded sandbox is a workspace set up as the content says: a language added
        to `locales:` later is enabled, as a person would in Intercom's settings."""
        if languages is None:
            return
        default = help_center["default_locale"]
        wanted = [default, *(loc for loc in languages if loc != default)]
        if help_center["locales"] != wanted:
            help_center["locales"] = wanted
            self.changed()

    def ensure_admins(self, emails: Iterable[str]) -> None:
        """Teammates who can author articles, besides the token's owner."""
        known = {a["email"].lower() for a in self.admins.values()}
        for email in emails:
            if email.lower() not in known:
                self._add_admin(email)
                known.add(email.lower())

    def _add_admin(self, email: str) -> str:
        id = self.new_id()
        name = email.partition("@")[0].replace(".", " ").title()
        self.admins[id] = {"id": id, "email": email, "name": name}
        self.changed()
        return id

    # ---- the tree ---------------------------------------------------------------------------

    def ancestry(self, collection_id: str) -> list[dict[str, Any]]:
        """The collection and its ancestors, the collection first and its root last."""
        chain = [self.collections[collection_id]]
        while chain[-1]["parent_id"] is not None:
            chain.append(self.collections[chain[-1]["parent_id"]])
        return chain

    def level(self, collection_id: str) -> int:
        return len(self.ancestry(collection_id))

    def height(self, collection_id: str) -> int:
        """Levels from this collection down to its deepest descendant, itself included."""
        below = [self.height(c) for c in self.children(collection_id)]
        return 1 + max(below, default=0)

    def children(self, collection_id: str) -> list[str]:
        return [i for i, c in self.collections.items() if c["parent_id"] == collection_id]

    def subtree(self, collection_id: str) -> list[str]:
        """The collection and every collection below it."""
        out = [collection_id]
        for child in self.children(collection_id):
            out += self.subtree(child)
        return out

    def help_center_of(self, collection_id: str | None) -> dict[str, Any]:
        """A collection's help center: its root's. Without a collection (an article with no
        parent), the first help center, as a workspace's default one."""
        if collection_id is not None:
            root = self.ancestry(collection_id)[-1]
            found = self.help_centers.get(root["help_center_id"] or "")
            if found is not None:
                return found
        if self.help_centers:
            return self.help_centers[min(self.help_centers, key=int)]
        return {"id": "0", "identifier": "help", "default_locale": DEFAULT_LOCALE,
                "locales": list(LOCALES)}  # fmt: skip


def _from_format_1(data: dict[str, Any]) -> dict[str, Any]:
    """A state file from before nesting: sections become level-2 collections (same ids), and
    help centers get every locale."""
    collections = {i: {**c, "parent_id": None} for i, c in data.get("collections", {}).items()}
    for i, s in data.get("sections", {}).items():
        parent = collections.get(s["parent_id"], {})
        collections[i] = {**s, "help_center_id": parent.get("help_center_id")}
    help_centers = {}
    for i, h in data.get("help_centers", {}).items():
        default = h["default_locale"]
        help_centers[i] = {**h, "locales": [default, *(x for x in LOCALES if x != default)]}
    return {
        "next_id": data.get("next_id", 1000),
        "seq": data.get("seq", 0),
        "help_centers": help_centers,
        "collections": collections,
    }
