"""Keep Python's cyclic garbage collector off contentsync's large, long-lived, acyclic data."""

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


@contextmanager
def existing_objects_frozen() -> Iterator[None]:
    """Apply keeps the plan, the content and the live state alive from start to end, while
    each request leaves short-lived garbage in reference cycles (about 50 httpx objects) that
    the collector must still free. Frozen, what existed before is left out of every collection,
    so each one scans only what apply made: GC time in a 600-change apply went from 35 ms to
    11 ms, time in which every worker waits for the GIL."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
