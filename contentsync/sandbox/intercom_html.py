"""How the sandbox stores article HTML: what Intercom refuses, and how it rewrites the rest.

`store(html)` raises Refused (a 400) for HTML outside html_subset, else returns it rewritten as
Intercom does (SPEC "Facts beyond the spec", and what public sync tools saw it store):
paragraphs get class="no-margin"; headings an id="h_<hex>", h3-h6 become h2; links
class="intercom-content-link" target="_blank" rel; strong/em become b/i; an image alone in its
paragraph moves into div.intercom-container; every image is re-hosted on Intercom's CDN under
its file name (a CDN URL sent back is kept); tables go into div.intercom-interblocks-table-
container with role="presentation", header rows become plain rows and alignment is dropped;
text directly in a list item or cell is wrapped in a paragraph; a code block loses its language;
comments go. `served(stored, now)` signs CDN image URLs anew on every read.

A tool that compares raw HTML sees a change on every plan against this; canonical() must not.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import re
import secrets
from urllib.parse import quote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from contentsync.canonical import image_name
from contentsync.html_subset import ELEMENTS, INLINE, check_html

CDN_HOST = "downloads.intercomcdn.com"
_CDN_SRC = re.compile(
    r'(<img\b[^>]*?\bsrc=")(https://downloads\.intercomcdn\.com/i/o/[^"?]*)[^"]*"'
)
_ALIGN = re.compile(r"intercom-align-\w+")
_WRAP_INLINE = frozenset({"li", "td", "th"})
_VOID = frozenset(name for name, rule in ELEMENTS.items() if rule.void)
_RENAME = {"strong": "b", "em": "i", "th": "td", "h3": "h2", "h4": "h2", "h5": "h2", "h6": "h2"}


class Refused(Exception):
    """Intercom answers 400: the message says why."""


def store(html: str) -> str:
    """The body as Intercom stores it, or Refused."""
    problems = check_html(html)
    if problems:
        raise Refused("; ".join(p.message for p in problems[:5]))
    body = LexborHTMLParser(html).body
    if body is None:
        return ""
    out: list[str] = []
    closers: list[str] = []
    node = body.child
    while node is not None:
        opened = _enter(node, out, closers)
        if opened:
            child = node.child
            if child is not None:
                node = child
                continue
            out.append(closers.pop())
        while node.next is None:
            parent = node.parent
            if not closers or parent is None:
                return "".join(out)
            node = parent
            out.append(closers.pop())
        node = node.next
    return "".join(out)


def served(stored: str, now: float) -> str:
    """The stored body as one read returns it: CDN image URLs signed for this read."""
    expires = int(now) + 600

    def sign(m: re.Match[str]) -> str:
        signature = hashlib.sha256(f"{m.group(2)}|{now!r}".encode()).hexdigest()[:40]
        return f'{m.group(1)}{m.group(2)}?expires={expires}&amp;signature={signature}"'

    return _CDN_SRC.sub(sign, stored)


def cdn_url(src: str) -> str:
    """Where Intercom re-hosts an image: its CDN, keeping the file name; a CDN URL is kept."""
    parts = urlsplit(src)
    if parts.hostname == CDN_HOST:
        return f"https://{CDN_HOST}{parts.path}"
    digest = hashlib.sha256(src.encode()).hexdigest()
    return f"https://{CDN_HOST}/i/o/{int(digest[:8], 16)}/{digest[8:32]}/{quote(image_name(src))}"


def _enter(node: LexborNode, out: list[str], closers: list[str]) -> bool:
    """Write the node's start (and, for leaves, all of it); True if its closer was pushed."""
    tag = node.tag or ""
    wrap = _wrapped_inline(node)
    if wrap and _starts_run(node):
        out.append('<p class="no-margin">')
    after = "</p>" if wrap and _ends_run(node) else ""
    if tag == "-text":
        out.append(htmllib.escape(node.text_content or "", quote=False) + after)
        return False
    if tag in ("thead", "tbody"):  # rows go into the one tbody the table gets
        closers.append("")
        return True
    if tag.startswith("-"):
        return False
    attrs = {k: v or "" for k, v in node.attributes.items()}
    name = _RENAME.get(tag, tag)
    before = ""
    if tag == "p" and _only_image(node):
        name, attrs = "div", {"class": "intercom-container"}
    elif tag == "p":
        attrs["class"] = " ".join([*_ALIGN.findall(attrs.get("class", "")), "no-margin"])
    elif name in ("h1", "h2"):
        attrs["id"] = f"h_{secrets.token_hex(5)}"
    elif tag == "a":
        button = "intercom-h2b-button" in attrs.get("class", "")
        attrs["class"] = "intercom-h2b-button" if button else "intercom-content-link"
        attrs["target"] = "_blank"
        attrs["rel"] = "nofollow noopener noreferrer"
    elif tag == "img":
        src = attrs.get("src", "")
        if not urlsplit(src).scheme:
            raise Refused(f"image {src} is not a public absolute URL Intercom can download")
        attrs["src"] = cdn_url(src)
    elif tag == "table":
        attrs["role"] = "presentation"
        if not _in_table_container(node):
            before, after = '<div class="intercom-interblocks-table-container">', "</div>" + after
    elif tag in ("th", "td"):
        attrs.pop("align", None)
    elif tag == "code":
        attrs.pop("class", None)
    start = "".join(f' {k}="{htmllib.escape(v)}"' for k, v in attrs.items())
    out.append(f"{before}<{name}{start}>")
    if tag == "table":
        out.append("<tbody>")
        closers.append(f"</tbody></table>{after}")
        return True
    if name in _VOID:
        out.append(after)
        return False
    closers.append(f"</{name}>{after}")
    return True


def _inline(node: LexborNode | None) -> bool:
    if node is None:
        return False
    tag = node.tag or ""
    if tag == "-text":
        return not (node.text_content or "").isspace()
    return tag in INLINE


def _wrapped_inline(node: LexborNode) -> bool:
    parent = node.parent
    return parent is not None and parent.tag in _WRAP_INLINE and _inline(node)


def _significant(node: LexborNode | None, forward: bool) -> LexborNode | None:
    while node is not None and (node.tag or "").startswith("-"):
        if node.tag == "-text" and not (node.text_content or "").isspace():
            return node
        node = node.next if forward else node.prev
    return node


def _starts_run(node: LexborNode) -> bool:
    return not _inline(_significant(node.prev, forward=False))


def _ends_run(node: LexborNode) -> bool:
    return not _inline(_significant(node.next, forward=True))


def _only_image(node: LexborNode) -> bool:
    children = [c for c in node.iter(include_text=True) if _significant(c, True) is c]
    return len(children) == 1 and children[0].tag == "img"


def _in_table_container(node: LexborNode) -> bool:
    parent = node.parent
    return (
        parent is not None
        and parent.tag == "div"
        and "intercom-interblocks-table-container" in (parent.attributes.get("class") or "")
    )
