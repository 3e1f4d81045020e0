"""canonical(): equal across what Intercom rewrites, different for every edit a writer makes.
And the sandbox's emulation of Intercom storing article HTML."""

from __future__ import annotations

import re

import pytest

from contentsync.canonical import canonical
from contentsync.markdown import render
from contentsync.sandbox.intercom_html import Refused, served, store

SAME = [
    ("<p>Hello <strong>world</strong></p>", '<p class="no-margin">Hello <b>world</b></p>'),
    ("<h1>T</h1>", '<h1 id="h_3d75a56c5c" class="intercom-align-left">T</h1>'),
    ("<h3>T</h3>", "<h2>T</h2>"),
    ("<h6>T</h6>", '<h2 id="h_1">T</h2>'),
    (
        '<p><a href="https://x.io/a">x</a></p>',
        '<p><a href="https://x.io/a" class="intercom-content-link" target="_blank" '
        'rel="nofollow noopener noreferrer">x</a></p>',
    ),
    (
        '<p><a href="https://acme.intercom.help/en/articles/8123-refunds">r</a></p>',
        '<p><a href="https://help.acme.com/fr/articles/8123-remboursements">r</a></p>',
    ),
    (
        '<p><img src="https://assets.acme.com/img/refund-button.png" alt="The button" /></p>',
        '<div class="intercom-container"><img src="https://downloads.intercomcdn.com/i/o/123/'
        'abc/refund-button.png?expires=1&amp;signature=ff" alt="The button" width="1" '
        'style="height: auto;"></div>',
    ),
    (
        "<ul><li>a</li><li>b</li></ul>",
        '<ul><li><p class="no-margin">a</p></li><li><p>b</p></li></ul>',
    ),
    (
        "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>",
        '<div class="intercom-interblocks-table-container"><table role="presentation"><tbody>'
        '<tr><td><p class="no-margin">a</p></td></tr><tr><td><p>1</p></td></tr></tbody></table>'
        "</div>",
    ),
    ('<pre><code class="language-py">x = 1\n</code></pre>', "<pre><code>x = 1</code></pre>"),
    ("<p>a</p><p>b</p>", '<p>a</p><p class="no-margin"></p><p>\u00a0</p>\n<p>b</p>'),
    ("<p>a  b\nc</p>", "<p>a b c</p>"),
    ("<p><b>a </b>b</p>", "<p><b>a</b> b</p>"),
    ("<p><b>a</b><b>b</b></p>", "<p><b>ab</b></p>"),
    ('<p class="fresh-class" data-new="1">x</p>', "<p>x</p>"),
    ("<p>x<!-- note --></p>", "<p>x</p>"),
]

DIFFERENT = [
    ("<p>Refunds take 5 days</p>", "<p>Refunds take 6 days</p>"),
    ("<p><b>bold</b></p>", "<p>bold</p>"),
    ("<p><b>x</b></p>", "<p><i>x</i></p>"),
    ("<p><code>x</code></p>", "<p>x</p>"),
    ("<p>**x**</p>", "<p><b>x</b></p>"),
    ('<p><a href="https://x.io/a">x</a></p>', '<p><a href="https://x.io/b">x</a></p>'),
    (
        '<p><a href="https://acme.intercom.help/en/articles/1-a">x</a></p>',
        '<p><a href="https://acme.intercom.help/en/articles/2-a">x</a></p>',
    ),
    (
        '<p><img src="https://a.io/x.png" alt="A"></p>',
        '<p><img src="https://a.io/y.png" alt="A"></p>',
    ),
    (
        '<p><img src="https://a.io/x.png" alt="A"></p>',
        '<p><img src="https://a.io/x.png" alt="B"></p>',
    ),
    ("<h1>T</h1>", "<h2>T</h2>"),
    ("<ul><li>a</li></ul>", "<ol><li>a</li></ol>"),
    ("<ul><li>a</li><li>b</li></ul>", "<ul><li>a b</li></ul>"),
    ("<ul><li>a</li></ul>", "<p>a</p>"),
    ("<table><tr><td>1</td><td>2</td></tr></table>", "<table><tr><td>1</td></tr></table>"),
    ("<pre><code>a  b</code></pre>", "<pre><code>a b</code></pre>"),
    ("<p>x</p>", '<div class="intercom-interblocks-callout"><p>x</p></div>'),
    ("<p>x</p>", "<p>x</p><hr>"),
    ('<p class="intercom-align-center">x</p>', "<p>x</p>"),
    (
        '<iframe src="https://www.youtube.com/embed/a"></iframe>',
        '<iframe src="https://www.youtube.com/embed/b"></iframe>',
    ),
    ("<p>a</p><p>b</p>", "<p>a b</p>"),
    ("<p>a<br>b</p>", "<p>a b</p>"),
    (
        '<p><a href="https://x.io/a">x</a></p>',
        '<p><a class="intercom-h2b-button" href="https://x.io/a">x</a></p>',
    ),
]


