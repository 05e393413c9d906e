"""Forms generated from JSON schemas (pydantic's ``model_json_schema``), and the form data read back.

A scenario's input schema, a pending decision's schema and a task's result schema all become forms here,
so a new scenario, decision or result type needs no UI change. Supported: nested objects (fieldsets),
``$ref``/``$defs``, optional fields (``anyOf`` with null), enums (selects), booleans (checkboxes),
integers, amounts in fen (``*_fen``: typed in yuan as ¥, converted exactly), date and date-time (China
time), lists of scalars (one text box, comma or line separated), lists of enum values (check boxes),
lists of objects (rows, with "add a row"), and anything else as a JSON text box.

Made for judges, from the scenario's words alone (no per-scenario code): labels and help come from the
scenario's ``field.*`` / ``help.*`` words (in Chinese mode a field never shows its English schema title or
description); an agency a request names (a string whose default is a configured agency, or whose
description says ``agency id`` / ``partner id``) is chosen from the directory by its Chinese name, a list
of them (``inquiry_platforms``) by check boxes; a content-hash reference (``{sha256, count, …}``, e.g. a
payee list) is an upload whose check the page shows before the start; optional details of a row fold
away under "more".

Field names are dotted paths under ``f.`` (``f.debtor.id_number``, ``f.leases.0.tenant``), the same paths
the API reports validation errors by, so errors land next to their field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.legal_time import CHINA_TZ
from domain.money import AmountError, yuan_to_fen
from web.services.directory import Directory
from web.ui.i18n import Translator, has_cjk

PREFIX = "f"
ROW_PLACEHOLDER = "__i__"
ROW_NUMBER = "__n__"
MISSING: Any = object()


@dataclass
class FormField:
    name: str
    key: str
    # text, textarea, integer, number, yuan, bool, enum, datetime, date, object, list, multi, rows, upload, json
    kind: str
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
    selected: list[str] = field(default_factory=list)  # multi: the values checked
    more: bool = False  # an optional detail the template may fold away


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


_AGENCY_MARKERS = ("agency id", "partner id", "协助单位编号")


def _is_upload(node: Mapping[str, Any]) -> bool:
    """A reference to a stored file by its content hash (a payee list): uploaded, never typed."""
    props = node.get("properties") or {}
    return node.get("type") == "object" and "sha256" in props and "count" in props


def _row_number_default(key: str, node: Mapping[str, Any], required: bool) -> bool:
    """A row's own id (``claim_id``, ``cost_id``): numbered for the clerk, who may change it."""
    return required and key.endswith("_id") and node.get("type") == "string"


