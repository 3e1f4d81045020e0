"""A failed or interrupted apply starts nothing new, finishes what is in flight, and says what
was done and what was not. Real processes, real signals, the sandbox over HTTP."""

from __future__ import annotations

import gc
import re
import shutil
import signal
import time
from pathlib import Path

import pytest

from contentsync.apply import ActionResult, apply_plan
from contentsync.client import IntercomClient
from contentsync.diff import make_plan
from contentsync.live import read_live
from contentsync.loader import load_content
from contentsync.plan import Change, Plan
from contentsync.sandbox import SANDBOX_TOKEN, running_sandbox
from tests.clirun import EXAMPLE_AUTHORS, cli_on_terminal, cli_process

EXAMPLE = Path(__file__).resolve().parents[1] / "content"
# The example's article authors: a sandbox reached by URL knows only the admins it is given.
# Applying the example to an empty help center: 19 collections, 5 articles, and one update
# that writes the links between two articles that link to each other.
CHANGES = 25


def test_sigint_finishes_in_flight_and_exits_130(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "content")
    with running_sandbox(None, ["acme-help"], admins=EXAMPLE_AUTHORS, latency_ms=300) as sb:
        proc = cli_process(tmp_path, sb.url, "apply", "--auto-approve", "--parallelism", "2")
        deadline = time.monotonic() + 20
        while len(sb.state.collections) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        # sections are level-2 collections in the sandbox; articles are objects too
        made = len(sb.state.collections) + len(sb.state.articles)
    assert proc.returncode == 130, out + err
    assert "Traceback" not in err
    assert "Interrupted" in err
    summary = next(line for line in out.splitlines() if line.startswith("Apply interrupted:"))
    done = int(summary.split(": ")[1].split(" done")[0])
    assert done == made, (summary, made)  # what it says was done is what exists
    assert 0 < done < CHANGES
    assert "not run: create" in out


def test_failure_stops_launching_and_reports(tmp_path: Path) -> None:
    with running_sandbox(None, ["acme-help"], admins=EXAMPLE_AUTHORS) as sb:
        desired = load_content(EXAMPLE)
        with IntercomClient(sb.url, SANDBOX_TOKEN) as client:
            live = read_live(client)
            plan = make_plan(desired, live)
            # An update of an object that no longer exists fails with 404, like a live object
            # deleted by someone else between plan and apply. It is second in plan order, and
            # ready as soon as the first is done (the first's children and next sibling wait
            # for the first, so they become ready after it).
            ghost = Change(
                action="update", kind="collection", help_center="acme-help", address="Ghost",
                ref="collection:999999", name="Ghost", position=2, id="999999",
                text={"name": "Ghost", "description": ""},
            )  # fmt: skip
            broken = Plan(changes=(ghost, *plan.changes), help_centers=plan.help_centers)
            seen: list[str] = []
            frozen: list[int] = []

            def on_result(result: ActionResult) -> None:
                seen.append(result.status)
                frozen.append(gc.get_freeze_count())

            report = apply_plan(broken, client, parallelism=1, on_result=on_result)
    statuses = [r.status for r in report.results]
    assert not report.ok
    failed = report.with_status("failed")
    assert [r.change.address for r in failed] == ["Ghost"]
    assert "not found" in failed[0].detail
    # One request in flight: what the plan orders before the failure was done, nothing after
    # it was started.
    at = statuses.index("failed")
    assert statuses[:at] == ["done"] * at and at > 0
    assert statuses[at + 1 :] == ["not run"] * (len(statuses) - at - 1)
    assert all(r.detail == "an earlier action failed" for r in report.with_status("not run"))
    assert sorted(seen) == sorted(statuses)  # every result was reported to the caller
    # What existed before apply is kept out of the collector during apply, and only then.
    assert min(frozen) > 0 and gc.get_freeze_count() == 0


def test_dead_server_mid_apply_is_a_partial_apply(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "content")
    box = running_sandbox(None, ["acme-help"], admins=EXAMPLE_AUTHORS, latency_ms=200)
    sb = box.__enter__()
    proc = cli_process(tmp_path, sb.url, "apply", "--auto-approve", "--parallelism", "2")
    try:
        deadline = time.monotonic() + 20
        while len(sb.state.collections) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        box.__exit__(None, None, None)  # Intercom goes away mid-apply
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, out + err
    assert "Traceback" not in err
    assert "Apply finished:" in out and " failed" in out
    assert "not run:" in out
    assert "apply stopped part way" in err


def _in_pty(project: Path, url: str, *args: str, answer: bytes | None = None) -> tuple[int, str]:
    """The CLI with a terminal for stdin and stdout: its exit code and everything it wrote.
    With `answer`, that line is typed once the confirmation prompt shows."""
    terminal = cli_on_terminal(project, url, *args)
    if answer is not None:
        terminal.read_until(b"Only 'yes' is accepted")
        terminal.type(answer)
    return terminal.finish()


@pytest.mark.parametrize("answer", ["no", ""])
def test_confirmation_other_than_yes_changes_nothing(tmp_path: Path, answer: str) -> None:
    """On a terminal apply asks; anything but 'yes' cancels."""
    shutil.copytree(EXAMPLE, tmp_path / "content")
    with running_sandbox(None, ["acme-help"], admins=EXAMPLE_AUTHORS) as sb:
        code, output = _in_pty(tmp_path, sb.url, "apply", answer=answer.encode())
        assert code == 1, output
        assert "apply cancelled: nothing was changed" in output
        assert not sb.state.collections


def test_a_terminal_shows_a_progress_bar_then_the_report(tmp_path: Path) -> None:
    """On a terminal apply draws a bar counting changes, prints each finished change above it,
    and the report that follows says what was done."""
    shutil.copytree(EXAMPLE, tmp_path / "content")
    with running_sandbox(None, ["acme-help"], admins=EXAMPLE_AUTHORS, latency_ms=150) as sb:
        code, output = _in_pty(tmp_path, sb.url, "apply", "--auto-approve", "--parallelism", "2")
        assert code == 0, output
        counts = {int(n) for n in re.findall(rf"applying\S* .*?(\d+)/{CHANGES}", output)}
        assert len(counts) >= 3 and max(counts) == CHANGES, output  # the bar counted them all
        lines = output.replace("\r", "\n").splitlines()
        made = [line for line in lines if "done: " in line]
        assert len({line.split("done: ")[1] for line in made}) == CHANGES, output  # each one
        assert all(line.split("\x1b[2K")[-1].startswith("done: ") for line in made), made
        assert f"Apply finished: {CHANGES} done, 0 failed, 0 not run." in output
        assert sum(c["parent_id"] is None for c in sb.state.collections.values()) == 5
