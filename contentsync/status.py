"""Translation status: which translations are up to date, stale or missing, per help center and
locale. Pure: the content files and their history facts in, a report out.

What is compared (SPEC section 8):
- an article's text is its title, description and body, as one unit per file: `x.fr.md` is
  stale when the last commit that changed the text of `x.md` is not an ancestor of the last
  commit that changed the text of `x.fr.md` (id, state and author are not text);
- a collection's text is per field: `translations.fr.description` is stale when the last commit
  that changed `description` is not an ancestor of the last one that changed it; a change to
  `description` leaves `translations.fr.name` as it was.
A translation is missing when its file (an article) or its `translations.<locale>` block, or a
field of that block whose default-locale field has text (a collection), is not there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import yaml

from contentsync.errors import ContentError, Problem
from contentsync.githistory import NOW, History
from contentsync.locales import DEFAULT_LOCALE, LOCALE_SET, split_locale
from contentsync.yamldoc import Document, parse_document

Kind = Literal["article", "collection"]
ARTICLE: Kind = "article"
COLLECTION: Kind = "collection"
State = Literal["up_to_date", "stale", "missing"]
HELP_CENTER_FILE, COLLECTION_FILE = "_help_center.yaml", "_collection.yaml"
ARTICLE_TEXT = "text"
COLLECTION_TEXTS = ("name", "description")


# ---- files -> fields --------------------------------------------------------------------------


def wanted(path: str) -> bool:
    """The files status reads: inside a help center's folder, articles and the two YAML files."""
    folder, _, name = path.rpartition("/")
    return bool(folder) and (name.endswith(".md") or name in (HELP_CENTER_FILE, COLLECTION_FILE))


def text_fields(path: str, raw: bytes) -> Mapping[str, Hashable]:
    """The value of each text field of one version of a file, for the history walk. Never
    raises: a version that does not parse is one opaque value (any change is a change)."""
    text = raw.decode("utf-8", "replace").replace("\r\n", "\n")
    if path.endswith(".md"):
        return {ARTICLE_TEXT: ArticleText(*split_front_matter(text))}
    if path.endswith(COLLECTION_FILE):
        data = _load_quietly(text)
        if not isinstance(data, dict):
            return {"": text}
        fields = {f: _text(data.get(f)) for f in COLLECTION_TEXTS}
        translations = data.get("translations")
        if isinstance(translations, dict):
            for locale, block in translations.items():
                if isinstance(block, dict):
                    for f in COLLECTION_TEXTS:
                        fields[f"translations.{locale}.{f}"] = _text(block.get(f))
        return fields
    return {}


class ArticleText:
    """An article's title, description and body, compared without parsing the front matter
    when the bodies already differ (most edits) or the front matters are the same text."""

    __slots__ = ("_meta", "body", "front")

    def __init__(self, front: str | None, body: str) -> None:
        self.front = front
        self.body = hashlib.blake2b(body.encode(), digest_size=20).digest()  # not kept: memory
        self._meta: tuple[str, ...] | None = None

    def meta(self) -> tuple[str, ...]:
        if self._meta is None:
            data = _load_quietly(self.front) if self.front is not None else None
            self._meta = (
                (_text(data.get("title")), _text(data.get("description")))
                if isinstance(data, dict)
                else ("", "", self.front or "")  # unreadable: any change is a change
            )
        return self._meta

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArticleText) or self.body != other.body:
            return False
        return self.front == other.front or self.meta() == other.meta()

    def __hash__(self) -> int:
        return hash(self.body)


_FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(front matter, body); no front matter is None."""
    found = _FRONT_MATTER.match(text)
    if found is None:
        return None, text
    return found.group(1) or "", text[found.end() :]


def _load_quietly(text: str) -> Any:
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# ---- the content tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Translation:
    path: str  # the file that holds it
    fields: Mapping[str, str]  # default-locale text field -> the field holding its translation


@dataclass(frozen=True)
class Item:
    """An article or a collection in its default locale, and its translations."""

    kind: Kind
    path: str  # its default-locale file, relative to the content folder
    title: str
    texts: tuple[str, ...]  # its text fields that have text
    translations: Mapping[str, Translation]  # locale -> translation

    def translation_file(self, locale: str) -> str:
        """Where a translation into `locale` is, or goes."""
        if self.kind == COLLECTION:
            return self.path
        return f"{self.path.removesuffix('.md')}.{locale}.md"


@dataclass(frozen=True)
class HelpCenter:
    identifier: str
    default_locale: str
    locales: tuple[str, ...] | None  # `locales:` of _help_center.yaml, None when not written
    items: tuple[Item, ...]


def read_tree(files: Mapping[str, bytes], root: str = "") -> list[HelpCenter]:
    """The help centers of a content folder, from its files; every problem at once, with the
    file's path under `root` (the content folder as the user names it)."""
    problems: list[Problem] = []
    by_help_center: dict[str, list[str]] = {}
    for path in files:  # contents are read only where needed: not translations' bodies
        by_help_center.setdefault(path.split("/", 1)[0], []).append(path)
    help_centers = [
        _help_center(identifier, files, sorted(own), problems)
        for identifier, own in sorted(by_help_center.items())
    ]
    if problems:
        raise ContentError([replace(p, path=joined(root, p.path)) for p in problems])
    return help_centers


def joined(root: str, path: str) -> str:
    """A content path as the user opens it."""
    return f"{root.rstrip('/')}/{path}" if root not in ("", ".") else path


def _help_center(
    identifier: str, files: Mapping[str, bytes], own: list[str], problems: list[Problem]
) -> HelpCenter:
    settings = _yaml(files, f"{identifier}/{HELP_CENTER_FILE}", problems)
    default, locales = DEFAULT_LOCALE, None
    if settings is not None and isinstance(settings.data, dict):
        default = settings.data.get("default_locale", DEFAULT_LOCALE)
        if default not in LOCALE_SET:
            problems.append(settings.problem(["default_locale"], _not_a_locale(default)))
            default = DEFAULT_LOCALE
        written = settings.data.get("locales")
        if isinstance(written, list) and all(isinstance(w, str) for w in written):
            locales = tuple(w for w in written if w != default)
            problems += [
                settings.problem(["locales", i], _not_a_locale(w))
                for i, w in enumerate(written)
                if w not in LOCALE_SET
            ]
        elif written is not None:
            problems.append(settings.problem(["locales"], "expected a list of locales"))
    items = [
        item
        for path in own
        if path.endswith("/" + COLLECTION_FILE)
        and (item := _collection(files, path, default, problems)) is not None
    ]
    articles: list[str] = []
    translations: dict[str, dict[str, Translation]] = {}
    for path in (p for p in own if p.endswith(".md")):
        base, locale = split_locale(path.removesuffix(".md"))  # as the loader reads it
        source = f"{base.rpartition('/')[2]}.md"
        if locale is None:
            articles.append(path)
        elif locale not in LOCALE_SET:
            problems.append(Problem(path, 0, 0, "", _not_a_locale(locale)))
        elif locale == default:
            message = f"{default} is the default locale: its text belongs in {source}"
            problems.append(Problem(path, 0, 0, "", message))
        elif f"{base}.md" not in files:
            message = f"a translation without its default-locale file {source}"
            problems.append(Problem(path, 0, 0, "", message))
        else:
            translation = Translation(path, {ARTICLE_TEXT: ARTICLE_TEXT})
            translations.setdefault(f"{base}.md", {})[locale] = translation
    items += [_article(files, path, translations.get(path, {}), problems) for path in articles]
    return HelpCenter(identifier, default, locales, tuple(sorted(items, key=_file_order)))


def _file_order(item: Item) -> tuple[list[str], int]:
    """Depth first: a folder's collection, its articles, then its child folders."""
    folder = item.path.rpartition("/")[0]
    return (folder.split("/"), 0 if item.kind == COLLECTION else 1)


