"""Run the real `contentsync` entry point in-process, as a user would from a shell."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from contentsync.cli import main

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
