"""The command line as a new user meets it (issue 13): flags where people type them, what -v
says, what a plan talks to, the command that applies a saved plan, progress and Ctrl-C,
`sandbox serve`, --help, and the errors of an empty start. Real CLI, real sandbox over HTTP."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest

from contentsync.cli import cli, hoist_global_options
from contentsync.sandbox import SANDBOX_TOKEN, FaultConfig, running_sandbox
from tests.clirun import Result, cli_on_terminal, cli_process, run

TOKEN = {"INTERCOM_ACCESS_TOKEN": SANDBOX_TOKEN}
TOPICS = ("Getting started", "Billing", "Integrations", "Troubleshooting")
TOTAL = len(TOPICS) * 5  # each with four child collections


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A help center of collections only (no articles, so no authors to resolve): what a
    new user writes first."""
    for i, topic in enumerate(TOPICS, 1):
        folder = tmp_path / "content" / "acme-help" / f"{i}-{topic.lower().replace(' ', '-')}"
        folder.mkdir(parents=True)
        (folder / "_collection.yaml").write_text(
            f"name: {topic}\ntranslations:\n  fr: {{name: {topic} (fr)}}\n", encoding="utf-8"
        )
        for j in range(1, 5):
            child = folder / f"{j}-part"
            child.mkdir()
            (child / "_collection.yaml").write_text(f"name: {topic} {j}\n", encoding="utf-8")
    return tmp_path


# ---- 1. global options after the command ---------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "-v", "--sandbox"),
        ("plan", "--sandbox", "--no-color", "-v"),
        ("--sandbox", "plan", "-v"),
        ("plan", "--detailed-exitcode", "--content=content", "--sandbox"),
    ],
)
def test_global_options_work_after_the_command(project: Path, args: tuple[str, ...]) -> None:
    result = run(*args, cwd=project)
    assert "No such option" not in result.err, result.err
    assert result.code in (0, 2), result.output
    assert result.out.startswith("Target: the embedded sandbox")


