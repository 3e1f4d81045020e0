"""The token is a secret: it never reaches stdout, stderr, a plan file, the job summary, logs at
the highest verbosity or exception text; and it is never sent over plain http off loopback.

Tests use a recognisable token and grep every output for it, in successful and failing runs.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.generate import write_content
from benchmarks.server import ROOT, free_port, sandbox_process
from contentsync.client import IntercomClient
from contentsync.errors import AuthenticationError, ContentsyncError, TransportError
from contentsync.sandbox import RunningSandbox, running_sandbox
from tests.clirun import Result, run

SECRET = "tok_SECRET_9f8e7d6c5b4a"
IDENT = "secret-help"
# Parts of the token too, in case something shortens or splits it.
PIECES = (SECRET, SECRET[4:], SECRET[-10:])


def assert_clean(*texts: str) -> None:
    for text in texts:
        for piece in PIECES:
            assert piece not in text, (
                f"token leaked: ...{text[max(0, text.find(piece) - 200) :][:400]}"
            )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_content(tmp_path / "content", IDENT, 3, 2)
    return tmp_path


@pytest.fixture
def secret_server(tmp_path: Path) -> Iterator[RunningSandbox]:
    """A sandbox that accepts only the secret token."""
    with running_sandbox(tmp_path / "sandbox.json", [IDENT], token=SECRET) as sandbox:
        yield sandbox


def cs(project: Path, *args: str, url: str, **env: str | None) -> Result:
    base: dict[str, str | None] = {"INTERCOM_ACCESS_TOKEN": SECRET, "INTERCOM_API_URL": None}
    summary = project / "summary.md"
    base["GITHUB_STEP_SUMMARY"] = str(summary)
    return run("--content", str(project / "content"), "--api-url", url, *args, cwd=project,
               env={**base, **env})  # fmt: skip


def outputs(project: Path, result: Result) -> list[str]:
    texts = [result.out, result.err]
    for path in project.rglob("*"):
        if path.is_file() and path.suffix in (".md", ".json", ".log", ".txt"):
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return texts


def test_successful_plan_and_apply_never_show_the_token(
    project: Path, secret_server: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    url = secret_server.url
    caplog.set_level(logging.DEBUG)
    results = [
        cs(project, "-vv", "plan", "--out", str(project / "plan.json"), url=url),
        cs(project, "-vv", "plan", "--format", "json", url=url),
        cs(project, "-vv", "plan", "--format", "markdown", url=url),
        cs(project, "-vv", "apply", str(project / "plan.json"), url=url),
        cs(project, "-vv", "plan", "--detailed-exitcode", url=url),
    ]
    assert [r.code for r in results] == [0, 0, 0, 0, 0], [r.output for r in results]
    assert "Plan: 9 to create" in results[0].out
    assert "No changes." in results[-1].out
    assert secret_server.sandbox.counters.requests > 10, "the token was not accepted"
    assert (project / "summary.md").read_text(encoding="utf-8").count("contentsync") >= 3
    assert caplog.records, "-vv logged nothing"
    for result in results:
        assert_clean(*outputs(project, result))
    assert_clean(caplog.text, *(repr(r.__dict__) for r in caplog.records))


def test_failing_runs_never_show_the_token(
    project: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    closed = f"http://127.0.0.1:{free_port()}"
    results: list[Result] = []
    # 401: a server that expects another token.
    with running_sandbox(None, [IDENT]) as sandbox:
        results += [
            cs(project, "-vv", "plan", url=sandbox.url),
            cs(project, "-vv", "apply", "--auto-approve", url=sandbox.url),
            cs(project, "plan", "--format", "json", url=sandbox.url),
        ]
    # Connection refused.
    results.append(cs(project, "-vv", "apply", "--auto-approve", url=closed))
    assert all(r.code == 1 for r in results), [r.output for r in results]
    assert "401" in results[0].err or "token" in results[0].err.lower(), results[0].err
    for result in results:
        assert "Traceback" not in result.err
        assert_clean(*outputs(project, result))
    assert_clean(caplog.text)


def test_server_errors_and_faults_never_show_the_token(project: Path, tmp_path: Path) -> None:
    """Every request fails with a 500 (retried, then given up): the CLI in its own process, at
    -vvv, which logs the most (every request, and the HTTP libraries' own debug output)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INTERCOM_ACCESS_TOKEN": SECRET}
    env.pop("INTERCOM_API_URL", None)
    env["GITHUB_STEP_SUMMARY"] = str(project / "summary.md")
    with sandbox_process(
        tmp_path / "faulty.json",
        [IDENT],
        fault_rate=1.0,
        fault_kinds=["error_before_commit"],
        token=SECRET,
    ) as server:
        done = subprocess.run(
            [sys.executable, "-m", "contentsync", "-vvv", "--content", str(project / "content"),
             "--api-url", server.url, "plan"],
            capture_output=True, text=True, env=env, cwd=project, timeout=120,
        )  # fmt: skip
        faults = server.counters()["faults"]
    assert done.returncode == 1, done.stdout + done.stderr
    assert sum(faults.values()) >= 2, faults
    assert "error" in done.stderr
    assert "contentsync.client: GET /help_center/" in done.stderr, "no request log at -vvv"
    assert "httpcore" in done.stderr, "no library log at -vvv"
    assert_clean(done.stdout, done.stderr)


def test_exception_text_never_holds_the_token() -> None:
    errors: list[BaseException] = []
    with running_sandbox(None, [IDENT]) as sandbox:
        for url in (sandbox.url, f"http://127.0.0.1:{free_port()}"):
            with IntercomClient(url, SECRET) as client:
                try:
                    client.list_collections()
                except ContentsyncError as exc:
                    errors.append(exc)
    assert [type(e) for e in errors] == [AuthenticationError, TransportError]
    for error in errors:
        chain = "".join(traceback.format_exception(error))
        assert_clean(chain, repr(error), str(error), repr(error.__dict__))
        cause = error.__cause__ or error.__context__
        while cause is not None:
            assert_clean(repr(cause), str(cause))
            cause = cause.__cause__ or cause.__context__


@pytest.mark.parametrize("url", ["http://example.com", "http://10.1.2.3", "http://10.1.2.3:8080/"])
@pytest.mark.parametrize("where", ["flag", "env", "config"])
def test_plain_http_off_loopback_is_refused(project: Path, url: str, where: str) -> None:
    env: dict[str, str | None] = {"INTERCOM_ACCESS_TOKEN": SECRET, "INTERCOM_API_URL": None}
    args: list[str] = ["--content", str(project / "content")]
    if where == "flag":
        args += ["--api-url", url]
    elif where == "env":
        env["INTERCOM_API_URL"] = url
    else:
        (project / "contentsync.yaml").write_text(f"api_url: {url}\n", encoding="utf-8")
    result = run(*args, "plan", cwd=project, env=env)
    assert result.code == 1, result.output
    assert "http" in result.err and url.split("//")[1].split(":")[0].rstrip("/") in result.err
    assert_clean(result.out, result.err)


def test_plain_http_on_loopback_works(project: Path, secret_server: RunningSandbox) -> None:
    url = secret_server.url
    assert url.startswith("http://127.0.0.1:")
    (project / "contentsync.yaml").write_text(f"api_url: {url}\n", encoding="utf-8")
    result = run(
        "plan", cwd=project, env={"INTERCOM_ACCESS_TOKEN": SECRET, "INTERCOM_API_URL": None}
    )
    assert result.code == 0, result.output
    assert "Plan: 9 to create" in result.out
    assert secret_server.sandbox.counters.requests >= 3
