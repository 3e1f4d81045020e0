"""The HTML Intercom accepts in an article body, as one table, and the scanner that checks it.

Validate, the Markdown renderer, the sandbox's 400s, the comparison and export all read ELEMENTS:
each element with the elements it may hold, its attributes and its classes. It holds what the API
documents (p, br, hr, h1, h2, a, img, lists, tables, pre/code, b/strong, i/em, video iframes) and
what Intercom's own editor writes and its API returns: h3/h4, callouts
(div.intercom-interblocks-callout), aligned paragraphs (intercom-align-*), image and button
containers (div.intercom-container, a.intercom-h2b-button), video embeds (div.intercom-h2b-video),
table containers and collapsible sections (details/summary).

`scan(html)` reads the HTML once, tag by tag (a regular expression over the text, not a DOM: the
renderer runs it over every body of every locale at validate), and returns every problem with
its offset plus every link and image, so the renderer can give them Markdown lines.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

TEXT = "#text"
ALIGN_CLASSES = r"intercom-align-(?:left|center|right|justify)"
INLINE = frozenset({TEXT, "a", "b", "strong", "i", "em", "code", "br", "img"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK = frozenset(
    {"p", "ul", "ol", "table", "pre", "hr", "div", "iframe", "details", "img", *HEADINGS}
)
FLOW = BLOCK | INLINE
# Hosts Intercom embeds videos from (the registrable domain; any subdomain of it).
VIDEO_HOSTS = (
    "youtube.com",
    "youtube-nocookie.com",
    "youtu.be",
    "vimeo.com",
    "wistia.com",
    "wistia.net",
    "loom.com",
    "vidyard.com",
    "streamio.com",
)
VIDEO_HOST_NAMES = "YouTube, Vimeo, Wistia, Loom, Vidyard or StreamIO"
# Lists, quotes, tables and sections nest at most this deep; deeper ones are one problem, and
# what is inside them is not checked further (10,000 nested lists give one line, not 10,000).
NESTING = frozenset({"ul", "ol", "blockquote", "table", "div", "details"})
MAX_NESTING = 16
EMPTY_ITEM = "an empty list item is refused by Intercom; write its text or remove the item"
TABLE_IN_ITEM = "a table inside a list item is refused by Intercom; end the list before the table"
DEEP = f"lists, tables and sections nest more than {MAX_NESTING} deep here; flatten them"


@dataclass(frozen=True)
class Element:
    """What one element may hold. `classes` is a regular expression every class must match."""

    children: frozenset[str]
    attributes: frozenset[str] = frozenset()
    classes: str = ""
    urls: frozenset[str] = frozenset()
    styles: frozenset[str] = frozenset()
    void: bool = False
    needs_class: bool = False


_CELL = Element(INLINE | {"p", "ul", "ol", "pre"}, frozenset({"align", "colspan", "rowspan"}))
_HEADING = Element(INLINE, frozenset({"id", "class"}), ALIGN_CLASSES)

ELEMENTS: dict[str, Element] = {
    "p": Element(INLINE, frozenset({"class"}), rf"no-margin|{ALIGN_CLASSES}"),
    **dict.fromkeys(HEADINGS, _HEADING),
    "a": Element(
        INLINE - {"a"},
        frozenset({"href", "title", "class", "target", "rel"}),
        r"intercom-content-link|intercom-h2b-button",
        urls=frozenset({"href"}),
    ),
    "img": Element(
        frozenset(),
        frozenset({"src", "alt", "title", "width", "height", "style"}),
        urls=frozenset({"src"}),
        styles=frozenset({"width", "height"}),
        void=True,
    ),
    "br": Element(frozenset(), void=True),
    "hr": Element(frozenset(), void=True),
    "ul": Element(frozenset({"li"})),
    "ol": Element(frozenset({"li"}), frozenset({"start"})),
    "li": Element(FLOW - {"table"}),
    "table": Element(frozenset({"thead", "tbody", "tr"}), frozenset({"role"})),
    "thead": Element(frozenset({"tr"})),
    "tbody": Element(frozenset({"tr"})),
    "tr": Element(frozenset({"th", "td"})),
    "th": _CELL,
    "td": _CELL,
    "pre": Element(frozenset({TEXT, "code"})),
    "code": Element(frozenset({TEXT}), frozenset({"class"}), r"language-\S+"),
    "b": Element(INLINE),
    "strong": Element(INLINE),
    "i": Element(INLINE),
    "em": Element(INLINE),
    "iframe": Element(
        frozenset(),
        frozenset(
            {
                "src",
                "width",
                "height",
                "title",
                "frameborder",
                "allow",
                "allowfullscreen",
                "webkitallowfullscreen",
                "mozallowfullscreen",
                "referrerpolicy",
            }
        ),
        urls=frozenset({"src"}),
    ),
    "div": Element(
        FLOW,
        frozenset({"class", "style"}),
        r"intercom-container|intercom-interblocks-callout|intercom-h2b-video"
        r"|intercom-interblocks-table-container|intercom-interblocks-button"
        rf"|collapsible-section-content|{ALIGN_CLASSES}",
        styles=frozenset({"background-color", "border-color"}),
        needs_class=True,
    ),
    "details": Element(FLOW | {"summary"}, frozenset({"open"})),
    "summary": Element(INLINE | HEADINGS),
}
_CLASS_RE = {name: re.compile(rf"(?:{e.classes})\Z") for name, e in ELEMENTS.items() if e.classes}
ROOT = Element(FLOW)

# What to write instead of an element outside the table.
INSTEAD: dict[str, str] = {
    "script": "remove it: an Intercom article cannot run scripts",
    "style": "remove it: Intercom styles articles itself",
    "blockquote": (
        'write a callout instead: <div class="intercom-interblocks-callout">, a blank line, '
        "the Markdown, a blank line, </div>"
    ),
    "span": "remove the <span> and keep its text",
    "u": "use **bold** or *italic* instead",
    "del": "remove it: Intercom has no strikethrough",
    "s": "remove it: Intercom has no strikethrough",
    "strike": "remove it: Intercom has no strikethrough",
    "center": 'use <p class="intercom-align-center"> instead',
    "font": "remove it and keep its text",
    "video": f"embed the video from {VIDEO_HOST_NAMES} with an <iframe>",
    "object": f"embed the video from {VIDEO_HOST_NAMES} with an <iframe>",
    "embed": f"embed the video from {VIDEO_HOST_NAMES} with an <iframe>",
    "form": "link to the form's page instead",
    "input": "link to the form's page instead",
    "button": 'write <a class="intercom-h2b-button" href="..."> inside '
    '<div class="intercom-container"> instead',
}
_VOID_HTML = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp"})

TOKEN = re.compile(
    r"<!--.*?-->|<[!?][^>]*>|<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.S,
)
ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_STYLE_DECL = re.compile(r"\s*([a-z-]+)\s*:\s*([#\w\s.,%()-]*?)\s*(?:;|\Z)")
_SCHEMES = {"href": ("http", "https", "mailto", "tel"), "src": ("http", "https")}


@dataclass(frozen=True)
class HtmlProblem:
    """One thing Intercom would refuse, at `offset` in the HTML; `tag` is the tag's text."""

    offset: int
    message: str
    tag: str = ""