class FormBuilder:
    """Fields for one schema. ``scenario`` picks the scenario's words (a field may be called differently in
    two scenarios: ``court`` is 执行法院 in one and 请求法院 in another); ``directory`` turns agency ids
    into choices; ``prefill`` gives values only one answer fits (the judge's own court), shown read-only;
    ``suggested`` gives values a next step proposes, in place of the schema's defaults, the judge free to change
    them (a field the proposal does not name keeps its default)."""

    def __init__(
        self,
        schema: Mapping[str, Any],
        t: Translator,
        scenario: str | None = None,
        directory: Directory | None = None,
        prefill: Mapping[str, str] | None = None,
        picks: Mapping[str, list[tuple[str, str]]] | None = None,
        suggested: Mapping[str, str] | None = None,
    ) -> None:
        self.schema = Schema(schema)
        self.t = t
        self.scenario = scenario
        self.directory = directory
        self.prefill = prefill or {}
        self.suggested = suggested or {}
        # Numbers chosen from rows the page shows (a decision's report indexes): ticked, never typed.
        self.picks = picks or {}

    def fields(
        self, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
    ) -> list[FormField]:
        root, _ = self.schema.resolve(self.schema.root)
        return self._object_children(root, PREFIX, values, errors or {})

    def _object_children(
        self,
        node: Mapping[str, Any],
        name: str,
        values: Mapping[str, str] | None,
        errors: Mapping[str, str],
        row: int | None = None,
    ) -> list[FormField]:
        required = set(node.get("required", []))
        return [
            self._field(key, sub, f"{name}.{key}", key in required, values, errors, row)
            for key, sub in (node.get("properties") or {}).items()
        ]

    def _label_and_hint(self, key: str, raw: Mapping[str, Any], node: Mapping[str, Any]) -> tuple[str, str]:
        desc = str(node.get("description") or raw.get("description") or "")
        title = str(raw.get("title") or node.get("title") or key)
        label = self.t.field(key, title, desc, self.scenario)
        hint = self.t.help(key, self.scenario)
        if not hint and desc and desc != label and not any(m in desc.lower() for m in _AGENCY_MARKERS):
            # The schema's own description helps only where it speaks the page's language; an amount is
            # typed in yuan, so its "(fen)" is the code's business, not the judge's.
            if self.t.lang != "zh" or (has_cjk(desc) and not has_cjk(label)):
                hint = re.sub(r"\s*\((fen|分)\)", "", desc)
        if self.t.lang == "zh" and not has_cjk(label):
            # Words missing for this field: better its Chinese description than an English name.
            if desc and has_cjk(desc):
                label = self.t.field(key, None, desc)
        shape = self.t(f"format.{key}", "")  # how a 案号 or a plate is written, whatever the scenario
        if shape:
            hint = f"{hint}; {shape}" if hint else shape
        return label, hint

    def _field(
        self,
        key: str,
        raw: Mapping[str, Any],
        name: str,
        required: bool,
        values: Mapping[str, str] | None,
        errors: Mapping[str, str],
        row: int | None = None,
    ) -> FormField:
        node, nullable = self.schema.resolve(raw)
        kind = "upload" if _is_upload(node) else _kind(key, node)
        label, hint = self._label_and_hint(key, raw, node)
        f = FormField(
            name=name,
            key=key,
            kind=kind,
            label=label,
            hint=hint,
            required=required and not nullable,
            nullable=nullable,
            attrs=_attrs(node),
            error=errors.get(name),
            more=row is not None and not required,
        )
        if kind in ("object", "upload"):
            f.children = self._object_children(node, name, values, errors)
            return f
        if kind == "array":
            item, _ = self.schema.resolve(node.get("items") or {})
            item_kind = _kind(key, item)
            if item_kind == "object":
                f.kind = "rows"
                f.template = self._row(item, f"{name}.{ROW_PLACEHOLDER}", None, errors, None)
                if values is not None:
                    indexes = _row_indexes(values, name)
                elif suggested := _row_indexes(self.suggested, name):
                    indexes = suggested
                else:
                    # A list the request needs at least one of starts with that row, ready to fill in.
                    indexes = list(range(max(int(node.get("minItems", 0) or 0), 1 if f.required else 0)))
                f.rows = [self._row(item, f"{name}.{i}", values, errors, i) for i in indexes]
                f.attrs["data-next"] = str((max(indexes) + 1) if indexes else 0)
                return f
            if item_kind == "enum":
                return self._multi(
                    f, [(str(c), self.t.word("enum", c, self.scenario)) for c in item.get("enum", [])], node, values
                )
            agencies = self._agency_list(key)
            if item_kind == "text" and agencies is not None:
                return self._multi(f, agencies, node, values)
            if item_kind == "integer" and key in self.picks:
                f.item_kind = "integer"
                picked = self._multi(f, self.picks[key], {"default": [v for v, _ in self.picks[key]]}, values)
                picked.attrs["data-pick"] = "1"  # at least one: none ticked would read as "all"
                return picked
            if item_kind in ("text", "integer"):
                f.kind, f.item_kind = "list", "integer" if item_kind == "integer" else "text"
                f.hint = (f.hint + "; " if f.hint else "") + self.t("common.list_hint")
            else:
                f.kind = "json"
        if kind == "enum":
            choices = list(node.get("enum", [node.get("const")]))
            f.options = [(str(c), self.t.word("enum", c, self.scenario)) for c in choices]
            f.attrs["data-int"] = "1" if all(isinstance(c, int) for c in choices) else ""
        if kind == "text" and self.directory is not None:
            self._agency_choice(f, node, raw)
        if kind == "yuan" and not any(unit in f.hint for unit in ("元", "yuan")):
            # The scenario's help may already say the unit; say it once.
            f.hint = (f.hint + "; " if f.hint else "") + self.t("common.yuan_hint")
        if f.kind == "json":
            f.hint = (f.hint + "; " if f.hint else "") + self.t("common.json_hint")
        if name in self.prefill and f.kind == "text":
            # What only one answer fits (a judge's own court: a case of another court is refused).
            f.attrs["readonly"] = "readonly"
        if values is None:
            f.value = self.prefill.get(name) or self.suggested.get(name) or _default_text(node, f.kind)
            if not f.value and row is not None and _row_number_default(key, node, required):
                # The empty row the page copies gets its number when it is added (app.js).
                f.value = ROW_NUMBER if row < 0 else str(row + 1)
            if name in self.suggested:
                f.checked = self.suggested[name] in ("true", "on", "1")
            else:
                f.checked = bool(node.get("default")) if f.kind == "bool" else False
        else:
            f.value = values.get(name, "")
            f.checked = values.get(name) in ("true", "on", "1")
        return f

    def _agency_choice(self, f: FormField, node: Mapping[str, Any], raw: Mapping[str, Any]) -> None:
        """A string naming an agency becomes a choice among the configured agencies of its kind."""
        assert self.directory is not None
        default = node.get("default")
        desc = str(node.get("description") or raw.get("description") or "").lower()
        known = isinstance(default, str) and default in self.directory.by_id
        if not known and not any(m in desc for m in _AGENCY_MARKERS):
            return
        fallback = node.get("x-agency-default")
        if isinstance(fallback, str):
            # An override of a default the scenario keeps (指定单位 of a department): empty keeps the default.
            f.kind = "enum"
            shown = self.t("form.agency_default", name=self.directory.name(fallback))
            f.options = [("", shown), *((e.id, e.name) for e in self.directory.like(fallback))]
            f.attrs["data-agency"] = "1"
            return
        entries = self.directory.like(default) if isinstance(default, str) else list(self.directory.entries)
        f.kind = "enum"
        f.options = [(e.id, e.name) for e in entries]
        if isinstance(default, str) and default and not known:
            f.options.insert(0, (default, default))  # configured nowhere, but what the request expects
        f.attrs["data-agency"] = "1"

    def _agency_list(self, key: str) -> list[tuple[str, str]] | None:
        """A list of agencies (``inquiry_platforms``): the configured ones whose ids carry the noun."""
        if self.directory is None:
            return None
        noun = key.rsplit("_", 1)[-1]
        noun = noun[:-1] if noun.endswith("s") else noun
        found = self.directory.matching_token(noun)
        return [(e.id, e.name) for e in found] if found else None

    def _multi(
        self, f: FormField, options: list[tuple[str, str]], node: Mapping[str, Any], values: Mapping[str, str] | None
    ) -> FormField:
        """Check boxes, one per choice, each its own name (``f.items.0``) so a plain form post keeps them all."""
        f.kind = "multi"
        f.options = options
        proposed = [v for k, v in self.suggested.items() if k.startswith(f.name + ".")]
        if values is None and proposed:
            f.selected = proposed
        elif values is None:
            default = node.get("default")
            f.selected = [str(v) for v in default] if isinstance(default, list) else []
        else:
            prefix = f.name + "."
            f.selected = [v for k, v in values.items() if k.startswith(prefix)]
        return f

    def _row(
        self,
        item: Mapping[str, Any],
        name: str,
        values: Mapping[str, str] | None,
        errors: Mapping[str, str],
        row: int | None,
    ) -> FormField:
        children = self._object_children(item, name, values, errors, row if row is not None else -1)
        return FormField(name=name, key="", kind="object", label="", children=children)


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
    if f.kind == "multi":
        prefix = f.name + "."
        chosen = {v for k, v in form.items() if k.startswith(prefix)}
        picked = [value for value, _ in f.options if value in chosen]
        if not picked and f.attrs.get("data-pick"):
            errors[f.name] = t("common.pick_one")
        if f.item_kind == "integer":
            return [int(v) for v in picked] if picked else MISSING
        return picked if picked else MISSING
    if f.kind in ("object", "upload"):
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
    except AmountError as exc:
        errors[f.name] = t(f"invalid.{exc.rule}", _INVALID["yuan"])
        return MISSING
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
        fen = yuan_to_fen(raw.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").strip())
        if fen < 0:
            raise AmountError("amount_negative", "an amount is never negative")
        return fen
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


def form_values(data: Mapping[str, Any], name: str = PREFIX) -> dict[str, str]:
    """A start form's field values from a nested value (a next step's prefill): dotted paths under ``f.``,
    lists by index, amounts in fen (``*_fen``) as the yuan the judge reads and types."""
    out: dict[str, str] = {}
    for key, value in data.items():
        path = f"{name}.{key}"
        items = value.items() if isinstance(value, Mapping) else enumerate(value) if isinstance(value, list) else None
        if items is not None:
            out.update(form_values({str(k): v for k, v in items}, path))
        elif isinstance(value, bool) or value is None:
            out[path] = "true" if value else ""
        elif isinstance(value, int) and key.endswith("_fen"):
            out[path] = yuan_text(value)
        else:
            out[path] = str(value)
    return out


def yuan_text(fen: int) -> str:
    """Fen as the text a yuan field holds (exact: 12345 → "123.45")."""
    return f"{Decimal(fen) / 100:.2f}"


def upload_fields(fields: list[FormField]) -> list[FormField]:
    """The fields a file is uploaded for."""
    return [f for f in flatten(fields) if f.kind == "upload"]


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
