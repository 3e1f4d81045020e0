"""What plan and apply cost against the sandbox over HTTP, in a separate server process.

- plan: requests made against the floor ceil(n / per_page) per kind (one list per kind,
  largest page size, nothing per object; articles too, one page when there are none);
- apply: wall time against the lower bound
  max(requests / rate limit, requests x latency / parallelism, longest chain x latency), the
  chain being the longest run of changes that wait for each other (a parent made in the same
  plan, the previous sibling: siblings are created in file order), and against the same plan
  at --parallelism 1;
- pacing: an apply of 3R changes against a rate limit of R requests per 10-second window:
  the 429s the server answered, the requests each second and each window, and the wall time
  against (requests sent) / R x 10 s.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.generate import write_content
from benchmarks.server import sandbox_process
from contentsync.apply import ApplyReport, apply_plan, dependencies
from contentsync.client import IntercomClient
from contentsync.diff import make_plan
from contentsync.live import read_live
from contentsync.loader import load_content
from contentsync.plan import Plan
from contentsync.sandbox import SANDBOX_TOKEN

PER_PAGE = 250
IDENTIFIER = "bench-help"


@dataclass(frozen=True)
class PlanRequests:
    collections: int
    sections: int
    requests: int
    floor: int
    seconds: float
    changes: int


@dataclass(frozen=True)
class ApplyRun:
    parallelism: int
    changes: int
    requests: int
    chain: int  # the longest run of changes that wait for each other
    latency_ms: float
    rate_limit: int | None
    seconds: float

    @property
    def bound(self) -> float:
        latency = self.latency_ms / 1000
        by_rate = self.requests / (self.rate_limit / 10.0) if self.rate_limit else 0.0
        return max(by_rate, self.requests * latency / self.parallelism, self.chain * latency)

    @property
    def ratio(self) -> float:
        return self.seconds / self.bound


def plan_floor(collections: int, sections: int, help_centers: int = 1, articles: int = 0) -> int:
    """One list per kind, page by page at the largest page size; a list is read even when it
    turns out empty (articles here: the synthetic help center has none)."""
    pages = math.ceil(help_centers / PER_PAGE)
    for n in (collections, sections, articles):
        pages += max(1, math.ceil(n / PER_PAGE))
    return pages


def fresh_plan(content: Path, client: IntercomClient) -> Plan:
    desired = load_content(content)
    return make_plan(desired, read_live(client))


def apply_content(work: Path, collections: int, sections: int) -> Path:
    """The content of `collections` x `sections` to apply, written once per work folder."""
    content = work / f"apply-content-{collections}x{sections}"
    if not content.exists():
        write_content(content, IDENTIFIER, collections, sections)
    return content


def seed(work: Path, collections: int, sections: int) -> Path:
    """A sandbox state holding `collections` x `sections`, made through the API (latency 0)."""
    content = work / "seed-content"
    write_content(content, IDENTIFIER, collections, sections)
    state = work / "seeded.json"
    with (
        sandbox_process(state, [IDENTIFIER]) as server,
        IntercomClient(server.url, SANDBOX_TOKEN) as client,
    ):
        plan = fresh_plan(content, client)
        report = apply_plan(plan, client, parallelism=8)
        assert report.ok, [r.detail for r in report.with_status("failed")][:3]
    return state


def measure_plan_requests(
    work: Path, collections: int, sections: int, latency_ms: float
) -> PlanRequests:
    state = seed(work, collections, sections)
    content = work / "seed-content"
    with (
        sandbox_process(state, [IDENTIFIER], latency_ms=latency_ms) as server,
        IntercomClient(server.url, SANDBOX_TOKEN) as client,
    ):
        desired = load_content(content)
        before = client.requests_sent
        start = time.perf_counter()
        live = read_live(client)
        seconds = time.perf_counter() - start
        requests = client.requests_sent - before
        plan = make_plan(desired, live)
    return PlanRequests(
        collections,
        collections * sections,
        requests,
        plan_floor(collections, collections * sections),
        seconds,
        len(plan.changes),
    )


def measure_apply(
    work: Path,
    collections: int,
    sections: int,
    *,
    parallelism: int,
    latency_ms: float,
    rate_limit: int | None = None,
) -> ApplyRun:
    run = _apply_once(
        work, collections, sections, parallelism=parallelism, latency_ms=latency_ms,
        rate_limit=rate_limit,
    )  # fmt: skip
    assert run.report.ok, [r.detail for r in run.report.with_status("failed")][:3]
    return ApplyRun(
        parallelism, len(run.plan.changes), run.requests, longest_chain(run.plan), latency_ms,
        rate_limit, run.seconds,
    )  # fmt: skip


@dataclass(frozen=True)
class _Applied:
    plan: Plan
    report: ApplyReport
    requests: int  # what apply sent (the plan's reads not counted)
    started: float  # epoch seconds, as the server records arrivals
    seconds: float
    counters: dict[str, Any]  # what the server counted, when the apply was over


def _apply_once(
    work: Path,
    collections: int,
    sections: int,
    *,
    parallelism: int,
    latency_ms: float,
    rate_limit: int | None,
) -> _Applied:
    """Plan `collections` x `sections` against a fresh sandbox process, then apply, timed."""
    content = apply_content(work, collections, sections)
    state = work / f"apply-p{parallelism}-{time.monotonic_ns()}.json"
    with (
        sandbox_process(
            state, [IDENTIFIER], latency_ms=latency_ms, rate_limit=rate_limit
        ) as server,
        IntercomClient(server.url, SANDBOX_TOKEN) as client,
    ):
        plan = fresh_plan(content, client)
        before = client.requests_sent
        started, start = time.time(), time.perf_counter()
        report = apply_plan(plan, client, parallelism=parallelism)
        seconds = time.perf_counter() - start
        requests = client.requests_sent - before
        counters = server.counters()
    return _Applied(plan, report, requests, started, seconds, counters)


def longest_chain(plan: Plan) -> int:
    """The most changes that must run one after another: apply cannot beat that many round
    trips whatever its parallelism. A plan lists what a change waits for before it."""
    deps = dependencies(plan.changes)
    length: dict[str, int] = {}
    for change in plan.changes:
        length[change.ref] = 1 + max((length[d] for d in deps[change.ref]), default=0)
    return max(length.values(), default=0)


def measure_transport_floor(
    work: Path, collections: int, sections: int, *, parallelism: int, latency_ms: float
) -> float:
    """The same number of creates, same translations, sent by `parallelism` bare threads with no
    plan and no scheduling: what this client and this server cost per request on this machine."""
    content = apply_content(work, collections, sections)
    state = work / f"floor-{time.monotonic_ns()}.json"
    with (
        sandbox_process(state, [IDENTIFIER], latency_ms=latency_ms) as server,
        IntercomClient(server.url, SANDBOX_TOKEN) as client,
    ):
        bodies = floor_bodies(client, fresh_plan(content, client))
        start = time.perf_counter()
        send_from_threads(client, bodies, parallelism)
        return time.perf_counter() - start


def floor_bodies(client: IntercomClient, plan: Plan) -> list[dict[str, Any]]:
    """One top-level collection create per change of `plan`, with the change's translations."""
    hc = int(client.list_help_centers()[0]["id"])
    return [
        {
            "name": f"floor {i}",
            "help_center_id": hc,
            "translated_content": {
                loc: {"name": t["name"], "description": t.get("description", "")}
                for loc, t in change.translations.items()
            },
        }
        for i, change in enumerate(plan.changes)
    ]


