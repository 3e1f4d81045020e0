"""canonical_fast.project(): walk()'s string or None, never another string; and a string (the
fast path taken) for what we render from ordinary Markdown and what Intercom stores of it.

Any string project() returns that differs from walk() would hide or invent a diff in a plan, so
every check here compares with walk() over the same HTML: the corpus, the benchmark bodies, and
HTML generated from a grammar of the subset project() reads, then broken in the ways HTML5's tree
construction would rebuild (misnested and missing end tags, blocks in paragraphs, links in links,
text in tables, entities without `;`, comments, control characters, EOF inside a tag, ...).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from benchmarks.articles import LOCALES, article_body
from contentsync import canonical, canonical_fast
from contentsync.canonical import walk
from contentsync.markdown import render
from contentsync.sandbox.intercom_html import Refused, served, store
from tests.test_canonical import DIFFERENT, SAME
from tests.test_markdown import MARKDOWN

CORPUS = Path(__file__).parent / "markdown_corpus"


def fast(html: str) -> str | None:
    return canonical_fast.project(html, canonical.target, canonical.image_name)


def assert_agrees(html: str) -> str | None:
    """project(html) is None or walk(html); returns it."""
    got = fast(html)
    if got is not None:
        assert got == walk(html), f"project() differs from walk() on {html!r}"
    return got


def stored_and_served(html: str) -> list[str]:
    """The sandbox's rewrite of `html` as Intercom stores it and as a read returns it, or none
    (the sandbox refuses what Intercom refuses)."""
    try:
        stored = store(html)
    except Refused:
        return []
    return [stored, served(stored, 1_700_000_000.0)]


def _examples(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- What we render and what Intercom returns ---------------------------------------------------

SAMPLES = sorted({html for pair in SAME + DIFFERENT for html in pair})
CORPUS_NAMES = sorted(p.stem for p in CORPUS.glob("*.md"))
BENCHMARK_BODIES = [(i, j, locale) for i in range(2) for j in range(3) for locale in LOCALES]

ORDINARY = [
    "# Refunds\n\nRefunds take **5 days**, _sometimes_ ***more***. See "
    "[payments](https://acme.intercom.help/en/articles/9-pay#fees) and [terms](../terms.md).\n",
    "## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six\n\ntext\n",
    "- one\n- two *it* and `code`\n  - nested **b**\n    - deeper\n- three\n",
    "1. first\n2. second\n   1. inner\n   2. inner [l](https://x.io/a%20b)\n3. third\n",
    "| a | b | c |\n| :- | :-: | -: |\n| 1 | **2** | [3](https://x.io/3) |\n| `x` | y | z |\n",
    "```python\nx = 1\n\nif x < 2 and y > 3:\n    print('&')\n```\n\n```\nplain\n```\n",
    "![The button](https://assets.acme.com/img/refund-button.png)\n\n"
    "Text ![inline](https://a.io/i.png?size=2&v=3) text.\n",
    "Escapes: \\*not bold\\*, a\\_b, 1 < 2 & 3 > 2, \"quoted\" 'single', [brackets], !bang\n"
    "second line  \nhard break\\\nagain\n",
    "Non-ASCII: café, 日本語, emoji 😀, nbsp\u00a0here.\n\n***\n\nAfter the rule.\n",
    "設定：**保存**を押す、*確認*。Emoji 😀 **bold** and *it*, then **a**, **b**.\n",
    '<div class="intercom-interblocks-callout">\n\nA **callout** with [a link](https://x.io).\n\n'
    "</div>\n\n"
    '<p class="intercom-align-center">Centred</p>\n',
    "Call [Support](https://acme.intercom.help/en/articles/12-support) or mail "
    "<mailto:help@acme.com>, see https://example.com/auto.\n",
]


def test_the_ordinary_markdown_renders_without_problems() -> None:
    for markdown in ORDINARY:
        assert render(markdown).problems == [], markdown


@pytest.mark.parametrize("html", SAMPLES)
def test_the_comparison_samples_agree(html: str) -> None:
    assert_agrees(html)


@pytest.mark.parametrize("html", [h for h in SAMPLES if "<!--" not in h])
def test_the_comparison_samples_take_the_fast_path(html: str) -> None:
    assert fast(html) is not None


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_the_hostile_corpus_agrees_rendered_stored_and_served(name: str) -> None:
    html = render((CORPUS / f"{name}.md").read_text(encoding="utf-8")).html
    for each in [html, *stored_and_served(html)]:
        assert_agrees(each)


@pytest.mark.parametrize("markdown", ORDINARY)
def test_ordinary_markdown_takes_the_fast_path_rendered_stored_and_served(markdown: str) -> None:
    html = render(markdown).html
    versions = [html, *stored_and_served(html)]
    assert len(versions) == 3
    for each in versions:
        assert assert_agrees(each) is not None, each


def test_the_benchmark_bodies_take_the_fast_path_rendered_stored_and_served() -> None:
    for i, j, locale in BENCHMARK_BODIES:
        html = render(article_body(i, j, locale)).html
        versions = [html, *stored_and_served(html)]
        assert len(versions) == 3
        for each in versions:
            assert assert_agrees(each) is not None, (i, j, locale)


@_examples(200)
@given(MARKDOWN)
def test_generated_markdown_takes_the_fast_path_rendered_stored_and_served(
    markdown: str,
) -> None:
    rendered = render(markdown)
    assert rendered.problems == []
    for each in [rendered.html, *stored_and_served(rendered.html)]:
        assert assert_agrees(each) is not None, each


# --- Explicit cases -----------------------------------------------------------------------------

# One for each reason project() gives up: HTML5 would build a tree other than the nesting as
# written, or the input is outside what project() reads.
REFUSED = {
    "unknown element": "<section>x</section>",
    "unknown element in a paragraph": "<p>a<font>b</font></p>",
    "script": "<p>x</p><script>a<b</script>",
    "image, which HTML5 reads as img": '<image src="https://a.io/a.png">',
    "end tag not the innermost": "<p><b>x</p>",
    "misnested marks": "<b><i>x</b></i>",
    "heading closed by another level": "<h2>x</h3>y",
    "stray </p>": "x</p>",
    "stray </li>": "<ul><li>x</li></li></ul>",
    "</br>": "<p>a</br>b</p>",
    "end tag of a void element": "<p>a<img src=x></img></p>",
    "paragraph in a paragraph": "<p>a<p>b</p></p>",
    "div in a paragraph": "<p>a<div>b</div></p>",
    "list in a heading": "<h2>a<ul><li>b</li></ul></h2>",
    "table in a paragraph": "<p><table><tr><td>1</td></tr></table></p>",
    "hr in a paragraph": "<p>a<hr>b</p>",
    "heading in a heading": "<h1>a<h2>b</h2></h1>",
    "block in a mark in a paragraph": "<p><b>a<div>b</div></b></p>",
    "link in a link": '<a href="#1">a<a href="#2">b</a></a>',
    "link in a mark in a link": '<a href="#1"><b>a<a href="#2">b</a></b></a>',
    "list item in a list item": "<ul><li>a<li>b</li></li></ul>",
    "text in a table": "<table>x<tr><td>1</td></tr></table>",
    "nbsp in a table": "<table>\u00a0<tr><td>1</td></tr></table>",
    "paragraph in a table": "<table><p>x</p><tr><td>1</td></tr></table>",
    "text in a row": "<table><tr>x<td>1</td></tr></table>",
    "cell outside a row": "<table><td>1</td></table>",
    "cell outside a table": "<td>1</td>",
    "row outside a table": "<tr><td>1</td></tr>",
    "cell in a cell": "<table><tr><td>a<td>b</td></td></tr></table>",
    "row in a row": "<table><tr><tr><td>1</td></tr></tr></table>",
    "table in a table": "<table><table><tr><td>1</td></tr></table></table>",
    "section in a section": "<table><tbody><thead><tr><td>1</td></tr></thead></tbody></table>",
    "element in inline code": "<p><code>a<b>b</b></code></p>",
    "named entity outside the five and nbsp": "<p>&copy;</p>",
    "unknown named entity": "<p>&notit;</p>",
    "entity without ;": "<p>a &amp b</p>",
    "numeric entity without ;": "<p>&#65</p>",
    "uppercase named entity": "<p>&AMP;</p>",
    "NUL entity": "<p>&#0;</p>",
    "C0 control entity": "<p>&#1;</p>",
    "C1 control entity": "<p>&#128;</p>",
    "surrogate entity": "<p>&#xD800;</p>",
    "entity beyond Unicode": "<p>&#x110000;</p>",
    "entity without ; in an attribute": '<p><a href="?a=1&amp;b=2&copy=3">x</a></p>',
    "comment": "<p>x<!-- note --></p>",
    "doctype": "<!DOCTYPE html><p>x</p>",
    "bogus comment": "<p>x</p><!x>",
    "processing instruction": "<?xml version='1.0'?><p>x</p>",
    "CDATA": "<p><![CDATA[x]]></p>",
    "CR": "<p>a\rb</p>",
    "NUL": "<p>a\x00b</p>",
    "C0 control": "<p>a\x01b</p>",
    "DEL": "<p>a\x7fb</p>",
    "C1 control": "<p>a\x85b</p>",
    "CR in an attribute": '<p><a href="https://x.io/\r">x</a></p>',
}

# Inputs that are easy to get wrong: project() may read or refuse them, but a string must be
# walk()'s.
TRICKY = [
    "a & b",
    "a &b c",
    "a <3 b",
    "a < b",
    "<p>&</p>",
    "<p>&#;</p>",
    "<p>&#x;</p>",
    "<p>&amp;amp;</p>",
    "<p>&#38;lt;</p>",
    "<p>&#x26;#65;</p>",
    "<p>&#0000065;&#x000041;&#X41;</p>",
    "<p>&#9;a&#10;b&#12;c&#13;d&#32;</p>",
    "<p>&#xFFFE;&#xFDD0;&#x10FFFF;&#xFFFD;</p>",
    "<p>&#x1F600;&#160;x&nbsp;y&#xa0;</p>",
    "<P>x</P>",
    "<P CLASS='intercom-align-right'>x</p>",
    "<STRONG>b</strong> <Em>i</eM>",
    '<A HREF="https://x.io/A">x</A>',
    "<p/>x",
    "<div/>x</div>",
    "<b/>x",
    "<a/>x",
    "<iframe/>x",
    '<iframe src="https://www.youtube.com/embed/a"/><p>raw</p>',
    '<iframe src="v"><p>raw &amp; <b>not</b> parsed</p></iframe>after',
    '<iframe src="v"></iframex>still raw</iframe >after',
    '<iframe src="v"></IFRAME>after',
    '<iframe src="v">',
    "<pre>\nx</pre>",
    "<pre>\n\nx</pre>",
    "<pre>&#10;x</pre>",
    "<pre>&#x0a;\nx</pre>",
    "<pre><code>\nx</code></pre>",
    "<pre>\n</pre>",
    "<pre></pre>",
    "<pre>a\n\n</pre>",
    "<pre><span><code>a  b</code></span></pre>",
    "<pre><b><code>a  b</code></b></pre>",
    "<pre><a href='x'><code>a  b</code></a></pre>",
    "<pre><code><code>a  b</code></code></pre>",
    "<pre><div>a  b</div> c</pre>",
    "<pre>a<br>b  <b>c  d</b></pre>",
    "<pre><b> a  b </b> <i> </i><b></b></pre>",
    '<pre><a href="x"> y  z </a><a href="%41"></a></pre>',
    '<pre><code>a<b>*</b><i><b>c</b></i><img src="i.png" alt="A"></code></pre>',
    "<p>a<code>  </code>b<code>\t</code></p>",
    '<p><a href="x">  </a><a href="y"></a>z</p>',
    '<p><a href="x"><img src="a.png" alt="A"></a></p>',
    '<p> <img src="a.png" alt="A"> <br> </p>',
    "<p><b><i>x</i></b> <b>a<b>b</b>c</b> <i><b><i>x</i></b></i></p>",
    "<p><b>a<strong>b</strong></b><em>c<i>d</i></em></p>",
    "<ul><li><p>a</p></li><li>  <p>b</p>  </li><li><p>c</p>d</li></ul>",
    "<table><tr><td><p>a</p><p>b</p></td><td>c</td></tr></table>",
    "<table><tr><td><ul><li>a</li></ul></td></tr></table>",
    "<details><summary>s</summary></details><blockquote><p>q</p></blockquote>",
    "<ul><li>a<div><li>b</li></div></li></ul>",
    "<ul><li>a<span><li>b</li></span></li></ul>",
    "<ul><li>a<b><li>b</li></b></li></ul>",
    '<ul><li>a<a href="x"><li>b</li></a></li></ul>',
    '<ul><li>a<div class="intercom-interblocks-callout"><li>b</li></div></li></ul>',
    '<ul><li>a<div class="intercom-container"><li>b</li></div></li></ul>',
    "<ul><li>a<blockquote><li>b</li></blockquote></li></ul>",
    "<ul><li>a<details><li>b</li></details></li></ul>",
    "<ul><li>a<table><tr><td><li>b</li></td></tr></table></li></ul>",
    "<ul><li>a<ul><li>b</li></ul></li></ul>",
    "<li>a</li><li>b</li>",
    "<ul>x<li>a</li>y</ul>",
    "<ol> <li>a</li>\n<li>b</li> </ol>",
    "<ul><li>a</ul>b",
    "<ol><li>a<li>b</ol>",
    "<b><p>x</p></b>",
    '<a href="x"><div>y</div><p>z</p></a>',
    "<span><h2>h</h2></span>",
    "<p>a<iframe src=v></iframe>b</p>",
    "<h2>a<img src='i.png'>b<br>c</h2>",
    "<p>a<a href='x'>b</a>c",
    "<p>a<b>b",
    "<table><tr><td>1",
    "<ul><li>a",
    "<details><summary>s",
    '<p><a href="x"',
    "<p>x<a href='y' ",
    "<p>x</p><",
    "<p>x</p></",
    "<p>x</p></p",
    "<p>x&amp",
    "<p>x&#6",
    "<table> \t\n<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>",
    "<table>\u3000<tr><td>1</td></tr></table>",
    "<table>\x0c<tr><td>1</td></tr></table>",
    "<table>&#32;<tr>&#9;<td>1</td>&#x0C;</tr>&#10;</table>",
    "<table><tr><td>1</td></tr></table>x",
    "<table><thead><tr><th>a</th></tr></thead><tfoot><tr><td>f</td></tr></tfoot></table>",
    "<table><tr><td><table><tr><td>in</td></tr></table></td></tr></table>",
    "<table><tr><td>a</td></tr><tr><td>b</td><td>c</td></tr></table>",
    "<table><tr><td><p>a</p></td><th>b<br>c</th></tr></table>",
    "<table></table>",
    "<table><tr></tr></table>",
    "<table><tbody></tbody></table>",
    '<a href="https://x.io/1" href="https://x.io/2">d</a>',
    '<a href="https://x.io/1"href="https://x.io/2">d</a>',
    '<a HREF="https://x.io/1" href="https://x.io/2">d</a>',
    "<pé>x</pé>",
    '<p class="intercom-align-&#99;enter">x</p>',
    '<div class="intercom-interblocks-&#99;allout">x</div>',
    '<a href="https://x.intercom.help/en/&#97;rticles/12">x</a><a href="https://x.io/&#x25;41">y</a>',
    "<p>&#xE000;a&#xE000;<b>&#xE001;</b></p>",
    "<ul><li>a</li>b<li>c</li></ul>",
    "<pre><code>a\n</code>\n</pre>",
    "<p>😀<b>a</b><b>b</b></p>",
    '<p>\ufeff<a href="x"><b>x</b></a></p>',
    '<p id="&amp;">',
    "<p>a<br title=&lt;>b</p>",
    '<hr id=&amp;><ul data-x="&#121;"><li title="&nbsp;">x</li></ul>',
    '<p class="intercom-align-center"class="x">c</p>',
    '<p class="x" class="intercom-align-center">c</p>',
    '<a href = "https://x.io/sp">s</a>',
    '<a/href="https://x.io/sl">s</a>',
    "<a href=https://x.io/u/>u</a>",
    "<img src=https://a.io/u.png/>",
    "<img src=https://a.io/u.png alt=A/>",
    '<img src="a.png" alt="a  b\n\tc">',
    "<img alt='x' src>",
    "<img src=''>",
    "<img>",
    "<a>x</a>",
    "<a href>x</a>",
    '<p class=a"b>x</p>',
    "<p class='x>y</p>",
    "<p =x>y</p>",
    '<p "x">y</p>',
    "<p a<b>y</p>",
    "<p\x0cclass=intercom-align-center>y</p>",
    "<p\n\tclass='intercom-align-center'\n>y</p\n>",
    '<p>x</p foo="1">',
    "<p>x</p/>",
    "</ p>x",
    "</>x",
    "x<>y",
    "<3",
    '<div class="xintercom-interblocks-calloutx">x</div>',
    '<div class="intercom-interblocks-callout"><div class="intercom-container">x</div></div>',
    '<p class="nointercom-align-center">x</p>',
    '<p class="x-intercom-align-center">x</p>',
    '<p class="intercom-align-centered">x</p>',
    '<p class="INTERCOM-ALIGN-CENTER">x</p>',
    '<a class="intercom-h2b-buttonx" href="y">b</a>',
    '<a class="intercom-h2b-button" href="https://x.intercom.help/en/articles/12-name#frag">b</a>',
    '<h1 class="intercom-align-justify">t</h1><h3 class="intercom-align-right">t</h3>',
    '<li class="intercom-align-center">x</li>',
    "\ufeffx",
    "<p>\ufeffx</p>",
    "<p>a\u3000b\u2003c\u2028d\u200be\u00adf\u1680g</p>",
    "<p>a\x0cb</p>",
    "<p>\ue000a\ue000 <b>\ue000</b>\ue001\ue001x<code>\ue001</code></p>",
    '<p><img src="a\ue000.png" alt="\ue000"></p><pre>\ue000<b>\ue001</b></pre>',
    "<p>a\tb\nc</p>",
    "<p> </p><p>\u00a0</p><p>&nbsp;</p><p><b> </b></p>",
    "<p><b>a</b><b>b</b><i>c</i><i>d</i></p>",
    "<p><b><b>a</b></b><i><em>b</em></i></p>",
    "<p><b> a </b><i> </i></p>",
    "<p><a href='x'> a </a></p>",
    "<p>\\*_`[]<!</p>",
    "<p>&lt;!&gt; \\ * _ ` [ ] &lt;</p>",
    "<p><code>  a   b  </code><code> </code><code></code></p>",
    "<p><code>a&lt;b&amp;c&nbsp;d</code></p>",
    '<p><img src="https://x.io/a%20b.png?x=1&amp;y=2#f" alt="A &amp; B"></p>',
    '<p><img src="https://x.io/a.png" alt="A"> </p>',
    '<p><img src="https://x.io/a.png" alt="A"><img src="https://x.io/b.png" alt="B"></p>',
    '<p><a href="https://x.io/%zz%C3%A9%20">x</a></p>',
    '<p><a href="https://x.intercom.help/en/articles/12-name%23frag">x</a></p>',
    '<p><a href="  https://x.intercom.help/en/articles/12  ">x</a></p>',
    '<p><a href="https://x.intercom.help/en/articles/12-name?q=1">x</a></p>',
    '<p><a href="&#104;ttps://x.io">x</a></p>',
    "<details><summary>s</summary><p>d</p></details>",
    "<details><p>d</p></details>",
    "<summary>s</summary>",
    "<blockquote>q<p>p</p>r</blockquote>",
    "<div>a<div>b</div>c</div>",
    "<div><p>a</p>b<hr>c</div>",
    "<hr><hr/><hr />",
    "<br><br/><br />",
    "<p>a<br>b<br/>c<br />d</p>",
    "<h2></h2><h1></h1><p></p>",
    "<li></li>",
    "<ul></ul><ol></ol>",
    "<sub>a</sub><sup>b</sup><u>c</u><s>d</s><span>e</span>",
    "",
    " ",
    "\n",
]


@pytest.mark.parametrize("html", REFUSED.values(), ids=REFUSED.keys())
def test_the_fast_path_refuses(html: str) -> None:
    assert fast(html) is None


@pytest.mark.parametrize("html", TRICKY)
def test_tricky_inputs_agree(html: str) -> None:
    assert_agrees(html)


ACCEPTED = [
    ("<p>Hello <strong>world</strong></p>", "p Hello **world**"),
    (
        '<p class="no-margin">a &amp; b&nbsp;&lt;c&gt; &quot;d&quot; &apos;e&apos;</p>',
        "p a & b \\<c> \"d\" 'e'",
    ),
    ("<p>&#233;&#xe9;&#x1F600;</p>", "p éé😀"),
    ('<h1 id="h_1" class="intercom-align-center">T</h1><h3>U</h3>', "h1[center] T\nh2 U"),
    (
        '<ul><li><p class="no-margin">a</p><ul><li>b</li></ul></li><li>c</li></ul>',
        "ul\n  li\n    p a\n    ul\n      li b\n  li c",
    ),
    (
        '<div class="intercom-interblocks-table-container"><table role="presentation"><tbody>'
        "<tr><td>a</td><td><b>b</b></td></tr></tbody></table></div>",
        "table\n  tr | a | **b** |",
    ),
    ("<pre><code>x  = 1\n\ny</code></pre>", "pre\n  | x  = 1\n  | \n  | y"),
    ("<pre>\nx\n</pre>", "pre\n  | x"),
    (
        '<p><a href="https://x.intercom.help/en/articles/12-name#frag">r</a></p>',
        "p [r](article:12#frag)",
    ),
    (
        '<p><a class="intercom-h2b-button" href="https://x.io/a%20b">Go</a></p>',
        "p [Go](https://x.io/a b){button}",
    ),
    (
        '<div class="intercom-container"><img src="https://a.io/i/shot.png?x=1&amp;y=2" '
        'alt="The  shot"></div>',
        "img ![The shot](shot.png)",
    ),
    ('<div class="intercom-interblocks-callout"><p>x</p></div>', "callout x"),
    (
        '<iframe src="https://www.youtube.com/embed/a" frameborder=0 allowfullscreen></iframe>',
        "video https://www.youtube.com/embed/a",
    ),
    ("<p>a<br>b</p><hr>", "p a\\<br>b\nhr"),
    ("<p><code>a  *b*</code> <em>i</em></p>", "p `a \\*b\\*` _i_"),
    ("<p>a<b>b", "p a**b**"),
    ("<p>設定，<b>保存</b>😀 <i>a</i><i>b</i></p>", "p 設定，**保存**😀 _ab_"),
]


@pytest.mark.parametrize(("html", "expected"), ACCEPTED)
def test_the_fast_path_reads_well_formed_html_as_walk_does(html: str, expected: str) -> None:
    assert walk(html) == expected
    assert fast(html) == expected


def test_marks_after_a_wide_character_stay_inside_the_string() -> None:
    # a character above the mark tokens (U+E000) before 2,000 bold marks: a string allocated
    # too short is written past its end, so run it in a process of its own
    html = "<p>😀" + "<b>x</b> " * 2_000 + "</p>"
    code = (
        "import sys\n"
        "from contentsync import canonical, canonical_fast\n"
        "html = sys.stdin.read()\n"
        "for _ in range(3):\n"
        "    projected = canonical_fast.project(html, canonical.target, canonical.image_name)\n"
        "print(projected)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code],
        input=html,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == walk(html) + "\n"


@_examples(1000)
@given(st.text())
@example("\\*_`[]<!\U0001f600")
def test_escape_backslashes_exactly_the_markdown_specials(text: str) -> None:
    # walk() and project() share escape(): this is its own check, against its definition
    assert canonical_fast.escape(text) == "".join("\\" + c if c in "\\*_`[]<!" else c for c in text)


# --- Generated HTML -----------------------------------------------------------------------------

# A document is a list of tokens (kind, tag, text) so that mutations can find tags and text.
Token = tuple[str, str, str]  # kind: "start", "end", "void", "text", "raw"

_BLOCKS = ["p", "p", "h1", "h2", "h3", "h6", "ul", "ol", "table", "pre", "details", "blockquote"]
_BLOCKS += ["div", "div", "hr", "iframe"]
_INLINE = ["b", "strong", "i", "em", "span", "u", "s", "sub", "sup", "a", "code", "img", "br"]
_INLINE += ["iframe"]
_CLASSES = [
    "intercom-align-center",
    "intercom-align-right",
    "intercom-align-justify",
    "intercom-align-left",
    "no-margin",
    "x intercom-align-center y",
    "x-intercom-align-right",
    "nointercom-align-center",
    "intercom-align-centered",
    "INTERCOM-ALIGN-CENTER",
    "intercom-interblocks-callout",
    "intercom-interblocks-callout intercom-align-center",
    "xintercom-interblocks-calloutx",
    "intercom-container",
    "intercom-interblocks-table-container",
    "intercom-h2b-button",
    "intercom-h2b-button intercom-content-link",
    "intercom-content-link",
    "",
]
_HREFS = [
    "https://x.intercom.help/en/articles/12-name",
    "https://x.intercom.help/en/articles/12-name#frag",
    "https://x.intercom.help/en/articles/12",
    "https://help.acme.com/fr/articles/8123-remboursements/",
    "http://h/a/b/articles/5-x/#a%20b",
    "https://x.intercom.help/en/articles/12-name?x=1",
    "https://x.intercom.help/en/articles/12-name%23frag",
    "https://x.io/a%20b",
    "https://x.io/%C3%A9t%C3%A9",
    "https://x.io/%zz%2",
    "https://x.io/q?a=1&b=2",
    "https://x.io/[x]*_`!<",
    "../other.md",
    "article-001.md#top",
    "mailto:help@x.io",
    "#frag",
    " https://x.io/padded ",
    "",
]
_SRCS = [
    "https://a.io/img/shot.png",
    "https://downloads.intercomcdn.com/i/o/1/abc/a.png?expires=1&signature=ff",
    "https://x.io/a%20b.gif",
    "https://x.io/%E2%9C%93.png",
    "https://x.io/a_b*c[1].png",
    "https://x.io/dir/",
    "https://x.io/i.jpg#frag",
    "img/b.png",
    " https://x.io/padded.png ",
    "",
]
_URL_TAILS = ["", "", "?x=1", "?a=1&b=2", "#f", "%41", "%", "%2", "é", " x", "&amp;"]
# Text: markdown specials, whitespace HTML5 keeps but str.split() folds, non-ASCII, a BOM, and
# the private-use characters walk() builds marks with.
_TEXT_CHARS = "abcxyzAZ09 \\*_`[]<!>&\"'=/;#%\t\n\u00a0\u3000\u2003\u2028\u200b\u00adé中😀"
_TEXT_CHARS += "\x0c\ufeff\ue000\ue001"
_ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&nbsp;"]
_CODEPOINTS = [9, 10, 32, 33, 38, 42, 60, 62, 65, 92, 95, 96, 160, 233, 0x2003, 0x3000]
_CODEPOINTS += [0x1F600, 0xFFFD, 0xFFFE, 0xFDD0, 0x10FFFF, 12, 0xE000, 0xE001]


def _text(quote: str = "") -> st.SearchStrategy[str]:
    """Text as HTML: `&`, `<` (outside attributes) and the quote only as references; any
    character sometimes as one; named and numeric references of their own."""
    pieces = []
    for char in _TEXT_CHARS:
        named = [e for e in _ENTITIES if unescape(e) == char]
        numeric = [f"&#{ord(char)};", f"&#x{ord(char):x};", f"&#X{ord(char):04X};"]
        if char not in "&<" + quote or (char == "<" and quote):
            pieces += [char] * 6
        pieces += [*named, *numeric]
    pieces += _ENTITIES + [f"&#{n};" for n in _CODEPOINTS] + [f"&#x{n:X};" for n in _CODEPOINTS]
    return st.lists(st.sampled_from(pieces), max_size=8).map("".join)


_TEXT = _text()
_ATTRIBUTE_TEXT = {'"': _text('"'), "'": _text("'")}


@st.composite
def _attributes(draw: st.DrawFn, tag: str) -> str:
    """Zero to three attributes for `tag`, quoted, unquoted or valueless, whitespace between."""
    names = ["class", "id", "data-x", "style", "title"]
    if tag == "a":
        names += ["href", "href", "href", "target", "rel"]
    elif tag == "img":
        names += ["src", "src", "src", "alt", "alt", "width"]
    elif tag == "iframe":
        names += ["src", "src", "frameborder", "allowfullscreen"]
    elif tag in ("td", "th"):
        names += ["align", "colspan"]
    out = []
    for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
        quote = draw(st.sampled_from(['"', '"', "'", ""]))
        if name in ("alt", "title"):
            quote = quote or '"'
            out.append(f"{name}={quote}{draw(_ATTRIBUTE_TEXT[quote])}{quote}")
            continue
        if name == "class":
            value = draw(st.sampled_from(_CLASSES))
        elif name == "href":
            value = draw(st.sampled_from(_HREFS)) + draw(st.sampled_from(_URL_TAILS))
        elif name == "src" and tag == "iframe":
            value = draw(st.sampled_from(["https://www.youtube.com/embed/a", "https://x.io/v?a=1"]))
        elif name == "src":
            value = draw(st.sampled_from(_SRCS)) + draw(st.sampled_from(_URL_TAILS))
        else:
            value = draw(st.sampled_from(["", "1", "a b", "_blank", "h_3d75a56c"]))
        if value == "" and quote == "" and draw(st.booleans()):
            out.append(name)  # valueless
            continue
        if quote == "" and (value == "" or any(c in value for c in " \t\n\"'=<>`&")):
            quote = '"'
        escaped = value.replace("&", "&amp;")
        escaped = escaped.replace('"', "&quot;") if quote == '"' else escaped
        escaped = escaped.replace("'", "&apos;") if quote == "'" else escaped
        letters = [i for i, c in enumerate(escaped) if c.isalnum()]
        if letters and draw(st.integers(0, 5)) == 0:  # one letter of it as a reference
            at = draw(st.sampled_from(letters))
            escaped = f"{escaped[:at]}&#{ord(escaped[at])};{escaped[at + 1 :]}"
        out.append(f"{name}={quote}{escaped}{quote}")
    seps = [draw(st.sampled_from([" ", " ", "  ", "\n", "\t", "\x0c"])) for _ in out]
    return "".join(sep + attribute for sep, attribute in zip(seps, out, strict=True))


class _Tree:
    """Draws a well-formed document of the subset, token by token."""

    def __init__(self, draw: st.DrawFn, max_depth: int) -> None:
        self.draw = draw
        self.max_depth = max_depth
        self.tokens: list[Token] = []

    def start(self, tag: str, void: bool = False) -> None:
        attributes = self.draw(_attributes(tag))
        end = self.draw(st.sampled_from(["", "", "/", " /"])) if void else ""
        self.tokens.append(("void" if void else "start", tag, f"<{tag}{attributes}{end}>"))

    def end(self, tag: str) -> None:
        self.tokens.append(("end", tag, f"</{tag}>"))

    def text(self) -> None:
        self.tokens.append(("text", "", self.draw(_TEXT)))

    def space(self) -> None:
        if self.draw(st.booleans()):
            self.tokens.append(("text", "", self.draw(st.sampled_from([" ", "\n", " \t\n ", ""]))))

    def children(self, context: str, depth: int, in_a: bool) -> None:
        """context: "flow" (blocks and inline), "phrasing" (inside p/h1-h6: inline only),
        "pre" (inside pre: inline and text with newlines), "code" (text only)."""
        most = 0 if depth >= self.max_depth else 4
        for _ in range(self.draw(st.integers(0, most))):
            kinds = ["text", "text", "inline"] + (["block", "block"] if context == "flow" else [])
            if context == "pre":
                kinds.append("block" if self.draw(st.integers(0, 9)) == 0 else "text")
            if context == "code":
                kinds = ["text"]
            kind = self.draw(st.sampled_from(kinds))
            if kind == "text":
                self.text()
            elif kind == "inline":
                self.inline(context, depth + 1, in_a)
            else:
                self.block(self.draw(st.sampled_from(_BLOCKS)), depth + 1, in_a)

    def inline(self, context: str, depth: int, in_a: bool) -> None:
        tag = self.draw(st.sampled_from([t for t in _INLINE if not (in_a and t == "a")]))
        if tag in ("img", "br"):
            self.start(tag, void=True)
            return
        if tag == "iframe":
            self.block(tag, depth, in_a)
            return
        self.start(tag)
        if tag == "code":
            self.children("pre" if context == "pre" else "code", depth, in_a)
        else:
            # a mark or link outside a paragraph may hold blocks (HTML5 keeps them inside)
            inner = context
            if context == "flow" and self.draw(st.integers(0, 3)):
                inner = "phrasing"
            self.children(inner, depth, in_a or tag == "a")
        self.end(tag)

    def block(self, tag: str, depth: int, in_a: bool) -> None:
        if tag == "hr":
            self.start(tag, void=True)
            return
        self.start(tag)
        if tag in ("p", "h1", "h2", "h3", "h6"):
            self.children("phrasing", depth, in_a)
        elif tag in ("ul", "ol"):
            for _ in range(self.draw(st.integers(0, 3))):
                self.space()
                self.start("li")
                self.children("flow", depth + 1, in_a)
                self.end("li")
            self.space()
        elif tag == "table":
            self.table(depth, in_a)
        elif tag == "pre":
            if self.draw(st.booleans()):
                self.tokens.append(("text", "", "\n"))
            code = self.draw(st.booleans())
            if code:
                self.start("code")
            self.children("pre", depth, in_a)
            if code:
                self.end("code")
        elif tag == "iframe":
            raw = self.draw(st.sampled_from(["", "", "fallback &amp; text", "<p>x", "<p>x</p>"]))
            if raw:
                self.tokens.append(("raw", "", raw))
        elif tag == "details":
            if self.draw(st.booleans()):
                self.start("summary")
                self.children(self.draw(st.sampled_from(["phrasing", "flow"])), depth, in_a)
                self.end("summary")
            self.children("flow", depth, in_a)
        else:
            self.children("flow", depth, in_a)
        self.end(tag)

    def table(self, depth: int, in_a: bool) -> None:
        for _ in range(self.draw(st.integers(0, 2))):
            self.space()
            section = self.draw(st.sampled_from(["", "", "thead", "tbody", "tfoot"]))
            if section:
                self.start(section)
            for _ in range(self.draw(st.integers(0 if section else 1, 2))):
                self.space()
                self.start("tr")
                for _ in range(self.draw(st.integers(0, 3))):
                    self.space()
                    cell = self.draw(st.sampled_from(["td", "td", "th"]))
                    self.start(cell)
                    self.children("flow", depth + 1, in_a)
                    self.end(cell)
                self.space()
                self.end("tr")
            if section:
                self.space()
                self.end(section)
        self.space()


@st.composite
def documents(draw: st.DrawFn, max_depth: int = 5) -> list[Token]:
    """A well-formed document of the subset; some end tags at its end left out (HTML5 closes
    what is open at the end of the input)."""
    tree = _Tree(draw, max_depth)
    tree.children("flow", 0, in_a=False)
    tokens = tree.tokens
    trailing = 0
    while trailing < len(tokens) and tokens[len(tokens) - 1 - trailing][0] == "end":
        trailing += 1
    cut = draw(st.integers(0, trailing)) if draw(st.integers(0, 3)) == 0 else 0
    tokens = tokens[: len(tokens) - cut]
    texts = [i for i, t in enumerate(tokens) if t[0] == "text" and t[2]]
    if texts and draw(st.integers(0, 7)) == 0:  # a long text: the buffers grow
        i = draw(st.sampled_from(texts))
        tokens[i] = ("text", "", tokens[i][2] * draw(st.integers(50, 600)))
    return tokens


def serialise(tokens: list[Token]) -> str:
    return "".join(text for _, _, text in tokens)


# Snippets a mutation inserts: each breaks the subset or HTML5's nesting as written.
_SNIPPETS = [
    # stray < and &, and references HTML5 reads differently from the text
    *["<", "< ", "<3", "a<b", "<>", "</>", "&", "& ", "&#", "&#x", "&#;", "&#x;", "&#65x"],
    *["&amp", "&lt", "&gt", "&quot", "&nbsp", "&apos", "&AMP;", "&Amp;", "&LT", "&NBSP;"],
    *["&copy;", "&copy", "&notit;", "&not", "&notin;", "&ampx", "&amp=", "&hellip;", "&zz;"],
    *["&#65", "&#x41", "&#0;", "&#1;", "&#8;", "&#11;", "&#12;", "&#13;", "&#31;", "&#127;"],
    *["&#128;", "&#x80;", "&#x85;", "&#x9f;", "&#xD800;", "&#xdfff;", "&#x110000;"],
    *["&#99999999999;", "&#0000000065;", "&#xFFFF;"],
    # comments, doctypes and the like
    *["<!-- c -->", "<!---->", "<!-->", "<!--", "<!x>", "<!DOCTYPE html>", "<?x?>"],
    *["<![CDATA[x]]>", "</ p>", "</3>"],
    # characters
    *["\r", "\r\n", "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f", "\x80", "\x85"],
    *["\x9f", "\ufeff", "\ufffe", "\uffff", "\U0010ffff", "\u2028", "\u3000", "\n", " "],
    # blocks where HTML5 closes or moves things
    *["<p>x</p>", "<p>", "<p/>", "<div>d</div>", "<div/>", "<ul><li>l</li></ul>", "<ol>"],
    *["<li>i</li>", "<li>", "<table><tr><td>c</td></tr></table>", "<table>", "<tr>"],
    *["<tr><td>c</td></tr>", "<td>c</td>", "<th>", "<tbody>", "<thead></thead>", "<hr>"],
    *["<hr/>", "<h2>h</h2>", "<h1>", "<pre>p</pre>", "<pre>\n", "<blockquote>q</blockquote>"],
    *["<details><summary>s</summary>d</details>", "<summary>"],
    # inline elements, links, self-closing non-void elements
    *['<a href="https://x.io/y">z</a>', "<a>", "<a/>", "<b>", "<b/>", "<i>", "<strong>"],
    *["<span>", "<span/>", "<code>", "<code>c</code>", "<code/>", "<br>", "<br/>"],
    *['<img src="https://a.io/i.png" alt="A">', "<img/>"],
    *['<iframe src="https://www.youtube.com/embed/v"></iframe>', "<iframe>", "<iframe/>"],
    *["</iframe>", "</IFRAME >", "<iframe src=x></iframex>raw</iframe>"],
    # end tags of nothing open, or not the innermost
    *["</br>", "</p>", "</img>", "</hr>", "</li>", "</ul>", "</td>", "</tr>", "</table>"],
    *["</tbody>", "</a>", "</b>", "</i>", "</h2>", "</h1>", "</span>", "</code>", "</pre>"],
    *["</div>", "</body>", "</html>", "</x>", '</p foo="1">', "</p/>", "</p\n>"],
    # elements outside the subset
    *["<section>s</section>", "<font>", "<center>", "<script>a<b</script>", "<style>p{}</style>"],
    *["<textarea><p>t</textarea>", "<title>t</title>", '<image src="https://a.io/j.png">'],
    *["<svg><p>s</p></svg>", "<math>", "<template>t</template>", "<noscript>n</noscript>"],
    *["<xmp><b></xmp>", "<plaintext>", "<nobr>", "<button>", "<h7>", "<caption>", "<col>"],
    *["<body class=x>", "<html>", "<head>", "<input>", "<wbr>", "<frameset>", "<dd>", "<dt>"],
    *["<listing>\nx</listing>", "<address>", "<form>", "<select>", "<object>", "<marquee>"],
    *["<p:x>", "<my-el>x</my-el>"],
    # attributes HTML5 reads in its own way
    *['<p class=a"b>', "<p class='x>", "<p =x>", '<p "x">', "<p a<b>", "<p\x0cclass=x>"],
    *["<p\n>", '<a href = "https://x.io/sp">s</a>', '<a/href="https://x.io/sl">s</a>'],
    *['<a href="https://x.io/1"href="https://x.io/2">d</a>', "<a href=https://x.io/u/>u</a>"],
    *['<a href="https://x.io/1" href="https://x.io/2">d</a>', "<img src=https://a.io/u.png/>"],
    *['<p class="intercom-align-center" class="intercom-align-right">c</p>'],
    # known traps
    *["<b><i>x</b></i>", '<a href="#1">a<a href="#2">b</a></a>', "<ul><li>a<li>b</ul>"],
    *["<ul><li>a<div><li>b</li></div></li></ul>", "<ul><li>a<span><li>b</li></span></li></ul>"],
    *["<h2>x</h3>", "<p><b>x</p>", "<td>a<td>b", "<tr><td>a<tr><td>b"],
    *["<pre><span><code>a  b</code></span></pre>", "<pre>&#10;x</pre>", "<pre>\r\nx</pre>"],
    *['<div class="intercom-interblocks-callout"><li>c</li></div>', "<div><li>d</li></div>"],
    *["<code>a<b>b</b></code>", "<code><code>x</code></code>", "<table>\u3000<tr>"],
    *["<table>\u00a0<tr>", "<table> x </table>", "<table><p>x</p></table>"],
]

# What a mutation puts right after a start tag: what HTML5 closes, moves or restructures there
# (a list item in a div in a list item, a link in a link, text in a table, ...).
_INSIDE = [
    *["<li>i</li>", "<li>", '<a href="https://x.io/y">z</a>', "<p>x</p>", "<div>d</div>"],
    *["<ul><li>l</li></ul>", "<table><tr><td>c</td></tr></table>", "<tr><td>c</td></tr>"],
    *["<td>c</td>", "<tbody>", "x", " ", "\n", "\u00a0", "&#10;", "<h2>h</h2>", "<hr>"],
    *["<pre>p</pre>", "<code>c</code>", "<b>", "</b>", "<iframe src=v></iframe>", "<br>"],
    *['<div class="intercom-interblocks-callout"><li>c</li></div>', "<span><li>s</li></span>"],
]

_WRAPPERS = [
    *["<div>", '<div class="intercom-interblocks-callout">', '<div class="intercom-container">'],
    *["<span>", "<b>", '<a href="x">', "<blockquote>", "<details>", "<u>", "<code>", "<ul>"],
]


@st.composite
def mutated(draw: st.DrawFn, max_depth: int = 5) -> str:
    """A generated document broken in one to three places."""
    return _broken(draw, list(draw(documents(max_depth))))


_RENDERED = [
    render(m).html for m in [*ORDINARY, article_body(1, 2, "ja"), article_body(0, 0, "en")]
]
_BODIES = [version for html in _RENDERED for version in [html, *stored_and_served(html)]]


@st.composite
def mutated_bodies(draw: st.DrawFn) -> str:
    """What we render and Intercom stores of ordinary Markdown, broken in one to three places."""
    return _broken(draw, tokenize(draw(st.sampled_from(_BODIES))))


def _broken(draw: st.DrawFn, tokens: list[Token]) -> str:
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        tokens = _mutate(draw, tokens)
    html = serialise(tokens)
    if draw(st.integers(0, 9)) == 0:  # the input ends anywhere: in a tag, a reference, ...
        html = html[: draw(st.integers(0, len(html)))]
    return html


_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>|[^<]+|<")
_VOID = frozenset({"img", "br", "hr"})


def tokenize(html: str) -> list[Token]:
    """Tokens of HTML as we write it (no comments, no `>` in attribute values)."""
    tokens: list[Token] = []
    for m in _TOKEN.finditer(html):
        slash, tag = m.group(1), (m.group(2) or "").lower()
        kind = "text" if not tag else "end" if slash else "void" if tag in _VOID else "start"
        tokens.append((kind, tag, m.group(0)))
    return tokens


def _mutate(draw: st.DrawFn, tokens: list[Token]) -> list[Token]:
    ends = [i for i, t in enumerate(tokens) if t[0] == "end"]
    starts = [i for i, t in enumerate(tokens) if t[0] in ("start", "void")]
    texts = [i for i, t in enumerate(tokens) if t[0] == "text" and t[2]]
    how = draw(
        st.sampled_from(
            [
                *["insert", "insert", "insert", "into text", "after start", "drop end"],
                *["swap ends", "rename end", "case", "self-close", "attribute", "glue attributes"],
                *["item in item", "item in item", "after start"],
            ]
        )
    )
    at = draw(st.integers(0, len(tokens)))
    snippet = ("text", "", draw(st.sampled_from(_SNIPPETS)))
    if how == "insert":
        return [*tokens[:at], snippet, *tokens[at:]]
    if how == "into text" and texts:
        i = draw(st.sampled_from(texts))
        text = tokens[i][2]
        cut = draw(st.integers(0, len(text)))
        return [*tokens[:i], ("text", "", text[:cut] + snippet[2] + text[cut:]), *tokens[i + 1 :]]
    if how == "after start" and starts:
        i = draw(st.sampled_from(starts)) + 1
        return [*tokens[:i], ("text", "", draw(st.sampled_from(_INSIDE))), *tokens[i:]]
    if how == "item in item":
        # HTML5 closes the open list item when another starts, through divs and inline elements
        wrapper = draw(st.sampled_from(_WRAPPERS))
        tag = wrapper[1:].split(">")[0].split()[0]
        inner = f"{wrapper}<li>b</li></{tag}>"
        items = [i for i, t in enumerate(tokens) if t[:2] == ("start", "li")]
        if items:
            i = draw(st.sampled_from(items)) + 1
            return [*tokens[:i], ("text", "", inner), *tokens[i:]]
        return [*tokens[:at], ("text", "", f"<ul><li>a{inner}</li></ul>"), *tokens[at:]]
    if how == "drop end" and ends:
        i = draw(st.sampled_from(ends))
        return tokens[:i] + tokens[i + 1 :]
    if how == "swap ends" and len(ends) >= 2:
        i, j = sorted(draw(st.lists(st.sampled_from(ends), min_size=2, max_size=2, unique=True)))
        return [*tokens[:i], tokens[j], *tokens[i + 1 : j], tokens[i], *tokens[j + 1 :]]
    if how == "rename end" and ends:
        i = draw(st.sampled_from(ends))
        tag = draw(st.sampled_from(["p", "h2", "h3", "b", "strong", "i", "a", "li", "td", "th"]))
        return [*tokens[:i], ("end", tag, f"</{tag}>"), *tokens[i + 1 :]]
    if how == "case" and (starts or ends):
        i = draw(st.sampled_from(starts + ends))
        kind, tag, text = tokens[i]
        name = draw(st.sampled_from([tag.upper(), tag.capitalize(), tag[::-1]]))
        head = text.find(tag)
        text = text[:head] + name + text[head + len(tag) :]
        if draw(st.booleans()):
            text = text.replace("class=", "CLASS=").replace("href=", "HRef=")
        return [*tokens[:i], (kind, name, text), *tokens[i + 1 :]]
    if how == "self-close" and starts:
        i = draw(st.sampled_from(starts))
        kind, tag, text = tokens[i]
        return [*tokens[:i], (kind, tag, text[:-1] + "/>"), *tokens[i + 1 :]]
    if how in ("attribute", "glue attributes") and starts:
        i = draw(st.sampled_from(starts))
        kind, tag, text = tokens[i]
        if how == "glue attributes":
            text = text.replace('" ', '"', 1).replace("' ", "'", 1)
        else:
            extra = draw(
                st.sampled_from(
                    [
                        *['class="intercom-align-center"', 'href="https://x.io/dup"'],
                        *['CLASS="intercom-interblocks-callout"', 'alt="a&copy=b&notit;&amp"'],
                        *["href='?a=1&lt=2&amp;b&#38'", "x=\x00", 'alt="\r"', 'href = "sp"'],
                        "src=dup.png",
                    ]
                )
            )
            at_end = text.endswith("/>")
            body = text[:-2] if at_end else text[:-1]
            text = f"{body} {extra}{'/>' if at_end else '>'}"
        return [*tokens[:i], (kind, tag, text), *tokens[i + 1 :]]
    return [*tokens[:at], snippet, *tokens[at:]]


@st.composite
def deep(draw: st.DrawFn) -> str:
    """Containers nested hundreds deep around marks nested tens deep, closed or not, sometimes
    broken once."""
    blocks = draw(
        st.lists(
            st.sampled_from(
                [
                    *["div", "span", "blockquote", "details", "u", "sub", "summary"],
                    *["ul>li", "ol>li", "table>tr>td", 'div class="intercom-interblocks-callout"'],
                ]
            ),
            min_size=30,
            max_size=300,
        )
    )
    marks = draw(st.lists(st.sampled_from(["b", "em", "i", "strong", "span", "s"]), max_size=40))
    opened = [tag for link in [*blocks, "p", *marks] for tag in link.split(">")]
    tokens: list[Token] = [("start", tag.split()[0], f"<{tag}>") for tag in opened]
    tokens.append(("text", "", draw(_TEXT)))
    tokens += [("end", tag.split()[0], f"</{tag.split()[0]}>") for tag in reversed(opened)]
    if draw(st.booleans()):
        tokens = tokens[: len(tokens) - draw(st.integers(0, len(opened)))]
    if draw(st.booleans()):
        tokens = _mutate(draw, tokens)
    return serialise(tokens)


@_examples(500)
@given(documents().map(serialise))
@example('<p class="intercom-align-center" title="&#121;"></p>')
def test_generated_well_formed_html_agrees(html: str) -> None:
    assert_agrees(html)


@_examples(500)
@given(mutated())
@example("<ul><li>a<div><li>b</li></div></li></ul>")
@example('<ul><li>a<div class="intercom-interblocks-callout"><li>b</li></div></li></ul>')
def test_generated_broken_html_agrees(html: str) -> None:
    assert_agrees(html)


@_examples(300)
@given(mutated_bodies())
def test_broken_bodies_agree(html: str) -> None:
    assert_agrees(html)


@_examples(150)
@given(deep())
def test_deeply_nested_html_agrees(html: str) -> None:
    assert_agrees(html)
