"""Parties to a case: the debtor (被执行人) — a person or an organisation — identified by a checked number."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from domain.personal import IdNumber, PersonName


class PartyKind(StrEnum):
    PERSON = "person"  # 自然人: 居民身份证号 (cn.ric)
    ORGANISATION = "organisation"  # 法人或其他组织: 统一社会信用代码 (cn.uscc)


# What stdnum raises on a number it cannot read: its own errors, and — on some look-alike characters it does not
# map (an em dash, a line break) — a bare ValueError or KeyError from inside its check-digit arithmetic.
UNREADABLE = (StdnumError, ValueError, KeyError)


def check_resident_id(value: str) -> str:
    """Validates a mainland resident ID number (居民身份证号码, 18 characters) and returns it compact."""
    try:
        return str(ric.validate(value))
    except UNREADABLE as exc:
        raise ValueError(f"not a valid resident ID number (cn.ric: {exc})") from exc


# An ID number already in its compact form: what the fast path below takes.
_RIC_SHAPE = re.compile(r"^\d{17}[\dX]$")


def fast_resident_id(value: str) -> str:
    """``check_resident_id`` with its slow step (the birthplace table, ~30 µs) cached per region and birth
    year. Any number the fast path doubts goes to ``check_resident_id`` itself, which has the last word."""
    if _RIC_SHAPE.match(value) and value[-1] == ric.calc_check_digit(value):
        try:
            year = int(value[6:10])
            date(year, int(value[10:12]), int(value[12:14]))
        except ValueError:
            pass
        else:
            place_error = _birthplace_error(value[:6], year)
            if place_error is None:
                return value
            raise ValueError(place_error)
    return check_resident_id(value)


@lru_cache(maxsize=1 << 16)
def _birthplace_error(region: str, year: int) -> str | None:
    """What ``check_resident_id`` says of a number born in ``region`` in ``year`` (None: nothing)."""
    body = f"{region}{year:04d}0101001"
    try:
        check_resident_id(body + ric.calc_check_digit(body + "0"))
    except ValueError as exc:
        return str(exc)
    return None


def check_credit_code(value: str) -> str:
    """Validates a unified social credit code (统一社会信用代码) and returns it compact."""
    try:
        return str(uscc.validate(value))
    except UNREADABLE as exc:
        raise ValueError(f"not a valid unified social credit code (cn.uscc: {exc})") from exc


def check_bank_account(value: str) -> str:
    """A bank account number: 9–30 digits; card numbers (16–19 digits starting 3–6) must pass Luhn."""
    digits = value.replace(" ", "")
    if not digits.isdigit() or not 9 <= len(digits) <= 30:
        raise ValueError("an account number is 9 to 30 digits")
    if 16 <= len(digits) <= 19 and digits[0] in "3456":
        try:
            luhn.validate(digits)
        except StdnumError as exc:
            raise ValueError("bank card number fails the Luhn check") from exc
    return digits


def mask(value: str, keep: int = 4) -> str:
    """Shows only the last ``keep`` characters: for UIs and logs that must not carry the number."""
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]


class Party(BaseModel):
    """A person or organisation with a checked identity number. Personal data: encrypted in history."""

    kind: PartyKind
    name: PersonName = Field(min_length=1, max_length=200, description="姓名或名称")
    id_number: IdNumber = Field(description="居民身份证号 (person) or 统一社会信用代码 (organisation)")

    @field_validator("id_number")
    @classmethod
    def _check_id_number(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")  # declared before id_number; absent if kind itself was invalid
        if kind is None:
            return value
        # The fast check: every model that carries the debtor checks the number again (an inquiry's start,
        # its fan-out and each measure's and deduction's input: ~5 times an inquiry).
        return fast_resident_id(value) if kind is PartyKind.PERSON else check_credit_code(value)

    @property
    def masked_id(self) -> str:
        return mask(self.id_number)
