"""Pause Python's cyclic garbage collector around bulk work on large, acyclic data."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Loading and planning build millions of small acyclic objects (YAML nodes, dicts, texts)
    that stay alive until the work is done. The cyclic collector would rescan them again and
    again (4x the YAML parse time at 10,000 objects) and could free nothing, so it waits;
    reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
