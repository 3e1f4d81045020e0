"""Article bodies, one way: Markdown -> the HTML Intercom accepts, with the content tree's links
and images resolved, and their size in words.

A link to another article file is kept as `contentsync:<path of its default-locale file>` until
apply knows that article's id; `link_targets` lists them so apply can wait for a linked article
made in the same plan. A relative image becomes `assets_base_url` + its path in the content
directory. Pure: the loader says which files exist.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from contentsync.locales import LOCALE_SET, split_locale
from contentsync.markdown import render, replace_urls

LINK_PREFIX = "contentsync:"
_ABSOLUTE = ("https://", "http://")  # most URLs: _local would say None after a urlsplit
# A placeholder is the value of an href or a src; the pattern starts with its literal text,
# which the regular expression engine finds 7x faster than when it starts with `href|src`.
_PLACEHOLDER = re.compile(r'="' + re.escape(LINK_PREFIX) + r'([^"#]*)(#[^"]*)?"')
_URL_ATTRIBUTES = (" href", " src")


@dataclass(frozen=True)
class BodyProblem:
    line: int
    column: int
    message: str
    warning: bool = False


@dataclass(frozen=True)
class Body:
    html: str
    problems: tuple[BodyProblem, ...]


def render_body(
    markdown: str,
    *,
    first_line: int,
    article_path: str,
    exists: Callable[[str], bool],
    is_article: Callable[[str], bool],
    assets_base_url: str | None,
) -> Body:
    """`article_path` is the file's path in the content directory (posix); `exists` and
    `is_article` answer for other paths in it."""
    rendered = render(markdown, first_line=first_line)
    problems = [BodyProblem(p.line, p.column, p.message) for p in rendered.problems]
    problems += [BodyProblem(w.line, w.column, w.message, warning=True) for w in rendered.warnings]
    folder = posixpath.dirname(article_path)
    urls: dict[str, str] = {}
    for i, url in enumerate(rendered.links):
        if url in urls or url.startswith(_ABSOLUTE):  # resolved already, or not ours
            continue
        target = _local(url)
        if target is None:
            continue
        path, fragment = target
        if not path.endswith(".md"):
            continue
        resolved = posixpath.normpath(posixpath.join(folder, path))
        default_file = _default_locale_file(resolved)
        if not is_article(default_file):
            problems.append(
                BodyProblem(
                    rendered.link_line(i),
                    0,
                    f"link to '{url}': no article file {resolved} in the content tree",
                )
            )
            continue
        urls[url] = LINK_PREFIX + default_file + fragment
    for i, (src, _alt) in enumerate(rendered.images):
        if src.startswith(_ABSOLUTE):
            continue
        target = _local(src)
        if target is None:
            continue
        path = posixpath.normpath(posixpath.join(folder, target[0]))
        if not exists(path):
            problems.append(
                BodyProblem(
                    rendered.image_line(i), 0, f"image '{src}': no file {path} in the content"
                )
            )
        elif assets_base_url is None:
            problems.append(
                BodyProblem(
                    rendered.image_line(i),
                    0,
                    f"image '{src}' is a relative path: set assets_base_url in contentsync.yaml "
                    "to where these files are served (Intercom downloads each image when the "
                    "article is saved), or use an absolute https:// URL",
                )
            )
        else:
            urls[src] = assets_base_url.rstrip("/") + "/" + path
    return Body(replace_urls(rendered.html, urls) if urls else rendered.html, tuple(problems))


def _local(url: str) -> tuple[str, str] | None:
    """(path, '#fragment') for a relative URL, None for anything with a scheme or host."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or url.startswith("/"):
        return None
    return unquote(parts.path), (f"#{parts.fragment}" if parts.fragment else "")


def _default_locale_file(path: str) -> str:
    """A link to refunds.fr.md means the refunds article (in French)."""
    base, locale = split_locale(path[:-3])
    return base + ".md" if locale in LOCALE_SET else path


def article_url(help_center: str, locale: str, article_id: str) -> str:
    """Where an article lives, for links between articles. They compare by id, so a custom
    domain's redirect from intercom.help is the same link."""
    return f"https://intercom.help/{help_center}/{locale}/articles/{article_id}"


def link_targets(html: str) -> list[str]:
    """The article files a body links to, in order, each once."""
    seen: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(html):
        if html.endswith(_URL_ATTRIBUTES, 0, match.start()):
            seen.setdefault(match.group(1))
    return list(seen)


def resolve_links(html: str, urls: Mapping[str, str]) -> str:
    """Placeholders -> URLs (article file path -> its article's URL); a target missing from
    `urls` stays as it is."""

    def swap(match: re.Match[str]) -> str:
        url = urls.get(match.group(1))
        if url is None or not html.endswith(_URL_ATTRIBUTES, 0, match.start()):
            return match.group(0)
        return f'="{url}{match.group(2) or ""}"'

    return _PLACEHOLDER.sub(swap, html)


_TAG = re.compile(r"<[^>]*>")


def word_count(html: str) -> int:
    """About how many words a body's text holds: what a plan says of a new one."""
    return len(_TAG.sub(" ", html).split())
