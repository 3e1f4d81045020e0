"""export: Intercom HTML -> Markdown that renders back to the same canonical body."""

from __future__ import annotations

import html as htmllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contentsync.canonical import canonical
from contentsync.html_to_markdown import to_markdown
from contentsync.markdown import render
from contentsync.sandbox.intercom_html import served, store

# From a public sync tool's fixtures and notes: what Intercom's editor writes and its API returns.
EDITOR_HTML = [
    '<h1 id="h_e324f0a1dd">H1</h1><h2 id="h_b3ae805d42">Heading 2</h2>'
    '<h3 id="h_03290146c3">Heading 3</h3><h4 id="h_9624ce3e6b">Heading 4</h4>',
    '<p class="no-margin"><b><i>bold italic</i></b> and <code>inline code</code></p>',
    '<p class="no-margin"><a href="https://example.com/link" target="_blank" '
    'class="intercom-content-link">link text</a></p>',
    '<p class="intercom-align-center no-margin">centered text</p>'
    '<p class="intercom-align-right no-margin">right aligned</p>',
    '<h2 class="intercom-align-center" id="h_1">Centered heading</h2>',
    '<div class="intercom-container"><img src="https://downloads.intercomcdn.com/i/o/1/ab/'
    'shot.png?expires=1&amp;signature=x" alt="A shot" width="640" height="480" '
    'style="height: auto;"></div>',
    '<div class="intercom-interblocks-table-container"><table role="presentation"><tbody>'
    '<tr><td><p class="no-margin">A1</p></td><td><p class="no-margin">B1</p></td></tr>'
    '<tr><td><p class="no-margin">A2</p></td><td><p class="no-margin">B2</p></td></tr>'
    "</tbody></table></div>",
    '<ul><li><p class="no-margin">item</p><ul><li><p class="no-margin">nested</p></li></ul>'
    '</li></ul><ol><li><p class="no-margin">step 1</p></li><li><p class="no-margin">step 2'
    "</p></li></ol>",
    '<div class="intercom-interblocks-callout" style="background-color: #feedaf80; '
    'border-color: #fbc91633;"><p class="no-margin"><b>Warning:</b> This is important.</p></div>',
    '<div class="intercom-container intercom-align-center"><a class="intercom-h2b-button" '
    'target="_blank" href="https://calendly.com/x">Book a call</a></div>',
    '<div class="intercom-h2b-video"><iframe src="https://www.youtube.com/embed/ID?rel=0" '
    'frameborder="0" allowfullscreen></iframe></div>',
    '<details><summary><h2>Section Title</h2></summary><div class="collapsible-section-content">'
    "<p>Content here</p><details><summary><h2>Nested</h2></summary>"
    '<div class="collapsible-section-content"><p>Deeper</p></div></details></div></details>',
    '<p class="no-margin">before</p><hr><p class="no-margin">after</p>',
    "<pre><code>const x = 1;\n\n```nested fence```\n</code></pre>",
    '<div class="intercom-interblocks-table-container"><table role="presentation"><tbody>'
    '<tr><td><ul><li><p class="no-margin">a list in a cell</p></li></ul></td></tr>'
    "</tbody></table></div>",
]


@pytest.mark.parametrize("html", EDITOR_HTML)
def test_editor_html_round_trips_and_validates(html: str) -> None:
    markdown = to_markdown(html)
    rendered = render(markdown)
    assert rendered.problems == [], markdown
    assert canonical(rendered.html) == canonical(html), markdown


def test_callouts_alignment_and_buttons_are_raw_html_in_the_markdown() -> None:
    markdown = to_markdown("".join(EDITOR_HTML[3:5] + EDITOR_HTML[8:10]))
    assert '<p class="intercom-align-center">centered text</p>' in markdown
    assert (
        '<div class="intercom-interblocks-callout" style="background-color: #feedaf80; ' in markdown
    )
    assert "\n\n**Warning:** This is important.\n\n</div>" in markdown
    assert (
        '<a class="intercom-h2b-button" href="https://calendly.com/x">Book a call</a>' in markdown
    )


def test_intercom_rewrites_are_left_out() -> None:
    markdown = to_markdown(EDITOR_HTML[0] + EDITOR_HTML[2])
    assert markdown == (
        "# H1\n\n## Heading 2\n\n### Heading 3\n\n#### Heading 4\n\n"
        "[link text](https://example.com/link)\n"
    )


def test_two_lists_in_a_row_stay_two_lists() -> None:
    html = "<ul><li>a</li></ul><ul><li>b</li></ul><ol><li>c</li></ol><ol><li>d</li></ol>"
    assert canonical(render(to_markdown(html)).html) == canonical(html)
    assert canonical(html).count("ul") == 2


def test_text_that_looks_like_markdown_stays_text() -> None:
    html = "<p>1. not a list, # not a heading, *not emphasis*, [not](a link) &lt;b&gt;</p>"
    markdown = to_markdown(html)
    assert render(markdown).html == (
        "<p>1. not a list, # not a heading, *not emphasis*, [not](a link) &lt;b&gt;</p>"
    )


