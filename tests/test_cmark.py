"""contentsync.cmark renders exactly what cmarkgfm renders, and gives the memory back."""

from __future__ import annotations

import os
from pathlib import Path

import cmarkgfm
import pytest

from contentsync import cmark
from contentsync.markdown import EXTENSIONS, SAFE, UNSAFE

CORPUS = sorted((Path(__file__).parent / "markdown_corpus").glob("*.md"))
ARTICLE = (
    "## Steps\n\n"
    + "".join(f"{k}. Open **Settings** and [read this](../a{k}.md).\n" for k in range(40))
    + "\n| a | b |\n|---|---|\n"
    + "".join(f"| {k} | ![x](https://e.example/{k}.png) |\n" for k in range(40))
)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
@pytest.mark.parametrize("options", [SAFE, UNSAFE], ids=["safe", "unsafe"])
def test_the_same_html_as_cmarkgfm(path: Path, options: int) -> None:
    text = path.read_text(encoding="utf-8")
    expected = cmarkgfm.markdown_to_html_with_extensions(
        text, options=options, extensions=EXTENSIONS
    )
    assert cmark.to_html(text, options, EXTENSIONS) == expected


def test_an_unknown_extension_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown cmark-gfm extension 'nope'"):
        cmark.to_html("x", SAFE, ["nope"])


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux's /proc")
def test_rendering_thousands_of_articles_gives_the_memory_back() -> None:
    for _ in range(50):  # let the allocator reach its working size
        cmark.to_html(ARTICLE, SAFE, EXTENSIONS)
    before = _resident_bytes()
    for _ in range(2_000):
        cmark.to_html(ARTICLE, SAFE, EXTENSIONS)
    # cmarkgfm's own wrapper keeps about 40 times the Markdown's size per call: 300 MB here.
    assert _resident_bytes() - before < 10_000_000