@dataclass
class Scan:
    problems: list[HtmlProblem] = field(default_factory=list)
    links: list[tuple[str, int, str]] = field(default_factory=list)  # (href, offset, tag)
    images: list[tuple[str, str, int, str]] = field(default_factory=list)  # (src, alt, ...)


def check_html(html: str) -> list[HtmlProblem]:
    """Every way `html` leaves the subset Intercom accepts, each saying what to write instead."""
    return scan(html).problems


def url_problem(attribute: str, value: str, *, iframe: bool = False) -> str | None:
    """Why a URL in `attribute` is refused, or None. Relative URLs are fine here."""
    no_scheme = ":" not in value and "&" not in value
    if not iframe and (no_scheme or value.startswith(("https://", "http://"))):
        return None  # the common cases, without unescaping
    url = _URL_NOISE.sub("", htmllib.unescape(value)).lower()
    scheme = _SCHEME.match(url)
    if iframe:
        host = (urlsplit(url).hostname or "") if scheme else ""
        if not scheme or scheme.group(1) != "https" or not _video_host(host):
            return (
                f"an <iframe> must embed https:// video from {VIDEO_HOST_NAMES}; "
                "link to anything else with [text](url)"
            )
        return None
    if not scheme:
        return None
    name = scheme.group(1)
    if name in ("javascript", "vbscript"):
        return f"{name}: URLs are refused; link to an https:// page instead"
    if name == "data":
        return "data: URLs are refused; put the file next to the article and use its path"
    if name not in _SCHEMES[attribute]:
        allowed = ", ".join(f"{s}:" for s in _SCHEMES[attribute])
        return f"{name}: URLs are refused in {attribute}; use {allowed} or a relative path"
    return None


