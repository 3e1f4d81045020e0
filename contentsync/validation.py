"""JSON Schema errors -> Problems a writer can act on, each at the line it concerns."""

from __future__ import annotations

import datetime
import difflib
from functools import cache
from typing import Any

import jsonschema_rs
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from contentsync.errors import Problem
from contentsync.locales import LOCALE_SET
from contentsync.schemas import SCHEMAS
from contentsync.yamldoc import Document

_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    schema = SCHEMAS[schema_name]()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@cache
def _fast_validator(schema_name: str) -> Any:
    return jsonschema_rs.Draft202012Validator(SCHEMAS[schema_name]())


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    return _validator(str(schema["$id"]))


def schema_problems(document: Document, schema: dict[str, Any]) -> list[Problem]:
    """Every schema problem in the document, each at its line.

    jsonschema-rs answers "is it valid?" about 50x faster than jsonschema, which matters at
    10,000 objects; only an invalid document goes through jsonschema, whose error objects
    carry the paths and validator details the messages below are made from.
    """
    try:
        if _fast_validator(str(schema["$id"])).is_valid(document.data):
            return []
    except ValueError:
        pass  # a value JSON has no type for (a YAML date): jsonschema explains it below
    validator = validator_for(schema)
    problems: list[Problem] = []
    for error in validator.iter_errors(document.data):
        problems.extend(_explain(document, error))
    return problems


def _describe(value: Any, written: str | None = None) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        word = str(value).lower()
        if written is not None and written.lower() != word:
            return f"{word} (YAML reads {written} as {word}: quote it to make it text)"
        return f"{word} (true/false)"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()} (quote it to make it text)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{value!r} ({type(value).__name__}: quote it to make it text)"


def _how_to_write(at: list[Any], types: list[str], value: Any, written: str | None) -> str:
    """What to write instead, for the two slips new users make most: a translation given as
    plain text (`fr: Factures`), and a name YAML reads as a number (`name: 2024`)."""
    if "object" in types and isinstance(value, str) and len(at) >= 2 and at[-2] == "translations":
        example = yaml.safe_dump({at[-1]: {"name": value}}, default_flow_style=True, width=1000)
        return f"; a translation holds its fields: write `{example.strip()[1:-1]}`"
    numbers_allowed = "integer" in types or "number" in types
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if "string" in types and not numbers_allowed and number:
        return f' (quote it to make it text: "{written or value}")'
    return ""


# Locale codes people write that Intercom spells another way.
_OTHER_NAMES = {"no": "nb", "nn": "nb", "zh": "zh-CN", "pt-pt": "pt", "iw": "he", "in": "id"}


def _suggest(word: str, options: list[str]) -> str:
    """The option the writer most likely meant: same letters in another case or with '_' for
    '-' first (zh-cn, pt_BR), else the closest spelling."""
    folded = {o.lower().replace("_", "-"): o for o in options}
    match = folded.get(word.lower().replace("_", "-"))
    if match is None and word.lower() in _OTHER_NAMES and _OTHER_NAMES[word.lower()] in options:
        match = _OTHER_NAMES[word.lower()]
    close = [match] if match else difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _explain(document: Document, error: ValidationError) -> list[Problem]:
    at = list(error.absolute_path)
    kind = error.validator
    expected: Any = error.validator_value
    instance: Any = error.instance
    schema: Any = error.schema
    if kind == "required":
        missing = [n for n in expected if n not in (instance or {})]
        return [document.problem([*at, n], f"'{n}' is required") for n in missing]
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = [k for k in instance if k not in allowed]
        problems = []
        for key in extra:
            message = f"unknown field '{key}'"
            if key == "description" and "sections" in at:
                message += ": sections have no description in Intercom's API"
            elif key in {"order", "icon", "url"}:
                message += f": '{key}' is read-only in Intercom's API and is not managed"
            else:
                message += _suggest(key, allowed)
            problems.append(document.problem([*at, key], message, key=True))
        return problems
    if (
        kind == "enum"
        and error.relative_schema_path
        and "propertyNames" in list(error.relative_schema_path)
    ):
        key = str(instance)
        locales = list(expected)
        message = f"unknown locale '{key}'{_suggest(key, locales)}"
        return [document.problem([*at, key], message, key=True)]
    if kind == "enum":
        options = [str(v) for v in expected]
        if len(options) <= 8:
            shown = ", ".join(options)
        elif set(options) <= LOCALE_SET:
            shown = "one of Intercom's locale codes"
        else:
            shown = f"one of {', '.join(options)}"
        got = _describe(instance)
        suggestion = _suggest(str(instance), options) if isinstance(instance, str) else ""
        return [document.problem(at, f"expected {shown}, got {got}{suggestion}")]
    if kind == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names if n != "null")
        written = document.scalar_text(at)
        message = f"expected {wanted}, got {_describe(instance, written)}"
        return [document.problem(at, message + _how_to_write(at, names, instance, written))]
    if kind in {"minLength", "pattern"} and at and at[-1] == "name":
        return [document.problem(at, "must not be empty")]
    if kind == "not" and at and at[-1] == "name":
        return [
            document.problem(
                at,
                "a name is one line (`|` and `>` keep line breaks): write it on the same line "
                "as `name:`",
            )
        ]
    if kind == "maxLength":
        return [
            document.problem(
                at, f"is {len(instance)} characters long; a name may have at most {expected}"
            )
        ]
    if kind in {"pattern", "minimum"} and at and at[-1] == "id":
        return [document.problem(at, 'an id is the digits of a live Intercom id, like "6871119"')]
    if kind in ("minimum", "maximum"):
        bound = "at least" if kind == "minimum" else "at most"
        return [document.problem(at, f"must be {bound} {expected}")]
    return [document.problem(at, error.message)]
