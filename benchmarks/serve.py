"""`python -m benchmarks.serve`: the sandbox app served in its own process, plus what it counted.

The same app `contentsync sandbox serve` runs (create_app), with one more read-only route,
GET /_bench/counters: requests by method, faults injected by kind, answers by status and the
time each request arrived, so benchmarks and the fault suite can count server-side (a 429 for
a spent window included: the sandbox counts those as requests only). State is saved when the
server stops (SIGTERM).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from types import FrameType

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contentsync.sandbox import (
    SANDBOX_TOKEN,
    FaultConfig,
    SandboxOptions,
    SandboxState,
    create_app,
)

COUNTERS = "/_bench/counters"


class Recorder:
    """Every API request's arrival time (epoch seconds) and every answer's status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.arrivals: list[float] = []
        self.statuses: Counter[int] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.arrivals.append(time.time())

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.statuses[message["status"]] += 1
            await send(message)

        await self.app(scope, receive, sending)


def build(args: argparse.Namespace) -> tuple[Starlette, SandboxState]:
    state = SandboxState.load(args.state)
    state.ensure_help_centers(args.help_center)
    state.ensure_admins(args.admin)
    kinds = tuple(args.fault_kinds.split(",")) if args.fault_kinds else None
    faults = FaultConfig(rate=args.fault_rate, seed=args.fault_seed)
    if kinds:
        faults = FaultConfig(rate=args.fault_rate, seed=args.fault_seed, kinds=kinds)
    options = SandboxOptions(
        token=args.token, latency_ms=args.latency_ms, faults=faults, rate_limit=args.rate_limit
    )
    inner = create_app(state, options)
    sandbox = inner.state.sandbox
    recorded = Recorder(inner)

    async def counters(request: Request) -> JSONResponse:
        c = sandbox.counters
        return JSONResponse(
            {
                "requests": c.requests,
                "by_method": dict(c.by_method),
                "faults": dict(c.faults),
                "statuses": {str(k): n for k, n in recorded.statuses.items()},
                "arrivals": recorded.arrivals,
            }
        )

    app = Starlette(routes=[Route(COUNTERS, counters), Mount("", app=recorded)])
    return app, state


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path)
    parser.add_argument("--help-center", action="append", default=[])
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--fault-rate", type=float, default=0)
    parser.add_argument("--fault-seed", type=int, default=0)
    parser.add_argument("--fault-kinds", default="")
    parser.add_argument("--rate-limit", type=int)
    parser.add_argument("--token", default=SANDBOX_TOKEN)
    parser.add_argument("--admin", action="append", default=[], help="A teammate's email.")
    args = parser.parse_args(argv)
    app, state = build(args)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="critical",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
    )

    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again once its own
    # handler is gone: exit through this one instead, so the state is saved below.
    def on_term(signum: int, frame: FrameType | None) -> None:
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_term)
    try:
        uvicorn.Server(config).run()
    finally:
        if args.state is not None:
            state.save(args.state)


if __name__ == "__main__":
    main()
