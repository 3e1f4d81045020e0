"""`python -m benchmarks.status`: `contentsync status` on a generated repository, as a table.

The repository (SPEC section 9's size: 2,000 articles in 10 locales besides English, about 4 KB
of Markdown each, 100 collections, 1,000 commits) is written with one `git fast-import` into a
temporary folder. History has the shapes status must follow: a side branch merged every fourth
commit, edits of English text, of translations, of `state` only (not text), collection
descriptions, and renames of an article with all its translations.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

LOCALES = ("fr", "de", "es", "it", "ja", "ko", "nl", "pt-BR", "sv", "zh-CN")
PARAGRAPH = (
    "Refunds reach the card you paid with within **5 business days**. See "
    "[payment methods](../payment-methods.md) and the table below for each region.\n\n"
    "| Region | Days |\n|---|---|\n| EU | 5 |\n| US | 3 |\n\n"
    "- Open *Billing*\n- Choose the invoice\n- Press **Refund**\n\n"
    "![The refund button](https://example.com/img/refund-button.png)\n\n"
)
BODY = PARAGRAPH * 14  # about 4 KB


class _Repo:
    """Writes a fast-import stream: files in memory, one commit per call."""

    def __init__(self, collections: int, per_collection: int) -> None:
        self.files: dict[str, bytes] = {}
        self.articles: list[str] = []  # default-locale paths, renames followed
        self.collections = [
            f"content/bench/topic-{c:03d}/_collection.yaml" for c in range(collections)
        ]
        self.out: list[bytes] = []
        self.mark = 0
        self.clock = 1_700_000_000
        self.files["content/bench/_help_center.yaml"] = (
            f"default_locale: en\nlocales: [en, {', '.join(LOCALES)}]\n".encode()
        )
        for c, path in enumerate(self.collections):
            self.files[path] = self.collection(c, 0)
            for a in range(per_collection):
                article = f"content/bench/topic-{c:03d}/article-{a:02d}.md"
                self.articles.append(article)
                self.files[article] = self.article(article, "en", 0)
                for locale in LOCALES:
                    self.files[self.translation(article, locale)] = self.article(article, locale, 0)

    @staticmethod
    def translation(article: str, locale: str) -> str:
        return f"{article.removesuffix('.md')}.{locale}.md"

    @staticmethod
    def article(path: str, locale: str, version: int, state: str = "published") -> bytes:
        return (
            f"---\ntitle: {path.rpartition('/')[2]} [{locale}] v{version}\n"
            f"description: How it works ({locale})\nstate: {state}\nauthor: jane@acme.com\n"
            f"---\n# {path} v{version}\n\n{BODY}"
        ).encode()

    @staticmethod
    def collection(c: int, version: int) -> bytes:
        translations = "".join(
            f"  {loc}:\n    name: Topic {c} [{loc}]\n"
            f"    description: About {c} ({loc}) v{version}\n"
            for loc in LOCALES
        )
        return (
            f"name: Topic {c}\ndescription: About topic {c} v{version}\n"
            f"translations:\n{translations}"
        ).encode()

    def commit(self, changes: Mapping[str, bytes | None], parent: int, merge: int = 0) -> int:
        """`changes`: path -> new contents, or None to delete. Returns the commit's mark."""
        self.mark += 1
        self.clock += 60
        lines = [
            b"commit refs/heads/main\n",
            b"mark :%d\n" % self.mark,
            b"committer Bench <bench@example.com> %d +0000\n" % self.clock,
            b"data 6\nchange\n",
        ]
        if parent:
            lines.append(b"from :%d\n" % parent)
        if merge:
            lines.append(b"merge :%d\n" % merge)
        for path, data in changes.items():
            if data is None:
                lines.append(f"D {path}\n".encode())
            else:
                lines += [f"M 100644 inline {path}\n".encode(), b"data %d\n" % len(data)]
                lines += [data, b"\n"]
        self.out += lines
        return self.mark


