"""Content files -> DesiredState, or every problem in every file at once (ContentError).

The tree on disk is the tree in Intercom: a help center folder holds one folder per collection
(`_collection.yaml` inside), a collection folder holds its child collections as folders and its
articles as `<name>.md` with `<name>.<locale>.md` translations. A folder without
`_collection.yaml` and without content files is an assets folder (images) and is not read.
Entries are read in code point order of their names: that is the order of creation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contentsync.bodies import render_body
from contentsync.errors import ContentError, Problem
from contentsync.gcpause import collector_paused
from contentsync.locales import DEFAULT_LOCALE, LOCALE_SET, LOCALES, nests, split_locale
from contentsync.model import (
    MAX_COLLECTION_DEPTH,
    DesiredState,
    HelpCenterSpec,
    Node,
    Origin,
    clean_description,
    clean_name,
    walk,
)
from contentsync.schemas import article_schema, collection_schema, help_center_schema
from contentsync.validation import schema_problems
from contentsync.yamldoc import Document, parse_document, read_document, read_text

HELP_CENTER_FILES = ("_help_center.yaml", "_help_center.yml")
COLLECTION_FILES = ("_collection.yaml", "_collection.yml")
YAML_SUFFIXES = (".yaml", ".yml")
ARTICLE_SUFFIX = ".md"

FOLDER_LAYOUT = (
    "one folder per collection: {hc}/{slug}/_collection.yaml (id, name, description, "
    "translations), its articles beside it as {hc}/{slug}/<article>.md, and one child folder "
    "per section or nested collection, each with its own _collection.yaml"
)


@dataclass(frozen=True)
class Defaults:
    """What an article file may leave out."""

    author: str | None = None
    state: str = "published"
    locales: tuple[str, ...] = ()  # the help center's languages; () when not said


def _not_a_language(locale: str, defaults: Defaults) -> str:
    return (
        f"'{locale}' is not one of this help center's locales ({', '.join(defaults.locales)} in "
        "_help_center.yaml), and Intercom refuses text in a language the help center is not "
        "available in: add it to `locales:` there, or remove this translation"
    )


def load_content(
    content_dir: Path,
    *,
    api_version: str = "2.9",
    default_author: str | None = None,
    assets_base_url: str | None = None,
    display_root: Path | None = None,
) -> DesiredState:
    """Read every help center folder under content_dir.

    Paths in problems are shown relative to display_root (the working directory by default),
    so they can be clicked in a terminal or an editor.
    """
    with collector_paused():
        reader = _Reader(content_dir, api_version, default_author, display_root or Path.cwd())
        reader.assets_base_url = assets_base_url
        return reader.load()


class _Reader:
    def __init__(
        self, content_dir: Path, api_version: str, default_author: str | None, root: Path
    ) -> None:
        self.content_dir = content_dir
        self.nested = nests(api_version)
        self.api_version = api_version
        self.default_author = default_author
        self.root = root.resolve()
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.assets_base_url: str | None = None
        self.article_files: set[str] = set()
        self.content_prefix = str(content_dir).rstrip("/") + "/"
        self.content_shown: str | None = None
        shown = self.shown(content_dir)
        self.content_shown = "" if shown == "." else shown + "/"

    def shown(self, path: Path) -> str:
        """`path` relative to the root when it is below it. Files below the content directory
        take its resolved path (one resolve, not one per file: thousands of articles)."""
        inside = str(path).removeprefix(self.content_prefix)
        if inside != str(path) and self.content_shown is not None:
            return self.content_shown + inside
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def ref(self, path: Path) -> str:
        inside = str(path).removeprefix(self.content_prefix)
        if inside != str(path) and "\\" not in inside:
            return inside
        return path.relative_to(self.content_dir).as_posix()

    def problem(self, path: Path, message: str, line: int = 0, column: int = 0) -> None:
        self.problems.append(Problem(self.shown(path), line, column, "", message))

    def load(self) -> DesiredState:
        content_dir = self.content_dir
        if not content_dir.is_dir():
            self.problem(content_dir, "content directory not found")
            raise ContentError(self.problems)
        self.article_files = {
            path
            for path in _markdown_files(content_dir, "")
            if split_locale(path.rpartition("/")[2][: -len(ARTICLE_SUFFIX)])[1] is None
        }
        help_centers = []
        for entry in sorted(content_dir.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                help_centers.append(self.help_center(entry))
            elif entry.suffix in (*YAML_SUFFIXES, ARTICLE_SUFFIX):
                self.problem(
                    entry,
                    "content files go inside a help center folder: "
                    f"{self.shown(content_dir)}/<help-center-identifier>/, in "
                    + FOLDER_LAYOUT.format(hc="<help-center-identifier>", slug="<collection>"),
                )
        self.problems.extend(_duplicate_ids(help_centers))
        if self.problems:
            raise ContentError(self.problems)
        return DesiredState(tuple(help_centers), tuple(map(str, sorted(self.warnings))))

    def read(self, file: Path) -> Document | None:
        try:
            return read_document(file, self.shown(file))
        except ContentError as exc:
            self.problems.extend(exc.problems)
        except OSError as exc:
            self.problem(file, f"cannot read file: {exc.strerror}")
        return None

    def checked(self, document: Document, schema: dict[str, Any]) -> bool:
        found = schema_problems(document, schema)
        self.problems.extend(found + list(document.problems))
        return not found and not document.problems

    # ---- help centers -------------------------------------------------------------------------

    def help_center(self, folder: Path) -> HelpCenterSpec:
        settings: dict[str, Any] = {}
        origin = Origin(self.shown(folder))
        if all((folder / name).exists() for name in HELP_CENTER_FILES):
            self.problem(
                folder / HELP_CENTER_FILES[1],
                f"both {' and '.join(HELP_CENTER_FILES)} exist: keep one",
            )
        for name in HELP_CENTER_FILES:
            file = folder / name
            if not file.is_file():
                continue
            origin = Origin(self.shown(file), 1, 1)
            document = self.read(file)
            if (
                document is not None
                and document.data is not None
                and self.checked(document, help_center_schema())
            ):
                settings = document.data
                if "default_locale" in settings:
                    origin = Origin(self.shown(file), *document.where(["default_locale"]))
        default_locale = settings.get("default_locale", DEFAULT_LOCALE)
        author = settings.get("default_author", self.default_author)
        defaults = Defaults(
            author=None if author is None else str(author),
            state=settings.get("default_state", "published"),
            locales=tuple(settings.get("locales") or ()),
        )
        children: list[Node] = []
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith(".") or entry.name in HELP_CENTER_FILES:
                continue
            if entry.is_dir():
                node = self.collection(entry, 1, default_locale, defaults)
                if node is not None:
                    children.append(node)
            elif entry.suffix in YAML_SUFFIXES:
                slug = entry.stem
                self.problem(
                    entry,
                    "collection files are folders now: move this file to "
                    f"{self.shown(folder)}/{slug}/_collection.yaml, its sections to child "
                    f"folders ({slug}/<section>/_collection.yaml with their name and "
                    f"translations); the layout is "
                    + FOLDER_LAYOUT.format(hc=self.shown(folder), slug=slug),
                )
            elif entry.suffix == ARTICLE_SUFFIX:
                self.problem(
                    entry,
                    "an article belongs in a collection folder (a folder with "
                    "_collection.yaml), not at the top of the help center",
                )
        self.problems.extend(_duplicate_keys(children, "this help center"))
        locales = settings.get("locales") or []
        return HelpCenterSpec(
            identifier=folder.name,
            default_locale=default_locale,
            prune=settings.get("prune", True),
            children=tuple(children),
            origin=origin,
            locales=tuple(locales),
            ignore=tuple(settings.get("ignore") or ()),
        )

    # ---- collections --------------------------------------------------------------------------

    def collection(
        self, folder: Path, depth: int, default_locale: str, defaults: Defaults
    ) -> Node | None:
        file = next((folder / n for n in COLLECTION_FILES if (folder / n).is_file()), None)
        if file is None:
            if _holds_content(folder):
                self.problem(
                    folder,
                    f"this folder holds content files but no {COLLECTION_FILES[0]}: add one "
                    "with the collection's `name:` (a folder of images needs no file)",
                )
            return None
        if depth > MAX_COLLECTION_DEPTH:
            self.problem(
                file,
                f"collections nest at most {MAX_COLLECTION_DEPTH} levels deep in Intercom: "
                "move this folder up",
                1,
                1,
            )
            return None
        if depth == 3 and not self.nested:
            self.problem(
                file,
                "API 2.9 has two levels, collections and their sections: a third level needs "
                'nested collections (api_version "2.10" or later in contentsync.yaml)',
            )
            return None
        document = self.read(file)
        if document is None:
            return None
        if document.data is None:
            self.problem(file, "empty file: a collection needs a name", 1, 1)
            return None
        if isinstance(document.data, Mapping) and "sections" in document.data:
            self.problems.append(
                document.problem(
                    ["sections"],
                    "sections are folders now: one child folder per section, each with a "
                    "_collection.yaml holding its name and translations",
                    key=True,
                )
            )
            return None
        self.problems.extend(_default_locale_problems(document, default_locale))
        written = document.data.get("translations") if isinstance(document.data, Mapping) else None
        if defaults.locales and isinstance(written, Mapping):
            self.problems.extend(
                document.problem(
                    ["translations", locale], _not_a_language(locale, defaults), key=True
                )
                for locale in written
                if locale in LOCALE_SET and locale not in defaults.locales
            )
        usable = self.checked(document, collection_schema())
        if usable and depth == 2 and not self.nested:
            usable = self.no_section_descriptions(document)
        children: list[Node] = []
        articles: dict[str, Path] = {}
        translations: dict[str, list[tuple[str, Path]]] = {}
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith(".") or entry.name in COLLECTION_FILES:
                continue
            if entry.is_dir():
                child = self.collection(entry, depth + 1, default_locale, defaults)
                if child is not None:
                    children.append(child)
            elif entry.suffix == ARTICLE_SUFFIX:
                stem, locale = self.article_name(entry)
                if locale is None:
                    articles[stem] = entry
                elif locale:
                    translations.setdefault(stem, []).append((locale, entry))
            elif entry.suffix in YAML_SUFFIXES:
                self.problem(
                    entry,
                    f"only {COLLECTION_FILES[0]} is read in a collection folder: a child "
                    "collection is a folder of its own",
                )
        for stem, files in translations.items():
            if stem not in articles:
                for _, path in files:
                    self.problem(
                        path,
                        f"a translation of an article that does not exist: add {stem}.md "
                        "in the default locale, or rename this file",
                    )
        article_nodes = [
            a
            for stem, path in articles.items()
            if (a := self.article(path, translations.get(stem, []), default_locale, defaults))
        ]
        self.problems.extend(_duplicate_keys(children, f"folder '{folder.name}'"))
        self.problems.extend(_duplicate_keys(article_nodes, f"folder '{folder.name}'"))
        if not usable:
            return None
        data = document.data
        return Node(
            kind="collection",
            path=self.ref(file),
            fields={
                "name": clean_name(data["name"]),
                "description": clean_description(data.get("description")),
            },
            translations={
                locale: {
                    "name": clean_name(text["name"]),
                    "description": clean_description(text.get("description")),
                }
                for locale, text in sorted((data.get("translations") or {}).items())
                if locale != default_locale
            },
            children=(*children, *article_nodes),
            id=_id(data.get("id")),
            origin=_origin(document, ["name"]),
            id_origin=_origin(document, ["id"]) if "id" in data else None,
        )

    def no_section_descriptions(self, document: Document) -> bool:
        data = document.data
        places: list[list[str | int]] = []
        if clean_description(data.get("description")):
            places.append(["description"])
        for locale, text in (data.get("translations") or {}).items():
            if clean_description(text.get("description")):
                places.append(["translations", locale, "description"])
        for at in places:
            self.problems.append(
                document.problem(
                    at,
                    "on API 2.9 this folder is a section, and sections have names only: remove "
                    'the description, or use nested collections (api_version "2.10" or later)',
                    key=True,
                )
            )
        return not places

    # ---- articles -----------------------------------------------------------------------------

    def article_name(self, file: Path, *, quiet: bool = False) -> tuple[str, str | None]:
        """(stem, locale): locale None for the default-locale file, "" for a bad suffix."""
        base, suffix = split_locale(file.name[: -len(ARTICLE_SUFFIX)])
        if suffix is None:
            return base, None
        if suffix in LOCALE_SET or quiet:
            return base, suffix
        hint = _suggest_locale(suffix)
        self.problem(
            file,
            f"'{suffix}' is not one of Intercom's 37 locales{hint}: name translations "
            f"{base}.<locale>.md with one of {', '.join(LOCALES)}",
        )
        return base, ""

    def article(
        self,
        file: Path,
        translation_files: list[tuple[str, Path]],
        default_locale: str,
        defaults: Defaults,
    ) -> Node | None:
        main = self.article_file(file, translated=False)
        if main is None:
            return None
        fields, document = main
        origins = {"author": _origin(document, ["author"] if "author" in fields else [])}
        fields.setdefault("state", defaults.state)
        if "author" not in fields:
            if defaults.author is None:
                self.problems.append(
                    document.problem(
                        [],
                        "no author: add `author:` (a teammate's email or admin id) here, or "
                        "default_author to _help_center.yaml or contentsync.yaml",
                    )
                )
                return None
            fields["author"] = defaults.author
        translations: dict[str, dict[str, str]] = {}
        for locale, path in translation_files:
            if defaults.locales and locale not in defaults.locales:
                self.problem(path, _not_a_language(locale, defaults))
                continue
            if locale == default_locale:
                self.problem(
                    path,
                    f"'{locale}' is this help center's default locale: its text is in {file.name}",
                )
                continue
            read = self.article_file(path, translated=True)
            if read is not None:
                text, translated_document = read
                if "author" in text:
                    origins[f"author:{locale}"] = _origin(translated_document, ["author"])
                translations[locale] = {
                    "state": fields["state"],
                    "author": fields["author"],
                    **text,
                }
        article_id = fields.pop("id", None)
        data = document.data if isinstance(document.data, Mapping) else {}
        return Node(
            kind="article",
            path=self.ref(file),
            fields=fields,
            translations=dict(sorted(translations.items())),
            id=article_id,
            origin=_origin(document, ["title"]),
            id_origin=_origin(document, ["id"]) if "id" in data else None,
            origins=origins,
        )

    def article_file(
        self, file: Path, *, translated: bool
    ) -> tuple[dict[str, str], Document] | None:
        """Front matter and body of one article file, or None with its problems recorded."""
        display = self.shown(file)
        try:
            text = read_text(file, display, "Markdown")
        except ContentError as exc:
            self.problems.extend(exc.problems)
            return None
        except OSError as exc:
            self.problem(file, f"cannot read file: {exc.strerror}")
            return None
        first_end = text.find("\n")
        if (text if first_end < 0 else text[:first_end]).rstrip("\r") != "---":
            self.problem(
                file,
                "an article starts with its front matter: a line '---', then `title: ...`, "
                "then a line '---', then the Markdown",
                1,
                1,
            )
            return None
        closing = _closing_line(text, first_end)
        if closing < 0:
            self.problem(
                file,
                "the front matter never closes: add a line '---' after its last field",
                1,
                1,
            )
            return None
        try:
            document = parse_document("\n" + text[first_end + 1 : closing - 1], display)
        except ContentError as exc:
            self.problems.extend(exc.problems)
            return None
        if document.data is None:
            self.problem(file, "empty front matter: an article needs a `title:`", 1, 1)
            return None
        if not self.checked(document, article_schema()):
            return None
        data = document.data
        if translated and "id" in data:
            self.problems.append(
                document.problem(
                    ["id"],
                    "`id` goes in the default-locale file only: a translation is the same "
                    "Intercom article",
                    key=True,
                )
            )
            return None
        body_start = text.find("\n", closing) + 1
        body = render_body(
            text[body_start:] if body_start else "",
            first_line=text.count("\n", 0, closing) + 2,
            article_path=self.ref(file),
            exists=lambda path: (self.content_dir / path).is_file(),
            is_article=self.article_files.__contains__,
            assets_base_url=self.assets_base_url,
        )
        for p in body.problems:
            found = Problem(display, p.line, p.column, "warning" if p.warning else "", p.message)
            (self.warnings if p.warning else self.problems).append(found)
        if any(not p.warning for p in body.problems):
            return None
        fields = {
            "title": clean_name(data["title"]),
            "description": clean_description(data.get("description")),
            "body": body.html,
        }
        for key in ("state", "author", "id"):
            if key in data:
                fields[key] = str(data[key])
        return fields, document


def _markdown_files(folder: Path, prefix: str) -> Iterator[str]:
    """Every `*.md` below `folder`, as posix paths after `prefix`: what Path.rglob finds (into
    no symlinked folder, past unreadable ones), without a Path, a match and a set per file."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except PermissionError:
        return
    for entry in entries:
        if entry.name.endswith(ARTICLE_SUFFIX):
            yield prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from _markdown_files(Path(entry.path), f"{prefix}{entry.name}/")


