"""The sandbox's store: help centers, collections and sections, persisted as one JSON file.

Records keep only what the emulator needs (names and translations per locale, parents,
timestamps, a change sequence for ordering); app.py renders them as API 2.9 objects.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from contentsync.errors import ConfigError

FORMAT = 1


class SandboxState:
    """Mutations happen under `lock`, one request at a time, so ids never collide."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        data = data or {}
        self.help_centers: dict[str, dict[str, Any]] = data.get("help_centers", {})
        self.collections: dict[str, dict[str, Any]] = data.get("collections", {})
        self.sections: dict[str, dict[str, Any]] = data.get("sections", {})
        self.next_id: int = int(data.get("next_id", 1000))
        self.seq: int = int(data.get("seq", 0))
        self.lock = threading.RLock()
        self.version = 0  # bumped by every change; the writer saves when it moves

    @classmethod
    def load(cls, path: Path | None) -> SandboxState:
        if path is None or not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = None
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
                "help_centers": self.help_centers,
                "collections": self.collections,
                "sections": self.sections,
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

    def ensure_help_centers(
        self, identifiers: Iterable[str], default_locales: Mapping[str, str] | None = None
    ) -> None:
        known = {h["identifier"] for h in self.help_centers.values()}
        for identifier in identifiers:
            if identifier in known:
                continue
            now = int(time.time())
            id = self.new_id()
            self.help_centers[id] = {
                "id": id,
                "identifier": identifier,
                "display_name": identifier.replace("-", " ").title(),
                "default_locale": (default_locales or {}).get(identifier, "en"),
                "created_at": now,
                "updated_at": now,
            }
            known.add(identifier)
            self.changed()
