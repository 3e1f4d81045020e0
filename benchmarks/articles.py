"""Articles at scale: plan's local work on Markdown against cmark-gfm alone, in one process.

`write_articles` writes a help center of collections holding articles in several locales, each
about 4 KB of Markdown with headings, lists, a table, links (to an earlier article of the tree
and outside it) and images. `python -m benchmarks.articles SCENARIO CONTENT LIVE` runs one
scenario in its own interpreter (so its peak memory is its own) and prints one JSON line:

- the baseline, `cmarkgfm.github_flavored_markdown_to_html` over the same bodies (front matter
  already cut off, files already read), median of `--baseline-repeat` runs, each in a fork;
- the scenario, median of `--repeat` runs: `validate` (load_content); `plan-unchanged`,
  `plan-unchanged-cold` and `plan-first` (load, authors, the live JSON read into the live tree,
  compare, diff, render the plan as text, with projections remembered in a file as
  `contentsync plan` does: against the live state of a sandbox holding the tree, with the
  projections a previous plan left, or none; or against an empty one); and `export` (the live
  tree written back as content files).

LIVE is a JSON file holding what the list endpoints answered (see `fetch_live`).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cmarkgfm

from benchmarks.generate import dump
from benchmarks.memory import peak_rss_mb
from benchmarks.server import sandbox_process
from contentsync import render
from contentsync.apply import apply_plan
from contentsync.authors import admin_ids, resolve_authors
from contentsync.client import IntercomClient
from contentsync.diff import Options, make_plan
from contentsync.export import export_help_center
from contentsync.live import read_live
from contentsync.loader import load_content
from contentsync.projections import Projections
from contentsync.sandbox import SANDBOX_TOKEN

SCENARIOS = ("validate", "plan-unchanged", "plan-unchanged-cold", "plan-first", "export")
LOCALES = ("en", "fr", "de", "es", "it", "ja", "nl", "pt-BR", "sv", "zh-CN")
AUTHOR = "writer@bench.example"


def article_folder(i: int) -> str:
    return f"collection-{i:03d}"


def article_file(j: int, locale: str) -> str:
    return f"article-{j:03d}.md" if locale == "en" else f"article-{j:03d}.{locale}.md"


def article_body(i: int, j: int, locale: str) -> str:
    """About 4 KB of Markdown: what a help article holds."""
    tag = f"[{locale}]"
    earlier = f"article-{j - 1:03d}.md"
    if j == 0:
        earlier = f"../{article_folder(max(0, i - 1))}/article-000.md"
    link = f"[the previous guide]({earlier})" if (i, j) != (0, 0) else "the guide"
    rows = "\n".join(
        f"| Plan {k} {tag} | {10 * k} seats | {k * 12}.00 EUR | "
        f"[details](https://bench.example/p/{k}) |"
        for k in range(1, 7)
    )
    steps = "\n".join(
        f"{k}. Open **Settings** and choose *Step {k}* for topic {i}.{j} {tag}; "
        f"then press `Save` and wait for the green check mark."
        for k in range(1, 7)
    )
    bullets = "\n".join(
        f"- Item {k} of topic {i}.{j} {tag}: keep **this** in mind, see {link} and "
        f"[the API reference](https://developers.bench.example/ref/{i}/{j}/{k})."
        for k in range(1, 6)
    )
    prose = " ".join(
        f"Sentence {k} about topic {i}.{j} in {locale}, written so that a reader can follow it "
        f"without the screenshots, with a little *emphasis* here and there."
        for k in range(1, 6)
    )
    return f"""Topic {i}.{j} {tag}: everything you need to know, in **one** place. {prose}

## Before you start

{bullets}

