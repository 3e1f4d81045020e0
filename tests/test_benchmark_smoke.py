"""`python -m benchmarks --quick` runs end to end, prints the table, plan is at the floor, and an
apply under a rate limit gets no 429."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_prints_the_table_with_plan_at_the_request_floor(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("INTERCOM_ACCESS_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--work", str(tmp_path)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "| measure | measured | target / bound |" in out
    rows = ("plan: requests", "apply:", "speedup", "local: parse only", "local: load")
    rows += ("articles: validate", "articles: plan-unchanged", "articles: export")
    for row in (*rows, "apply under a rate limit of 20/10 s: 60 changes"):
        assert row in out, row
    found = re.search(r"\| plan: requests .*?\| (\d+) requests; .*?= (\d+) \|", out)
    assert found, out
    requests, floor = int(found[1]), int(found[2])
    # 1 help center page, 10 collections, 300 sections, and the (empty) articles list
    assert floor == 1 + 1 + 2 + 1
    assert requests == floor
    pacing = re.search(r"\| apply under a rate limit .*?; (\d+) 429s;", out)
    assert pacing, out
    assert pacing[1] == "0"
