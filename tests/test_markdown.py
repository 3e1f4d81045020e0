"""Markdown -> Intercom HTML: problems and warnings at the right line, nothing dropped silently."""

from __future__ import annotations

import re
import resource
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contentsync import html_subset
from contentsync.canonical import canonical
from contentsync.markdown import (
    MAX_CHARS,
    SAFE,
    cmark,
    render,
    replace_urls,
    scan_cmark_output,
)
from contentsync.sandbox.intercom_html import served, store

CORPUS = Path(__file__).parent / "markdown_corpus"
CASES = sorted(p.stem for p in CORPUS.glob("*.md"))


def test_the_corpus_has_at_least_30_hostile_inputs() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", CASES)
def test_hostile_markdown_is_a_problem_at_its_line(name: str) -> None:
    markdown = (CORPUS / f"{name}.md").read_text(encoding="utf-8")
    expected = (CORPUS / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    problems = render(markdown).problems
    assert problems, f"{name}: no problem reported"
    for entry in expected:
        line, fragment = entry.split(": ", 1)
        assert any(p.line == int(line) and fragment in p.message for p in problems), (
            f"{name}: expected line {line} '{fragment}', got {problems}"
        )
    assert {p.line for p in problems} == {int(e.split(":")[0]) for e in expected}


@pytest.mark.parametrize("name", CASES)
def test_the_sandbox_refuses_what_validate_refuses(name: str) -> None:
    from contentsync.sandbox.intercom_html import Refused

    html = render((CORPUS / f"{name}.md").read_text(encoding="utf-8")).html
    if name in ("nul_byte", "right_to_left_override", "left_to_right_isolate"):
        return  # text problems: the HTML itself is in the subset
    with pytest.raises(Refused):
        store(html)


def test_rendering_frees_what_cmark_allocates() -> None:
    markdown = "# T\n\n" + "| a | b |\n| - | - |\n| 1 | 2 |\n\n- x [y](z)\n\n" * 40
    render(markdown)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(3_000):
        render(markdown)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 20_000  # cmarkgfm's own wrapper leaks about 300 MB here


def test_first_line_makes_lines_absolute() -> None:
    rendered = render("ok\n\nsee <span>x</span>\n", first_line=7)
    assert [(p.line, p.column) for p in rendered.problems] == [(9, 5)]


def test_ten_megabytes_is_one_problem_at_the_first_line() -> None:
    rendered = render("word " * (MAX_CHARS // 2), first_line=4)
    assert [p.line for p in rendered.problems] == [4]
    assert "split it" in rendered.problems[0].message


@pytest.mark.parametrize(
    "markdown",
    ["- " * 10_000 + "x\n", "> " * 10_000 + "x\n", "1. " * 10_000 + "x\n"],
    ids=["lists", "blockquotes", "ordered"],
)
def test_ten_thousand_deep_nesting_is_reported_once(markdown: str) -> None:
    problems = render(markdown).problems
    deep = [p for p in problems if "nest more than" in p.message]
    assert len(deep) == 1 and deep[0].line == 1
    assert len(problems) <= html_subset.MAX_NESTING + 1


def test_deep_lines_of_nested_lists_name_the_first_too_deep_line() -> None:
    markdown = "".join("  " * i + "- x\n" for i in range(20))
    deep = [p for p in render(markdown).problems if "nest more than" in p.message]
    assert [p.line for p in deep] == [html_subset.MAX_NESTING + 1]


@pytest.mark.parametrize(
    "markdown",
    [
        "*a " * 30_000,
        "**" * 50_000,
        "_a " * 30_000,
        "[" * 50_000 + "]" * 50_000,
        "[a](" * 30_000,
        "![a](" * 30_000,
        "<" * 50_000,
        "`" * 50_000,
        "*a **b " * 20_000,
        "| a " * 5_000 + "|\n" + "| - " * 5_000 + "|\n",
    ],
    ids=[
        "stars",
        "double",
        "underscores",
        "brackets",
        "links",
        "images",
        "angles",
        "ticks",
        "mixed",
        "wide-table",
    ],
)
def test_pathological_inputs_finish(markdown: str) -> None:
    rendered = render(markdown)
    assert rendered.html


def test_rendering_keeps_relative_urls_and_lists_them_with_lines() -> None:
    rendered = render(
        "# Refunds\n\nSee [payment](../payment.md) and\n[terms](https://example.com/t).\n\n"
        "![The button](img/refund-button.png)\n",
        first_line=6,
    )
    assert rendered.problems == []
    assert rendered.links == ["../payment.md", "https://example.com/t"]
    assert [rendered.link_line(0), rendered.link_line(1)] == [8, 9]
    assert rendered.images == [("img/refund-button.png", "The button")]
    assert rendered.image_line(0) == 11
    assert '<a href="../payment.md">' in rendered.html
    assert 'src="img/refund-button.png"' in rendered.html


def test_raw_html_links_and_images_are_listed_too() -> None:
    rendered = render(
        'Intro\n\n<div class="intercom-container"><img src="img/a.png" alt="A"></div>\n\n'
        '<p><a href="../b.md">b</a></p>\n'
    )
    assert rendered.problems == []
    assert rendered.images == [("img/a.png", "A")]
    assert rendered.image_line(0) == 3
    assert rendered.links == ["../b.md"]
    assert rendered.link_line(0) == 5


def test_what_intercom_may_flatten_is_a_warning_not_a_problem() -> None:
    rendered = render(
        "### Deep\n\n```python\nx = 1\n```\n\n| a | b |\n| :-: | - |\n| 1 | 2 |\n\n<!-- note -->\n"
    )
    assert rendered.problems == []
    lines = {(w.line, w.message.split(" ")[2]) for w in rendered.warnings}
    assert (1, "show") in lines  # level-3 heading
    assert (3, "a") in lines  # code language
    assert {w.line for w in rendered.warnings} == {1, 3, 7, 11}
    assert sum("alignment" in w.message for w in rendered.warnings) == 1


def test_no_newlines_between_blocks() -> None:
    html = render("# T\n\npara\n\n- a\n- b\n\n| a |\n| - |\n| 1 |\n").html
    assert "\n" not in html


def test_soft_breaks_stay_inside_a_paragraph() -> None:
    assert render("one\ntwo\n").html == "<p>one\ntwo</p>"


def test_replace_urls_swaps_only_exact_keys() -> None:
    html = render("[a](../x.md) [b](../x.md#top) ![c](img/a.png) [d](q?a=1&b=2)\n").html
    out = replace_urls(
        html,
        {
            "../x.md": "https://help.example.com/en/articles/12-x",
            "img/a.png": "https://assets.example.com/img/a.png",
            "q?a=1&b=2": "https://example.com/?a=1&b=2",
        },
    )
    assert 'href="https://help.example.com/en/articles/12-x">a' in out
    assert 'href="../x.md#top"' in out
    assert 'src="https://assets.example.com/img/a.png"' in out
    assert 'href="https://example.com/?a=1&amp;b=2"' in out


# Generated Markdown: what writers write (headings, paragraphs, emphasis, links, images, lists,
# tables, code), valid by construction.
# Words start with a letter: "- 0." is a list item holding an empty ordered list (validate says so).
WORD = st.builds(
    str.__add__,
    st.sampled_from("abcxyzABCéß"),
    st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789éß"), max_size=7),
)
PUNCT = st.sampled_from(["", "", ",", ".", "!", "?", ":", "'s"])
URL = st.sampled_from(
    [
        "https://example.com/a",
        "https://help.example.com/en/articles/123-refunds",
        "../other.md",
        "https://example.com/q?a=1&b=2",
        "mailto:help@example.com",
    ]
)
IMAGE = st.sampled_from(
    ["https://cdn.example.com/img/shot.png", "https://example.com/a%20b.gif", "https://x.io/i.jpg"]
)


@st.composite
def inline(draw: st.DrawFn, *, links: bool = True) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        words = " ".join(draw(st.lists(WORD, min_size=1, max_size=4))) + draw(PUNCT)
        kind = draw(st.sampled_from(["text", "text", "bold", "italic", "code", "link", "image"]))
        if kind == "bold":
            words = f"**{words.rstrip(',.!?:')}**"
        elif kind == "italic":
            words = f"*{words.rstrip(',.!?:')}*"
        elif kind == "code":
            words = f"`{words}`"
        elif kind == "link" and links:
            words = f"[{words}]({draw(URL)})"
        elif kind == "image" and links:
            words = f"![{words}]({draw(IMAGE)})"
        parts.append(words)
    return " ".join(parts)


@st.composite
def markdown_block(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(
            ["heading", "para", "para", "list", "ordered", "table", "code", "hr", "image"]
        )
    )
    if kind == "heading":
        return "#" * draw(st.integers(1, 6)) + " " + draw(inline(links=False))
    if kind == "para":
        return "\n".join(draw(st.lists(inline(), min_size=1, max_size=3)))
    if kind in ("list", "ordered"):
        # an item whose whole text is a list marker ("0.") would be an empty nested item,
        # which validate refuses as Intercom does
        text = inline().filter(lambda t: not re.fullmatch(r"\d{1,9}[.)]|[-+*]", t))
        items = []
        for i in range(draw(st.integers(1, 4))):
            marker = "-" if kind == "list" else f"{i + 1}."
            item = f"{marker} {draw(text)}"
            if draw(st.booleans()):
                item += f"\n{' ' * (len(marker) + 1)}- {draw(text)}"
            items.append(item)
        return "\n".join(items)
    if kind == "table":
        width = draw(st.integers(1, 3))
        rows = [
            "| " + " | ".join(draw(inline()) for _ in range(width)) + " |"
            for _ in range(draw(st.integers(1, 3)))
        ]
        delimiter = "|" + "".join(
            draw(st.sampled_from([" - |", " :- |", " -: |"])) for _ in range(width)
        )
        return "\n".join([rows[0], delimiter, *rows[1:]])
    if kind == "code":
        lines = draw(
            st.lists(st.text(st.sampled_from("ab <>&*_`#\t"), max_size=10), min_size=1, max_size=3)
        )
        return "```\n" + "\n".join(lines) + "\n```"
    if kind == "hr":
        return "***"
    return f"![{draw(WORD)}]({draw(IMAGE)})"


MARKDOWN = st.lists(markdown_block(), min_size=1, max_size=6).map("\n\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MARKDOWN, st.floats(0, 2e9))
def test_canonical_survives_what_intercom_does_to_our_html(markdown: str, now: float) -> None:
    rendered = render(markdown)
    assert rendered.problems == []
    stored = store(rendered.html)
    assert canonical(rendered.html) == canonical(served(stored, now))
    # A read sends the signed CDN URLs back: nothing changes either.
    assert canonical(served(store(served(stored, now)), now + 1)) == canonical(rendered.html)


@settings(max_examples=300, deadline=None)
@given(MARKDOWN)
def test_the_fast_path_agrees_with_the_full_scan(markdown: str) -> None:
    marked = cmark(markdown.encode(), SAFE)
    assert "raw HTML omitted" not in marked
    plain = re.sub(r' data-sourcepos="[^"]*"', "", marked)
    fast, full = scan_cmark_output(marked), html_subset.scan(plain)
    assert sorted(p.message for p in fast.problems) == sorted(p.message for p in full.problems)
    assert fast.links == [url for url, _, _ in full.links]
    assert fast.images == [i[:2] for i in full.images]


@pytest.mark.parametrize(
    "markdown",
    ["- a\n-\n", "> q\n", "- x\n\n  | a |\n  | - |\n  | 1 |\n", "[a](data:image/png;base64,AA)\n"],
)
def test_the_fast_path_agrees_on_problems(markdown: str) -> None:
    marked = cmark(markdown.encode(), SAFE)
    plain = re.sub(r' data-sourcepos="[^"]*"', "", marked)
    fast, full = scan_cmark_output(marked), html_subset.scan(plain)
    assert fast.problems
    assert sorted(p.message for p in fast.problems) == sorted(p.message for p in full.problems)
