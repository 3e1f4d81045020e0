"""Apply under injected faults, through the real command line against a sandbox server in its own
process, and what the help center holds afterwards (SPEC sections 6 and 9).

`converge` seeds a help center (some collections with fewer translations and older article
text, so they are updated, plus two collections the content no longer has, so they are
deleted), writes the full content (collections, sections, and an article in several locales
in each of them), then runs `contentsync apply` against a sandbox that injects faults of every
kind until one succeeds (at most `max_runs`), then `plan --detailed-exitcode`. It returns what
it found: duplicates, objects deleted that the content has, what is missing or different.
tests/test_faults.py runs it small with a fixed seed; `python -m benchmarks` at 1,000 objects.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.generate import TRANSLATED, collection_doc, dump, write_content
from benchmarks.server import ROOT, list_all, sandbox_process
from contentsync.sandbox import SANDBOX_TOKEN

IDENT = "fault-help"
AUTHOR = "writer@fault.example"
ARTICLE_LOCALES = ("fr", "de", "ja")  # besides en
ARTICLE = "guide"  # one article per collection folder, guide.md and guide.<locale>.md


@dataclass(frozen=True)
class Sizes:
    collections: int
    sections: int  # per collection
    seeded: int  # collections that exist before, with fewer translations and older articles


SMALL = Sizes(8, 4, 5)  # 40 collections and sections, 40 articles
FULL = Sizes(50, 9, 15)  # 500 collections and sections, 500 articles: 1,000 objects


@dataclass
class FaultRun:
    objects: int
    articles: int
    runs: list[int] = field(default_factory=list)  # exit codes of the applies, in order
    first_summary: str = ""  # the first apply's "Plan: ..." line
    final_plan: int = -1  # exit code of plan --detailed-exitcode after them
    final_output: str = ""
    duplicates: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # ids the content kept that are gone
    wrong: list[str] = field(default_factory=list)  # missing or different from the content
    faults: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)

    @property
    def converged(self) -> bool:
        return bool(self.runs) and self.runs[-1] == 0 and self.final_plan == 0


def title(folder: str, locale: str = "en") -> str:
    return f"Guide to {folder}" + ("" if locale == "en" else f" ({locale})")


def article_text(folder: str, locale: str, parent_link: bool, version: str) -> str:
    front = dump({"title": title(folder, locale), "description": f"{folder} explained."})
    link = f"See [the overview](../{ARTICLE}.md)." if parent_link else "Start here."
    body = (
        f"Everything about **{folder}** ({locale}, {version}). {link}\n\n"
        f"- First, open *Settings*.\n- Then pick [a plan](https://fault.example/{folder}).\n\n"
        f"![{folder}](https://assets.fault.example/{folder}.png)\n"
    )
    return f"---\n{front}---\n{body}"


def write_articles(folder: Path, locales: Sequence[str], version: str) -> int:
    """An article in each collection and section folder under `folder` (a help center)."""
    written = 0
    for collection in sorted(folder.glob("*/_collection.yaml")):
        top = collection.parent
        for place in [top, *sorted(p.parent for p in top.glob("*/_collection.yaml"))]:
            name = place.name if place == top else f"{top.name}/{place.name}"
            for locale in ("en", *locales):
                suffix = "" if locale == "en" else f".{locale}"
                text = article_text(name, locale, place != top, version)
                (place / f"{ARTICLE}{suffix}.md").write_text(text, encoding="utf-8")
            written += 1
    return written


def write_settings(folder: Path) -> None:
    settings = {"default_locale": "en", "default_author": AUTHOR, "prune": True}
    (folder / "_help_center.yaml").write_text(dump(settings), encoding="utf-8")


def contentsync(cwd: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INTERCOM_ACCESS_TOKEN": SANDBOX_TOKEN, "PYTHONPATH": str(ROOT)}
    env.pop("INTERCOM_API_URL", None)
    command = [sys.executable, "-m", "contentsync", "--content", str(cwd / "content")]
    return subprocess.run(
        [*command, "--api-url", url, *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def read_all(url: str) -> dict[str, list[dict[str, Any]]]:
    return {
        "collections": list_all(url, "/help_center/collections"),
        "sections": list_all(url, "/help_center/sections"),
        "articles": list_all(url, "/articles"),
    }


def live_ids(live: dict[str, list[dict[str, Any]]]) -> set[str]:
    return {str(o["id"]) for objects in live.values() for o in objects}


def converge(
    work: Path, sizes: Sizes, *, fault_rate: float = 0.1, seed: int = 7, max_runs: int = 3
) -> FaultRun:
    content = work / "content"
    folder = content / IDENT
    state = work / "sandbox.json"
    write_content(content, IDENT, sizes.seeded, sizes.sections, locales=TRANSLATED[:5])
    write_content(content, IDENT, 2, 2, first=900)  # the content drops these two later
    write_settings(folder)
    write_articles(folder, ARTICLE_LOCALES[:1], "old")
    admins = [AUTHOR]
    with sandbox_process(state, [IDENT], admins=admins) as server:
        seeded = contentsync(work, server.url, "apply", "--auto-approve")
        assert seeded.returncode == 0, seeded.stdout[-2000:] + seeded.stderr[-2000:]
        before = read_all(server.url)
    dropped = {str(c["id"]) for c in before["collections"] if c["name"] >= "Collection 0900"}
    dropped |= {str(s["id"]) for s in before["sections"] if str(s["parent_id"]) in dropped}
    dropped |= {str(a["id"]) for a in before["articles"] if str(a.get("parent_id")) in dropped}
    kept = live_ids(before) - dropped

    for old in folder.glob("collection-09*"):
        shutil.rmtree(old)
    write_content(content, IDENT, sizes.collections, sizes.sections)
    write_settings(folder)
    articles = write_articles(folder, ARTICLE_LOCALES, "new")
    objects = sizes.collections * (1 + sizes.sections) + articles
    run = FaultRun(objects, articles)

    with sandbox_process(
        state, [IDENT], fault_rate=fault_rate, fault_seed=seed, admins=admins
    ) as server:
        for _ in range(max_runs):
            done = contentsync(work, server.url, "apply", "--auto-approve")
            run.runs.append(done.returncode)
            if not run.first_summary:
                run.first_summary = next(
                    (line for line in done.stdout.splitlines() if line.startswith("Plan:")), ""
                )
            if done.returncode == 0:
                break
        final = contentsync(work, server.url, "plan", "--detailed-exitcode")
        run.final_plan, run.final_output = final.returncode, final.stdout + final.stderr
        live = read_all(server.url)
        counted = server.counters()
    run.faults, run.requests = dict(counted["faults"]), dict(counted["by_method"])
    run.duplicates = duplicates(live)
    run.deleted = sorted(kept - live_ids(live))
    run.wrong = differences(live, sizes)
    return run


def duplicates(live: dict[str, list[dict[str, Any]]]) -> list[str]:
    keys = Counter((str(c.get("help_center_id")), c["name"]) for c in live["collections"])
    keys += Counter((str(s["parent_id"]), s["name"]) for s in live["sections"])
    keys += Counter((str(a.get("parent_id")), a["title"]) for a in live["articles"])
    return [f"{parent}/{name}" for (parent, name), n in keys.items() if n > 1]


def differences(live: dict[str, list[dict[str, Any]]], sizes: Sizes) -> list[str]:
    """What is missing or different from the content: every collection and section with all
    its translations, and every article with all its locales, under the right parent."""
    wrong: list[str] = []
    if len(live["collections"]) != sizes.collections:
        wrong.append(f"{len(live['collections'])} collections, not {sizes.collections}")
    by_name = {c["name"]: c for c in live["collections"]}
    sections: dict[str, dict[str, dict[str, Any]]] = {}
    for s in live["sections"]:
        sections.setdefault(str(s["parent_id"]), {})[s["name"]] = s
    articles = {(str(a.get("parent_id")), a["title"]): a for a in live["articles"]}
    if len(live["articles"]) != sizes.collections * (1 + sizes.sections):
        wrong.append(f"{len(live['articles'])} articles")
    for i in range(sizes.collections):
        doc = collection_doc(i, sizes.sections)
        c = by_name.get(doc["name"])
        if c is None:
            wrong.append(f"no collection {doc['name']}")
            continue
        for loc, text in doc["translations"].items():
            got = (c["translated_content"] or {}).get(loc) or {}
            if got.get("name") != text["name"] or got.get("description") != text["description"]:
                wrong.append(f"{doc['name']} [{loc}]")
        places = [(str(c["id"]), f"collection-{i:04d}")]
        mine = sections.get(str(c["id"]), {})
        for folder, s in doc["children"].items():
            live_s = mine.get(s["name"])
            if live_s is None:
                wrong.append(f"no section {s['name']}")
                continue
            for loc in TRANSLATED:
                got = (live_s["translated_content"] or {}).get(loc) or {}
                if got.get("name") != s["translations"][loc]["name"]:
                    wrong.append(f"{s['name']} [{loc}]")
            places.append((str(live_s["id"]), f"collection-{i:04d}/{folder}"))
        for parent, name in places:
            a = articles.get((parent, title(name)))
            if a is None:
                wrong.append(f"no article {title(name)}")
                continue
            if "(en, new)" not in (a.get("body") or ""):
                wrong.append(f"{title(name)}: old text")
            for loc in ARTICLE_LOCALES:
                got = (a.get("translated_content") or {}).get(loc) or {}
                if got.get("title") != title(name, loc) or f"({loc}, new)" not in (
                    got.get("body") or ""
                ):
                    wrong.append(f"{title(name)} [{loc}]")
    return wrong
