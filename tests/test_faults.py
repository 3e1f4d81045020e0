"""Apply under faults, through the command line against a sandbox server in its own process, over
real HTTP (SPEC sections 6 and 9).

With 10% injected faults of every kind (500 before commit, commit then 500, commit then dropped
connection, 429), apply converges within three runs with no duplicate (collections, sections,
articles), no unintended delete, every translation present, and an empty plan afterwards. Here
at a small size with a fixed seed; `python -m benchmarks` runs the same scenario
(benchmarks/faults.py) at 1,000 objects including 500 articles. And an apply killed with
SIGKILL midway is completed by plan + apply.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.faults import (
    AUTHOR,
    IDENT,
    SMALL,
    Sizes,
    contentsync,
    converge,
    differences,
    duplicates,
    read_all,
    write_articles,
    write_settings,
)
from benchmarks.generate import write_content
from benchmarks.server import ROOT, sandbox_process
from contentsync.sandbox import SANDBOX_TOKEN

EVERY_KIND = ("error_before_commit", "error_after_commit", "drop_after_commit", "rate_limit")


@pytest.mark.slow
def test_collections_and_articles_converge_under_ten_percent_faults_of_every_kind(
    tmp_path: Path,
) -> None:
    run = converge(tmp_path, SMALL, fault_rate=0.1, seed=7)
    assert run.objects == 80 and run.articles == 40
    # 3 seeded collections' worth are updated, two dropped collections go with their children
    # and articles; the rest is created.
    assert run.first_summary == "Plan: 30 to create, 50 to update, 12 to delete.", run
    assert run.converged, (run.runs, run.final_output[-3000:])
    assert len(run.runs) <= 3
    assert "No changes." in run.final_output
    assert run.duplicates == []
    assert run.deleted == [], "objects the content has were deleted (and made again)"
    assert run.wrong == []
    for kind in EVERY_KIND:
        assert run.faults.get(kind, 0) >= 1, f"no {kind} fault was injected: {run.faults}"


def test_apply_killed_midway_is_completed_by_plan_and_apply(tmp_path: Path) -> None:
    sizes = Sizes(collections=10, sections=5, seeded=0)  # 60 collections, 60 articles
    folder = tmp_path / "content" / IDENT
    write_content(tmp_path / "content", IDENT, sizes.collections, sizes.sections)
    write_settings(folder)
    write_articles(folder, ("fr", "de", "ja"), "new")
    total = 2 * sizes.collections * (1 + sizes.sections)
    state = tmp_path / "sandbox.json"
    with sandbox_process(state, [IDENT], latency_ms=40, admins=[AUTHOR]) as server:
        env = {**os.environ, "INTERCOM_ACCESS_TOKEN": SANDBOX_TOKEN, "PYTHONPATH": str(ROOT)}
        env.pop("INTERCOM_API_URL", None)
        args = [sys.executable, "-m", "contentsync", "--content", str(tmp_path / "content")]
        args += ["--api-url", server.url, "apply", "--auto-approve", "--parallelism", "4"]
        child = subprocess.Popen(
            args, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 60
            made = 0
            while made < 30 and time.monotonic() < deadline and child.poll() is None:
                time.sleep(0.05)
                made = sum(len(x) for x in read_all(server.url).values())
            assert child.poll() is None, "apply finished before it could be killed"
            os.kill(child.pid, signal.SIGKILL)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL
        partial = sum(len(x) for x in read_all(server.url).values())
        assert 30 <= partial < total

        plan = contentsync(tmp_path, server.url, "plan", "--detailed-exitcode")
        assert plan.returncode == 2, plan.stdout + plan.stderr
        assert " 0 to delete" in plan.stdout
        done = contentsync(tmp_path, server.url, "apply", "--auto-approve")
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        again = contentsync(tmp_path, server.url, "plan", "--detailed-exitcode")
        assert again.returncode == 0, again.stdout + again.stderr
        live = read_all(server.url)
    assert duplicates(live) == []
    assert differences(live, sizes) == []