def send_from_threads(
    client: IntercomClient, bodies: list[dict[str, Any]], parallelism: int
) -> None:
    """Create every body, `parallelism` threads each sending its share one after another."""

    def send(share: list[dict[str, Any]]) -> None:
        for body in share:
            client.create_collection(body)

    shares = [bodies[k::parallelism] for k in range(parallelism)]
    threads = [threading.Thread(target=send, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure_latency(work: Path, latency_ms: float, samples: int = 200) -> tuple[float, float]:
    """Milliseconds per sequential cheap GET with no injected latency and with `latency_ms`:
    what the sandbox really adds (asyncio wakes timers late by up to a millisecond)."""
    out = []
    for injected in (0.0, latency_ms):
        state = work / f"latency-{time.monotonic_ns()}.json"
        with (
            sandbox_process(state, [IDENTIFIER], latency_ms=injected) as server,
            IntercomClient(server.url, SANDBOX_TOKEN) as client,
        ):
            for _ in range(20):
                client.list_help_centers()
            start = time.perf_counter()
            for _ in range(samples):
                client.list_help_centers()
            out.append((time.perf_counter() - start) / samples * 1000)
    return out[0], out[1]


RATE_WINDOW = 10.0  # seconds: Intercom's windows, and the sandbox's


@dataclass(frozen=True)
class PacingRun:
    rate_limit: int
    parallelism: int
    changes: int
    requests: int  # sent by apply (the plan's reads before it are not timed)
    seconds: float
    ok: bool  # every change done
    too_many: int  # 429 answers the server gave, plan and apply together
    per_second: tuple[int, ...]  # requests arriving in each second of the apply
    per_window: tuple[int, ...]  # requests arriving in each epoch-aligned window it touched

    @property
    def bound(self) -> float:
        return self.requests / self.rate_limit * RATE_WINDOW

    @property
    def ratio(self) -> float:
        return self.seconds / self.bound


def measure_pacing(
    work: Path,
    collections: int,
    sections: int,
    *,
    rate_limit: int,
    parallelism: int = 8,
    latency_ms: float = 10,
) -> PacingRun:
    """Apply `collections` x (1 + `sections`) creates against a sandbox that allows
    `rate_limit` requests per 10-second window; the server counts 429s and arrivals."""
    run = _apply_once(
        work, collections, sections, parallelism=parallelism, latency_ms=latency_ms,
        rate_limit=rate_limit,
    )  # fmt: skip
    arrivals = [t for t in run.counters["arrivals"] if t >= run.started]
    seconds_in = Counter(int(t - run.started) for t in arrivals)
    windows = Counter(int(t // RATE_WINDOW) for t in arrivals)
    return PacingRun(
        rate_limit,
        parallelism,
        len(run.plan.changes),
        run.requests,
        run.seconds,
        run.report.ok,
        int(run.counters["statuses"].get("429", 0)),
        tuple(seconds_in[k] for k in range(math.ceil(run.seconds))),
        tuple(windows[k] for k in range(min(windows, default=0), max(windows, default=-1) + 1)),
    )
