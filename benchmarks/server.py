"""The sandbox as a separate server process, so it never shares the GIL with the client.

`sandbox_process()` starts `python -m benchmarks.serve` (the sandbox app plus a counters route)
on a free loopback port, waits until it answers, and stops it at the end (terminate, then kill,
with bounded waits; the state file is written on the way out).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.serve import COUNTERS
from contentsync.sandbox import SANDBOX_TOKEN

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    url: str
    state: Path
    process: subprocess.Popen[bytes]
    log: Path

    def counters(self) -> dict[str, Any]:
        """Requests by method and faults injected by kind, as the server counted them."""
        answer = httpx.get(self.url + COUNTERS, timeout=10)
        answer.raise_for_status()
        counted: dict[str, Any] = answer.json()
        return counted

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sandbox server exited early:\n{log.read_text(errors='replace')}")
        try:
            httpx.get(url + COUNTERS, timeout=2).raise_for_status()
            return  # the counters route needs no token and injects no faults
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"sandbox server did not answer within {timeout} s")


@contextlib.contextmanager
def sandbox_process(
    state: Path,
    help_centers: Sequence[str],
    *,
    latency_ms: float = 0,
    fault_rate: float = 0,
    fault_seed: int = 0,
    fault_kinds: Sequence[str] = (),
    rate_limit: int | None = None,
    token: str = SANDBOX_TOKEN,
    admins: Sequence[str] = (),
    startup_timeout: float = 30,
) -> Iterator[ServerProcess]:
    port = free_port()
    args = [sys.executable, "-m", "benchmarks.serve", "--port", str(port), "--token", token]
    args += ["--state", str(state), "--latency-ms", str(latency_ms)]
    args += ["--fault-rate", str(fault_rate), "--fault-seed", str(fault_seed)]
    for ident in help_centers:
        args += ["--help-center", ident]
    if fault_kinds:
        args += ["--fault-kinds", ",".join(fault_kinds)]
    if rate_limit is not None:
        args += ["--rate-limit", str(rate_limit)]
    for email in admins:
        args += ["--admin", email]
    log = state.with_name(state.name + f".{port}.log")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("INTERCOM_ACCESS_TOKEN", None)
    with open(log, "wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    server = ServerProcess(f"http://127.0.0.1:{port}", state, process, log)
    try:
        _wait_ready(server.url, process, log, startup_timeout)
        yield server
    finally:
        server.stop()


def list_all(url: str, path: str, *, token: str = SANDBOX_TOKEN) -> list[dict[str, Any]]:
    """Every object of a list endpoint, page by page (250 a page), straight over HTTP.

    Retries answers that are injected faults (5xx, 429), so it can read a faulty sandbox."""
    headers = {"Authorization": f"Bearer {token}", "Intercom-Version": "2.9"}
    out: list[dict[str, Any]] = []
    page = 1
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        while True:
            for _ in range(50):
                try:
                    response = http.get(path, params={"page": page, "per_page": 250})
                except httpx.TransportError:
                    continue
                if response.status_code < 500 and response.status_code != 429:
                    break
                time.sleep(0.01)
            response.raise_for_status()
            data = response.json()["data"]
            if not data:
                return out
            out.extend(data)
            page += 1