def build(folder: str, articles: int | str, commits: int | str) -> None:
    """A repository with `articles` articles (20 per collection) and `commits` commits."""
    articles, commits = int(articles), int(commits)
    per_collection = min(20, articles)
    repo = _Repo(max(1, articles // per_collection), per_collection)
    tip = repo.commit(dict(repo.files), 0)
    made, step = 1, 0

    def edits(n: int) -> Iterator[dict[str, bytes]]:
        nonlocal step
        for _ in range(n):
            step += 1
            article = repo.articles[(step * 7919) % len(repo.articles)]
            kind = step % 4
            if kind == 0:  # the English text
                change = {article: repo.article(article, "en", step)}
            elif kind == 1:  # two translations catch up
                change = {
                    repo.translation(article, loc): repo.article(article, loc, step)
                    for loc in LOCALES[step % 5 :: 5]
                }
            elif kind == 2:  # state only: not text
                change = {article: repo.article(article, "en", 0, state="draft")}
            else:  # a collection description
                c = step % len(repo.collections)
                change = {repo.collections[c]: repo.collection(c, step)}
            repo.files.update(change)
            yield change

    while made < commits:
        if commits - made >= 4:
            # main gets a commit while a side branch gets two; then the merge
            side_from = tip
            main_change: dict[str, bytes | None] = {}
            for change in edits(3):
                main_change.update(change)
            if made % 40 == 1:  # a rename: the article and all its translations move
                old = repo.articles.pop(0)
                new = old.replace("article-", "renamed-")
                repo.articles.append(new)
                for locale in ("", *LOCALES):
                    src = repo.translation(old, locale) if locale else old
                    dst = repo.translation(new, locale) if locale else new
                    main_change[dst] = repo.files.pop(src)
                    main_change[src] = None
            main = repo.commit(main_change, tip)
            side1 = dict(next(edits(1)))
            first = repo.commit(side1, side_from)
            side2 = dict(next(edits(1)))
            second = repo.commit(side2, first)
            tip = repo.commit({**side1, **side2}, main, merge=second)
            made += 4
        else:
            tip = repo.commit(dict(next(edits(1))), tip)
            made += 1
    git = ["git", "-C", folder]
    subprocess.run(["git", "init", "-q", "-b", "main", folder], check=True)
    subprocess.run([*git, "fast-import", "--quiet"], input=b"".join(repo.out), check=True)
    subprocess.run([*git, "reset", "-q", "--hard", "main"], check=True)


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # seconds, contentsync's process and its git processes
    peak_mb: int  # the largest resident size among them
    stale: int
    up_to_date: int


def measure(repo: Path) -> Run:
    """`contentsync status --format json` as a user runs it, in its own process; wait4 gives
    the CPU time and peak memory of that process and the git processes it ran."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "contentsync", "status", "--format", "json"],
            cwd=repo, stdout=subprocess.PIPE, stderr=errors,
        )  # fmt: skip
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stdout.close()
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"contentsync status failed: {errors.read().decode()[-2000:]}")
    rows = [row for hc in json.loads(out)["help_centers"] for row in hc["locales"]]
    return Run(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss // 1024,
        sum(row["stale"] for row in rows),
        sum(row["up_to_date"] for row in rows),
    )


def edit_working_tree(content: Path, articles: int) -> tuple[int, int]:
    """Uncommitted edits, so the comparison with the working tree has work to do: the English
    text of some articles and one translation of others. Returns how many of each."""
    english = sorted(content.rglob("article-0[0-4].md"))[:articles]
    french = sorted(content.rglob("article-1[0-4].fr.md"))[:articles]
    for path in english:
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    for path in french:
        path.write_text(path.read_text(encoding="utf-8") + "\nModifié.\n", encoding="utf-8")
    return len(english), len(french)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="contentsync-status-") as work:
        repo = Path(work) / "repo"
        started = time.perf_counter()
        # in another process: a child forked from a large process starts with its peak RSS
        code = "import sys; from benchmarks.status import build; build(*sys.argv[1:])"
        subprocess.run(
            [sys.executable, "-c", code, str(repo), str(args.articles), str(args.commits)],
            check=True,
        )
        built = time.perf_counter() - started
        content = repo / "content"
        git = ["git", "-C", str(repo)]
        merges = _output([*git, "rev-list", "--count", "--merges", "HEAD"]).strip()
        files = sum(1 for _ in content.rglob("*.md"))
        english, french = edit_working_tree(content, 20)
        log = min(_seconds([*git, *HISTORY_LOG]) for _ in range(args.repeat))
        startup = min(_seconds([sys.executable, "-m", "contentsync", "--version"])
                      for _ in range(args.repeat))  # fmt: skip
        runs = [measure(repo) for _ in range(args.repeat)]
    walls = [r.wall for r in runs]
    cpu = statistics.median(r.cpu for r in runs)
    print(
        f"Repository: {files} article files ({args.articles} articles x {len(LOCALES) + 1} "
        f"locales), {args.commits} commits ({merges} merges); not committed: {english} English "
        f"and {french} French files edited; generated in {built:.1f} s\n"
    )
    print("| measure | measured | target |")
    print("|---|---|---|")
    print(
        f"| `contentsync status` (median of {args.repeat}) | {statistics.median(walls):.2f} s "
        f"(runs {min(walls):.2f}-{max(walls):.2f} s); CPU {cpu:.2f} s with its git processes; "
        f"peak RSS {max(r.peak_mb for r in runs)} MB | a few seconds |"
    )
    print(f"| reference: the `git log` it runs | {log:.2f} s | |")
    print(f"| reference: `contentsync --version` (Python start-up) | {startup:.2f} s | |")
    print(
        f"| found | {runs[0].stale} stale, {runs[0].up_to_date} up to date | "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs |"
    )


# what githistory runs; the reference for reading the history at all
HISTORY_LOG = (
    "log", "-z", "--reverse", "--topo-order", "--format=%x1e%H %P%x1f%ct", "--raw",
    "--no-abbrev", "-M", "--diff-merges=first-parent", "--full-history", "--sparse",
    "--relative", "HEAD", "--", ".",
)  # fmt: skip


def _output(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