def _video_host(host: str) -> bool:
    return any(host == h or host.endswith("." + h) for h in VIDEO_HOSTS)


def attributes(text: str) -> dict[str, str]:
    """The attributes of a tag (the text after its name), values unescaped; first one wins."""
    found: dict[str, str] = {}
    for m in ATTRIBUTE.finditer(text):
        name = m.group(1).lower()
        if name not in found:
            value = m.group(2) if m.group(2) is not None else m.group(3) or m.group(4) or ""
            found[name] = htmllib.unescape(value) if "&" in value else value
    return found


class _Open:
    __slots__ = ("content", "end", "name", "nesting", "offset", "rule")

    def __init__(self, name: str, rule: Element, offset: int, end: int, nesting: int) -> None:
        self.nesting = nesting
        self.name = name
        self.rule = rule
        self.offset = offset
        self.end = end
        self.content = False


def scan(html: str) -> Scan:
    """Check `html` against ELEMENTS and collect its links and images, in one pass."""
    out = Scan()
    problems = out.problems
    stack: list[_Open] = []
    tables = items = 0
    deep = False
    pos = 0
    for m in TOKEN.finditer(html):
        start = m.start()
        if start < pos:  # inside a script or style that was skipped
            continue
        if start > pos and not html[pos:start].isspace():
            _text(stack, html, pos, problems)
        pos = m.end()
        name = m.group(2)
        if name is None:
            token = m.group(0)
            if not token.startswith("<!--"):
                problems.append(
                    HtmlProblem(start, f"{token[:20]} is not HTML Intercom keeps; remove it", token)
                )
            continue
        name = name.lower()
        tag = m.group(0)
        if m.group(1):
            _close(stack, name, start, tag, html, problems)
            if name == "table":
                tables = max(0, tables - 1)
            elif name == "li":
                items = max(0, items - 1)
            continue
        rule = ELEMENTS.get(name)
        parent = stack[-1] if stack else None
        if parent is not None:
            parent.content = True
        nesting = stack[-1].nesting if stack else 0
        if name in NESTING:
            nesting += 1
        if nesting > MAX_NESTING and not deep:
            problems.append(HtmlProblem(start, DEEP, tag))
            deep = True
        if rule is None:
            if nesting <= MAX_NESTING:
                instead = INSTEAD.get(name, "remove it, or write the same thing in Markdown")
                message = f"<{name}> is not in the HTML Intercom accepts; {instead}"
                problems.append(HtmlProblem(start, message, tag))
                for attribute in attributes(m.group(3)):
                    if attribute.startswith("on"):
                        message = f"event handler {attribute}= is refused; remove it"
                        problems.append(HtmlProblem(start, message, tag))
        else:
            if nesting <= MAX_NESTING:
                _placement(name, parent, items, tables, start, tag, problems)
            _attributes(name, rule, m.group(3), start, tag, out)
        if name in _RAW_TEXT:
            end = html.lower().find(f"</{name}", pos)
            pos = len(html) if end < 0 else end
            stack.append(_Open(name, rule or ROOT, start, m.end(), nesting))
            continue
        if rule.void if rule else name in _VOID_HTML:
            continue
        if name == "table":
            tables += 1
        elif name == "li":
            items += 1
        stack.append(_Open(name, rule or ROOT, start, m.end(), nesting))
    if pos < len(html) and not html[pos:].isspace():
        _text(stack, html, pos, problems)
    for still in reversed(stack):
        problems.append(
            HtmlProblem(
                still.offset,
                f"<{still.name}> is never closed; add </{still.name}>",
                html[still.offset : still.end],
            )
        )
    return out


def _placement(
    name: str,
    parent: _Open | None,
    items: int,
    tables: int,
    start: int,
    tag: str,
    problems: list[HtmlProblem],
) -> None:
    if name == "table" and items:
        problems.append(HtmlProblem(start, TABLE_IN_ITEM, tag))
    elif name == "table" and tables:
        message = "a table inside a table is refused by Intercom; put the inner table after it"
        problems.append(HtmlProblem(start, message, tag))
    elif parent is not None and name not in parent.rule.children:
        message = f"<{name}> cannot be inside <{parent.name}>; move it out of the <{parent.name}>"
        problems.append(HtmlProblem(start, message, tag))


