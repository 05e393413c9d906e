"""The case number (案号) of an enforcement case, kept as its parts and printed one way.

案号规定 (法〔2015〕137号) [S] (DOMAIN §17.3): "（" + year + "）" + court code + type code + sequence + "号",
unique; the sequence runs per court, per type code, per year from 1; the court code of an intermediate
or basic court is the high court's abbreviation plus digits, e.g. （2026）浙0102执123号. The parts are
stored separately [I]; input may use half-width brackets, print is always full-width.

Court codes are configuration (``domain/court_codes.json``, one row per court as users name it): a court
without one cannot docket.
"""

from __future__ import annotations

import functools
import json
import re
from enum import StrEnum
from importlib import resources

from pydantic import BaseModel, Field


class CaseType(StrEnum):
    """类型代字 [I, recalled]: only the enforcement-proper types are filed here."""

    FIRST = "执"  # 首次执行
    RESUMED = "执恢"  # 恢复执行


COURT_CODE_PATTERN = r"^[\u4e00-\u9fff]\d{0,6}$"  # 浙, 浙01, 浙0102


class CaseNumberParts(BaseModel):
    year: int = Field(ge=1949, le=2999)
    court_code: str = Field(pattern=COURT_CODE_PATTERN, description="法院代字, e.g. 浙0102")
    case_type: CaseType
    sequence: int = Field(ge=1, le=10**7, description="顺序号: per court, type and year, from 1")

    def __str__(self) -> str:
        return f"（{self.year}）{self.court_code}{self.case_type.value}{self.sequence}号"


# Types are tried longest first, so 执恢 is not read as 执 followed by 恢.
_TYPES = "|".join(sorted((t.value for t in CaseType), key=len, reverse=True))
_NUMBER = re.compile(rf"^[（(](\d{{4}})[）)]([\u4e00-\u9fff]\d{{0,6}})({_TYPES})(\d{{1,7}})号$")


def parse_case_number(text: str) -> CaseNumberParts:
    """The parts of ``text`` — half-width or full-width brackets — or ValueError saying what is wrong."""
    match = _NUMBER.match(text.strip())
    if match is None:
        raise ValueError(
            "a case number reads （2026）浙0102执123号: year in brackets, court code, 执 or 执恢, number, 号"
        )
    year, court_code, type_code, sequence = match.groups()
    return CaseNumberParts(year=int(year), court_code=court_code, case_type=CaseType(type_code), sequence=int(sequence))


def normalise_case_number(text: str) -> str:
    """The one printed form of a case number typed either way."""
    return str(parse_case_number(text))


class UnknownCourt(LookupError):
    def __init__(self, court: str) -> None:
        super().__init__(f"no court code is configured for {court!r}")
        self.court = court


def court_code(court: str, codes: dict[str, str] | None = None) -> str:
    """法院代字 of ``court`` from ``codes`` (default: the packaged table)."""
    table = packaged_court_codes() if codes is None else codes
    try:
        return table[court]
    except KeyError:
        raise UnknownCourt(court) from None


@functools.cache
def packaged_court_codes() -> dict[str, str]:
    raw = json.loads(resources.files("domain").joinpath("court_codes.json").read_text(encoding="utf-8"))
    codes: dict[str, str] = raw["courts"]
    for court, code in codes.items():
        if not re.match(COURT_CODE_PATTERN, code):
            raise ValueError(f"court code {code!r} of {court} is not a court code")
    return codes
