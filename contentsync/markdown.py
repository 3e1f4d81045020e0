"""Markdown (CommonMark + GitHub tables) -> the HTML subset Intercom accepts, with lines.

cmark-gfm renders (measured: markdown-it-py is 10x slower, past SPEC section 9's budget), with
source positions on every block and raw HTML kept, so nothing is dropped silently: the output is
checked against html_subset.ELEMENTS, and everything outside it is a problem at its Markdown line.
What Intercom may flatten (deep headings, code languages, header rows, column alignment) is a
warning. Relative links and images stay as written: `replace_urls` resolves them later.
"""

from __future__ import annotations

import bisect
import ctypes
import heapq
import html as htmllib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cmarkgfm import _cmark
from cmarkgfm.cmark import Options

from contentsync import html_subset

# cmarkgfm's wrappers never free the document or the HTML string (80 KB leaked per 4 KB body:
# 1.6 GB over 20,000 bodies), so render calls cmark-gfm here and frees both.
_lib, _ffi = _cmark.lib, _cmark.ffi
_node_free = ctypes.CDLL(_cmark.__file__).cmark_node_free
_node_free.argtypes = [ctypes.c_void_p]
_free = ctypes.CDLL(None).free
_free.argtypes = [ctypes.c_void_p]
_lib.cmark_gfm_core_extensions_ensure_registered()
_TABLE = _lib.cmark_find_syntax_extension(b"table")

SAFE = Options.CMARK_OPT_SOURCEPOS
UNSAFE = SAFE | Options.CMARK_OPT_UNSAFE
MAX_CHARS = 1_000_000

_SOURCEPOS_START = ' data-sourcepos="'
_SOURCEPOS = re.compile(r' data-sourcepos="(\d+):(\d+)-(\d+):(\d+)"')
_SOURCEPOS_ATTRIBUTE = re.compile(r' data-sourcepos="\d+:\d+-\d+:\d+"')
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BIDI_UTF8 = re.compile(b"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")
# cmark ends each block with a newline: Intercom makes an empty paragraph of one between blocks.
# The search stops at each '>\n' only (not at every '<'), then looks behind for a block tag.
_BLOCK_TAGS = (
    *(f"</{name}>" for name in ("li", "p", "tr", "td", "th", "ul", "ol", "table", "thead")),
    *(f"</{name}>" for name in ("tbody", "pre", "div", "h1", "h2", "h3", "h4", "h5", "h6")),
    *(f"<{name}>" for name in ("li", "tr", "ul", "ol", "table", "thead", "tbody")),
    "<hr />",
)
_BLOCK_END = re.compile(">\n(?:" + "|".join(f"(?<={re.escape(t)}\n)" for t in _BLOCK_TAGS) + ")")
# What Intercom may flatten: deep headings, code languages, tables (header rows, alignment),
# comments; _WARNED is them in one pattern, for cmark's own HTML.
_WARNED_APART = (
    re.compile(r"<h(?P<level>[3-6])\b[^>]*>"),
    re.compile(r'<code class="language-(?P<language>[^"]*)"'),
    re.compile(r'<table\b[^>]*>|<t[hd] align="'),
    re.compile(r"<!--"),
)
_WARNED = re.compile("|".join(p.pattern for p in _WARNED_APART[:3]))
_EMPTY_ITEM = re.compile(r"(<li[^>]*>)\s*</li>")
_STRUCTURE = re.compile(r"<(/?)(li|ul|ol|blockquote|table)\b[^>]*>")
_LINK = re.compile(r'<a href="([^"]*)"[^>]*>')
_IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"[^>]*>')
_BLOCKQUOTE = (
    f"<blockquote> is not in the HTML Intercom accepts; {html_subset.INSTEAD['blockquote']}"
)
# An href or src value; `="` first, so the search skips to it instead of trying every space.
_URL_ATTRIBUTE = re.compile(r'(="(?:(?<=\shref=")|(?<=\ssrc=")))([^"]*)(")')


