"""Serving the sandbox: in a background thread for --sandbox and tests, or in the foreground
for `contentsync sandbox serve`. State is saved by a writer thread at most every 0.2 s while it
changes (so a killed process loses at most that much), and once more on the way out."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from contentsync.sandbox.app import (
    DEFAULT_OPTIONS,
    NO_FAULTS,
    SANDBOX_TOKEN,
    FaultConfig,
    Sandbox,
    SandboxOptions,
    create_app,
)
from contentsync.sandbox.state import SandboxState

SAVE_EVERY_S = 0.2


@dataclass
class RunningSandbox:
    url: str
    state: SandboxState
    sandbox: Sandbox


class _Writer(threading.Thread):
    def __init__(self, state: SandboxState, path: Path | None) -> None:
        super().__init__(name="sandbox-writer", daemon=True)
        self.state, self.path = state, path
        self.saved = state.version
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAVE_EVERY_S):
            self.flush()

    def flush(self) -> None:
        if self.path is not None and self.state.version != self.saved:
            version = self.state.version
            self.state.save(self.path)
            self.saved = version

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.flush()


def _quiet() -> None:
    # A dropped connection is a fault we inject on purpose: not worth a traceback on stderr.
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
    logging.getLogger("uvicorn.access").setLevel(logging.CRITICAL)


def _config(app: object, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_level="critical",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
    )


def _app(
    state_path: Path | None,
    help_centers: Iterable[str],
    options: SandboxOptions,
    admins: Iterable[str] = (),
    default_locales: Mapping[str, str] | None = None,
    locales: Mapping[str, Sequence[str]] | None = None,
) -> tuple[SandboxState, Starlette]:
    state = SandboxState.load(state_path)
    state.ensure_help_centers(help_centers, default_locales, locales)
    state.ensure_admins(admins)
    _quiet()
    return state, create_app(state, options)


@contextlib.contextmanager
def running_sandbox(
    state_path: Path | None,
    help_centers: Iterable[str] = (),
    *,
    latency_ms: float = 0,
    faults: FaultConfig = NO_FAULTS,
    rate_limit: int | None = None,
    rate_window_s: float = 10.0,
    token: str | None = SANDBOX_TOKEN,
    admins: Iterable[str] = (),
    default_locales: Mapping[str, str] | None = None,
    locales: Mapping[str, Sequence[str]] | None = None,
) -> Iterator[RunningSandbox]:
    """A sandbox server on a free loopback port, in a background thread. Help centers it
    makes get their default locale from `default_locales` (identifier -> locale, else en)
    and their languages from `locales` (identifier -> locales, else all 37). `admins` are
    teammates' emails, besides the token's owner, that articles can name as authors."""
    options = SandboxOptions(token, latency_ms, faults, rate_limit, rate_window_s)
    state, app = _app(state_path, help_centers, options, admins, default_locales, locales)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Without TCP_NODELAY, Nagle's algorithm and delayed ACKs add ~40 ms to every response on
    # connections accepted from a socket we made ourselves (uvicorn sets it only on its own).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(_config(app, "127.0.0.1", port))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    writer = _Writer(state, state_path)
    writer.start()
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the sandbox server did not start")
            thread.join(0.01)
        yield RunningSandbox(f"http://127.0.0.1:{port}", state, app.state.sandbox)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        writer.stop()


def serve(
    host: str,
    port: int,
    state_path: Path | None,
    help_centers: Iterable[str],
    options: SandboxOptions = DEFAULT_OPTIONS,
    admins: Iterable[str] = (),
) -> None:
    """Serve in the foreground until interrupted."""
    state, app = _app(state_path, help_centers, options, admins)
    writer = _Writer(state, state_path)
    writer.flush()
    writer.start()
    # uvicorn shuts down on SIGTERM and then re-raises it; exiting through SystemExit instead
    # of dying by the signal lets the last changes reach the state file.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        uvicorn.Server(_config(app, host, port)).run()
    finally:
        writer.stop()
