"""Intercom article HTML -> Markdown, for `export`: what Markdown cannot say stays raw HTML.

Written here rather than taken from markdownify or html2text: both drop what they do not know
(callouts, alignment, buttons, video embeds, collapsible sections) or flatten it to text, and
neither promises the round trip export needs: canonical(render(to_markdown(h)).html) ==
canonical(h), held by a property test over generated Intercom HTML. What Markdown cannot express
(aligned paragraphs and headings, callouts, buttons, videos, collapsible sections, tables whose
cells hold blocks) is written as raw HTML from html_subset.ELEMENTS, without the attributes
Intercom adds itself (heading ids, link classes and targets), so validate accepts it.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from contentsync.html_subset import ELEMENTS, INLINE

_ALIGN = re.compile(r"\bintercom-align-(?:center|right|justify)\b")
_SPACE = re.compile(r"[ \t\n\r\f]+")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_ESCAPE = str.maketrans({c: "\\" + c for c in "\\`*_[]<"})
_LINE_START = re.compile(r"^([#+=>~-])")
_CLOSING_HASHES = re.compile(r"(^|[ \t])(#+)$")  # would close an ATX heading
_LINE_START_NUMBER = re.compile(r"^(\d+)([.)])")
_DROPPED_CLASSES = frozenset({"intercom-content-link", "no-margin"})
_DROPPED_ATTRIBUTES = frozenset({"id", "target", "rel"})


def to_markdown(html: str) -> str:
    """One article body as Markdown (ends with a newline unless it is empty)."""
    body = LexborHTMLParser(html).body
    if body is None:
        return ""
    text = "\n\n".join(_blocks(_children(body)))
    return text + "\n" if text else ""


@dataclass
class _Piece:
    markdown: str
    mark: tuple[str, str, str, str, str] | None = None  # (lead, delimiter, core, trail, tag)
    raw: str = ""  # a code span as inline HTML, for when a backtick touches it


def _children(node: LexborNode) -> Iterator[LexborNode]:
    child = node.child
    while child is not None:
        yield child
        child = child.next


def _is_inline(node: LexborNode) -> bool:
    tag = node.tag or ""
    if tag == "-text":
        return True
    if tag.startswith("-"):
        return False
    if tag == "a" or tag in INLINE:
        return True
    return tag not in ELEMENTS and tag not in ("thead", "tbody", "blockquote")


def _blocks(nodes: Iterator[LexborNode]) -> list[str]:
    out: list[str] = []
    run: list[LexborNode] = []
    last_list = ""
    for node in [*nodes, None]:
        if node is not None and _is_inline(node):
            run.append(node)
            continue
        if run:
            text = _paragraph(run)
            if text:
                out.append(text)
                last_list = ""
            run = []
        if node is None or (node.tag or "").startswith("-"):
            continue
        if node.tag in ("ul", "ol"):
            # Two lists in a row are one list in Markdown unless their markers differ.
            marker = _marker(node, alternate=last_list == node.tag)
            out.append(_list(node, marker))
            last_list = node.tag if marker in ("-", ".") else ""
            continue
        out.extend(_block(node))
        last_list = ""
    return out


def _marker(node: LexborNode, *, alternate: bool) -> str:
    if node.tag == "ul":
        return "*" if alternate else "-"
    return ")" if alternate else "."


def _block(node: LexborNode) -> list[str]:
    tag = node.tag or ""
    cls = node.attributes.get("class") or ""
    if tag == "p":
        if _ALIGN.search(cls):
            return [_raw(node)]
        text = _paragraph(list(_children(node)))
        return [text] if text else []
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        if _ALIGN.search(cls):
            return [_raw(node)]
        text = _CLOSING_HASHES.sub(r"\1\\\2", _inline(list(_children(node))).strip())
        return [f"{'#' * int(tag[1])} {text}".rstrip()]
    if tag == "pre":
        return [_code_block(node)]
    if tag == "hr":
        return ["***"]
    if tag == "table":
        return [_table(node)]
    if tag == "iframe":
        return [f'<div class="intercom-h2b-video">{_raw(node)}</div>']
    if tag == "details":
        return _details(node)
    if tag == "div":
        if "intercom-interblocks-callout" in cls:
            inner = _blocks(_children(node))
            return [_start_tag(node), *inner, "</div>"]
        if "intercom-h2b-video" in cls or _ALIGN.search(cls):
            return [_raw(node)]
    return _blocks(_children(node))  # wrappers: their content is what counts


def _paragraph(nodes: list[LexborNode]) -> str:
    text = _inline(nodes).strip(" ")
    if text.startswith("<"):  # a line opening with a tag may be an HTML block: keep it a paragraph
        return "<p>" + "".join(_raw(node) for node in nodes) + "</p>"
    return _LINE_START_NUMBER.sub(r"\1\\\2", _LINE_START.sub(r"\\\1", text)) if text else ""


def _list(node: LexborNode, marker: str) -> str:
    start = node.attributes.get("start") or "1"
    number = int(start) if start.isdigit() and len(start) < 9 else 1
    items = []
    for i, item in enumerate(c for c in _children(node) if c.tag == "li"):
        bullet = marker if node.tag == "ul" else f"{number + i}{marker}"
        body = "\n\n".join(_blocks(_children(item)))
        pad = " " * (len(bullet) + 1)
        lines = body.split("\n")
        rest = [f"{pad}{line}" if line else "" for line in lines[1:]]
        items.append("\n".join([f"{bullet} {lines[0]}".rstrip(), *rest]))
    return "\n".join(items)


def _code_block(node: LexborNode) -> str:
    code = node.text(deep=True) or ""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    body = code if code.endswith("\n") or not code else code + "\n"
    return f"{fence}\n{body}{fence}"


def _table(node: LexborNode) -> str:
    rows = [row for row in node.css("tr")]
    cells = [[c for c in _children(row) if c.tag in ("td", "th")] for row in rows]
    width = len(cells[0]) if cells else 0
    if not width or any(len(row) != width for row in cells):
        return _raw(node)
    texts = []
    for row in cells:
        line = []
        for cell in row:
            content = _cell_inline(cell)
            if content is None:
                return _raw(node)
            line.append(content.replace("|", "\\|"))
        texts.append(line)
    lines = ["| " + " | ".join(texts[0]) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(row) + " |" for row in texts[1:]]
    return "\n".join(lines)


def _cell_inline(cell: LexborNode) -> str | None:
    """A cell's content as one line of Markdown, or None when it holds blocks."""
    children = [c for c in _children(cell) if not _blank(c)]
    if (
        len(children) == 1
        and children[0].tag == "p"
        and not _ALIGN.search(children[0].attributes.get("class") or "")
    ):
        children = list(_children(children[0]))
    if not all(_is_inline(c) for c in children):
        return None
    return _inline(children).strip(" ")


