"""`python -m benchmarks.markdown`: article bodies against cmark-gfm alone (SPEC section 9).

2,000 generated bodies of about 4 KB (headings, paragraphs with emphasis and links, lists,
tables, images), each step timed over all of them, median of 5, in one process. The baseline
is `cmarkgfm.github_flavored_markdown_to_html` over the same bodies; SPEC section 9 wants
validate within 3x of it and plan's local work (render, compare both sides) within 4x.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from collections.abc import Callable

import cmarkgfm

from benchmarks.memory import peak_rss_mb
from contentsync import html_subset
from contentsync.canonical import canonical
from contentsync.html_to_markdown import to_markdown
from contentsync.markdown import SAFE, cmark, render
from contentsync.sandbox.intercom_html import served, store

WORDS = [
    "refund",
    "payment",
    "card",
    "account",
    "invoice",
    "team",
    "billing",
    "export",
    "report",
    "setting",
    "profile",
    "workspace",
    "admin",
    "customer",
    "message",
    "inbox",
    "article",
    "help",
    "center",
    "plan",
]


def _sentence(rng: random.Random, words: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def body(i: int, *, callout: bool = False) -> str:
    """About 4 KB of what writers write; with `callout`, one raw-HTML callout as well."""
    rng = random.Random(i)
    parts = []
    for s in range(3):
        parts.append(f"## Section {s} of article {i}")
        parts.append(
            f"{_sentence(rng)} **{_sentence(rng, 2)}** and *{_sentence(rng, 2)}* with `code` "
            f"and a [link](../article-{rng.randint(0, 99)}.md).\n{_sentence(rng)}."
        )
        parts.append(
            "\n".join(
                f"- {_sentence(rng, 8)} [see](https://example.com/{rng.randint(0, 9)})"
                for _ in range(5)
            )
        )
        parts.append(
            f"1. {_sentence(rng, 6)}\n2. {_sentence(rng, 6)}\n   - nested {_sentence(rng, 4)}"
        )
        parts.append(f"![Screenshot {s}](https://assets.example.com/img/shot-{i}-{s}.png)")
        rows = "\n".join(
            f"| {_sentence(rng, 2)} | {rng.randint(1, 99)} | {_sentence(rng, 4)} |"
            for _ in range(4)
        )
        parts.append(f"| Plan | Price | Notes |\n| --- | ---: | :---: |\n{rows}")
        parts.append(f"### Details\n\n{_sentence(rng, 30)}")
    if callout:
        parts.append(
            f'<div class="intercom-interblocks-callout">\n\n**Note:** {_sentence(rng)}\n\n</div>'
        )
    return "\n\n".join(parts) + "\n"


def _median(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds: on a shared machine the CPU time is the steadier one."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.markdown", description=__doc__)
    parser.add_argument("--bodies", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    bodies = [body(i) for i in range(args.bodies)]
    raw_bodies = [body(i, callout=True) for i in range(args.bodies)]
    size = sum(map(len, bodies)) / len(bodies)
    ours = [render(b).html for b in bodies]
    theirs = [served(store(h), 1.0) for h in ours]
    try:
        load = f"{os.getloadavg()[0]:.2f}"
    except OSError:
        load = "unknown"
    print(
        f"article bodies: {args.bodies} x {size / 1024:.1f} KB, median of {args.repeat}; "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load}"
    )
    base = _median(
        lambda: [cmarkgfm.github_flavored_markdown_to_html(b) for b in bodies], args.repeat
    )
    steps: list[tuple[str, Callable[[], object]]] = [
        (
            "cmark-gfm as render calls it (tables, source positions, freed)",
            lambda: [cmark(b.encode(), SAFE) for b in bodies],
        ),
        (
            "render (HTML, problems, warnings, links and images with lines)",
            lambda: [render(b) for b in bodies],
        ),
        (
            "render + check_html of the output (the full tag scan)",
            lambda: [html_subset.check_html(render(b).html) for b in bodies],
        ),
        (
            "render, bodies with raw HTML (a callout: the full scan path)",
            lambda: [render(b) for b in raw_bodies],
        ),
        ("canonical, our rendering", lambda: [canonical(h) for h in ours]),
        ("canonical, as the sandbox serves it back", lambda: [canonical(h) for h in theirs]),
        (
            "render + canonical of both sides (plan's body work)",
            lambda: [
                canonical(render(b).html) == canonical(h)
                for b, h in zip(bodies, theirs, strict=True)
            ],
        ),
        ("to_markdown of the served HTML (export)", lambda: [to_markdown(h) for h in theirs]),
    ]
    print()
    print("| step | wall s | vs cmark-gfm | CPU s | vs cmark-gfm |")
    print("|---|---|---|---|---|")
    print(
        f"| cmarkgfm.github_flavored_markdown_to_html alone | {base[0]:.3f} | baseline "
        f"| {base[1]:.3f} | baseline |"
    )
    for name, work in steps:
        wall, cpu = _median(work, args.repeat)
        print(
            f"| {name} | {wall:.3f} | {wall / base[0]:.2f}x | {cpu:.3f} | {cpu / base[1]:.2f}x |",
            flush=True,
        )
    peak = peak_rss_mb()
    print(f"\npeak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
