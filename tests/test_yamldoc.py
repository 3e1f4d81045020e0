"""yamldoc: YAML text -> plain data, strictly, with the line and column of every part."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from contentsync.errors import ContentError, Problem
from contentsync.locales import LOCALES
from contentsync.yamldoc import Document, dotted, parse_document, read_document

COLLECTION = """\
# comment
id: "6871119"
name: Getting started
translations:
  fr:
    name: Premiers pas
  pt-BR: {name: Primeiros passos}
sections:
  - name: Install
    translations:
      fr: {name: Installer}
  -   name: Sign in
"""


def problems(text: str) -> list[Problem]:
    """Every problem in the text: those that stop parsing and those that leave usable data."""
    try:
        doc = parse_document(text, "f.yaml")
    except ContentError as exc:
        return exc.problems
    assert doc.problems, "expected problems"
    return list(doc.problems)


def messages(text: str) -> list[str]:
    return [str(p) for p in problems(text)]


# ---- parsing -----------------------------------------------------------------------------


def test_parse_matches_safe_load_for_honest_yaml() -> None:
    doc = parse_document(COLLECTION, "c.yaml")
    assert doc.path == "c.yaml"
    assert doc.data == yaml.safe_load(COLLECTION)
    assert doc.data["id"] == "6871119"
    assert doc.data["sections"][1] == {"name": "Sign in"}


def test_plain_scalars_keep_yaml_meaning() -> None:
    doc = parse_document(
        "i: 12\nf: 1.5\nb: true\nn: ~\nd: 2024-01-31\ns: '12'\nh: 0x1F\n", "f.yaml"
    )
    assert doc.data == {
        "i": 12,
        "f": 1.5,
        "b": True,
        "n": None,
        "d": datetime.date(2024, 1, 31),
        "s": "12",
        "h": 31,
    }


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_empty_documents_have_no_data(text: str) -> None:
    doc = parse_document(text, "f.yaml")
    assert doc.data is None
    assert doc.root is None
    assert doc.where(["name"]) == (1, 1)


def test_a_lone_document_marker_is_empty() -> None:
    assert parse_document("---\n", "f.yaml").data is None


def test_explicit_document_markers_are_one_document() -> None:
    assert parse_document("---\nname: x\n...\n", "f.yaml").data == {"name": "x"}


def test_two_documents_are_refused() -> None:
    assert messages("name: a\n---\nname: b\n") == [
        "f.yaml:2:1: one document per file: found a second '---'"
    ]


def test_every_duplicate_key_in_a_file_is_reported() -> None:
    text = "name: a\ntranslations:\n  fr: {name: x, name: y}\n  fr: {name: z}\nname: b\n"
    assert messages(text) == [
        "f.yaml:3:17: duplicate key 'name' (first written on line 3)",
        "f.yaml:4:3: duplicate key 'fr' (first written on line 3)",
        "f.yaml:5:1: duplicate key 'name' (first written on line 1)",
    ]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("x: !!python/object/apply:os.system ['true']\n", "!!python/object/apply:os.system"),
        ("x: !!python/name:os.system ''\n", "!!python/name:os.system"),
        (
            "x: !!python/object:collections.OrderedDict {}\n",
            "!!python/object:collections.OrderedDict",
        ),
        ("x: !foo bar\n", "!foo"),
        ("x: !!binary aGk=\n", "!!binary"),
        ("x: !!set {a, b}\n", "!!set"),
        ("x: !!omap [a: 1]\n", "!!omap"),
        ("x: !<tag:example.com,2000:thing> 1\n", "tag:example.com,2000:thing"),
    ],
)
def test_tags_are_refused_not_constructed(text: str, tag: str) -> None:
    (problem,) = problems(text)
    assert (problem.line, problem.column) == (1, 4)
    assert problem.message.startswith(f"unsupported YAML tag '{tag}'")


def test_standard_tags_on_plain_values_are_fine() -> None:
    assert parse_document("a: !!str 12\nb: !!int '7'\n", "f.yaml").data == {"a": "12", "b": 7}


def test_syntax_error_has_position() -> None:
    (problem,) = problems("name: x\n  bad: indent\n")
    assert (problem.path, problem.line) == ("f.yaml", 2)
    assert problem.message.startswith("invalid YAML: ")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: [\n", "flow sequence '[' starts at line 1, column 7"),
        ("a: {b: [\n", "flow sequence '[' starts at line 1, column 8"),
        ("a: [b, c]\nd: {\n", "flow mapping '{' starts at line 2, column 4"),
        ("x:\n  - [a,\n  - b\n", "flow sequence '[' starts at line 2, column 5"),
    ],
)
def test_a_bracket_left_open_is_named_where_it_opens(text: str, where: str) -> None:
    """libyaml puts the start of the 'flow node' where the missing value should be (the end
    of the file): the message names the bracket that is still open instead."""
    [problem] = problems(text)
    assert where in problem.message, problem.message


def test_non_text_keys_are_refused() -> None:
    assert messages("? [a]\n: 1\n") == [
        "f.yaml:1:3: keys must be plain text, not lists or mappings"
    ]


# ---- aliases, merges, bombs ----------------------------------------------------------------


def test_aliases_within_limits_work() -> None:
    doc = parse_document("a: &x [1, 2, {k: v}]\nb: *x\nc: [*x, *x]\n", "f.yaml")
    assert doc.data["b"] == [1, 2, {"k": "v"}]
    assert doc.data["c"] == [doc.data["a"], doc.data["a"]]


LOCALES_BLOCK = (
    "shared: &t {"
    + ", ".join(f"{loc}: {{name: FAQ {loc}}}" for loc in LOCALES if loc != "en")
    + "}\n"
)


def _sections_sharing_translations(n: int) -> str:
    return (
        LOCALES_BLOCK
        + "sections:\n"
        + "".join(f"  - name: FAQ {i}\n    translations: *t\n" for i in range(n))
    )


def test_moderate_reuse_of_an_anchor_is_not_a_bomb() -> None:
    doc = parse_document(_sections_sharing_translations(100), "f.yaml")
    assert len(doc.data["sections"]) == 100
    assert doc.data["sections"][99]["translations"]["pt-BR"] == {"name": "FAQ pt-BR"}


def test_dense_reuse_of_an_anchor_is_not_a_bomb() -> None:
    doc = parse_document(_sections_sharing_translations(500), "f.yaml")
    assert len(doc.data["sections"]) == 500


def test_merge_keys_work() -> None:
    text = "base: &b {name: x, description: d}\nitem:\n  <<: *b\n  extra: 1\n"
    assert parse_document(text, "f.yaml").data["item"] == {
        "name": "x",
        "description": "d",
        "extra": 1,
    }


def test_merge_of_several_mappings_first_wins() -> None:
    text = "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n"
    assert parse_document(text, "f.yaml").data["c"] == {"x": 1, "y": 2}


def test_merge_key_can_be_overridden() -> None:
    text = "base: &b {name: x, description: d}\nitem:\n  <<: *b\n  name: y\n"
    doc = parse_document(text, "f.yaml")
    assert doc.data["item"] == {"name": "y", "description": "d"}
    assert doc.data["item"] == yaml.safe_load(text)["item"]
    assert doc.problems == ()


def test_a_real_duplicate_next_to_a_merge_is_still_a_duplicate() -> None:
    text = "base: &b {name: x}\nitem:\n  <<: *b\n  name: y\n  name: z\n"
    assert [str(p) for p in problems(text)] == [
        "f.yaml:5:3: duplicate key 'name' (first written on line 4)"
    ]


def test_merge_of_a_scalar_is_a_problem_not_a_crash() -> None:
    (problem,) = problems("item:\n  <<: 3\n  name: y\n")
    assert problem.line == 2
    assert "invalid YAML" in problem.message


def test_an_anchor_nothing_refers_to_is_reported_where_it_is_written() -> None:
    doc = parse_document("name: &Co things\ndescription: Tips & tricks\n", "f.yaml")
    assert doc.data == {"name": "things", "description": "Tips & tricks"}
    assert [str(p) for p in doc.problems] == [
        "f.yaml:1:7: '&Co' is a YAML anchor that nothing refers to, so it is not part of the "
        "value; if it is text, put the value in quotes"
    ]


def test_ampersands_in_text_are_not_anchors() -> None:
    doc = parse_document("name: R&D & more\ndescription: 'a &quoted one'\n", "f.yaml")
    assert doc.data == {"name": "R&D & more", "description": "a &quoted one"}
    assert doc.problems == ()


def test_anchors_that_are_used_are_not_reported() -> None:
    text = "base: &b {name: x}\nitem:\n  <<: *b\nd: &d text\ne: [*d]\n"
    assert parse_document(text, "f.yaml").problems == ()


def test_an_anchor_defined_twice_names_both_places() -> None:
    assert [str(p) for p in problems("a: &x 1\nb: &x 2\nc: *x\n")] == [
        "f.yaml:2:4: invalid YAML: anchor '&x' is already defined on line 1; "
        "give each anchor its own name"
    ]


def _billion_laughs(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for name in "bcdefghijk"[: levels - 1]:
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    return text


def test_alias_bomb_is_refused_fast() -> None:
    started = time.perf_counter()
    (problem,) = problems(_billion_laughs())
    assert time.perf_counter() - started < 2.0
    assert "alias bomb" in problem.message
    assert 1 <= problem.line <= 9


def test_small_honest_alias_tree_is_not_a_bomb() -> None:
    doc = parse_document(_billion_laughs(levels=3), "f.yaml")
    assert len(doc.data["c"]) == 9
    assert doc.data["c"][0][0] == ["lol"] * 9


def test_recursive_alias_is_refused() -> None:
    (problem,) = problems("a: &a [1, *a]\n")
    assert problem.message == "recursive alias: a value contains itself"
    assert problem.line == 1


def test_large_honest_file_is_not_a_bomb() -> None:
    text = "name: Big\nsections:\n" + "".join(
        f"  - name: Section {i}\n    translations: {{fr: {{name: S {i}}}}}\n" for i in range(5000)
    )
    started = time.perf_counter()
    doc = parse_document(text, "f.yaml")
    # a guard against a hang or an alias-bomb refusal, not a speed test (benchmarks/ measure
    # speed): under a parallel suite on 2 cores this takes 1-2 s
    assert time.perf_counter() - started < 10.0
    assert len(doc.data["sections"]) == 5000
    assert doc.where(["sections", 4999, "name"]) == (2 + 2 * 4999 + 1, 11)


# ---- where: line and column of any part ----------------------------------------------------


@pytest.mark.parametrize(
    ("at", "key", "expected"),
    [
        ([], False, (2, 1)),  # the root mapping starts at its first key, after the comment
        (["id"], False, (2, 5)),
        (["id"], True, (2, 1)),
        (["name"], False, (3, 7)),
        (["translations"], False, (5, 3)),
        (["translations", "fr"], True, (5, 3)),
        (["translations", "fr"], False, (6, 5)),
        (["translations", "fr", "name"], False, (6, 11)),
        (["translations", "pt-BR"], False, (7, 10)),
        (["translations", "pt-BR", "name"], True, (7, 11)),
        (["translations", "pt-BR", "name"], False, (7, 17)),
        (["sections"], False, (9, 3)),
        (["sections", 0], False, (9, 5)),
        (["sections", 0, "name"], False, (9, 11)),
        (["sections", 0, "translations", "fr", "name"], False, (11, 18)),
        (["sections", 1], False, (12, 7)),
        (["sections", 1, "name"], True, (12, 7)),
        # Missing parts point at the deepest part that is written.
        (["description"], False, (2, 1)),
        (["description"], True, (2, 1)),
        (["translations", "de"], True, (5, 3)),
        (["translations", "fr", "description"], False, (6, 5)),
        (["sections", 7], False, (9, 3)),
        (["sections", 1, "translations", "fr"], False, (12, 7)),
        (["sections", "0"], False, (9, 3)),
    ],
)
def test_where(at: list[str | int], key: bool, expected: tuple[int, int]) -> None:
    doc = parse_document(COLLECTION, "c.yaml")
    assert doc.where(at, key=key) == expected


def test_where_on_a_non_mapping_root() -> None:
    doc = parse_document("\n\n  - a\n  - b\n", "f.yaml")
    assert doc.where([]) == (3, 3)
    assert doc.where([1]) == (4, 5)
    assert doc.where(["name"]) == (3, 3)


def test_problem_names_the_field_and_place() -> None:
    doc = parse_document(COLLECTION, "c.yaml")
    problem = doc.problem(["sections", 0, "translations", "fr"], "boom", key=True)
    assert problem == Problem("c.yaml", 11, 7, "sections[0].translations.fr", "boom")
    assert str(problem) == "c.yaml:11:7: sections[0].translations.fr: boom"


@pytest.mark.parametrize(
    ("at", "text"),
    [
        ([], ""),
        (["name"], "name"),
        (["sections", 0], "sections[0]"),
        (["sections", 2, "translations", "pt-BR", "name"], "sections[2].translations.pt-BR.name"),
        ([0, "name"], "[0].name"),
    ],
)
def test_dotted(at: list[str | int], text: str) -> None:
    assert dotted(at) == text


def test_document_is_frozen() -> None:
    doc = parse_document("name: x\n", "f.yaml")
    assert isinstance(doc, Document)
    with pytest.raises(AttributeError):
        doc.path = "other"  # type: ignore[misc]


# ---- read_document: bytes on disk ----------------------------------------------------------


def test_read_document_utf8_with_bom_and_crlf(tmp_path: Path) -> None:
    file = tmp_path / "c.yaml"
    file.write_bytes("\ufeffname: Café\r\ndescription: d\r\n".encode())
    doc = read_document(file, "shown/c.yaml")
    assert doc.path == "shown/c.yaml"
    assert doc.data == {"name": "Café", "description": "d"}
    assert doc.where(["description"]) == (2, 14)


def test_read_document_latin1_points_at_the_first_bad_byte(tmp_path: Path) -> None:
    file = tmp_path / "c.yaml"
    file.write_bytes("name: x\nname2: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ContentError) as info:
        read_document(file, "c.yaml")
    assert [str(p) for p in info.value.problems] == [
        "c.yaml:2:11: not UTF-8 text: save the file as UTF-8"
    ]


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "name: x\n".encode("utf-16"),
        b"name: x\x00\n",
    ],
    ids=["png", "utf-16", "nul"],
)
def test_read_document_refuses_binary(tmp_path: Path, raw: bytes) -> None:
    file = tmp_path / "c.yaml"
    file.write_bytes(raw)
    with pytest.raises(ContentError) as info:
        read_document(file, "c.yaml")
    (problem,) = info.value.problems
    assert problem.message == "binary file: expected YAML text"
    assert problem.path == "c.yaml"


# ---- property --------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), st.text(), max_size=8))
def test_safe_dump_round_trips(data: dict[str, str]) -> None:
    text = yaml.safe_dump(data)
    doc = parse_document(text, "f.yaml")
    assert doc.data == data