![Screenshot {i}.{j}](https://assets.bench.example/img/shot-{i:03d}-{j:03d}.png)

## Steps

{steps}

## Plans and limits

| Plan | Seats | Price | More |
|---|---|---|---|
{rows}

{prose}

## Troubleshooting

{bullets}

If something goes wrong, write to support with the time it happened and what you saw.

```
curl https://api.bench.example/v1/topics/{i}/{j}
```
"""


def write_articles(
    content_dir: Path, identifier: str, collections: int, articles: int, locales: int
) -> int:
    """`collections` folders of `articles` articles, each in the first `locales` of LOCALES;
    return the number of Markdown files written."""
    chosen = LOCALES[:locales]
    folder = content_dir / identifier
    folder.mkdir(parents=True, exist_ok=True)
    settings = {"default_locale": "en", "locales": list(chosen), "default_author": AUTHOR}
    (folder / "_help_center.yaml").write_text(dump(settings), encoding="utf-8")
    written = 0
    for i in range(collections):
        here = folder / article_folder(i)
        here.mkdir(exist_ok=True)
        (here / "_collection.yaml").write_text(
            dump({"name": f"Topic group {i:03d}", "description": f"Guides for group {i}."}),
            encoding="utf-8",
        )
        for j in range(articles):
            for locale in chosen:
                front = {"title": f"Topic {i}.{j} ({locale})", "description": f"About {i}.{j}."}
                text = f"---\n{dump(front)}---\n{article_body(i, j, locale)}"
                (here / article_file(j, locale)).write_text(text, encoding="utf-8")
                written += 1
    return written


class Lists:
    """The list endpoints' answers, read from a file: read_live converts them as plan does."""

    def __init__(self, answers: dict[str, Any], *, empty: bool = False) -> None:
        self.api_version = str(answers["api_version"])
        self.answers = answers
        self.empty = empty

    def list_help_centers(self) -> list[dict[str, Any]]:
        return list(self.answers["help_centers"])

    def list_collections(self) -> list[dict[str, Any]]:
        return [] if self.empty else list(self.answers["collections"])

    def list_sections(self) -> list[dict[str, Any]]:
        return [] if self.empty else list(self.answers["sections"])

    def list_articles(self) -> list[dict[str, Any]]:
        return [] if self.empty else list(self.answers["articles"])

    def list_admins(self) -> list[dict[str, Any]]:
        return list(self.answers["admins"])


def fetch_live(client: Any) -> dict[str, Any]:
    """What `plan` reads, as JSON: one call per list."""
    return {
        "api_version": client.api_version,
        "help_centers": client.list_help_centers(),
        "collections": client.list_collections(),
        "sections": client.list_sections(),
        "articles": client.list_articles(),
        "admins": client.list_admins(),
    }


def seed(content_dir: Path, live_file: Path, state: Path) -> int:
    """Apply the content to a fresh sandbox in its own process, then save what `plan` would
    read from it to `live_file`; return the number of changes applied."""
    identifiers = [p.name for p in content_dir.iterdir() if p.is_dir()]
    with (
        sandbox_process(state, identifiers, admins=[AUTHOR]) as server,
        IntercomClient(server.url, SANDBOX_TOKEN) as client,
    ):
        desired = resolve_authors(load_content(content_dir), admin_ids(client.list_admins()))
        plan = make_plan(desired, read_live(client))
        report = apply_plan(plan, client, parallelism=8)
        assert report.ok, [r.detail for r in report.with_status("failed")][:3]
        live_file.write_text(json.dumps(fetch_live(client)), encoding="utf-8")
    return len(plan.changes)


def bodies(content_dir: Path) -> list[str]:
    """Every article's Markdown, front matter cut off: what the baseline renders."""
    out = []
    for path in sorted(content_dir.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        out.append(text[text.index("\n---\n", 3) + 5 :])
    return out


def plan_work(content_dir: Path, lists: Lists, remembered: Path) -> int:
    """What `contentsync plan` does locally, in its order."""
    desired = load_content(content_dir)
    live = read_live(lists)
    desired = resolve_authors(desired, admin_ids(lists.list_admins()))
    projections = Projections.load(remembered)
    plan = make_plan(desired, live, Options(api_url="http://127.0.0.1"), projections)
    projections.save(remembered)
    out = io.StringIO()
    render.render_text(plan, out)
    return len(plan.changes)


def export_work(lists: Lists, out: Path) -> int:
    """What `contentsync export` does locally: the live tree written as content files."""
    live = read_live(lists)
    emails = {str(a["id"]): str(a["email"]) for a in lists.list_admins()}
    written = 0
    for hc in live.help_centers:
        for name, text in export_help_center(live, hc, emails=emails).items():
            path = out / hc.identifier / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written += 1
    return written


def baseline(texts: list[str], repeat: int) -> tuple[float, float]:
    """Median seconds (wall, CPU) of cmarkgfm.github_flavored_markdown_to_html over `texts`.
    Each run is in
    a fork of this process (same interpreter, same bodies in memory), because that function
    never frees what it allocates (contentsync/cmark.py): five runs over 20,000 bodies would
    hold 8 GB, and the scenario's peak memory would be the baseline's."""
    walls, cpus = [], []
    for _ in range(repeat):
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child reports through the pipe and exits
            os.close(read)
            start, cpu = time.perf_counter(), time.process_time()
            for text in texts:
                cmarkgfm.github_flavored_markdown_to_html(text)
            took = (time.perf_counter() - start, time.process_time() - cpu)
            os.write(write, json.dumps(took).encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as answer:
            wall, cpu = json.loads(answer.read())
        os.waitpid(child, 0)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def _median(work: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Median seconds (wall, CPU) of `work`, and what it returned."""
    walls, cpus = [], []
    result: object = None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def run(
    scenario: str, content_dir: Path, live_file: Path, repeat: int, baseline_repeat: int
) -> dict[str, Any]:
    texts = bodies(content_dir)
    cmark_wall, cmark_cpu = baseline(texts, baseline_repeat)
    files, markdown_mb = len(texts), sum(len(t.encode()) for t in texts) / 1e6
    del texts  # the scenario's peak memory is its own (the baseline ran in forks)
    answers = {} if scenario == "validate" else json.loads(live_file.read_text(encoding="utf-8"))
    work: Callable[[], object]
    if scenario == "validate":
        work = lambda: load_content(content_dir)  # noqa: E731
    elif scenario.startswith("plan-"):
        lists = Lists(answers, empty=scenario == "plan-first")
        remembered = Path(tempfile.mkdtemp(prefix="contentsync-projections-")) / "projections"
        if scenario == "plan-unchanged":
            plan_work(content_dir, lists, remembered)  # the plan before: what it leaves

        def work() -> int:
            if scenario != "plan-unchanged":
                remembered.unlink(missing_ok=True)
            return plan_work(content_dir, lists, remembered)

    else:
        scratch = Path(tempfile.mkdtemp(prefix="contentsync-export-"))
        runs = iter(range(repeat))
        work = lambda: export_work(Lists(answers), scratch / str(next(runs)))  # noqa: E731
    seconds, cpu, result = _median(work, repeat)
    return {
        "scenario": scenario,
        "files": files,
        "markdown_mb": markdown_mb,
        "baseline": cmark_wall,
        "baseline_cpu": cmark_cpu,
        "seconds": seconds,
        "cpu": cpu,
        "result": result if isinstance(result, int) else None,
        "maxrss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.articles")
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("content_dir", type=Path)
    parser.add_argument("live", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-repeat", type=int, default=5)
    args = parser.parse_args(argv)
    out = run(args.scenario, args.content_dir, args.live, args.repeat, args.baseline_repeat)
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
