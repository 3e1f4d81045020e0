"""`python -m benchmarks --quick` runs end to end, prints the table, and plan is at the floor."""

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
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "| measure | measured | target / bound |" in out
    for row in ("plan: requests", "apply:", "speedup", "local: parse only", "local: load"):
        assert row in out, row
    found = re.search(r"\| plan: requests .*?\| (\d+) requests; .*?= (\d+) \|", out)
    assert found, out
    requests, floor = int(found[1]), int(found[2])
    # 1 help center page, 10 collections, 300 sections, and the (empty) articles list
    assert floor == 1 + 1 + 2 + 1
    assert requests == floor
