"""Plan's local work (load, validate, diff, render) against only parsing the same YAML.

Each scenario runs in its own interpreter (`python -m benchmarks.local SCENARIO ...`) so peak
memory (VmHWM) and warm caches of one do not leak into another. It prints one JSON line:
the best wall time over the repeats and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from benchmarks.generate import live_json
from benchmarks.memory import peak_rss_mb
from contentsync import render
from contentsync.diff import Options, make_plan
from contentsync.gcpause import collector_paused
from contentsync.live import read_live
from contentsync.loader import load_content

SCENARIOS = ("parse", "plan-unchanged", "plan-create")
HELP_CENTER_ID = "77"


class _Lists:
    """Intercom's 2.9 list answers, already fetched: read_live converts them as plan does."""

    api_version = "2.9"

    def __init__(self, identifier: str, collections: list[Any], sections: list[Any]) -> None:
        self.identifier = identifier
        self.collections = collections
        self.sections = sections

    def list_help_centers(self) -> list[dict[str, Any]]:
        return [{"id": HELP_CENTER_ID, "identifier": self.identifier, "display_name": "Bench"}]

    def list_collections(self) -> list[dict[str, Any]]:
        return self.collections

    def list_sections(self) -> list[dict[str, Any]]:
        return self.sections

    def list_articles(self) -> list[dict[str, Any]]:
        return []


def parse_only(content_dir: Path) -> list[Any]:
    """The fastest honest parse: libyaml's safe loader over every file, results kept."""
    with collector_paused():
        return [
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            for path in sorted(content_dir.rglob("*.yaml"))
        ]


def plan_work(content_dir: Path, lists: _Lists) -> int:
    """What `contentsync plan` does locally: load + validate, live JSON -> model, diff, render."""
    desired = load_content(content_dir)
    live = read_live(lists)
    plan = make_plan(desired, live, Options(api_url="http://127.0.0.1"))
    out = io.StringIO()
    render.render_text(plan, out)
    return len(plan.changes)


def run(
    scenario: str, content_dir: Path, collections: int, sections: int, repeat: int
) -> dict[str, Any]:
    identifier = next(p.name for p in content_dir.iterdir() if p.is_dir())
    work: Callable[[], object]
    if scenario == "parse":
        work = lambda: parse_only(content_dir)  # noqa: E731
    else:
        if scenario == "plan-unchanged":
            cs, ss = live_json(HELP_CENTER_ID, collections, sections)
        else:
            cs, ss = [], []
        lists = _Lists(identifier, cs, ss)
        work = lambda: plan_work(content_dir, lists)  # noqa: E731
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
        del result
    return {
        "scenario": scenario,
        "seconds": best,
        "maxrss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("content_dir", type=Path)
    parser.add_argument("collections", type=int)
    parser.add_argument("sections", type=int)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    out = run(args.scenario, args.content_dir, args.collections, args.sections, args.repeat)
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
