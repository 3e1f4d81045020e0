"""Intercom's 2.9 OpenAPI description as a contract: validate request and response bodies.

OpenAPI 3.0 is not plain JSON Schema, and jsonschema would quietly misread it: `nullable: true`
must allow null, and `enum: [null, "x"]` on a non-nullable string must drop the null (or a
valid null is rejected, or nothing is). Only what the help-center operations reference is
resolved: the file has a dangling `$ref` elsewhere. Objects are closed (no properties beyond
the declared ones), so neither side can invent fields.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

SPEC_FILE = Path(__file__).parent / "openapi" / "intercom-2.9.yaml"
HELP_CENTER_PATHS = (
    "/help_center/help_centers",
    "/help_center/help_centers/{id}",
    "/help_center/collections",
    "/help_center/collections/{id}",
    "/help_center/sections",
    "/help_center/sections/{id}",
)
_COMPONENT = "#/components/schemas/"


@cache
def spec() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_FILE.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


def match_path(method: str, url_path: str) -> str:
    """'/help_center/sections/12' -> '/help_center/sections/{id}' (an AssertionError if the
    operation is not one of the help center's)."""
    for template in HELP_CENTER_PATHS:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, url_path):
            assert method.lower() in spec()["paths"][template], f"{method} {template}"
            return template
    raise AssertionError(f"{method} {url_path} is not a help center operation of API 2.9")


def to_json_schema(schema: Any, *, seen: tuple[str, ...] = ()) -> Any:
    """Inline $refs and turn OpenAPI 3.0's dialect into plain, closed JSON Schema."""
    if isinstance(schema, list):
        return [to_json_schema(s, seen=seen) for s in schema]
    if not isinstance(schema, dict):
        return schema
    nullable = bool(schema.get("nullable"))
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith(_COMPONENT), ref
        name = ref[len(_COMPONENT) :]
        assert name not in seen, f"recursive schema {name}"
        target = spec()["components"]["schemas"][name]
        resolved = to_json_schema(target, seen=(*seen, name))
        return {"anyOf": [resolved, {"type": "null"}]} if nullable else resolved
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("nullable", "example", "examples", "description", "title", "x-tags",
                   "format", "default"):  # fmt: skip
            continue
        if key == "properties":
            out[key] = {k: to_json_schema(v, seen=seen) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = to_json_schema(value, seen=seen)
        elif key in ("oneOf", "anyOf", "allOf"):
            out[key] = [to_json_schema(v, seen=seen) for v in value]
        elif key == "enum":
            out[key] = list(value) if nullable else [v for v in value if v is not None]
        else:
            out[key] = copy.deepcopy(value)
    if nullable and "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"].append(None)
    elif nullable and "type" not in out:
        out = {"anyOf": [out, {"type": "null"}]}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


@cache
def _validator(kind: str, method: str, template: str, status: int) -> Draft202012Validator:
    operation = spec()["paths"][template][method.lower()]
    if kind == "request":
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
    else:
        response = operation["responses"].get(str(status))
        if response is None:
            # Statuses the description does not list for this operation (429, 500, a 400 on
            # a section) still answer with the error.list every Intercom error uses.
            assert status >= 400, f"{method} {template}: undocumented success status {status}"
            schema = {"$ref": f"{_COMPONENT}error"}
        else:
            schema = response["content"]["application/json"]["schema"]
    converted = to_json_schema(schema)
    Draft202012Validator.check_schema(converted)
    return Draft202012Validator(converted)


def _check(validator: Draft202012Validator, body: object, what: str) -> None:
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]
        raise AssertionError(f"{what} does not match Intercom's 2.9 spec:\n" + "\n".join(lines))


def validate_response(method: str, path_template: str, status: int, body: object) -> None:
    validator = _validator("response", method, path_template, status)
    _check(validator, body, f"response {status} to {method} {path_template}")


def validate_request(method: str, path_template: str, body: object) -> None:
    validator = _validator("request", method, path_template, 0)
    _check(validator, body, f"request {method} {path_template}")
