"""Markdown (CommonMark + GitHub tables) -> the HTML subset Intercom accepts, with lines.

cmark-gfm renders (measured: markdown-it-py is 10x slower, past SPEC section 9's budget), with
source positions on every block and raw HTML kept, so nothing is dropped silently: the output is
checked against html_subset.ELEMENTS, and everything outside it is a problem at its Markdown line.
What Intercom may flatten (deep headings, code languages, header rows, column alignment) is a
warning. Relative links and images stay as written: `replace_urls` resolves them later.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import cmarkgfm
from cmarkgfm.cmark import Options

from contentsync import html_subset

OPTIONS = Options.CMARK_OPT_SOURCEPOS | Options.CMARK_OPT_UNSAFE
EXTENSIONS = ["table"]
MAX_CHARS = 1_000_000

_SOURCEPOS = re.compile(r' data-sourcepos="(\d+):(\d+)-(\d+):(\d+)"')
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_AFTER_BLOCK = re.compile(
    r"(</(?:p|h[1-6]|ul|ol|li|table|thead|tbody|tr|th|td|pre|div)>|<(?:ul|ol|li|table|thead|tbody"
    r"|tr)>|<hr />)\n"
)
_DEEP_HEADING = re.compile(r"<h([3-6])\b")
_CODE_LANGUAGE = re.compile(r'<code class="language-([^"]*)"')
_TABLE_OR_ALIGN = re.compile(r'<table\b|<t[hd] align="')
_COMMENT = re.compile(r"<!--")
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


@dataclass(frozen=True, order=True)
class Note:
    """A problem or a warning at a Markdown line (absolute in the file); column 0 if unknown."""

    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Rendered:
    html: str
    problems: list[Note] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)  # (href, line)
    images: list[tuple[str, str, int]] = field(default_factory=list)  # (src, alt, line)


def render(markdown: str, *, first_line: int = 1) -> Rendered:
    """Render one article body whose first line is line `first_line` of its file."""
    with_positions = cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=OPTIONS, extensions=EXTENSIONS
    )
    html, lines = _Lines.strip(with_positions, markdown, first_line)
    found = html_subset.scan(html)
    problems = _source_problems(markdown, first_line)
    problems += [lines.note(p.offset, p.tag, p.message) for p in found.problems]
    return Rendered(
        html=_AFTER_BLOCK.sub(r"\1", html).rstrip("\n"),
        problems=sorted(problems),
        warnings=sorted(_warnings(html, lines)),
        links=[(href, lines.note(offset, tag, "").line) for href, offset, tag in found.links],
        images=[(src, alt, lines.note(at, tag, "").line) for src, alt, at, tag in found.images],
    )


def replace_urls(html: str, mapping: Mapping[str, str]) -> str:
    """`html` with every href or src that is a key of `mapping` replaced by its value.

    Keys are URLs as written (rendered HTML escapes & as &amp;, so `a?b&c` is found as written).
    """
    if not mapping:
        return html

    def swap(m: re.Match[str]) -> str:
        url = m.group(2).replace("&amp;", "&")
        if url not in mapping:
            return m.group(0)
        new = mapping[url].replace("&", "&amp;").replace('"', "&quot;")
        return f"{m.group(1)}{new}{m.group(3)}"

    return _URL_ATTRIBUTE.sub(swap, html)


def _source_problems(markdown: str, first_line: int) -> list[Note]:
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
    for m in re.finditer("\x00", markdown):
        line, column = _position(markdown, m.start(), first_line)
        problems.append(Note(line, column, "a NUL byte is not text; delete it"))
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


def _warnings(html: str, lines: _Lines) -> list[Note]:
    notes = []
    for m in _DEEP_HEADING.finditer(html):
        notes.append(
            lines.note(
                m.start(),
                "",
                f"Intercom may show this level-{m.group(1)} heading as a level-2 heading (##); "
                "write ## if the difference matters",
            )
        )
    for m in _CODE_LANGUAGE.finditer(html):
        notes.append(
            lines.note(
                m.start(),
                "",
                f"Intercom drops a code block's language ({m.group(1)}); the code is kept",
            )
        )
    table_at = -1
    aligned = False
    for m in _TABLE_OR_ALIGN.finditer(html):
        if m.group().startswith("<table"):
            table_at, aligned = m.start(), False
            notes.append(
                lines.note(
                    table_at,
                    "",
                    "Intercom may show a table's header row as a plain row; bold the header "
                    "cells if they must stand out",
                )
            )
        elif not aligned:
            aligned = True
            notes.append(
                lines.note(
                    table_at,
                    "",
                    "Intercom may drop column alignment (:--, :-:, --:); the cells are kept",
                )
            )
    for m in _COMMENT.finditer(html):
        notes.append(
            lines.note(
                m.start(), "<!--", "Intercom does not keep HTML comments: readers never see this"
            )
        )
    return notes


class _Lines:
    """Maps offsets in the rendered HTML to Markdown lines.

    Each block carries its source position; inline content keeps the source's line breaks, so a
    line is the block's first line plus the newlines before the offset. Raw HTML blocks have no
    position: their tags are found in the source after the block before them.
    """

    def __init__(self, markdown: str, first_line: int) -> None:
        self.markdown = markdown
        self.first_line = first_line
        self.html = ""
        self.offsets: list[int] = []
        self.blocks: list[tuple[int, int, int]] = []  # (line, column, last line)
        self._line_starts: list[int] = []

    @classmethod
    def strip(cls, with_positions: str, markdown: str, first_line: int) -> tuple[str, _Lines]:
        """The HTML without data-sourcepos, and the map of where each block was."""
        lines = cls(markdown, first_line)
        pieces = []
        pos = removed = 0
        for m in _SOURCEPOS.finditer(with_positions):
            pieces.append(with_positions[pos : m.start()])
            pos = m.end()
            tag_start = with_positions.rfind("<", 0, m.start())
            lines.offsets.append(tag_start - removed)
            end_line = int(m.group(3)) - (m.group(4) == "0")
            lines.blocks.append((int(m.group(1)), int(m.group(2)), end_line))
            removed += m.end() - m.start()
        pieces.append(with_positions[pos:])
        lines.html = "".join(pieces)
        return lines.html, lines

    def note(self, offset: int, tag: str, message: str) -> Note:
        i = bisect.bisect_right(self.offsets, offset) - 1
        if i >= 0:
            line, column, last = self.blocks[i]
            start = self.offsets[i]
            if offset == start:
                return Note(self.first_line + line - 1, column, message)
            estimate = line + self.html.count("\n", start, offset)
            if estimate <= last:
                return Note(self.first_line + estimate - 1, 0, message)
            after = last + 1
        else:
            estimate, after = 1 + self.html.count("\n", 0, offset), 1
        found = self._find(tag, after) if tag else -1
        if found < 0:
            return Note(self.first_line + estimate - 1, 0, message)
        line, column = _position(self.markdown, found, self.first_line)
        return Note(line, column, message)

    def _find(self, tag: str, line: int) -> int:
        if not self._line_starts:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.markdown)]
        if line > len(self._line_starts):
            return -1
        return self.markdown.find(tag, self._line_starts[line - 1])
