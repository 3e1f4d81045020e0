"""`python -m benchmarks.apply_cost`: the apply rows' wall time and what each request costs in
CPU, on the client's side and on the sandbox's, repeatably and in a minute.

The apply of SPEC section 9 (660 creates, 60 collections x 10 sections on 2.9, parallelism 8,
10 ms injected latency) and its transport floor (the same creates from bare threads), run
`--repeat` times interleaved, each against a fresh sandbox process. Besides wall time it
reports CPU milliseconds per request: the client's (time.process_time of this process during
the apply, from getrusage) and the server's (from /proc), each as user + system time: on
loopback, the kernel's share (send, recv, waking the other side) is a large part. CPU time moves
far less than wall time when other processes share the cores, so it shows a change in the
cost per request that a wall time on a busy machine hides.

    python -m benchmarks.apply_cost [--repeat 5] [--latency-ms 10] [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.remote import (
    IDENTIFIER,
    apply_content,
    floor_bodies,
    fresh_plan,
    send_from_threads,
)
from benchmarks.server import ServerProcess, sandbox_process
from contentsync.apply import apply_plan
from contentsync.client import IntercomClient
from contentsync.sandbox import SANDBOX_TOKEN

COLLECTIONS, SECTIONS, PARALLELISM = 60, 10, 8
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Cpu:
    """CPU seconds, in user space and in the kernel."""

    user: float
    system: float

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.user - other.user, self.system - other.system)


@dataclass(frozen=True)
class Cost:
    seconds: float
    requests: int
    client: Cpu
    server: Cpu

    def per_request_ms(self, seconds: float) -> float:
        return seconds / self.requests * 1000


def client_cpu() -> Cpu:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return Cpu(used.ru_utime, used.ru_stime)


def server_cpu(server: ServerProcess) -> Cpu:
    """The server process's CPU so far (/proc/PID/stat fields 14 and 15, in clock ticks)."""
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return Cpu(int(fields[11]) / TICKS, int(fields[12]) / TICKS)


Prepare = Callable[[IntercomClient, Path], Callable[[], None]]


def measured(work: Path, latency_ms: float, prepare: Prepare) -> Cost:
    """Run what `prepare` returns against a fresh sandbox; only that run is timed."""
    content = apply_content(work, COLLECTIONS, SECTIONS)
    state = work / f"state-{time.monotonic_ns()}.json"
    with (
        sandbox_process(state, [IDENTIFIER], latency_ms=latency_ms) as server,
        IntercomClient(server.url, SANDBOX_TOKEN) as client,
    ):
        prepared = prepare(client, content)
        before = client.requests_sent
        client_before, server_before = client_cpu(), server_cpu(server)
        start = time.perf_counter()
        prepared()
        seconds = time.perf_counter() - start
        client_used = client_cpu() - client_before
        server_used = server_cpu(server) - server_before
        requests = client.requests_sent - before
    return Cost(seconds, requests, client_used, server_used)


def apply_run(client: IntercomClient, content: Path) -> Callable[[], None]:
    """apply_plan over the whole plan: what `contentsync apply` does after planning."""
    plan = fresh_plan(content, client)

    def run() -> None:
        report = apply_plan(plan, client, parallelism=PARALLELISM)
        assert report.ok, [r.detail for r in report.with_status("failed")][:3]

    return run


def floor_run(client: IntercomClient, content: Path) -> Callable[[], None]:
    """The same creates from PARALLELISM bare threads, as the benchmark's transport floor."""
    bodies = floor_bodies(client, fresh_plan(content, client))
    return lambda: send_from_threads(client, bodies, PARALLELISM)


def cpu_ms(runs: list[Cost], side: Callable[[Cost], Cpu]) -> str:
    """Medians over the runs, in milliseconds per request."""
    user = statistics.median(r.per_request_ms(side(r).user) for r in runs)
    system = statistics.median(r.per_request_ms(side(r).system) for r in runs)
    return f"{user:.2f} + {system:.2f} = {user + system:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.apply_cost")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=10.0)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args(argv)
    bound = max(660 * args.latency_ms / 1000 / PARALLELISM, 70 * args.latency_ms / 1000)
    with tempfile.TemporaryDirectory(prefix="contentsync-apply-cost-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        kinds: dict[str, Prepare] = {"apply": apply_run, "floor": floor_run}
        costs: dict[str, list[Cost]] = {kind: [] for kind in kinds}
        for _ in range(args.repeat):
            for kind, prepare in kinds.items():
                costs[kind].append(measured(work, args.latency_ms, prepare))
    print(f"load average {os.getloadavg()[0]:.2f}; bound {bound:.3f} s")
    for kind, runs in costs.items():
        wall = statistics.median(r.seconds for r in runs)
        walls = ", ".join(f"{r.seconds:.2f}" for r in runs)
        print(
            f"{kind}: {wall:.3f} s = {wall / bound:.2f}x bound ({walls}); CPU ms per request "
            f"(user + system): client {cpu_ms(runs, lambda r: r.client)}, server "
            f"{cpu_ms(runs, lambda r: r.server)} ({runs[0].requests} requests)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