def _details(node: LexborNode) -> list[str]:
    opening = "<details open>" if "open" in node.attributes else "<details>"
    closing = "</details>"
    body: list[str] = []
    for child in _children(node):
        cls = child.attributes.get("class") or "" if child.tag == "div" else ""
        if child.tag == "summary":
            opening += _raw(child)
        elif "collapsible-section-content" in cls:
            opening += '<div class="collapsible-section-content">'
            closing = "</div>" + closing
            body += _blocks(_children(child))
        elif not _blank(child):
            body += _blocks(iter([child]))
    return [opening, *body, closing]


def _blank(node: LexborNode) -> bool:
    tag = node.tag or ""
    return tag == "-comment" or (tag == "-text" and not (node.text_content or "").strip(" \n\t"))


def _inline(nodes: list[LexborNode]) -> str:
    pieces = [_inline_piece(node) for node in nodes]
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if out and out[-1].endswith("!") and piece.markdown.startswith("["):
            out[-1] = out[-1][:-1] + "\\!"  # not an image
        if piece.mark is None:
            touching = (out[-1][-1:] if out else "") + (
                pieces[i + 1].markdown[:1] if i + 1 < len(pieces) else ""
            )
            out.append(piece.raw if piece.raw and "`" in touching else piece.markdown)
            continue
        lead, delimiter, core, trail, tag = piece.mark
        before = lead[-1:] or (out[-1][-1:] if out else "")
        after = trail[:1] or (pieces[i + 1].markdown[:1] if i + 1 < len(pieces) else "")
        if _flanks(before, core[0]) and _flanks(after, core[-1]) and "*" not in core[0] + core[-1]:
            out.append(f"{lead}{delimiter}{core}{delimiter}{trail}")
        else:  # '*' there would not open or close: the same mark as inline HTML
            out.append(f"{lead}<{tag}>{core}</{tag}>{trail}")
    return "".join(out)


