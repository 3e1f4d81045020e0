"""Article bodies compared by the digest of their canonical projection, remembered between runs.

canonical() costs 0.5-1 ms a body, once on each side: at 20,000 article bodies it was 80% of a
plan's local work, almost all of it spent on bodies that did not change since the last plan. A
projection depends only on the HTML it is made from, so plan keeps, in `.contentsync/projections`
(ignored by git), the digest of each body's HTML -> the digest of its projection, and computes
canonical() only for HTML it has not seen. The file holds digests, never text.

An image's URL is digested without its query: Intercom signs image URLs anew on every read, and
the projection keeps only an image's file name (canonical.image_name), so the same body keeps
its digest from one read to the next. The file starts with the digest of canonical.py, of the
compiled canonical_fast and of selectolax's version: a contentsync or parser that projects
differently starts it afresh. A file that is missing, unreadable or from another version is the
same as an empty one.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path

import selectolax

from contentsync import canonical as canonical_module
from contentsync import canonical_fast
from contentsync.canonical import canonical

_SIZE = 16  # bytes of each digest
_RECORD = 2 * _SIZE
_SIGNED_IMAGE = re.compile(r'(<img\b[^>]*?\ssrc="[^"?]*)\?[^"]*"')


def _digest(text: str) -> bytes:
    # sha256 is hardware-accelerated on x86-64 and ARMv8: twice blake2b's speed here
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:_SIZE]


@functools.cache
def _version() -> bytes:
    identity = hashlib.sha256(f"{selectolax.__version__}\n".encode())
    for file in (canonical_module.__file__, canonical_fast.__file__):  # source, compiled
        identity.update(Path(file).read_bytes())
    return identity.digest()


class Projections:
    """canonical() by digest: `key(html)` names a body's projection (equal keys, equal
    projections), made only for HTML not seen before."""

    def __init__(self, known: dict[bytes, bytes] | None = None) -> None:
        self._known = known or {}
        self._used: dict[bytes, bytes] = {}
        self.computed = 0  # projections this run had to make

    def key(self, html: str) -> str:
        name = _digest(_SIGNED_IMAGE.sub(r'\1"', html) if "?" in html else html)
        found = self._used.get(name) or self._known.get(name)
        if found is None:
            found = _digest(canonical(html))
            self.computed += 1
        self._used[name] = found
        return found.hex()

    @classmethod
    def load(cls, path: Path) -> Projections:
        try:
            data = path.read_bytes()
        except OSError:
            return cls()
        head = _version()
        if not data.startswith(head) or (len(data) - len(head)) % _RECORD:
            return cls()
        view = memoryview(data)[len(head) :]
        return cls(
            {
                bytes(view[i : i + _SIZE]): bytes(view[i + _SIZE : i + _RECORD])
                for i in range(0, len(view), _RECORD)
            }
        )

    def save(self, path: Path) -> None:
        """Keep what this run compared (what is gone from both sides is forgotten); written to
        a new file that replaces the old one, so a concurrent plan never reads half a file."""
        if not self.computed and self._used.keys() == self._known.keys():
            return
        records = b"".join(name + found for name, found in self._used.items())
        scratch = path.with_name(f"{path.name}.{os.getpid()}")
        scratch.write_bytes(_version() + records)
        os.replace(scratch, path)
