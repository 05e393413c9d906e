"""Forms generated from JSON schemas (pydantic's ``model_json_schema``), and the form data read back.

A scenario's input schema, a pending decision's schema and a task's result schema all become forms here,
so a new scenario, decision or result type needs no UI change. Supported: nested objects (fieldsets),
``$ref``/``$defs``, optional fields (``anyOf`` with null), enums (selects), booleans (checkboxes),
integers, amounts in fen (``*_fen``: typed in yuan as ¥, converted exactly), date and date-time (China
time), lists of scalars (one text box, comma or line separated), lists of objects (rows, with "add a
row"), and anything else as a JSON text box.

Field names are dotted paths under ``f.`` (``f.debtor.id_number``, ``f.leases.0.tenant``), the same paths
the API reports validation errors by, so errors land next to their field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.legal_time import CHINA_TZ
from domain.money import yuan_to_fen
from web.ui.i18n import Translator

PREFIX = "f"
ROW_PLACEHOLDER = "__i__"
MISSING: Any = object()


@dataclass
class FormField:
    name: str
    key: str
    kind: str  # text, textarea, integer, number, yuan, bool, enum, datetime, date, object, list, rows, json
    label: str
    hint: str = ""
    required: bool = False
    nullable: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[FormField] = field(default_factory=list)
    template: FormField | None = None  # rows: one empty row, named with ROW_PLACEHOLDER
    rows: list[FormField] = field(default_factory=list)  # rows: the rows shown
    item_kind: str = "text"  # list: what each value is (text, integer)
    attrs: dict[str, str] = field(default_factory=dict)
    value: str = ""
    checked: bool = False
    error: str | None = None


class Schema:
    """One JSON schema with its ``$defs``."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.defs: Mapping[str, Any] = root.get("$defs", {}) or root.get("definitions", {})

    def resolve(self, node: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        """(the node behind refs, allOf and a nullable anyOf; whether null is allowed)."""
        nullable = False
        for _ in range(20):
            if "$ref" in node:
                ref = str(node["$ref"]).rsplit("/", 1)[-1]
                merged = {**self.defs.get(ref, {}), **{k: v for k, v in node.items() if k != "$ref"}}
                node = merged
                continue
            if "allOf" in node and len(node["allOf"]) == 1:
                node = {**node["allOf"][0], **{k: v for k, v in node.items() if k != "allOf"}}
                continue
            alts = node.get("anyOf") or node.get("oneOf")
            if alts:
                non_null = [a for a in alts if a.get("type") != "null"]
                if len(non_null) < len(alts):
                    nullable = True
                if len(non_null) == 1:
                    rest = {k: v for k, v in node.items() if k not in ("anyOf", "oneOf")}
                    node = {**non_null[0], **rest}
                    continue
            break
        return node, nullable


def _is_fen(key: str, node: Mapping[str, Any]) -> bool:
    desc = str(node.get("description", "")).lower()
    return key.endswith("_fen") or "(fen)" in desc or "in fen" in desc


def _attrs(node: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    if "maxLength" in node:
        out["maxlength"] = str(node["maxLength"])
    for src, dst in (("minimum", "min"), ("maximum", "max")):
        if src in node:
            out[dst] = str(node[src])
    if "exclusiveMinimum" in node:
        out["min"] = str(node["exclusiveMinimum"] + (1 if node.get("type") == "integer" else 0))
    return out


def _default_text(node: Mapping[str, Any], kind: str) -> str:
    if "default" not in node or node["default"] is None:
        return ""
    d = node["default"]
    if kind == "yuan" and isinstance(d, int):
        return f"{Decimal(d) / 100:.2f}"
    if kind == "list" and isinstance(d, list):
        return ", ".join(str(x) for x in d)
    if kind == "json":
        return json.dumps(d, ensure_ascii=False)
    return str(d)


def _kind(key: str, node: Mapping[str, Any]) -> str:
    if "enum" in node or "const" in node:
        return "enum"
    t = node.get("type")
    if t == "object":
        return "object" if node.get("properties") else "json"
    if t == "array":
        return "array"
    if t == "boolean":
        return "bool"
    if t == "integer":
        return "yuan" if _is_fen(key, node) else "integer"
    if t == "number":
        return "number"
    if t == "string":
        fmt = node.get("format")
        if fmt == "date-time":
            return "datetime"
        if fmt == "date":
            return "date"
        return "textarea" if int(node.get("maxLength", 0) or 0) > 200 else "text"
    return "json"


class FormBuilder:
    def __init__(self, schema: Mapping[str, Any], t: Translator) -> None:
        self.schema = Schema(schema)
        self.t = t

    def fields(
        self, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
    ) -> list[FormField]:
        root, _ = self.schema.resolve(self.schema.root)
        return self._object_children(root, PREFIX, values, errors or {})

    def _object_children(
        self, node: Mapping[str, Any], name: str, values: Mapping[str, str] | None, errors: Mapping[str, str]
    ) -> list[FormField]:
        required = set(node.get("required", []))
        return [
            self._field(key, sub, f"{name}.{key}", key in required, values, errors)
            for key, sub in (node.get("properties") or {}).items()
        ]

    def _field(
        self,
        key: str,
        raw: Mapping[str, Any],
        name: str,
        required: bool,
        values: Mapping[str, str] | None,
        errors: Mapping[str, str],
    ) -> FormField:
        node, nullable = self.schema.resolve(raw)
        kind = _kind(key, node)
        desc = str(node.get("description") or raw.get("description") or "")
        title = str(raw.get("title") or node.get("title") or key)
        label = self.t.field(key, title, desc)
        f = FormField(
            name=name,
            key=key,
            kind=kind,
            label=label,
            hint=desc if desc and desc != label else "",
            required=required and not nullable,
            nullable=nullable,
            attrs=_attrs(node),
            error=errors.get(name),
        )
        if kind == "object":
            f.children = self._object_children(node, name, values, errors)
            return f
        if kind == "array":
            item, _ = self.schema.resolve(node.get("items") or {})
            item_kind = _kind(key, item)
            if item_kind == "object":
                f.kind = "rows"
                f.template = self._row(item, f"{name}.{ROW_PLACEHOLDER}", None, errors)
                indexes = _row_indexes(values, name) if values is not None else []
                f.rows = [self._row(item, f"{name}.{i}", values, errors) for i in indexes]
                return f
            if item_kind in ("text", "integer", "enum"):
                f.kind, f.item_kind = "list", "integer" if item_kind == "integer" else "text"
                f.hint = (f.hint + "; " if f.hint else "") + self.t("common.list_hint")
            else:
                f.kind = "json"
        if kind == "enum":
            choices = list(node.get("enum", [node.get("const")]))
            f.options = [(str(c), self.t.word("enum", c)) for c in choices]
            f.attrs["data-int"] = "1" if all(isinstance(c, int) for c in choices) else ""
        if kind == "yuan":
            f.hint = self.t("common.yuan_hint")
        if f.kind == "json":
            f.hint = (f.hint + "; " if f.hint else "") + self.t("common.json_hint")
        if values is None:
            f.value = _default_text(node, f.kind)
            f.checked = bool(node.get("default")) if f.kind == "bool" else False
        else:
            f.value = values.get(name, "")
            f.checked = values.get(name) in ("true", "on", "1")
        return f

    def _row(
        self, item: Mapping[str, Any], name: str, values: Mapping[str, str] | None, errors: Mapping[str, str]
    ) -> FormField:
        return FormField(
            name=name,
            key="",
            kind="object",
            label="",
            children=self._object_children(item, name, values, errors),
        )


def _row_indexes(values: Mapping[str, str], name: str) -> list[int]:
    prefix = name + "."
    found: set[int] = set()
    for k in values:
        if k.startswith(prefix):
            head = k[len(prefix) :].split(".", 1)[0]
            if head.isdigit():
                found.add(int(head))
    return sorted(found)


# --- reading a submitted form ---------------------------------------------------------------------------


@dataclass
class Parsed:
    data: dict[str, Any]
    errors: dict[str, str]


def parse(fields: list[FormField], form: Mapping[str, str], t: Translator) -> Parsed:
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    for f in fields:
        v = _read(f, form, errors, t)
        if v is not MISSING:
            data[f.key] = v
    return Parsed(data, errors)


def _read(f: FormField, form: Mapping[str, str], errors: dict[str, str], t: Translator) -> Any:
    if f.kind == "object":
        out: dict[str, Any] = {}
        for c in f.children:
            v = _read(c, form, errors, t)
            if v is not MISSING:
                out[c.key] = v
        meaningful = {k: v for k, v in out.items() if v is not False}
        if not meaningful and (f.nullable or not f.required):
            return MISSING
        return out
    if f.kind == "rows":
        assert f.template is not None
        rows: list[Any] = []
        for i in _row_indexes(form, f.name):
            row = FormField(name=f"{f.name}.{i}", key=str(i), kind="object", label="", nullable=True)
            row.children = _renamed(f.template.children, f.template.name, row.name)
            v = _read(row, form, errors, t)
            if v is not MISSING:
                rows.append(v)
        return rows if rows else MISSING
    if f.kind == "bool":
        return form.get(f.name) in ("true", "on", "1")
    raw = (form.get(f.name) or "").strip()
    if raw == "":
        return MISSING
    try:
        return _convert(f, raw)
    except (ValueError, InvalidOperation, json.JSONDecodeError):
        errors[f.name] = t(f"invalid.{f.kind}", _INVALID.get(f.kind, "invalid value"))
        return MISSING


def _renamed(children: list[FormField], old: str, new: str) -> list[FormField]:
    out = []
    for c in children:
        copy = FormField(**{**c.__dict__})
        copy.name = new + c.name[len(old) :]
        copy.children = _renamed(c.children, old, new)
        if c.template is not None:
            copy.template = FormField(**{**c.template.__dict__})
            copy.template.name = new + c.template.name[len(old) :]
            copy.template.children = _renamed(c.template.children, old, new)
        out.append(copy)
    return out


_INVALID = {
    "integer": "请输入整数 / a whole number",
    "number": "请输入数字 / a number",
    "yuan": "请输入金额, 最多两位小数 / an amount with at most two decimals",
    "datetime": "请输入日期时间 / a date and time",
    "date": "请输入日期 / a date",
    "json": "JSON 格式不正确 / not valid JSON",
}


def _convert(f: FormField, raw: str) -> Any:
    if f.kind == "integer":
        return int(raw)
    if f.kind == "number":
        d = Decimal(raw)
        return int(d) if d == d.to_integral_value() else float(d)
    if f.kind == "yuan":
        return yuan_to_fen(raw.replace(",", "").replace("¥", "").replace("￥", "").strip())
    if f.kind == "enum":
        return int(raw) if f.attrs.get("data-int") else raw
    if f.kind == "datetime":
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            value = value.replace(tzinfo=CHINA_TZ)
        return value.isoformat()
    if f.kind == "date":
        return date.fromisoformat(raw).isoformat()
    if f.kind == "list":
        parts = [p.strip() for p in raw.replace("，", ",").replace("\n", ",").split(",")]
        items = [p for p in parts if p]
        return [int(p) for p in items] if f.item_kind == "integer" else items
    if f.kind == "json":
        return json.loads(raw)
    return raw


def error_map(field_errors: list[tuple[str | None, str]]) -> tuple[dict[str, str], list[str]]:
    """API validation errors (dotted field paths) → per-field messages and the ones with no field."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for path, message in field_errors:
        if path:
            by_field.setdefault(f"{PREFIX}.{path}", message)
        else:
            general.append(message)
    return by_field, general


def flatten(fields: list[FormField]) -> list[FormField]:
    out: list[FormField] = []
    for f in fields:
        out.append(f)
        out.extend(flatten(f.children))
        for r in f.rows:
            out.extend(flatten(r.children))
    return out