def _closing_line(text: str, first_end: int) -> int:
    """Where the line '---' that closes the front matter starts (after the first line, which
    ends at `first_end`), or -1. The text is not split into lines: most of it is the body."""
    if first_end < 0:
        return -1
    at = text.find("\n---", first_end)
    while at >= 0:
        end = text.find("\n", at + 1)
        if (text[at + 1 :] if end < 0 else text[at + 1 : end]).rstrip() == "---":
            return at + 1
        at = text.find("\n---", at + 1)
    return -1


def _holds_content(folder: Path) -> bool:
    return any(
        p.suffix in (*YAML_SUFFIXES, ARTICLE_SUFFIX) for p in folder.rglob("*") if p.is_file()
    )


def _suggest_locale(written: str) -> str:
    fixed = written.replace("_", "-")
    for locale in LOCALES:
        if locale.lower() == fixed.lower():
            return f" (did you mean '{locale}'?)"
    return ""


def _origin(document: Document, at: list[str | int]) -> Origin:
    line, column = document.where(at)
    return Origin(document.path, line, column)


def _id(value: object) -> str | None:
    return None if value is None else str(value)


def _default_locale_problems(document: Document, default_locale: str) -> list[Problem]:
    """A translation for the default locale (this runs even when the schema found other
    problems, so every mistake shows at once)."""
    data = document.data
    translations = data.get("translations") if isinstance(data, Mapping) else None
    if isinstance(translations, Mapping) and default_locale in translations:
        return [
            document.problem(
                ["translations", default_locale],
                f"'{default_locale}' is this help center's default locale: "
                "its content is the top-level name and description",
                key=True,
            )
        ]
    return []