@pytest.mark.parametrize(("ours", "theirs"), SAME)
def test_what_intercom_rewrites_compares_equal(ours: str, theirs: str) -> None:
    assert canonical(ours) == canonical(theirs)


@pytest.mark.parametrize(("before", "after"), DIFFERENT)
def test_every_edit_a_writer_makes_shows(before: str, after: str) -> None:
    assert canonical(before) != canonical(after)


def test_the_projection_is_readable_text_one_block_a_line() -> None:
    html = render(
        "# Refunds\n\nRefunds take **5 days**. See [pay](https://acme.intercom.help/en/articles/"
        "9-pay).\n\n- one\n- two\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n![Button](img/b.png)\n"
    ).html
    assert canonical(html) == (
        "h1 Refunds\n"
        "p Refunds take **5 days**. See [pay](article:9).\n"
        "ul\n  li one\n  li two\n"
        "table\n  tr | a | b |\n  tr | 1 | 2 |\n"
        "img ![Button](b.png)"
    )


def test_ten_thousand_nested_elements_do_not_overflow() -> None:
    html = '<div class="intercom-container">' * 10_000 + "x" + "</div>" * 10_000
    assert canonical(html) == "p x"
    assert canonical("<ul><li>" * 5_000 + "x" + "</li></ul>" * 5_000).count("li") == 5_000


def test_store_rewrites_as_intercom_does() -> None:
    stored = store(
        render(
            "# T\n\n### Deep\n\nSee [x](https://x.io).\n\n![A](https://a.io/img/a.png)\n\n"
            "- item\n\n| a |\n| :-: |\n| 1 |\n\n```py\nx\n```\n"
        ).html
    )
    assert re.search(r'<h1 id="h_[0-9a-f]{10}">T</h1><h2 id="h_[0-9a-f]{10}">Deep</h2>', stored)
    assert (
        '<a href="https://x.io" class="intercom-content-link" target="_blank" '
        'rel="nofollow noopener noreferrer">x</a>' in stored
    )
    assert re.search(
        r'<div class="intercom-container"><img src="https://downloads\.intercomcdn\.com/i/o/\d+/'
        r'[0-9a-f]+/a\.png" alt="A"></div>',
        stored,
    )
    assert '<li><p class="no-margin">item</p></li>' in stored
    assert (
        '<div class="intercom-interblocks-table-container"><table role="presentation"><tbody>'
        '<tr><td><p class="no-margin">a</p></td></tr>' in stored
    )
    assert "<pre><code>x\n</code></pre>" in stored
    assert "<th" not in stored and "align" not in stored


def test_served_signs_image_urls_anew_on_every_read() -> None:
    stored = store('<p><img src="https://a.io/img/a.png" alt="A"></p>')
    first, second = served(stored, 1000.0), served(stored, 1001.5)
    assert first != second
    assert "?expires=" in first and "&amp;signature=" in first
    assert canonical(first) == canonical(second)


def test_a_cdn_url_sent_back_is_kept() -> None:
    stored = store('<p><img src="https://a.io/img/a.png" alt="A"></p>')
    again = store(served(stored, 5.0))
    assert again == stored


@pytest.mark.parametrize(
    ("html", "why"),
    [
        ("<p>x</p><script>alert(1)</script>", "<script>"),
        ('<p><a href="javascript:x()">x</a></p>', "javascript:"),
        ("<ul><li></li></ul>", "empty list item"),
        ('<iframe src="https://evil.example/x"></iframe>', "<iframe>"),
        ('<p><img src="img/a.png" alt="A"></p>', "public absolute URL"),
    ],
)
def test_store_refuses_what_intercom_refuses(html: str, why: str) -> None:
    with pytest.raises(Refused, match=re.escape(why)):
        store(html)