@dataclass(frozen=True, order=True)
class Note:
    """A problem or a warning at a Markdown line (absolute in the file); column 0 if unknown."""

    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Rendered:
    html: str
    problems: list[Note]
    warnings: list[Note]
    links: list[str]  # every link's href, in order
    images: list[tuple[str, str]]  # every image's (src, alt), in order
    lines: _Lines = field(repr=False, compare=False)

    def link_line(self, index: int) -> int:
        """The line of links[index]: looked up when asked, as most links need no line."""
        offset, tag = self.lines.tags()[0][index]
        return self.lines.note(offset, tag, "").line

    def image_line(self, index: int) -> int:
        offset, tag = self.lines.tags()[1][index]
        return self.lines.note(offset, tag, "").line


@dataclass
class Scanned:
    """What is wrong in cmark's HTML (offsets in it), and its links and images in order."""

    problems: list[html_subset.HtmlProblem]
    links: list[str]
    images: list[tuple[str, str]]


def render(markdown: str, *, first_line: int = 1) -> Rendered:
    """Render one article body whose first line is line `first_line` of its file."""
    encoded = markdown.encode("utf-8", "surrogatepass")
    marked = cmark(encoded, SAFE)
    raw = "<!-- raw HTML omitted -->" in marked or ' href=""' in marked or ' src=""' in marked
    if raw:  # raw HTML, or a URL cmark would blank: render it as written and check every tag
        marked = cmark(encoded, UNSAFE)
    html = _SOURCEPOS_ATTRIBUTE.sub("", marked)
    lines = _Lines(marked, markdown, first_line)
    found = lines.unstrip(html_subset.scan(html), html) if raw else scan_cmark_output(marked)
    problems = _source_problems(markdown, encoded, first_line)
    problems += [lines.note(p.offset, p.tag, p.message, column=True) for p in found.problems]
    return Rendered(
        html=_without_block_newlines(html),
        problems=sorted(problems),
        warnings=sorted(_warnings(marked, lines, raw)),
        links=found.links,
        images=found.images,
        lines=lines,
    )


def cmark(markdown: bytes, options: int) -> str:
    """cmark-gfm with GitHub tables: HTML, with data-sourcepos on every block."""
    parser = _lib.cmark_parser_new(options)
    try:
        _lib.cmark_parser_attach_syntax_extension(parser, _TABLE)
        _lib.cmark_parser_feed(parser, markdown, len(markdown))
        root = _lib.cmark_parser_finish(parser)
        try:
            extensions = _lib.cmark_parser_get_syntax_extensions(parser)
            raw = _lib.cmark_render_html(root, options, extensions)
            html: str = _ffi.string(raw).decode("utf-8", "replace")
            _free(int(_ffi.cast("uintptr_t", raw)))
        finally:
            _node_free(int(_ffi.cast("uintptr_t", root)))
    finally:
        _lib.cmark_parser_free(parser)
    return html


def scan_cmark_output(html: str) -> Scanned:
    """html_subset.scan for what cmark made (with source positions) from Markdown without raw
    HTML, in a few regular expressions: only blockquotes, empty items, tables in lists, nesting
    and URLs can be wrong there. A test holds it equal to html_subset.scan.

    findall, not a match object per tag: an offset is looked up only for a tag that is wrong.
    """
    problems = [
        html_subset.HtmlProblem(m.start(), html_subset.EMPTY_ITEM, m.group(1))
        for m in _EMPTY_ITEM.finditer(html)
    ]
    _structure(html, problems)
    links = [htmllib.unescape(url) if "&" in url else url for url in _LINK.findall(html)]
    images = [
        (htmllib.unescape(src) if "&" in src else src, htmllib.unescape(alt) if "&" in alt else alt)
        for src, alt in _IMAGE.findall(html)
    ]
    for tag, attribute, urls in ((_LINK, "href", links), (_IMAGE, "src", [s for s, _ in images])):
        refused = [
            (i, why)
            for i, url in enumerate(urls)
            if (why := html_subset.url_problem(attribute, url))
        ]
        if refused:
            found = list(tag.finditer(html))
            problems += [
                html_subset.HtmlProblem(found[i].start(), why, found[i].group())
                for i, why in refused
            ]
    return Scanned(problems, links, images)