def _article(
    files: Mapping[str, bytes],
    path: str,
    translations: Mapping[str, Translation],
    problems: list[Problem],
) -> Item:
    text = files[path].decode("utf-8", "replace").replace("\r\n", "\n")
    front, _ = split_front_matter(text)
    title = path.rpartition("/")[2].removesuffix(".md")
    meta = _load_quietly(front) if front is not None else None
    if front is not None and meta is None and front.strip():
        try:  # again, strictly: to say where the front matter is wrong
            parse_document("\n" + front, path)  # "\n": line numbers count the '---'
        except ContentError as exc:
            problems += exc.problems
    if isinstance(meta, dict) and meta.get("title"):
        title = str(meta["title"])
    return Item(ARTICLE, path, title, (ARTICLE_TEXT,), dict(sorted(translations.items())))


def _collection(
    files: Mapping[str, bytes], path: str, default: str, problems: list[Problem]
) -> Item | None:
    document = _yaml(files, path, problems)
    if document is None or not isinstance(document.data, dict):
        return None
    data = document.data
    texts = tuple(f for f in COLLECTION_TEXTS if _text(data.get(f)))
    translations: dict[str, Translation] = {}
    written = data.get("translations") or {}
    if isinstance(written, dict):
        for locale, block in sorted(written.items()):
            if locale not in LOCALE_SET or locale == default:
                message = (
                    f"{default} is the default locale: its text is name and description"
                    if locale == default
                    else _not_a_locale(locale)
                )
                problems.append(document.problem(["translations", locale], message, key=True))
                continue
            present = block if isinstance(block, dict) else {}
            translations[locale] = Translation(
                path,
                {
                    f: f"translations.{locale}.{f}"
                    for f in COLLECTION_TEXTS
                    if _text(present.get(f))
                },
            )
    title = _text(data.get("name")) or path.rpartition("/")[0]
    return Item(COLLECTION, path, title, texts, translations)


def _yaml(files: Mapping[str, bytes], path: str, problems: list[Problem]) -> Document | None:
    if path not in files:
        return None
    try:
        text = files[path].decode("utf-8-sig")
        return parse_document(text, path)
    except UnicodeDecodeError:
        problems.append(Problem(path, 0, 0, "", "not UTF-8 text: save the file as UTF-8"))
    except ContentError as exc:
        problems += exc.problems
    return None


def _not_a_locale(value: object) -> str:
    return f"{value!r} is not one of Intercom's locales (see contentsync/locales.py)"


# ---- coverage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lag:
    """A translated field whose source changed after it."""

    field: str
    source_commit: str
    translation_commit: str


@dataclass(frozen=True)
class Entry:
    """One item in one locale that is not up to date."""

    item: Item
    locale: str
    state: State
    file: str  # where the translation is, or goes
    missing: tuple[str, ...]  # text fields with no translation
    lags: tuple[Lag, ...]


@dataclass(frozen=True)
class Counts:
    up_to_date: int = 0
    stale: int = 0
    missing: int = 0

    @property
    def total(self) -> int:
        return self.up_to_date + self.stale + self.missing

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.up_to_date + other.up_to_date,
            self.stale + other.stale,
            self.missing + other.missing,
        )


@dataclass(frozen=True)
class LocaleRow:
    locale: str
    declared: bool  # in `locales:` (elsewhere a missing file or block is not counted)
    articles: Counts
    collections: Counts

    @property
    def all(self) -> Counts:
        return self.articles + self.collections


@dataclass(frozen=True)
class ChangedItem:
    """An item whose default-locale text the commits since --changed-since changed or added."""

    item: Item
    added: bool
    lagging: tuple[str, ...]  # locales whose translation is stale because of the change
    missing: tuple[str, ...]  # locales with no translation


@dataclass(frozen=True)
class HelpCenterStatus:
    identifier: str
    default_locale: str
    locales_written: bool  # False: the locales are the ones the files use
    articles: int
    collections: int
    rows: tuple[LocaleRow, ...]  # worst first
    entries: tuple[Entry, ...]  # everything not up to date, by locale then file
    changed: tuple[ChangedItem, ...] | None  # with --changed-since


