"""A validation error in the user's words: pydantic's rule (``greater_than``, ``string_too_long`` …) and
the domain's checks (ID numbers, accounts) said in Chinese (or English), with their limits — an amount's
limit in yuan, since the judge types yuan — instead of the library's text ("Input should be greater than
0", "cn.ric: checksum…")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from domain.money import format_yuan
from web.errors import field_errors
from web.ui.i18n import Translator

# The domain's own checks (domain/parties.py), by how their message begins.
_DOMAIN_CHECKS = {
    "not a valid resident ID number": "check.resident_id",
    "not a valid unified social credit code": "check.credit_code",
    "an account number is 9 to 30 digits": "check.account_digits",
    "bank card number fails the Luhn check": "check.account_luhn",
}
_LIMITS = ("gt", "ge", "lt", "le", "min_length", "max_length")
_NEEDS_LIMIT = {
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "string_too_short",
    "string_too_long",
    "too_short",
    "too_long",
}


def _limit(field: str | None, value: Any) -> Any:
    """A limit as the user reads it: fen in yuan (the form is typed in yuan)."""
    if field and field.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
        return format_yuan(value)
    return value


def message(err: Mapping[str, Any], field: str | None, fallback: str, t: Translator) -> str:
    """One error's words; ``fallback`` (the library's message) only where no words say it."""
    rule = str(err.get("type", ""))
    if rule == "value_error":
        text = fallback
        for start, key in _DOMAIN_CHECKS.items():
            if text.startswith(start):
                return t(key)
        return text
    ctx = err.get("ctx") or {}
    params = {k: _limit(field, ctx[k]) for k in _LIMITS if k in ctx}
    if rule == "enum" or rule == "literal_error":
        return t("rule.choice")
    if rule == "string_pattern_mismatch" and field:
        shape = t(f"format.{field.rsplit('.', 1)[-1]}", "")
        if shape:
            return t("rule.string_pattern_mismatch") + ": " + shape
    text = t(f"rule.{rule}", "", **params) if params or rule not in _NEEDS_LIMIT else ""
    return text or fallback


def field_messages(errors: Sequence[Mapping[str, Any]], t: Translator) -> list[tuple[str | None, str]]:
    """Each error as (dotted field, words), in order: what ``forms.error_map`` puts beside its field."""
    out = []
    for err, item in zip(errors, field_errors(errors), strict=True):
        out.append((item.field, message(err, item.field, item.message, t)))
    return out
