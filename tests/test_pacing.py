"""The client spends a rate-limit window's budget evenly across all its threads (SPEC section 6):
an apply of 3R changes against a limit of R per 10-second window gets no 429 at all.

How long it takes against (requests sent) / R x 10 s is a budget, shown by
`python -m benchmarks` (docs/benchmarks.md), not asserted here.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from benchmarks.remote import measure_pacing
from contentsync.client import IntercomClient


class Sleeps(list[float]):
    """An injected sleep that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_what_is_left_of_a_window_is_spread_evenly_until_its_reset() -> None:
    reset = int(time.time()) + 8
    remaining = iter(["4", "3", "2", "1", "0", "9"])

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": next(remaining),
                   "X-RateLimit-Reset": str(reset)}  # fmt: skip
        return httpx.Response(200, headers=headers, json={"id": "1"})

    sleeps = Sleeps()
    transport = httpx.MockTransport(handler)
    with IntercomClient("https://api.intercom.io", "tok", transport=transport, sleep=sleeps) as c:
        for _ in range(6):
            c.get_collection("1")
        assert c.requests_sent == 6
    # 4 left until the reset (8 s away, less the fraction of the current second): one slot
    # every quarter of that (the sleeps are not real, so the clock stands still); the sixth,
    # with none left, waits for the reset.
    left = reset - time.time()
    assert len(sleeps) == 4
    for slept, quarters in zip(sleeps, [1, 2, 3, 4], strict=True):
        assert abs(slept - quarters * left / 4) < 0.1


def test_a_client_below_the_pace_never_waits() -> None:
    reset = int(time.time()) + 9

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"X-RateLimit-Limit": "10000", "X-RateLimit-Remaining": "9000",
                   "X-RateLimit-Reset": str(reset)}  # fmt: skip
        return httpx.Response(200, headers=headers, json={"id": "1"})

    sleeps = Sleeps()
    transport = httpx.MockTransport(handler)
    with IntercomClient("https://api.intercom.io", "tok", transport=transport, sleep=sleeps) as c:
        for _ in range(5):
            c.get_collection("1")
            time.sleep(0.002)  # slower than 9,000 in 9 s
    assert sleeps == []


@pytest.mark.slow
def test_an_apply_of_three_windows_of_changes_gets_no_429(tmp_path: Path) -> None:
    rate = 40
    run = measure_pacing(tmp_path, 12, 9, rate_limit=rate, parallelism=8)
    assert run.changes == 120 == run.requests
    assert run.ok, "the apply did not finish"
    assert run.too_many == 0, run
    assert max(run.per_window) <= rate, run.per_window
    assert sum(run.per_window) == run.requests
