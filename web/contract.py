"""The API's OpenAPI description says what the web refuses before a route sees a request (issue 23, item 8).

FastAPI describes each route's parameters and models; two rules it cannot see are added here, so a client
(and Schemathesis, tests/security/test_trust_schema.py) can know them from the schema alone:

- **Plain text** (web/guard.py's text screen): every documented string without a format, pattern or fixed
  values gets the ``pattern`` of domain/plain_text.py, and every object's property names the same rule
  (the guard reads the keys of a JSON body too).
- **A body may be too large**: the guard answers 413 to any body beyond its route's limit (web/limits.py),
  so every operation that takes a body documents it.
- **A form field is never null**: a multipart or urlencoded form has no null; leaving an optional field
  out is how a form says "none" (the text ``null`` is not a number).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from domain.plain_text import PLAIN_TEXT

_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
# A string with one of these already says exactly what it holds.
_SAYS_ENOUGH = ("format", "pattern", "enum", "const", "contentMediaType", "contentEncoding")
# Values, not schemas: left as they are.
_NOT_SCHEMAS = ("propertyNames", "example", "examples", "default", "description", "title")


PLAIN_JSON = "PlainJson"
_PLAIN_JSON_REF = f"#/components/schemas/{PLAIN_JSON}"
# What a field we do not name may hold (the routes ignore it; the guard still reads it).
_PLAIN_JSON_SCHEMA: dict[str, Any] = {
    "description": "any JSON value whose texts and keys are plain text (no control or bidi-override characters)",
    "anyOf": [
        {"type": "null"},
        {"type": "boolean"},
        {"type": "number"},
        {"type": "string", "pattern": PLAIN_TEXT},
        {"type": "array", "items": {"$ref": _PLAIN_JSON_REF}},
        {"type": "object", "propertyNames": {"pattern": PLAIN_TEXT}, "additionalProperties": {"$ref": _PLAIN_JSON_REF}},
    ],
}
# Keywords that make a schema more than "any value".
_SHAPES = ("type", "$ref", "anyOf", "oneOf", "allOf", "not", "properties", "items", "enum", "const")


class _PlainText:
    """Writes the rule into every schema a request can reach: parameters, bodies, the components they
    name. Answers are ours and keep their schemas as FastAPI wrote them."""

    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components
        self.seen: set[str] = set()

    def schema(self, node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                self.schema(item)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name not in self.seen:
                self.seen.add(name)
                self.schema(self.components.get(name))
        if not any(k in node for k in _SHAPES):
            node["$ref"] = _PLAIN_JSON_REF  # "any value" (a free-form field): any plain JSON
            return
        if node.get("type") == "string" and not any(k in node for k in _SAYS_ENOUGH):
            node["pattern"] = PLAIN_TEXT
        if node.get("type") == "object" or "properties" in node:
            node.setdefault("propertyNames", {"pattern": PLAIN_TEXT})
            if node.get("additionalProperties", True) is True:
                node["additionalProperties"] = {"$ref": _PLAIN_JSON_REF}
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for prop in value.values():  # a property may be named like a keyword ("default")
                    self.schema(prop)
            elif key not in _NOT_SCHEMAS:
                self.schema(value)

    def operation(self, operation: dict[str, Any]) -> None:
        for parameter in operation.get("parameters", []):
            self.schema(parameter.get("schema"))
        for body in operation.get("requestBody", {}).get("content", {}).values():
            self.schema(body.get("schema"))


def _not_null(prop: dict[str, Any]) -> None:
    """``anyOf: [X, {type: null}]`` becomes X, keeping the property's own words (title, default …)."""
    variants = prop.get("anyOf")
    if isinstance(variants, list):
        kept = [v for v in variants if v != {"type": "null"}]
        if len(kept) == 1 and len(kept) < len(variants):
            del prop["anyOf"]
            prop.update(kept[0])


def _forms_take_no_null(schema: dict[str, Any]) -> None:
    components = schema.get("components", {}).get("schemas", {})
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            for media, body in content.items():
                if media not in _FORMS:
                    continue
                form = body.get("schema", {})
                ref = form.get("$ref", "")
                if ref.startswith("#/components/schemas/"):
                    form = components.get(ref.rsplit("/", 1)[1], {})
                for prop in form.get("properties", {}).values():
                    _not_null(prop)


_TOO_LARGE = {
    "description": "the body is larger than this route accepts (web/limits.py)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}},
}


def amend(schema: dict[str, Any]) -> dict[str, Any]:
    """The rules above, written into a FastAPI OpenAPI document (in place; returned for convenience)."""
    _forms_take_no_null(schema)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("413", _TOO_LARGE)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[PLAIN_JSON] = _PLAIN_JSON_SCHEMA
    plain = _PlainText(components)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                plain.operation(operation)
    return schema


def install_contract(app: FastAPI) -> None:
    """``app.openapi()`` answers FastAPI's description with the rules above written in (built once)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = amend(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