@dataclass(frozen=True)
class Status:
    head: str
    uncommitted: bool  # some text is newer than HEAD: edited, or in a new file
    since: str | None
    help_centers: tuple[HelpCenterStatus, ...]
    commit_times: Mapping[str, int]  # the commits entries name -> committer date, Unix seconds
    root: str  # the content folder as the user names it: item paths are relative to it

    def file(self, path: str) -> str:
        return joined(self.root, path)

    def entries(self, locale: str | None = None) -> list[Entry]:
        return [
            e
            for hc in self.help_centers
            for e in hc.entries
            if locale is None or e.locale == locale
        ]


def compute_status(
    help_centers: Iterable[HelpCenter], history: History, *, root: str, since: str | None = None
) -> Status:
    """Coverage of every help center from its items and where their fields come from."""
    return Status(
        head=history.head,
        uncommitted=any(
            f.default == NOW or NOW in f.origins.values() for f in history.facts.values()
        ),
        since=since,
        help_centers=tuple(_coverage(hc, history) for hc in help_centers),
        commit_times=history.commit_times,
        root=root,
    )


def _coverage(hc: HelpCenter, history: History) -> HelpCenterStatus:
    used = sorted({locale for item in hc.items for locale in item.translations})
    declared = hc.locales if hc.locales is not None else tuple(used)
    locales = [*declared, *(u for u in used if u not in declared)]
    entries: list[Entry] = []
    rows: list[LocaleRow] = []
    for locale in locales:
        counts = {ARTICLE: Counts(), COLLECTION: Counts()}
        for item in hc.items:
            if locale not in declared and locale not in item.translations:
                continue
            entry = _entry(item, locale, history)
            state = entry.state if entry else "up_to_date"
            counts[item.kind] += Counts(**{state: 1})
            if entry is not None:
                entries.append(entry)
        rows.append(LocaleRow(locale, locale in declared, counts[ARTICLE], counts[COLLECTION]))
    rows.sort(key=_worst_first)
    order = {row.locale: i for i, row in enumerate(rows)}
    entries.sort(key=lambda e: (order[e.locale], e.state != "stale", e.item.path))
    return HelpCenterStatus(
        identifier=hc.identifier,
        default_locale=hc.default_locale,
        locales_written=hc.locales is not None,
        articles=sum(1 for i in hc.items if i.kind == ARTICLE),
        collections=sum(1 for i in hc.items if i.kind == COLLECTION),
        rows=tuple(rows),
        entries=tuple(entries),
        changed=None if history.since is None else _changed(hc, locales, entries, history),
    )


def _worst_first(row: LocaleRow) -> tuple[bool, float, int, str]:
    counts = row.all
    share = counts.up_to_date / counts.total if counts.total else 1.0
    return (not row.declared, share, -(counts.stale + counts.missing), row.locale)


def _entry(item: Item, locale: str, history: History) -> Entry | None:
    file = item.translation_file(locale)
    translation = item.translations.get(locale)
    if translation is None:
        return Entry(item, locale, "missing", file, item.texts, ())
    source = history.facts[item.path]
    target = history.facts[translation.path]
    missing = tuple(f for f in item.texts if f not in translation.fields)
    lags = tuple(
        Lag(f, source.origin(f), target.origin(translation.fields[f]))
        for f in item.texts
        if f in translation.fields
        and not history.is_ancestor(source.origin(f), target.origin(translation.fields[f]))
    )
    if missing:
        return Entry(item, locale, "missing", file, missing, lags)
    if lags:
        return Entry(item, locale, "stale", file, (), lags)
    return None


def _changed(
    hc: HelpCenter, locales: list[str], entries: list[Entry], history: History
) -> tuple[ChangedItem, ...]:
    since = history.since or frozenset()
    order = {locale: i for i, locale in enumerate(locales)}
    by_item: dict[str, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: order[e.locale]):  # locales as written
        by_item.setdefault(entry.item.path, []).append(entry)
    changed: list[ChangedItem] = []
    for item in hc.items:
        fact = history.facts[item.path]
        if not any(fact.origin(f) in since for f in item.texts):
            continue
        own = by_item.get(item.path, [])
        lagging = tuple(e.locale for e in own if any(lag.source_commit in since for lag in e.lags))
        missing = tuple(e.locale for e in own if e.state == "missing")
        changed.append(ChangedItem(item, fact.born in since, lagging, missing))
    return tuple(changed)