def _structure(html: str, problems: list[html_subset.HtmlProblem]) -> None:
    """Blockquotes, tables in list items, and lists, quotes or tables nested too deep."""
    items = nesting = 0
    deep = False
    wrong = []  # (index of the tag among _STRUCTURE's, why)
    for i, (closing, name) in enumerate(_STRUCTURE.findall(html)):
        if closing:
            nesting -= name != "li"
            items -= name == "li"
            continue
        if name == "li":
            items += 1
            continue
        nesting += 1
        if nesting > html_subset.MAX_NESTING:
            if not deep:
                wrong.append((i, html_subset.DEEP))
            deep = True
        elif name == "blockquote":
            wrong.append((i, _BLOCKQUOTE))
        elif name == "table" and items:
            wrong.append((i, html_subset.TABLE_IN_ITEM))
    if wrong:
        found = list(_STRUCTURE.finditer(html))
        problems += [
            html_subset.HtmlProblem(found[i].start(), why, found[i].group()) for i, why in wrong
        ]


def replace_urls(html: str, mapping: Mapping[str, str]) -> str:
    """`html` with every href or src that is a key of `mapping` replaced by its value.

    Keys are URLs as written (rendered HTML escapes & as &amp;, so `a?b&c` is found as written).
    """
    if not mapping:
        return html
    parts = _URL_ATTRIBUTE.split(html)  # text, '="', URL, '"', text, ...: no call per URL
    for i in range(2, len(parts), 4):
        url = parts[i].replace("&amp;", "&")
        if url in mapping:
            parts[i] = mapping[url].replace("&", "&amp;").replace('"', "&quot;")
    return "".join(parts)


def _without_block_newlines(html: str) -> str:
    return _BLOCK_END.sub(">", html).rstrip("\n")


def _source_problems(markdown: str, encoded: bytes, first_line: int) -> list[Note]:
    problems = []
    if len(markdown) > MAX_CHARS:
        problems.append(
            Note(
                first_line,
                1,
                f"the article is {len(markdown):,} characters, more than {MAX_CHARS:,}; "
                "split it into several articles",
            )
        )
    if "\x00" in markdown:
        for m in re.finditer("\x00", markdown):
            line, column = _position(markdown, m.start(), first_line)
            problems.append(Note(line, column, "a NUL byte is not text; delete it"))
    if _BIDI_UTF8.search(encoded) is None:  # bytes: 3x (French) to 20x (ASCII) faster
        return problems
    for m in _BIDI.finditer(markdown):
        line, column = _position(markdown, m.start(), first_line)
        problems.append(
            Note(
                line,
                column,
                f"U+{ord(m.group()):04X} reorders how the text reads (a bidirectional override); "
                "delete it and write the text in reading order",
            )
        )
    return problems


