"""Golden plan cases, one folder each under tests/cases/<name>/:

- content/<help-center>/...      real content files (folders with _collection.yaml, articles)
- live.json                      the live state as Intercom returns it ({"help_centers": [...],
                                 "collections": [...], "sections": [...], "articles": [...]}:
                                 sections as API 2.9 lists them, or nested collections with
                                 parent_id as 2.10+ does)
                                 (most were made by applying a 'before' tree to the sandbox with
                                 the real client, then listing it in the case's API version)
- options.json                   optional: diff.Options fields (exact, pins_ignored, api_version)
- expected.txt                   the plan as render_text(plan, stream, color=False) prints it, or
- expected_error.txt             the identity problems make_plan raises, one per line.

To rewrite the golden files after an intended planner change:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_plan_cases.py

then read `git diff tests/cases` line by line before committing: a golden file is only right
if it is what a careful Terraform/octoDNS user expects to see.

A case that shows a planner bug keeps the golden file as it SHOULD be and is listed in XFAIL
(strict, so the fix makes the suite say so); UPDATE_GOLDEN=1 never rewrites those.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from contentsync import live
from contentsync.diff import Options, make_plan
from contentsync.errors import IdentityError
from contentsync.loader import load_content
from contentsync.model import LiveState
from contentsync.render import render_text

CASES = Path(__file__).parent / "cases"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

# case name -> why the planner's output is wrong today (golden file holds the right output)
XFAIL: dict[str, str] = {}


def live_state(case: Path) -> LiveState:
    data = json.loads((case / "live.json").read_text(encoding="utf-8"))
    help_centers = tuple(live.help_center(h) for h in data["help_centers"])
    nodes = [live.collection(c) for c in data["collections"] + data.get("sections", [])]
    nodes += [live.article(a) for a in data.get("articles", [])]
    only = help_centers[0].id if len(help_centers) == 1 else None
    return LiveState(help_centers, tuple(live.rooted(nodes, only)))


def outcome(case: Path) -> tuple[str, str]:
    settings = (
        json.loads((case / "options.json").read_text()) if (case / "options.json").exists() else {}
    )
    desired = load_content(
        case / "content", api_version=settings.get("api_version", "2.9"), display_root=case
    )
    try:
        plan = make_plan(desired, live_state(case), Options(**settings))
    except IdentityError as exc:
        return "expected_error.txt", "\n".join(map(str, exc.problems)) + "\n"
    out = io.StringIO()
    render_text(plan, out, color=False)
    return "expected.txt", out.getvalue()


def _cases() -> list[object]:
    return [
        pytest.param(p.name, marks=pytest.mark.xfail(strict=True, reason=XFAIL[p.name]))
        if p.name in XFAIL
        else p.name
        for p in sorted(CASES.iterdir())
        if p.is_dir()
    ]


def test_there_are_enough_cases() -> None:
    assert len([p for p in CASES.iterdir() if p.is_dir()]) >= 20


@pytest.mark.parametrize("case", _cases())
def test_plan_case(case: str) -> None:
    folder = CASES / case
    name, got = outcome(folder)
    golden = folder / name
    if UPDATE and case not in XFAIL:
        for stale in ("expected.txt", "expected_error.txt"):
            (folder / stale).unlink(missing_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"{case}: no {name}; run with UPDATE_GOLDEN=1 and review it"
    assert got == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", [p.name for p in sorted(CASES.iterdir()) if p.is_dir()])
def test_plan_case_is_stable(case: str) -> None:
    """Same inputs, same bytes: the order never depends on dict or file order."""
    folder = CASES / case
    assert outcome(folder) == outcome(folder)
