"""Apply under faults, against a sandbox server in its own process, over real HTTP.

SPEC section 8: with 10% injected faults of every kind (500 before commit, commit then 500,
commit then dropped connection, 429), apply of 1,000 objects converges (re-running apply is
allowed) with no duplicate, no unintended delete, every translation present, and an empty plan
afterwards. And an apply killed with SIGKILL midway is completed by plan + apply.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import TRANSLATED, collection_doc, write_content
from benchmarks.server import ROOT, list_all, sandbox_process
from contentsync.sandbox import SANDBOX_TOKEN
from tests.clirun import Result, run

IDENT = "fault-help"
ENV = {"INTERCOM_ACCESS_TOKEN": SANDBOX_TOKEN, "INTERCOM_API_URL": None}


def cs(cwd: Path, url: str, *args: str) -> Result:
    return run("--content", str(cwd / "content"), "--api-url", url, *args, cwd=cwd, env=ENV)


def read_all(url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return list_all(url, "/help_center/collections"), list_all(url, "/help_center/sections")


def names(objects: list[dict[str, Any]], parent: str) -> Counter[tuple[str, str]]:
    return Counter((str(o[parent]), o["name"]) for o in objects)


def assert_no_duplicates(collections: list[dict[str, Any]], sections: list[dict[str, Any]]) -> None:
    dup_c = [k for k, n in names(collections, "help_center_id").items() if n > 1]
    dup_s = [k for k, n in names(sections, "parent_id").items() if n > 1]
    assert not dup_c, f"duplicate collections: {dup_c[:5]}"
    assert not dup_s, f"duplicate sections: {dup_s[:5]}"


def assert_matches_content(
    collections: list[dict[str, Any]],
    sections: list[dict[str, Any]],
    n_collections: int,
    n_sections: int,
) -> None:
    """Exactly the generated content: every object under its parent, every translation."""
    by_name = {c["name"]: c for c in collections}
    assert len(collections) == n_collections
    assert len(sections) == n_collections * n_sections
    children: dict[str, dict[str, dict[str, Any]]] = {}
    for s in sections:
        children.setdefault(str(s["parent_id"]), {})[s["name"]] = s
    for i in range(n_collections):
        doc = collection_doc(i, n_sections)
        live = by_name[doc["name"]]
        assert live["description"] == doc["description"]
        for loc, text in doc["translations"].items():
            got = live["translated_content"][loc]
            assert got is not None and got["name"] == text["name"], (doc["name"], loc)
            assert got["description"] == text["description"], (doc["name"], loc)
        mine = children.get(str(live["id"]), {})
        sections_doc = list(doc["children"].values())
        assert sorted(mine) == sorted(s["name"] for s in sections_doc), doc["name"]
        for s in sections_doc:
            got_s = mine[s["name"]]["translated_content"]
            for loc in TRANSLATED:
                assert got_s[loc]["name"] == s["translations"][loc]["name"], (s["name"], loc)


@pytest.mark.slow
def test_thousand_objects_converge_under_ten_percent_faults_of_every_kind(tmp_path: Path) -> None:
    n_collections, n_sections = 100, 9  # 100 + 900 = 1,000 objects, 36 translations each
    state = tmp_path / "sandbox.json"
    content = tmp_path / "content"

    # Before: 30 of the collections exist with fewer translations (so they get updated, never
    # deleted), plus two collections the content does not have (deleted on purpose).
    write_content(content, IDENT, 30, n_sections, locales=TRANSLATED[:5])
    write_content(content, IDENT, 2, 2, first=900)
    with sandbox_process(state, [IDENT]) as server:
        seeded = cs(tmp_path, server.url, "apply", "--auto-approve")
        assert seeded.code == 0, seeded.output
        before_c, before_s = read_all(server.url)
    kept_ids = {str(c["id"]) for c in before_c if not c["name"].startswith("Collection 09")}
    kept_ids |= {str(s["id"]) for s in before_s if not s["name"].startswith("Section 09")}
    assert len(kept_ids) == 30 * (1 + n_sections)

    for folder in (content / IDENT).glob("collection-09*"):
        shutil.rmtree(folder)
    write_content(content, IDENT, n_collections, n_sections)

    with sandbox_process(state, [IDENT], fault_rate=0.1, fault_seed=7) as server:
        runs: list[Result] = []
        for _ in range(6):
            runs.append(cs(tmp_path, server.url, "apply", "--auto-approve"))
            if runs[-1].code == 0:
                break
        assert runs[-1].code == 0, runs[-1].output[-3000:]
        assert "Plan: 700 to create, 300 to update, 6 to delete." in runs[0].out
        final = cs(tmp_path, server.url, "plan", "--detailed-exitcode")
        assert final.code == 0, final.output[-3000:]
        assert "No changes." in final.out
        collections, sections = read_all(server.url)
        counted = server.counters()
    faults = Counter(counted["faults"])

    assert_no_duplicates(collections, sections)
    assert_matches_content(collections, sections, n_collections, n_sections)
    live_ids = {str(o["id"]) for o in collections + sections}
    assert kept_ids <= live_ids, "objects the content has were deleted (and made again)"
    assert not {c["name"] for c in collections} & {
        c["name"] for c in before_c if c["name"].startswith("Collection 09")
    }
    print(f"\napply runs: {len(runs)}; requests {counted['by_method']}; faults {dict(faults)}")
    for kind in ("error_before_commit", "error_after_commit", "drop_after_commit", "rate_limit"):
        assert faults[kind] >= 1, f"no {kind} fault was injected: {dict(faults)}"


def test_apply_killed_midway_is_completed_by_plan_and_apply(tmp_path: Path) -> None:
    n_collections, n_sections = 20, 5  # 120 objects
    write_content(tmp_path / "content", IDENT, n_collections, n_sections)
    state = tmp_path / "sandbox.json"
    with sandbox_process(state, [IDENT], latency_ms=40) as server:
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
            while made < 20 and time.monotonic() < deadline and child.poll() is None:
                time.sleep(0.05)
                made = sum(len(x) for x in read_all(server.url))
            assert child.poll() is None, "apply finished before it could be killed"
            os.kill(child.pid, signal.SIGKILL)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL
        partial = sum(len(x) for x in read_all(server.url))
        assert 20 <= partial < n_collections * (1 + n_sections)

        plan = cs(tmp_path, server.url, "plan", "--detailed-exitcode")
        assert plan.code == 2, plan.output
        assert "to delete" in plan.out and " 0 to delete" in plan.out
        done = cs(tmp_path, server.url, "apply", "--auto-approve")
        assert done.code == 0, done.output[-3000:]
        again = cs(tmp_path, server.url, "plan", "--detailed-exitcode")
        assert again.code == 0, again.output
        collections, sections = read_all(server.url)
    assert_no_duplicates(collections, sections)
    assert_matches_content(collections, sections, n_collections, n_sections)