def _duplicate_keys(nodes: list[Node], parent: str) -> list[Problem]:
    first: dict[tuple[str, str], Origin] = {}
    problems = []
    for node in nodes:
        if node.id is not None:
            continue
        key = (node.kind, node.key)
        if key in first:
            seen = first[key]
            field = "title" if node.kind == "article" else "name"
            problems.append(
                Problem(
                    node.origin.path, node.origin.line, node.origin.column, field,
                    f"{node.kind} '{node.key}' is also in {parent} at {seen.path}:{seen.line}; "
                    "rename one or pin its id",
                )
            )  # fmt: skip
        else:
            first[key] = node.origin
    return problems


def _duplicate_ids(help_centers: list[HelpCenterSpec]) -> list[Problem]:
    problems = []
    first: dict[tuple[str, str], Origin] = {}
    for help_center in help_centers:
        for node, _, _ in walk(help_center.children):
            if node.id is None:
                continue
            key = (node.kind, node.id)
            where = node.id_origin or node.origin
            if key in first:
                seen = first[key]
                problems.append(
                    Problem(
                        where.path, where.line, where.column, "id",
                        f"{node.kind} id {node.id} is pinned twice "
                        f"(also at {seen.path}:{seen.line})",
                    )
                )  # fmt: skip
            else:
                first[key] = where
    return problems