# Generated Intercom HTML: the shapes its editor and API produce, with text full of characters
# that mean something in Markdown.
TEXT = st.text(
    st.sampled_from("abcxyz ABC019éß*_`[]#<>&|\\!-+=.~()'\"\u00a0"), min_size=1, max_size=12
)
WORDY = st.text(st.sampled_from("abcdefxyz"), min_size=1, max_size=6)
HREF = st.sampled_from(
    [
        "https://example.com/a",
        "https://acme.intercom.help/en/articles/8123-refunds",
        "https://example.com/a b",
        "https://example.com/é?x=1&y=(2)",
        "mailto:help@example.com",
    ]
)
SRC = st.sampled_from(
    [
        "https://downloads.intercomcdn.com/i/o/12/ab34/shot.png?expires=1&signature=x",
        "https://example.com/img/a%20b.gif",
    ]
)


def esc(text: str) -> str:
    return htmllib.escape(text, quote=False)


@st.composite
def inline_html(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(
            st.sampled_from(["text", "text", "b", "i", "strong", "em", "code", "a", "br", "img"])
        )
        if kind == "text" or depth > 1:
            parts.append(esc(draw(TEXT)))
        elif kind in ("b", "i", "strong", "em"):
            parts.append(f"<{kind}>{draw(inline_html(depth + 1))}</{kind}>")
        elif kind == "code":
            parts.append(f"<code>{esc(draw(TEXT))}</code>")
        elif kind == "a":
            href = htmllib.escape(draw(HREF))
            parts.append(
                f'<a href="{href}" class="intercom-content-link" target="_blank">'
                f"{draw(inline_html(depth + 1))}</a>"
            )
        elif kind == "br":
            parts.append("<br>")
        else:
            parts.append(
                f'<img src="{htmllib.escape(draw(SRC))}" alt="{htmllib.escape(draw(TEXT))}">'
            )
    return "".join(parts)


def paragraph(body: str, align: str = "") -> str:
    cls = f"intercom-align-{align} no-margin" if align else "no-margin"
    return f'<p class="{cls}">{body}</p>'


@st.composite
def list_html(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(["ul", "ol"]))
    items = []
    for _ in range(draw(st.integers(1, 3))):
        item = paragraph(draw(WORDY) + draw(inline_html()))
        if depth < 2 and draw(st.integers(0, 3)) == 0:
            item += draw(list_html(depth + 1))
        items.append(f"<li>{item}</li>")
    return f"<{tag}>{''.join(items)}</{tag}>"


@st.composite
def block_html(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(
        st.sampled_from(
            [
                "p",
                "p",
                "p",
                "h",
                "list",
                "table",
                "pre",
                "hr",
                "image",
                "callout",
                "button",
                "video",
                "details",
            ]
        )
    )
    if kind == "p":
        align = draw(st.sampled_from(["", "", "", "center", "right", "justify"]))
        return paragraph(draw(inline_html()), align)
    if kind == "h":
        level = draw(st.integers(1, 4))
        return f'<h{level} id="h_{draw(st.integers(0, 10**9)):x}">{draw(inline_html())}</h{level}>'
    if kind == "list":
        return draw(list_html())
    if kind == "table":
        width = draw(st.integers(1, 3))
        rows = "".join(
            "<tr>"
            + "".join(f"<td>{paragraph(draw(inline_html()))}</td>" for _ in range(width))
            + "</tr>"
            for _ in range(draw(st.integers(1, 3)))
        )
        return (
            '<div class="intercom-interblocks-table-container"><table role="presentation">'
            f"<tbody>{rows}</tbody></table></div>"
        )
    if kind == "pre":
        code = draw(st.text(st.sampled_from("ab <>&*_`#\n\t"), min_size=1, max_size=20))
        return f"<pre><code>{esc(code)}</code></pre>"
    if kind == "hr":
        return "<hr>"
    if kind == "image":
        align = draw(st.sampled_from(["", " intercom-align-center"]))
        return (
            f'<div class="intercom-container{align}"><img src="{htmllib.escape(draw(SRC))}" '
            f'alt="{htmllib.escape(draw(TEXT))}"></div>'
        )
    if kind == "callout" and depth < 1:
        inner = "".join(draw(st.lists(block_html(depth + 1), min_size=1, max_size=2)))
        return (
            '<div class="intercom-interblocks-callout" style="background-color: #e3e7fa80; '
            f'border-color: #334bfa33;">{inner}</div>'
        )
    if kind == "button":
        return (
            '<div class="intercom-container intercom-align-center"><a class="intercom-h2b-button" '
            f'target="_blank" href="{htmllib.escape(draw(HREF))}">{esc(draw(WORDY))}</a></div>'
        )
    if kind == "video":
        return (
            '<div class="intercom-h2b-video"><iframe src="https://player.vimeo.com/video/1" '
            'frameborder="0" allowfullscreen></iframe></div>'
        )
    if kind == "details" and depth < 1:
        inner = "".join(draw(st.lists(block_html(depth + 1), min_size=1, max_size=2)))
        return (
            f"<details><summary><h2>{esc(draw(WORDY))}</h2></summary>"
            f'<div class="collapsible-section-content">{inner}</div></details>'
        )
    return paragraph(draw(inline_html()))


INTERCOM_HTML = st.lists(block_html(), min_size=1, max_size=6).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(INTERCOM_HTML)
def test_export_then_render_compares_equal(html: str) -> None:
    markdown = to_markdown(html)
    rendered = render(markdown)
    assert rendered.problems == [], markdown
    assert canonical(rendered.html) == canonical(html), markdown


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(INTERCOM_HTML)
def test_export_then_apply_then_read_compares_equal(html: str) -> None:
    markdown = to_markdown(html)
    assert canonical(served(store(render(markdown).html), 1.0)) == canonical(html)
