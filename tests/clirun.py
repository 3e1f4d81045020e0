"""Run the real `contentsync` entry point, as a user would from a shell: in-process, or in a
process of its own when a test sends it signals."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from contentsync.cli import main
from contentsync.sandbox import SANDBOX_TOKEN

# The teammates the example content names as authors: a sandbox reached by URL must know them
# (the embedded sandbox adds them by itself).
EXAMPLE_AUTHORS = ("docs@acme.example", "billing@acme.example")


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


def cli_env() -> dict[str, str]:
    """The environment of a CLI process against a sandbox: its token, no colour, no workflow."""
    env = {**os.environ, "INTERCOM_ACCESS_TOKEN": SANDBOX_TOKEN, "NO_COLOR": "1"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    return env


def cli_process(project: Path, url: str, *args: str) -> subprocess.Popen[str]:
    """The CLI in a process of its own against the sandbox at `url` (for signals), its output
    piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "contentsync", "--api-url", url, *args],
        cwd=project,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass
class Terminal:
    """The CLI in a child process with a terminal (a pty) for stdin and stdout."""

    pid: int
    fd: int
    output: bytes = b""

    def read_until(self, text: bytes) -> None:
        while text not in self.output:
            self.output += os.read(self.fd, 65536)

    def type(self, line: bytes) -> None:
        os.write(self.fd, line + b"\n")

    def finish(self) -> tuple[int, str]:
        """Read until the child closes the terminal: its exit code and everything it wrote."""
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            self.output += chunk
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status), self.output.decode(errors="replace")


def cli_on_terminal(project: Path, url: str, *args: str) -> Terminal:
    """The CLI against the sandbox at `url`, on a terminal of its own."""
    pty = pytest.importorskip("pty")
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.chdir(project)
        argv = [sys.executable, "-m", "contentsync", "--api-url", url, *args]
        os.execve(sys.executable, argv, cli_env())
    return Terminal(pid, fd)


@contextlib.contextmanager
def _env(changes: Mapping[str, str | None]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in changes}
    try:
        for k, v in changes.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run(*args: str, cwd: Path, env: Mapping[str, str | None] | None = None) -> Result:
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    code = 0
    # Outside a workflow, whatever runs the tests: no job summary, no annotations.
    base_env: dict[str, str | None] = {
        "GITHUB_STEP_SUMMARY": None,
        "GITHUB_ACTIONS": None,
        "NO_COLOR": "1",
    }
    os.chdir(cwd)
    try:
        with (
            _env({**base_env, **(env or {})}),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                main(list(args))
            except SystemExit as exc:
                code = int(exc.code or 0)
    finally:
        os.chdir(previous)
    return Result(code, out.getvalue(), err.getvalue())
