"""Parties to a case: the debtor (被执行人) — a person or an organisation — identified by a checked number."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from domain.personal import IdNumber, PersonName


class PartyKind(StrEnum):
    PERSON = "person"  # 自然人: 居民身份证号 (cn.ric)
    ORGANISATION = "organisation"  # 法人或其他组织: 统一社会信用代码 (cn.uscc)


def check_resident_id(value: str) -> str:
    """Validates a mainland resident ID number (居民身份证号码, 18 characters) and returns it compact."""
    try:
        return str(ric.validate(value))
    except StdnumError as exc:
        raise ValueError(f"not a valid resident ID number (cn.ric: {exc})") from exc


def check_credit_code(value: str) -> str:
    """Validates a unified social credit code (统一社会信用代码) and returns it compact."""
    try:
        return str(uscc.validate(value))
    except StdnumError as exc:
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
        return check_resident_id(value) if kind is PartyKind.PERSON else check_credit_code(value)

    @property
    def masked_id(self) -> str:
        return mask(self.id_number)
