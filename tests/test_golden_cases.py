"""Golden plan cases: tests/cases/<name>/ holds content/ (real YAML), live.json (the live state
as Intercom's API returns it) and expected.txt (the text plan) or expected_error.txt (the
identity problems). Run with UPDATE_GOLDEN=1 to rewrite the golden files, then read the diff.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from contentsync import live
from contentsync.diff import make_plan
from contentsync.errors import IdentityError
from contentsync.loader import load_content
from contentsync.model import LiveState
from contentsync.render import render_text

CASES = Path(__file__).parent / "cases"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def live_state(case: Path) -> LiveState:
    data = json.loads((case / "live.json").read_text(encoding="utf-8"))
    return LiveState(
        help_centers=tuple(live.help_center(h) for h in data["help_centers"]),
        collections=tuple(live.collection(c) for c in data["collections"]),
        sections=tuple(live.section(s) for s in data["sections"]),
    )


def outcome(case: Path) -> tuple[str, str]:
    desired = load_content(case / "content", display_root=case)
    try:
        plan = make_plan(desired, live_state(case))
    except IdentityError as exc:
        return "expected_error.txt", "\n".join(map(str, exc.problems)) + "\n"
    out = io.StringIO()
    render_text(plan, out, color=False)
    return "expected.txt", out.getvalue()


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_golden_plan(case: str) -> None:
    folder = CASES / case
    name, got = outcome(folder)
    golden = folder / name
    if UPDATE:
        for stale in ("expected.txt", "expected_error.txt"):
            (folder / stale).unlink(missing_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"{case}: no {name}; run with UPDATE_GOLDEN=1 and review it"
    assert got == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_golden_plan_is_stable(case: str) -> None:
    """The same inputs give the same bytes: order never depends on dict or file order."""
    folder = CASES / case
    assert outcome(folder) == outcome(folder)