def _flanks(outside: str, inside: str) -> bool:
    """Whether a '*' run between `outside` and `inside` characters can open or close."""
    if outside == "*":
        return False
    return inside.isalnum() or not outside or not outside.isalnum()


def _inline_piece(node: LexborNode) -> _Piece:
    tag = node.tag or ""
    if tag == "-text":
        text = _SPACE.sub(" ", node.text_content or "").translate(_ESCAPE)
        return _Piece(_ENTITY.sub("&amp;", text))
    if tag.startswith("-"):
        return _Piece("")
    if tag in ("b", "strong", "i", "em"):
        return _mark(
            node, "**" if tag in ("b", "strong") else "*", "b" if tag in ("b", "strong") else "i"
        )
    if tag == "code":
        code = node.text(deep=True) or ""
        raw = htmllib.escape(_SPACE.sub(" ", code), quote=False).translate(_ESCAPE)
        return _Piece(_code_span(code), raw=f"<code>{raw}</code>")
    if tag == "a":
        return _Piece(_link(node))
    if tag == "img":
        attrs = node.attributes
        alt = _SPACE.sub(" ", attrs.get("alt") or "").translate(_ESCAPE)
        return _Piece(f"![{alt}]({_destination(attrs.get('src') or '')})")
    if tag == "br":
        return _Piece("<br>")
    return _Piece(_inline(list(_children(node))))


def _mark(node: LexborNode, delimiter: str, tag: str) -> _Piece:
    inner = _inline(list(_children(node)))
    same = ("b", "strong") if tag == "b" else ("i", "em")
    parent = node.parent
    while parent is not None and parent.tag not in ELEMENTS.keys() - INLINE:
        if parent.tag in same:
            return _Piece(inner)  # bold inside bold is bold
        parent = parent.parent
    core = inner.strip()  # as canonical() folds: every kind of white space, no-break too
    if not core:
        return _Piece(inner)
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(lead) + len(core) :]
    return _Piece(inner, (lead, delimiter, core, trail, tag))


def _code_span(code: str) -> str:
    code = _SPACE.sub(" ", code)
    if not code.strip():
        return code  # white space only: canonical() keeps it as white space, so do we
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def _link(node: LexborNode) -> str:
    attrs = node.attributes
    if "intercom-h2b-button" in (attrs.get("class") or ""):
        inner = _inline(list(_children(node)))
        href = htmllib.escape(attrs.get("href") or "")
        return f'<a class="intercom-h2b-button" href="{href}">{inner}</a>'
    return f"[{_inline(list(_children(node)))}]({_destination(attrs.get('href') or '')})"


def _destination(url: str) -> str:
    url = _ENTITY.sub("&amp;", url.strip())
    if re.search(r"[\s<>]", url) or url.count("(") != url.count(")"):
        return "<" + url.replace("<", "%3C").replace(">", "%3E").replace("\n", "%0A") + ">"
    return url.replace("\\", "\\\\") if url else ""


def _raw(node: LexborNode) -> str:
    """The node as one line of HTML, with only the attributes html_subset keeps."""
    tag = node.tag or ""
    if tag == "-text":
        return htmllib.escape(node.text_content or "", quote=False).replace("\n", "&#10;")
    if tag.startswith("-"):
        return ""
    inner = "".join(_raw(child) for child in _children(node))
    if tag not in ELEMENTS:
        return inner
    rule = ELEMENTS[tag]
    if rule.void:
        return _start_tag(node)
    return f"{_start_tag(node)}{inner}</{tag}>"


def _start_tag(node: LexborNode) -> str:
    tag = node.tag or ""
    rule = ELEMENTS[tag]
    attrs = []
    for name, value in node.attributes.items():
        if name not in rule.attributes or name in _DROPPED_ATTRIBUTES:
            continue
        if name == "class":
            value = " ".join(c for c in (value or "").split() if c not in _DROPPED_CLASSES)
            if not value:
                continue
        if value is None:
            attrs.append(f" {name}")
        else:
            attrs.append(f' {name}="{htmllib.escape(value)}"')
    return f"<{tag}{''.join(attrs)}>"
