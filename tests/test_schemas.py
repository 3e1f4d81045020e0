"""The JSON Schemas: well-formed, one source for the loader and the editors, and right."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from jsonschema import Draft202012Validator

from contentsync import schemas
from contentsync.locales import LOCALES
from contentsync.schemas import SCHEMAS, render

REPO = Path(__file__).resolve().parents[1]
SCHEMA_DIR = REPO / "schemas"
CONTENT = REPO / "content"
NAMES = sorted(SCHEMAS)


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = SCHEMAS[name]()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == name


@pytest.mark.parametrize("name", NAMES)
def test_schema_files_on_disk_are_the_rendered_source(name: str) -> None:
    on_disk = (SCHEMA_DIR / name).read_bytes()
    assert on_disk == render(name).encode("utf-8"), (
        f"schemas/{name} differs from contentsync.schemas: run `contentsync schemas` and commit"
    )
    assert json.loads(on_disk) == SCHEMAS[name]()


def test_no_stray_schema_files() -> None:
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.json")) == NAMES


def test_write_all_writes_what_render_renders(tmp_path: Path) -> None:
    written = schemas.write_all(tmp_path / "out")
    assert sorted(p.name for p in written) == NAMES
    for path in written:
        assert path.read_text(encoding="utf-8") == render(path.name)


def test_locale_enum_is_intercoms_37() -> None:
    assert len(LOCALES) == 37
    assert len(set(LOCALES)) == 37
    assert {"pt-BR", "zh-CN", "zh-TW", "en", "nb"} <= set(LOCALES)
    assert not {"pt_BR", "zh-cn", "no", "pt-PT", "zh"} & set(LOCALES)
    collection = SCHEMAS["collection.schema.json"]()
    assert collection["properties"]["translations"]["propertyNames"]["enum"] == list(LOCALES)
    help_center = SCHEMAS["help_center.schema.json"]()
    assert help_center["properties"]["default_locale"]["enum"] == list(LOCALES)
    assert help_center["properties"]["locales"]["items"]["enum"] == list(LOCALES)


C, H, K = "collection.schema.json", "help_center.schema.json", "config.schema.json"
A = "article.schema.json"

EXAMPLES: list[tuple[str, str, Any, bool]] = [
    # (id, schema, document, valid)
    ("minimal collection", C, {"name": "Billing"}, True),
    ("full collection", C, {
        "id": "6871119", "name": "Getting started", "description": "Day one",
        "translations": {"fr": {"name": "Premiers pas", "description": "Le jour un"},
                         "pt-BR": {"name": "Primeiros passos"}},
    }, True),
    ("integer id", C, {"id": 6871119, "name": "Billing"}, True),
    ("null description", C, {"name": "Billing", "description": None}, True),
    ("empty translations", C, {"name": "B", "translations": {}}, True),
    ("all 37 locales", C, {"name": "B", "translations": {loc: {"name": loc} for loc in LOCALES}},
     True),
    ("missing name", C, {"description": "x"}, False),
    ("empty name", C, {"name": ""}, False),
    ("whitespace name", C, {"name": "  \t"}, False),
    ("name is a number", C, {"name": 42}, False),
    ("name is null", C, {"name": None}, False),
    ("id with letters", C, {"id": "12a", "name": "B"}, False),
    ("id zero", C, {"id": 0, "name": "B"}, False),
    ("id negative", C, {"id": -3, "name": "B"}, False),
    ("id float", C, {"id": 1.5, "name": "B"}, False),
    ("unknown top-level key", C, {"name": "B", "descripton": "x"}, False),
    ("read-only order", C, {"name": "B", "order": 1}, False),
    ("read-only url", C, {"name": "B", "url": "https://x"}, False),
    ("unknown locale", C, {"name": "B", "translations": {"xx": {"name": "X"}}}, False),
    ("underscore locale", C, {"name": "B", "translations": {"pt_BR": {"name": "X"}}}, False),
    ("lower-case locale", C, {"name": "B", "translations": {"zh-cn": {"name": "X"}}}, False),
    ("translation without name", C, {"name": "B", "translations": {"fr": {}}}, False),
    ("translation empty name", C, {"name": "B", "translations": {"fr": {"name": ""}}}, False),
    ("translation unknown key", C, {"name": "B", "translations": {"fr": {"name": "X", "t": 1}}},
     False),
    ("translations a list", C, {"name": "B", "translations": ["fr"]}, False),
    # v1's sections list: sections are child folders now (the loader says so, with the layout)
    ("v1 sections list", C, {"name": "B", "sections": [{"name": "S"}]}, False),
    ("empty v1 sections list", C, {"name": "B", "sections": []}, False),
    ("collection a list", C, [{"name": "B"}], False),
    ("minimal article", A, {"title": "Request a refund"}, True),
    ("full article", A, {"id": "8123", "title": "Request a refund",
                         "description": "How to get your money back", "state": "draft",
                         "author": "jane@acme.com"}, True),
    ("article author an admin id", A, {"title": "T", "author": 991}, True),
    ("article without title", A, {"description": "x"}, False),
    ("article empty title", A, {"title": " "}, False),
    ("article state archived", A, {"title": "T", "state": "archived"}, False),
    ("article empty author", A, {"title": "T", "author": ""}, False),
    ("article body in front matter", A, {"title": "T", "body": "<p>x</p>"}, False),
    ("article translations key", A, {"title": "T", "translations": {"fr": {"title": "T"}}},
     False),
    ("empty help center", H, {}, True),
    ("help center defaults", H, {"default_locale": "en", "prune": True}, True),
    ("help center pt-BR, no prune", H, {"default_locale": "pt-BR", "prune": False}, True),
    ("help center unknown locale", H, {"default_locale": "english"}, False),
    ("help center prune string", H, {"prune": "yes"}, False),
    ("help center unknown key", H, {"purne": False}, False),
    ("help center a list", H, ["en"], False),
    ("help center locales, ignore, defaults", H,
     {"locales": ["fr", "pt-BR"], "ignore": ["Billing/*"], "default_author": "jane@acme.com",
      "default_state": "draft"}, True),
    ("help center locales repeated", H, {"locales": ["fr", "fr"]}, False),
    ("help center ignore empty pattern", H, {"ignore": [""]}, False),
    ("empty config", K, {}, True),
    ("full config", K, {"content_dir": "docs", "api_url": "https://api.eu.intercom.io",
                        "api_version": "2.9", "parallelism": 16,
                        "safety": {"max_delete_fraction": 0.5}}, True),
    ("config loopback http", K, {"api_url": "http://127.0.0.1:8000"}, True),
    ("config unknown key", K, {"paralelism": 4}, False),
    ("config parallelism 0", K, {"parallelism": 0}, False),
    ("config parallelism 65", K, {"parallelism": 65}, False),
    ("config parallelism string", K, {"parallelism": "8"}, False),
    ("config api_version 2.10", K, {"api_version": "2.10"}, True),
    ("config api_version 2.16", K, {"api_version": "2.16"}, True),
    ("config api_version 2.8", K, {"api_version": "2.8"}, False),
    ("config api_version 2.17", K, {"api_version": "2.17"}, False),
    ("config api_version number", K, {"api_version": 2.9}, False),
    ("config assets and author", K, {"assets_base_url": "https://acme.github.io/docs/",
                                     "default_author": 42}, True),
    ("config assets over http", K, {"assets_base_url": "http://acme.example/"}, False),
    ("config fraction 2", K, {"safety": {"max_delete_fraction": 2}}, False),
    ("config fraction negative", K, {"safety": {"max_delete_fraction": -0.1}}, False),
    ("config safety unknown", K, {"safety": {"max_deletes": 3}}, False),
    ("config api_url no scheme", K, {"api_url": "api.intercom.io"}, False),
    ("config empty content_dir", K, {"content_dir": ""}, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("schema_name", "document", "valid"),
    [pytest.param(s, d, v, id=i) for i, s, d, v in EXAMPLES],
)
def test_examples(schema_name: str, document: Any, valid: bool) -> None:
    schema = SCHEMAS[schema_name]()
    errors = list(Draft202012Validator(schema).iter_errors(document))
    assert (not errors) == valid, [e.message for e in errors]
    # The loader asks jsonschema-rs first and jsonschema only for messages: they must agree.
    assert jsonschema_rs.Draft202012Validator(schema).is_valid(document) == valid


def test_examples_cover_every_schema() -> None:
    for name in NAMES:
        kinds = {valid for _, schema, _, valid in EXAMPLES if schema == name}
        assert kinds == {True, False}, name


CONTENT_FILES = sorted(CONTENT.rglob("*.yaml"))


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: str(p.relative_to(CONTENT)))
def test_every_content_file_matches_its_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    name = H if path.name.startswith("_help_center") else C
    Draft202012Validator(SCHEMAS[name]()).validate(yaml.safe_load(text))
    # The editor hint at the top names that schema by a path that exists.
    hint = re.search(r"yaml-language-server: \$schema=(\S+)", text)
    assert hint is not None, f"{path} has no yaml-language-server schema hint"
    target = (path.parent / hint.group(1)).resolve()
    assert target == (SCHEMA_DIR / name).resolve()
    assert target.is_file()


def test_there_is_example_content() -> None:
    assert len(CONTENT_FILES) >= 6
