"""Intercom's OpenAPI descriptions (2.9 and 2.16) as a contract: validate request and response
bodies against the one for the API version a request asks for.

A request on "2.9" is checked against 2.9.yaml, one on "2.10" to "2.16" against 2.16.yaml (the
sandbox serves every 2.10+ version as 2.16), except `/help_center/sections` on 2.10 to 2.15,
which only 2.9.yaml still describes.

OpenAPI 3.0 is not plain JSON Schema, and jsonschema would quietly misread it: `nullable: true`
must allow null, and `enum: [null, "x"]` on a non-nullable string must drop the null (or a
valid null is rejected, or nothing is). Only what the operations we use reference is resolved:
2.9.yaml has a dangling `$ref` elsewhere. Objects are closed (no properties beyond the
declared ones), so neither side can invent fields.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

SPEC_FILES = {
    "2.9": Path(__file__).parent / "openapi" / "intercom-2.9.yaml",
    "2.16": Path(__file__).parent / "openapi" / "intercom-2.16.yaml",
}
# The operations contentsync and its sandbox use (path prefixes, in either description).
USED = ("/help_center/help_centers", "/help_center/collections", "/help_center/sections",
        "/articles", "/admins", "/me")  # fmt: skip
_COMPONENT = "#/components/schemas/"


def spec_version(api_version: str, url_path: str = "") -> str:
    """Which description answers for a request on `api_version` to `url_path`."""
    if api_version == "2.9" or url_path.startswith("/help_center/sections"):
        return "2.9"
    return "2.16"


@cache
def spec(version: str = "2.9") -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_FILES[version].open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


@cache
def _templates(version: str) -> list[tuple[re.Pattern[str], str]]:
    """The used paths of one description, literal ones first (/articles/search before
    /articles/{id})."""
    paths = [
        p for p in spec(version)["paths"] if any(p == u or p.startswith(f"{u}/") for u in USED)
    ]
    paths.sort(key=lambda p: ("{" in p, p))
    return [
        (re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) + "$"), p) for p in paths
    ]


def match_path(method: str, url_path: str, version: str = "2.9") -> str:
    """'/help_center/sections/12' -> '/help_center/sections/{id}' (an AssertionError if the
    description has no such operation)."""
    for pattern, template in _templates(version):
        if pattern.match(url_path):
            assert method.lower() in spec(version)["paths"][template], f"{method} {template}"
            return template
    raise AssertionError(f"{method} {url_path} is not an operation of API {version}")


def to_json_schema(schema: Any, version: str = "2.9", *, seen: tuple[str, ...] = ()) -> Any:
    """Inline $refs and turn OpenAPI 3.0's dialect into plain, closed JSON Schema."""
    if isinstance(schema, list):
        return [to_json_schema(s, version, seen=seen) for s in schema]
    if not isinstance(schema, dict):
        return schema
    nullable = bool(schema.get("nullable"))
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith(_COMPONENT), ref
        name = ref[len(_COMPONENT) :]
        assert name not in seen, f"recursive schema {name}"
        target = spec(version)["components"]["schemas"][name]
        resolved = to_json_schema(target, version, seen=(*seen, name))
        return {"anyOf": [resolved, {"type": "null"}]} if nullable else resolved
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("nullable", "example", "examples", "description", "title", "x-tags",
                   "format", "default", "readOnly"):  # fmt: skip
            continue
        if key == "properties":
            out[key] = {k: to_json_schema(v, version, seen=seen) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = to_json_schema(value, version, seen=seen)
        elif key in ("oneOf", "anyOf", "allOf"):
            out[key] = [to_json_schema(v, version, seen=seen) for v in value]
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
    if "allOf" in out:
        out = _merge_all_of(out)
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def _merge_all_of(schema: dict[str, Any]) -> dict[str, Any]:
    """`allOf: [A]` plus properties of its own (2.16's article is its list item plus
    statistics): one object with both sets of properties, so closing it does not refuse
    A's."""
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    properties = dict(merged.get("properties", {}))
    for part in schema["allOf"]:
        assert set(part) <= {"type", "properties", "additionalProperties", "required"}, part
        properties.update(part.get("properties", {}))
        merged.setdefault("type", part.get("type"))
        if "required" in part:
            merged["required"] = [*merged.get("required", []), *part["required"]]
    merged["properties"] = properties
    merged["additionalProperties"] = False
    return merged


@cache
def _validator(
    kind: str, method: str, template: str, status: int, version: str
) -> Draft202012Validator:
    operation = spec(version)["paths"][template][method.lower()]
    if kind == "request":
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
    else:
        response = operation["responses"].get(str(status))
        if response is not None and "$ref" in response:
            response = None  # a shared response (2.16's ObjectNotFound): an error.list
        if response is None:
            # Statuses the description does not list for this operation (429, 500, a 400 on
            # a section) still answer with the error.list every Intercom error uses.
            assert status >= 400, f"{method} {template}: undocumented success status {status}"
            schema = {"$ref": f"{_COMPONENT}error"}
        else:
            schema = response["content"]["application/json"]["schema"]
    converted = to_json_schema(schema, version)
    Draft202012Validator.check_schema(converted)
    return Draft202012Validator(converted)


def _check(validator: Draft202012Validator, body: object, what: str, version: str) -> None:
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]
        raise AssertionError(
            f"{what} does not match Intercom's {version} spec:\n" + "\n".join(lines)
        )


def validate_response(
    method: str, path_template: str, status: int, body: object, version: str = "2.9"
) -> None:
    validator = _validator("response", method, path_template, status, version)
    _check(validator, body, f"response {status} to {method} {path_template}", version)


def validate_request(method: str, path_template: str, body: object, version: str = "2.9") -> None:
    validator = _validator("request", method, path_template, 0, version)
    _check(validator, body, f"request {method} {path_template}", version)