def _position(text: str, offset: int, first_line: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return first_line + text.count("\n", 0, offset), offset - line_start + 1


def _warnings(html: str, lines: _Lines, raw: bool) -> list[Note]:
    if raw:  # a raw tag may hold '<' in an attribute: each pattern searches on its own
        found: Iterable[re.Match[str]] = heapq.merge(
            *(p.finditer(html) for p in _WARNED_APART), key=re.Match.start
        )
    else:  # cmark's own tags hold no '<', and no comment is left: one pass finds the same
        found = _WARNED.finditer(html)
    notes = []
    table_at, table = -1, ""
    aligned = False
    for m in found:
        tag = m.group()
        if tag.startswith("<h"):
            notes.append(
                lines.note(
                    m.start(),
                    tag,
                    f"Intercom may show this level-{m.group('level')} heading as a level-2 "
                    "heading (##); write ## if the difference matters",
                )
            )
        elif tag.startswith("<code"):
            notes.append(
                lines.note(
                    m.start(),
                    "",
                    f"Intercom drops a code block's language ({m.group('language')}); "
                    "the code is kept",
                )
            )
        elif tag.startswith("<table"):
            table_at, table, aligned = m.start(), tag, False
            notes.append(
                lines.note(
                    table_at,
                    table,
                    "Intercom may show a table's header row as a plain row; bold the header "
                    "cells if they must stand out",
                )
            )
        elif tag.startswith("<t"):
            if not aligned:
                aligned = True
                notes.append(
                    lines.note(
                        table_at,
                        table,
                        "Intercom may drop column alignment (:--, :-:, --:); the cells are kept",
                    )
                )
        else:
            notes.append(
                lines.note(
                    m.start(),
                    "<!--",
                    "Intercom does not keep HTML comments: readers never see this",
                )
            )
    return notes


class _Lines:
    """Maps offsets in cmark's HTML (with data-sourcepos) to Markdown lines.

    Each block carries its source position; inline content keeps the source's line breaks, so a
    line is the block's first line plus the newlines before the offset. Raw HTML blocks have no
    position: their tags are found in the source after the block before them. A body needs a
    line for a few tags only, so each is looked up when asked.
    """

    def __init__(self, marked: str, markdown: str, first_line: int) -> None:
        self.marked = marked
        self.markdown = markdown
        self.first_line = first_line
        self._line_starts: list[int] = []
        # (offset, tag) of each link and of each image, in order; found in cmark's HTML when
        # first asked, unless the full scan already said
        self._tags: tuple[list[tuple[int, str]], list[tuple[int, str]]] | None = None

    def unstrip(self, found: html_subset.Scan, html: str) -> Scanned:
        """`found` (offsets in `html`, the HTML without positions) with offsets in cmark's."""
        blocks = list(_SOURCEPOS.finditer(self.marked))
        removed = [0]
        for m in blocks:
            removed.append(removed[-1] + m.end() - m.start())
        stripped_at = [m.start() - removed[i] for i, m in enumerate(blocks)]

        def at(offset: int) -> int:
            return offset + removed[bisect.bisect_right(stripped_at, offset)]

        self._tags = (
            [(at(offset), tag) for _, offset, tag in found.links],
            [(at(offset), tag) for _, _, offset, tag in found.images],
        )
        return Scanned(
            [html_subset.HtmlProblem(at(p.offset), p.message, p.tag) for p in found.problems],
            [href for href, _, _ in found.links],
            [(src, alt) for src, alt, _, _ in found.images],
        )

    def tags(self) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """Where each link and each image is: (offset, tag)."""
        if self._tags is None:
            self._tags = (
                [(m.start(), m.group()) for m in _LINK.finditer(self.marked)],
                [(m.start(), m.group()) for m in _IMAGE.finditer(self.marked)],
            )
        return self._tags

    def note(self, offset: int, tag: str, message: str, *, column: bool = False) -> Note:
        """Where `tag` at `offset` came from; `column` looks for a raw tag on its line."""
        end = self.marked.find(">", offset) if tag else offset
        block = self._block(end)
        if block is not None:
            start, line, block_column, last = block
            if start >= offset:  # the tag's own position
                return Note(self.first_line + line - 1, block_column, message)
            estimate = line + self.marked.count("\n", start, offset)
            if estimate <= last:
                where = self._column(tag, estimate) if column else 0
                return Note(self.first_line + estimate - 1, where, message)
            after = last + 1
        else:
            estimate, after = 1 + self.marked.count("\n", 0, offset), 1
        found = self._find(_SOURCEPOS.sub("", tag), after) if tag else -1
        if found < 0:
            return Note(self.first_line + estimate - 1, 0, message)
        line, where = _position(self.markdown, found, self.first_line)
        return Note(line, where, message)

    def _block(self, end: int) -> tuple[int, int, int, int] | None:
        """The last block starting at or before `end`: its offset, first line, first column and
        last line."""
        at = end + len(_SOURCEPOS_START)
        while (at := self.marked.rfind(_SOURCEPOS_START, 0, at)) >= 0:
            m = _SOURCEPOS.match(self.marked, at)
            if m:
                last = int(m.group(3)) - (m.group(4) == "0")  # "9:0" ends before line 9
                return at, int(m.group(1)), int(m.group(2)), last
            at += len(_SOURCEPOS_START) - 1
        return None

    def _column(self, tag: str, line: int) -> int:
        """Where raw `tag` starts on `line`, or 0 (cmark's own inline tags are not there)."""
        found = self._find(tag, line)
        end = self.markdown.find("\n", self._line_starts[line - 1])
        if found < 0 or (end >= 0 and found > end):
            return 0
        return found - self._line_starts[line - 1] + 1

    def _find(self, tag: str, line: int) -> int:
        if not self._line_starts:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.markdown)]
        if line > len(self._line_starts):
            return -1
        return self.markdown.find(tag, self._line_starts[line - 1])