def test_validate_takes_global_options_after_it(project: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere"
    shutil.move(project / "content", moved)
    result = run("validate", "--no-color", "--content", str(moved), cwd=project)
    assert result.code == 0, result.output
    assert result.out.startswith("Valid: 1 help center(s)")


def test_hoisting_moves_global_options_only_and_stops_at_double_dash() -> None:
    params = cli.params
    assert hoist_global_options(["plan", "-vv", "--out", "p.json", "--sandbox"], params) == [
        "-vv", "--sandbox", "plan", "--out", "p.json",
    ]  # fmt: skip
    assert hoist_global_options(["export", "--content", "c", "--out", "x"], params) == [
        "--content", "c", "export", "--out", "x",
    ]  # fmt: skip
    assert hoist_global_options(["--config", "a.yaml", "apply", "p.json", "-v"], params) == [
        "--config", "a.yaml", "-v", "apply", "p.json",
    ]  # fmt: skip
    assert hoist_global_options(["apply", "--", "-v"], params) == ["apply", "--", "-v"]
    assert hoist_global_options(["sandbox", "serve", "--port", "1", "-v"], params) == [
        "-v", "sandbox", "serve", "--port", "1",
    ]  # fmt: skip


# ---- 2. what -v, -vv and -vvv say ---------------------------------------------------------


def test_v_names_the_target_and_times_requests_per_kind(project: Path) -> None:
    result = run("plan", "--sandbox", "-v", cwd=project)
    assert result.code == 0, result.output
    assert "target: the embedded sandbox (.contentsync/sandbox.json), Intercom API 2.9" in (
        result.err
    )
    assert re.search(r"GET collections: 1 request, [\d.]+ s in all, slowest \d+ ms", result.err)
    assert re.search(r"read 0 sections in [\d.]+ s", result.err)
    assert "-> 200" not in result.err  # one line per request is -vv


def test_vv_shows_http_requests_without_library_noise(project: Path) -> None:
    with running_sandbox(None, ["acme-help"]) as sb:
        result = run("plan", "-vv", "--api-url", sb.url, cwd=project, env=TOKEN)
    assert result.code == 0, result.output
    assert f"target: {sb.url}, Intercom API 2.9" in result.err
    assert re.search(r"GET /help_center/collections -> 200 in \d+ ms", result.err)
    assert "httpcore" not in result.err and "httpx" not in result.err
    assert SANDBOX_TOKEN not in result.output


# ---- 3. the first line names the target ---------------------------------------------------


def test_plan_first_line_names_the_url_and_api_version(project: Path) -> None:
    with running_sandbox(None, ["acme-help"]) as sb:
        text = run("--api-url", sb.url, "plan", cwd=project, env=TOKEN)
        md = run("--api-url", sb.url, "plan", "--format", "markdown", cwd=project, env=TOKEN)
    assert text.out.splitlines()[0] == f"Target: {sb.url}, Intercom API 2.9"
    assert "Intercom API 2.9" in md.out.splitlines()[2]


# ---- 4. the apply command that works; no URL from a plan file ------------------------------


def test_plan_out_prints_an_apply_command_that_works(project: Path) -> None:
    (project / "content").rename(project / "docs")
    made = run("plan", "--out", "my plan.json", "--sandbox", "--content", "docs", cwd=project)
    assert made.code == 0, made.output
    command = made.err.strip().splitlines()[-1].strip()
    assert command == "contentsync --content docs --sandbox apply 'my plan.json'"
    applied = run(*shlex.split(command)[1:], cwd=project)
    assert applied.code == 0, applied.output
    assert f"{TOTAL} done, 0 failed, 0 not run" in applied.out


def test_a_tampered_plan_file_cannot_send_the_token_elsewhere(project: Path) -> None:
    """A plan file names where it was made; apply still talks only to the URL it was given,
    and refuses the plan: the other server sees no request at all."""
    with (
        running_sandbox(None, ["acme-help"]) as ours,
        running_sandbox(None, ["acme-help"], token=None) as theirs,
    ):
        made = run("--api-url", ours.url, "plan", "--out", "p.json", cwd=project, env=TOKEN)
        assert made.code == 0, made.output
        data = json.loads((project / "p.json").read_text(encoding="utf-8"))
        data["api_url"] = data["target"] = theirs.url
        (project / "p.json").write_text(json.dumps(data), encoding="utf-8")
        for args in (("--api-url", ours.url, "apply", "p.json"), ("apply", "p.json")):
            env = {**TOKEN, "INTERCOM_API_URL": ours.url}
            result = run(*args, cwd=project, env=env)
            assert result.code == 1, result.output
            assert "stale plan: it was made against" in result.err
        assert theirs.sandbox.counters.requests == 0
        assert not ours.state.collections


def test_a_plan_made_with_another_api_version_is_stale(project: Path) -> None:
    assert run("--sandbox", "plan", "--out", "p.json", cwd=project).code == 0
    data = json.loads((project / "p.json").read_text(encoding="utf-8"))
    data["api_version"] = "2.16"
    (project / "p.json").write_text(json.dumps(data), encoding="utf-8")
    result = run("--sandbox", "apply", "p.json", cwd=project)
    assert result.code == 1
    assert "stale plan: it was made with Intercom API 2.16, not 2.9" in result.err


# ---- 5. --max-chars is for markdown ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_max_chars_without_markdown_is_refused(project: Path, fmt: str) -> None:
    result = run("--sandbox", "plan", "--format", fmt, "--max-chars", "5000", cwd=project)
    assert result.code == 1
    assert f"--max-chars cuts the markdown rendering: add --format markdown (not {fmt})" in (
        result.err
    )
    assert result.out == ""


# ---- 6. progress: rate limits, adoption, Ctrl-C -------------------------------------------


def test_apply_says_when_it_waits_for_the_rate_limit(project: Path) -> None:
    # The client spreads a window's budget evenly, so its own waits are short; a window of 4
    # requests in 2 s is spent by the plan's reads, and apply waits a second or more.
    with running_sandbox(None, ["acme-help"], rate_limit=4, rate_window_s=2.0) as sb:
        result = run("--api-url", sb.url, "apply", "--auto-approve", cwd=project, env=TOKEN)
    assert result.code == 0, result.output
    waits = re.findall(r"^waiting (\d+) s for Intercom's rate limit$", result.out, re.M)
    assert waits and all(int(w) >= 1 for w in waits), result.out
    assert len(waits) < TOTAL  # once per wait, not once per waiting thread


def test_a_create_whose_answer_was_lost_says_so_in_plain_words(project: Path) -> None:
    faults = FaultConfig(rate=1.0, seed=1, kinds=("drop_after_commit",))
    with running_sandbox(None, ["acme-help"], faults=faults) as sb:
        result = run("--api-url", sb.url, "apply", "--auto-approve", cwd=project, env=TOKEN)
        made = len(sb.state.collections)
    assert result.code == 0, result.output
    assert made == TOTAL
    lost = [line for line in result.out.splitlines() if line.startswith("done: create ")]
    assert len(lost) == TOTAL, result.out
    assert all(line.endswith("(the connection failed, but it was made: kept it)") for line in lost)
    assert "outcome" not in result.out and "adopted" not in result.out


def test_a_second_ctrl_c_warns_that_requests_in_flight_may_have_happened(project: Path) -> None:
    with running_sandbox(None, ["acme-help"], latency_ms=1500) as sb:
        proc = cli_process(project, sb.url, "apply", "--auto-approve", "--parallelism", "2")
        deadline = time.monotonic() + 30
        while not sb.state.collections and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, out + err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert any(line.startswith("Interrupted: finishing the requests in flight") for line in lines)
    assert "Ctrl-C again to quit at once" in err
    assert "Requests that were in flight may or may not have been carried out" in err
    assert "contentsync plan" in err


def test_interrupted_on_a_terminal_starts_its_own_line(project: Path) -> None:
    with running_sandbox(None, ["acme-help"], latency_ms=400) as sb:
        args = ("apply", "--auto-approve", "--parallelism", "1")
        terminal = cli_on_terminal(project, sb.url, *args)
        terminal.read_until(b"done: create")
        os.kill(terminal.pid, signal.SIGINT)
        code, text = terminal.finish()
    assert code == 130, text
    # The bar's line is cleared (or a new line begun) before the message.
    assert re.search(r"(\n|\r|\x1b\[2K)Interrupted: finishing", text), text
    assert not re.search(rf"\d+/{TOTAL} *Interrupted", text), text


# ---- 7. sandbox serve, its token, and .contentsync/ -----------------------------------------


def test_the_token_error_for_a_local_server_names_the_sandbox_token(project: Path) -> None:
    with running_sandbox(None, ["acme-help"]) as sb:
        result = run("--api-url", sb.url, "plan", cwd=project, env={"INTERCOM_ACCESS_TOKEN": ""})
    assert result.code == 1
    assert f"export INTERCOM_ACCESS_TOKEN={SANDBOX_TOKEN}" in result.err
    assert "Developer Hub" not in result.err
    remote = run("--api-url", "https://api.eu.intercom.io", "plan", cwd=project,
                 env={"INTERCOM_ACCESS_TOKEN": ""})  # fmt: skip
    assert "Developer Hub" in remote.err and SANDBOX_TOKEN not in remote.err


def test_sandbox_state_stays_out_of_git(project: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    subprocess.run([git, "init", "-q"], cwd=project, check=True)
    subprocess.run([git, "add", "content"], cwd=project, check=True)
    assert run("--sandbox", "apply", "--auto-approve", cwd=project).code == 0
    assert (project / ".contentsync" / "sandbox.json").is_file()
    status = subprocess.run(
        [git, "status", "--porcelain", "--untracked-files=all"],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    untracked = [line for line in status.stdout.splitlines() if line.startswith("??")]
    assert untracked == [], status.stdout


def test_sandbox_serve_prints_its_token_and_says_when_it_has_no_help_centers(
    project: Path,
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "contentsync", "sandbox", "serve", "--port", "0"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = [proc.stdout.readline() for _ in range(4)]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    text = "".join(first)
    assert f"export INTERCOM_ACCESS_TOKEN={SANDBOX_TOKEN}" in text
    assert "No --help-center given" in text and "--help-center IDENT" in text


# ---- 8. --help -------------------------------------------------------------------------------


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = [(prefix or "contentsync", group)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}".strip())
        else:
            found.append((f"{prefix} {name}".strip(), command))
    return found


@pytest.mark.parametrize(("name", "command"), _commands(cli), ids=lambda v: str(v))
def test_every_option_says_what_it_does(name: str, command: click.Command) -> None:
    assert command.help, name
    ctx = click.Context(command)
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        record = param.get_help_record(ctx)
        assert record is not None and len(record[1]) > 15, (name, param.opts)
        default = param.get_default(ctx, call=False)
        if not (param.is_flag or param.count) and isinstance(default, str | int | float):
            assert "[default:" in record[1], (name, param.opts, "default not shown")


def test_help_reads_like_terraforms(tmp_path: Path) -> None:
    top = run("--help", cwd=tmp_path)
    assert top.code == 0
    assert "Examples:" in top.out and "Exit codes:" in top.out
    assert "130  interrupted" in top.out
    plan = run("plan", "--help", cwd=tmp_path)
    assert "apply PLANFILE" in plan.out
    assert "Examples:" in plan.out and "[default: text]" in plan.out
    serve = run("sandbox", "serve", "--help", cwd=tmp_path)
    flat = " ".join(serve.out.split())
    assert "--fault-rate FLOAT RANGE Fraction of requests" in flat
    assert "dropped connections, 429s. [default: 0.0;" in flat
    assert "same seed" in serve.out


# ---- 9. an empty start points at export --------------------------------------------------


@pytest.mark.parametrize("made", [False, True])
def test_no_content_yet_points_at_export(tmp_path: Path, made: bool) -> None:
    if made:
        (tmp_path / "content").mkdir()
    result: Result = run("validate", cwd=tmp_path)
    assert result.code == 1
    state = "is empty" if made else "does not exist"
    assert f"error: the content directory content {state}" in result.err
    assert "contentsync export" in result.err


# ---- 10. export writes the schemas its modelines point at ----------------------------------


def test_export_modelines_resolve(project: Path, tmp_path: Path) -> None:
    assert run("--sandbox", "apply", "--auto-approve", cwd=project).code == 0
    out = tmp_path / "new-project" / "content"
    result = run("--sandbox", "export", "--out", str(out), cwd=project)
    assert result.code == 0, result.output
    files = sorted(out.rglob("*.yaml"))
    assert len(files) > 5 and any(len(f.relative_to(out).parts) > 3 for f in files)
    for file in files:
        first = file.read_text(encoding="utf-8").splitlines()[0]
        target = first.removeprefix("# yaml-language-server: $schema=")
        assert target != first, first
        schema = json.loads((file.parent / target).read_text(encoding="utf-8"))
        assert schema["$id"] == Path(target).name
