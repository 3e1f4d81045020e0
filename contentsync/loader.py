"""Content files -> DesiredState, or every problem in every file at once (ContentError)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contentsync.errors import ContentError, Problem
from contentsync.gcpause import collector_paused
from contentsync.locales import DEFAULT_LOCALE
from contentsync.model import (
    CollectionSpec,
    DesiredState,
    HelpCenterSpec,
    Origin,
    SectionSpec,
    Text,
    clean_description,
    clean_name,
)
from contentsync.schemas import collection_schema, help_center_schema
from contentsync.validation import schema_problems
from contentsync.yamldoc import Document, read_document

HELP_CENTER_FILES = ("_help_center.yaml", "_help_center.yml")
YAML_SUFFIXES = (".yaml", ".yml")


def load_content(content_dir: Path, *, display_root: Path | None = None) -> DesiredState:
    """Read every help center folder under content_dir.

    Paths in problems are shown relative to display_root (the working directory by default),
    so they can be clicked in a terminal or an editor.
    """
    with collector_paused():
        return _load_content(content_dir, _Shown(display_root or Path.cwd()))


def _load_content(content_dir: Path, shown: _Shown) -> DesiredState:
    if not content_dir.is_dir():
        raise ContentError([Problem(shown(content_dir), 0, 0, "", "content directory not found")])
    problems: list[Problem] = []
    help_centers = []
    for entry in sorted(content_dir.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix in YAML_SUFFIXES:
            problems.append(
                Problem(
                    shown(entry), 0, 0, "",
                    "collection files go inside a help center folder: "
                    f"{shown(content_dir)}/<help-center-identifier>/{entry.name}",
                )
            )  # fmt: skip
        elif entry.is_dir():
            help_centers.append(_load_help_center(entry, shown, problems))
    problems.extend(_duplicate_ids(help_centers))
    if problems:
        raise ContentError(problems)
    return DesiredState(tuple(help_centers))


class _Shown:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def __call__(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)


def _read(file: Path, shown: _Shown, problems: list[Problem]) -> Document | None:
    try:
        return read_document(file, shown(file))
    except ContentError as exc:
        problems.extend(exc.problems)
    except OSError as exc:
        problems.append(Problem(shown(file), 0, 0, "", f"cannot read file: {exc.strerror}"))
    return None


def _load_help_center(folder: Path, shown: _Shown, problems: list[Problem]) -> HelpCenterSpec:
    default_locale, prune = DEFAULT_LOCALE, True
    origin = Origin(shown(folder))
    collection_files = []
    if all((folder / name).exists() for name in HELP_CENTER_FILES):
        problems.append(
            Problem(
                shown(folder / HELP_CENTER_FILES[1]), 0, 0, "",
                f"both {' and '.join(HELP_CENTER_FILES)} exist: keep one",
            )
        )  # fmt: skip
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.name in HELP_CENTER_FILES:
            origin = Origin(shown(entry), 1, 1)
            document = _read(entry, shown, problems)
            if document is not None and document.data is not None:
                found = schema_problems(document, help_center_schema())
                problems.extend(found + list(document.problems))
                if not found and not document.problems:
                    default_locale = document.data.get("default_locale", DEFAULT_LOCALE)
                    prune = document.data.get("prune", True)
                    if "default_locale" in document.data:
                        origin = Origin(shown(entry), *document.where(["default_locale"]))
        elif entry.is_file() and entry.suffix in YAML_SUFFIXES:
            collection_files.append(entry)
        elif entry.is_dir() and any(p.suffix in YAML_SUFFIXES for p in entry.rglob("*")):
            problems.append(
                Problem(
                    shown(entry), 0, 0, "",
                    f"subfolders are not read: put collection files directly in {shown(folder)}/",
                )
            )  # fmt: skip
    collections = []
    for file in collection_files:
        document = _read(file, shown, problems)
        if document is None:
            continue
        collection = _collection(document, default_locale, problems)
        if collection is not None:
            collections.append(collection)
    problems.extend(_duplicate_names(collections))
    return HelpCenterSpec(folder.name, default_locale, prune, tuple(collections), origin)


def _collection(
    document: Document, default_locale: str, problems: list[Problem]
) -> CollectionSpec | None:
    data = document.data
    if data is None:
        problems.append(Problem(document.path, 1, 1, "", "empty file: a collection needs a name"))
        return None
    problems.extend(document.problems)
    found = schema_problems(document, collection_schema())
    problems.extend(found)
    problems.extend(_default_locale_problems(document, default_locale))
    if found or document.problems:
        return None
    sections = []
    for index, section in enumerate(data.get("sections") or []):
        at: list[str | int] = ["sections", index]
        sections.append(
            SectionSpec(
                name=clean_name(section["name"]),
                translations=_texts(section.get("translations"), default_locale),
                id=_id(section.get("id")),
                origin=_origin(document, [*at, "name"]),
                id_origin=_origin(document, [*at, "id"]) if "id" in section else None,
            )
        )
    return CollectionSpec(
        name=clean_name(data["name"]),
        description=clean_description(data.get("description")),
        translations=_texts(data.get("translations"), default_locale),
        sections=tuple(sections),
        id=_id(data.get("id")),
        origin=_origin(document, ["name"]),
        id_origin=_origin(document, ["id"]) if "id" in data else None,
    )


def _origin(document: Document, at: list[str | int]) -> Origin:
    line, column = document.where(at)
    return Origin(document.path, line, column)


def _id(value: object) -> str | None:
    return None if value is None else str(value)


def _texts(raw: Mapping[str, Any] | None, default_locale: str) -> dict[str, Text]:
    return {
        locale: Text(clean_name(text["name"]), clean_description(text.get("description")))
        for locale, text in sorted((raw or {}).items())
        if locale != default_locale
    }


def _default_locale_problems(document: Document, default_locale: str) -> list[Problem]:
    """A translation for the default locale, wherever the file's shape lets us see one (this
    runs even when the schema found other problems, so every mistake shows at once)."""
    data = document.data
    if not isinstance(data, Mapping):
        return []
    places: list[tuple[list[str | int], Any]] = [([], data)]
    sections = data.get("sections")
    if isinstance(sections, list):
        places += [(["sections", i], s) for i, s in enumerate(sections)]
    problems = []
    for at, obj in places:
        translations = obj.get("translations") if isinstance(obj, Mapping) else None
        if isinstance(translations, Mapping) and default_locale in translations:
            problems.append(
                document.problem(
                    [*at, "translations", default_locale],
                    f"'{default_locale}' is this help center's default locale: "
                    "its content is the top-level name and description",
                    key=True,
                )
            )
    return problems


def _duplicate_names(collections: list[CollectionSpec]) -> list[Problem]:
    problems = _same_name(collections, "collection", "this help center")
    for collection in collections:
        problems += _same_name(list(collection.sections), "section", f"'{collection.name}'")
    return problems


def _same_name(
    objects: list[CollectionSpec] | list[SectionSpec], kind: str, parent: str
) -> list[Problem]:
    first: dict[str, Origin] = {}
    problems = []
    for obj in objects:
        if obj.id is not None:
            continue
        if obj.name in first:
            seen = first[obj.name]
            problems.append(
                Problem(
                    obj.origin.path, obj.origin.line, obj.origin.column, "name",
                    f"{kind} '{obj.name}' is also in {parent} at {seen.path}:{seen.line}; "
                    "rename one or pin its id",
                )
            )  # fmt: skip
        else:
            first[obj.name] = obj.origin
    return problems


def _duplicate_ids(help_centers: list[HelpCenterSpec]) -> list[Problem]:
    problems = []
    first: dict[tuple[str, str], Origin] = {}
    for help_center in help_centers:
        for collection in help_center.collections:
            pinned: list[tuple[str, CollectionSpec | SectionSpec]] = [("collection", collection)]
            pinned += [("section", s) for s in collection.sections]
            for kind, obj in pinned:
                if obj.id is None:
                    continue
                key = (kind, obj.id)
                where = obj.id_origin or obj.origin
                if key in first:
                    seen = first[key]
                    problems.append(
                        Problem(
                            where.path, where.line, where.column, "id",
                            f"{kind} id {obj.id} is pinned twice "
                            f"(also at {seen.path}:{seen.line})",
                        )
                    )  # fmt: skip
                else:
                    first[key] = where
    return problems
