"""Item 9 of issue 13: the slips a new user makes in a collection file, checked where the
schema is applied (yamldoc + validation), whatever folder layout the file sits in."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentsync.schemas import NAME_MAX_LENGTH, collection_schema
from contentsync.validation import schema_problems
from contentsync.yamldoc import read_document


def problems(tmp_path: Path, text: str) -> list[str]:
    file = tmp_path / "_collection.yaml"
    file.write_text(text, encoding="utf-8")
    document = read_document(file, "c.yaml")
    return [str(p) for p in schema_problems(document, collection_schema())]


@pytest.mark.parametrize(
    "text",
    ["name: |\n  Billing\n  and plans\n", "name: |-\n  Billing\n\n  Plans\n", 'name: "A\\r\\nB"\n'],
)
def test_a_name_on_several_lines_is_an_error(tmp_path: Path, text: str) -> None:
    assert problems(tmp_path, text) == [
        "c.yaml:1:7: name: a name is one line (`|` and `>` keep line breaks): write it on the "
        "same line as `name:`"
    ]


@pytest.mark.parametrize(
    "text", ["name: >-\n  Billing\n  and plans\n", "name: |\n  Billing\n", 'name: " Billing\\n"\n']
)
def test_a_name_that_reads_as_one_line_is_fine(tmp_path: Path, text: str) -> None:
    """Folded lines join; a line break at either end is trimmed, like other whitespace."""
    assert problems(tmp_path, text) == []


def test_a_name_longer_than_the_limit_is_an_error(tmp_path: Path) -> None:
    assert problems(tmp_path, f"name: {'x' * NAME_MAX_LENGTH}\n") == []
    long = "x" * 400
    assert problems(tmp_path, f"name: Billing\ntranslations:\n  fr: {{name: {long}}}\n") == [
        f"c.yaml:3:14: translations.fr.name: is 400 characters long; a name may have at most "
        f"{NAME_MAX_LENGTH}"
    ]


@pytest.mark.parametrize(
    ("written", "example"),
    [("Factures", "fr: {name: Factures}"), ("'Oui: non'", "fr: {name: 'Oui: non'}")],
)
def test_a_translation_written_as_text_shows_the_mapping_to_write(
    tmp_path: Path, written: str, example: str
) -> None:
    [problem] = problems(tmp_path, f"name: Billing\ntranslations:\n  fr: {written}\n")
    assert problem.startswith("c.yaml:3:7: translations.fr: expected a mapping, got the text")
    assert problem.endswith(f"; a translation holds its fields: write `{example}`")


@pytest.mark.parametrize("written", ["2024", "3.10", "-7"])
def test_a_name_yaml_reads_as_a_number_suggests_quotes(tmp_path: Path, written: str) -> None:
    [problem] = problems(tmp_path, f"name: {written}\n")
    assert problem.endswith(f'(quote it to make it text: "{written}")'), problem


def test_an_id_that_is_a_fraction_does_not_suggest_quotes(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, "id: 12.5\nname: Billing\n")
    assert "quote" not in problem