def _text(stack: list[_Open], html: str, offset: int, problems: list[HtmlProblem]) -> None:
    if not stack:
        return
    top = stack[-1]
    top.content = True
    if TEXT not in top.rule.children and top.rule is not ROOT:
        problems.append(
            HtmlProblem(
                offset,
                f"text cannot be directly inside <{top.name}>; put it in a paragraph or list item",
            )
        )


def _close(
    stack: list[_Open], name: str, start: int, tag: str, html: str, problems: list[HtmlProblem]
) -> None:
    """Pop up to the matching open element, reporting what it leaves unclosed."""
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth].name == name:
            break
    else:
        if name not in _VOID_HTML:
            problems.append(HtmlProblem(start, f"</{name}> closes nothing; remove it", tag))
        return
    for unclosed in stack[depth + 1 :]:
        problems.append(
            HtmlProblem(
                unclosed.offset,
                f"<{unclosed.name}> is never closed; add </{unclosed.name}> before </{name}>",
                tag,
            )
        )
    closed = stack[depth]
    del stack[depth:]
    if name == "li" and not closed.content:
        problems.append(
            HtmlProblem(
                closed.offset,
                EMPTY_ITEM,
                html[closed.offset : closed.end],
            )
        )


def _attributes(name: str, rule: Element, text: str, start: int, tag: str, out: Scan) -> None:
    attrs = attributes(text) if text.strip(" /") else {}
    problems = out.problems
    for attribute, value in attrs.items():
        if attribute.startswith("on"):
            problems.append(
                HtmlProblem(start, f"event handler {attribute}= is refused; remove it", tag)
            )
        elif attribute not in rule.attributes:
            allowed = ", ".join(sorted(rule.attributes)) or "none"
            problems.append(
                HtmlProblem(
                    start,
                    f"attribute {attribute}= is not allowed on "
                    f"<{name}> (allowed: {allowed}); remove it",
                    tag,
                )
            )
        elif attribute == "class":
            pattern = _CLASS_RE[name]
            for cls in value.split():
                if not pattern.match(cls):
                    problems.append(
                        HtmlProblem(
                            start,
                            f'class "{cls}" is not one Intercom keeps on <{name}>; remove it',
                            tag,
                        )
                    )
        elif attribute == "style":
            _style(name, rule, value, start, tag, problems)
        elif attribute in rule.urls:
            why = url_problem(attribute, value, iframe=name == "iframe")
            if why:
                problems.append(HtmlProblem(start, why, tag))
    if rule.needs_class and not attrs.get("class", "").split():
        problems.append(
            HtmlProblem(
                start,
                f"a <{name}> needs one of Intercom's classes "
                "(intercom-interblocks-callout, intercom-container, "
                "...); to group text, write Markdown paragraphs",
                tag,
            )
        )
    if name == "a" and "href" in attrs:
        out.links.append((attrs["href"], start, tag))
    elif name == "img":
        if "src" not in attrs:
            problems.append(HtmlProblem(start, "an <img> needs a src=; add the image's URL", tag))
        else:
            out.images.append((attrs["src"], attrs.get("alt", ""), start, tag))


def _style(
    name: str, rule: Element, value: str, start: int, tag: str, problems: list[HtmlProblem]
) -> None:
    lowered = value.lower()
    if "url(" in lowered or "expression" in lowered or "javascript" in lowered:
        problems.append(
            HtmlProblem(start, "style= may not load URLs or run expressions; remove it", tag)
        )
        return
    pos = 0
    while pos < len(value):
        m = _STYLE_DECL.match(value, pos)
        if not m or m.end() == pos:
            problems.append(
                HtmlProblem(
                    start,
                    f"style= on <{name}> is not a list of "
                    "'property: value;' declarations; remove it",
                    tag,
                )
            )
            return
        if m.group(1).lower() not in rule.styles:
            allowed = ", ".join(sorted(rule.styles))
            problems.append(
                HtmlProblem(
                    start,
                    f"style property {m.group(1)} is not kept on "
                    f"<{name}> (allowed: {allowed}); remove it",
                    tag,
                )
            )
        pos = m.end()
