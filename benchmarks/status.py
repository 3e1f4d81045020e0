"""`python -m benchmarks.status`: `contentsync status` on a generated repository, as a table.

The repository (SPEC section 9's size: 2,000 articles in 10 locales besides English, about 4 KB
of Markdown each, 100 collections, 1,000 commits) is written with one `git fast-import` into a
temporary folder. History has the shapes status must follow: a side branch merged every fourth
commit, edits of English text, of translations, of `state` only (not text), collection
descriptions, and renames of an article with all its translations.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from contentsync import status_render
from contentsync.githistory import read_history
from contentsync.status import compute_status, read_tree, text_fields, wanted

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
        self.collections = [f"bench/topic-{c:03d}/_collection.yaml" for c in range(collections)]
        self.out: list[bytes] = []
        self.mark = 0
        self.clock = 1_700_000_000
        self.files["bench/_help_center.yaml"] = (
            f"default_locale: en\nlocales: [en, {', '.join(LOCALES)}]\n".encode()
        )
        for c, path in enumerate(self.collections):
            self.files[path] = self.collection(c, 0)
            for a in range(per_collection):
                article = f"bench/topic-{c:03d}/article-{a:02d}.md"
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


def build(folder: Path, articles: int, commits: int) -> Path:
    """A repository with `articles` articles (20 per collection) and `commits` commits."""
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
    git = ["git", "-C", str(folder)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    subprocess.run([*git, "fast-import", "--quiet"], input=b"".join(repo.out), check=True)
    subprocess.run([*git, "reset", "-q", "--hard", "main"], check=True)
    return folder / "bench"


def measure(content: Path) -> tuple[float, float, int, int]:
    """Wall and CPU seconds (this process and its git processes) for what `contentsync status`
    does, and the stale and up-to-date counts it found."""
    cpu = _cpu()
    started = time.perf_counter()
    history = read_history(content.parent, wanted=wanted, fields_of=text_fields)
    report = compute_status(read_tree(history.files), history, root="content")
    status_render.render_text(report)
    elapsed = time.perf_counter() - started
    stale = sum(row.all.stale for hc in report.help_centers for row in hc.rows)
    up = sum(row.all.up_to_date for hc in report.help_centers for row in hc.rows)
    return elapsed, _cpu() - cpu, stale, up


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def edit_working_tree(content: Path, articles: int) -> None:
    """Uncommitted edits, so the comparison with the working tree has work to do: the English
    text of some articles and one translation of others."""
    for path in sorted(content.rglob("article-0[0-4].md"))[:articles]:
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    for path in sorted(content.rglob("article-1[0-4].fr.md"))[:articles]:
        path.write_text(path.read_text(encoding="utf-8") + "\nModifié.\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="contentsync-status-") as work:
        started = time.perf_counter()
        content = build(Path(work) / "repo", args.articles, args.commits)
        built = time.perf_counter() - started
        repo = content.parent
        count = subprocess.run(
            ["git", "-C", str(repo), "rev-list", "--count", "--merges", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        log = _best(
            lambda: subprocess.run(
                [
                    "git",
                    "-C",
                    str(repo),
                    "log",
                    "--raw",
                    "-M",
                    "--no-abbrev",
                    "-z",
                    "--diff-merges=first-parent",
                    "HEAD",
                ],
                capture_output=True,
                check=True,
            ),
            args.repeat,
        )
        edit_working_tree(content, 20)
        runs = [measure(content) for _ in range(args.repeat)]
        seconds = [r[0] for r in runs]
        cpu = statistics.median(r[1] for r in runs)
        files = sum(1 for _ in content.rglob("*.md"))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    median = statistics.median(seconds)
    print(
        f"Repository: {files} article files ({args.articles} articles x {len(LOCALES) + 1} "
        f"locales), {args.commits} commits ({count} merges); generated in {built:.1f} s\n"
    )
    print("| measure | measured | target |")
    print("|---|---|---|")
    print(f"| git log --raw over the whole history (reference) | {log:.2f} s | |")
    print(
        f"| status: read history + working tree, compare, render (median of {args.repeat}) "
        f"| {median:.2f} s (runs {min(seconds):.2f}-{max(seconds):.2f} s); CPU {cpu:.2f} s "
        f"with git's; peak RSS {peak} MB | a few seconds |"
    )
    load = os.getloadavg()[0]
    print(
        f"| found (20 + 20 files edited, uncommitted) | {runs[0][2]} stale, {runs[0][3]} up to "
        f"date | load average {load:.2f} on {os.cpu_count()} CPUs |"
    )
    sys.stdout.flush()


def _best(run: object, repeat: int) -> float:
    assert callable(run)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


if __name__ == "__main__":
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    main()
