"""Legal parameters as versioned data: each value with its unit, instrument, article and effective date.

The table lives in ``legal_params.json`` beside this module — the one place to change when the law
changes: add an entry with the new ``effective_from`` (never edit an old one). ``params_at(date)`` picks,
for every key, the entry in force on that date (a jurisdiction's own entry before the national one).

A workflow receives the resolved :class:`LegalParams` in its input, so its history records exactly which
values applied, and a later amendment never changes a replay.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from typing import Literal

from pydantic import BaseModel, Field

from domain.legal_time import LegalDuration, TimeUnit

NATIONAL = "national"


class ParamUnit(StrEnum):
    RATIO = "ratio"  # a share, e.g. 0.70 of the reference price
    RATE_PER_DAY = "rate_per_day"  # e.g. 0.000175 per day
    MINUTE = "minute"
    HOUR = "hour"
    CALENDAR_DAY = "calendar_day"  # 日
    WORKING_DAY = "working_day"  # 工作日
    MONTH = "month"
    YEAR = "year"
    FEN = "fen"  # an amount of money in fen (e.g. a fee band's bound)

    @property
    def is_duration(self) -> bool:
        return self not in (ParamUnit.RATIO, ParamUnit.RATE_PER_DAY, ParamUnit.FEN)


class P(StrEnum):
    """Parameter keys, so a typo is a NameError, not a missing value at run time."""

    START_PRICE_FLOOR = "auction.start_price_floor"
    REAUCTION_MAX_CUT = "auction.reauction_max_cut"
    DEPOSIT_MIN = "auction.deposit_min"
    DEPOSIT_MAX = "auction.deposit_max"
    FIRST_ANNOUNCEMENT_REAL_ESTATE = "auction.first_announcement.real_estate"
    FIRST_ANNOUNCEMENT_MOVABLE = "auction.first_announcement.movable"
    SECOND_ANNOUNCEMENT_REAL_ESTATE = "auction.second_announcement.real_estate"
    SECOND_ANNOUNCEMENT_MOVABLE = "auction.second_announcement.movable"
    PARTY_NOTICE_LEAD = "auction.party_notice_lead"
    BIDDING_MIN = "auction.bidding_min"
    EXTENSION = "auction.extension"
    REAUCTION_WITHIN = "auction.reauction_within"
    DEPOSIT_REFUND_WITHIN = "auction.deposit_refund_within"
    DEPOSIT_TRANSFER_WITHIN = "auction.deposit_transfer_within"
    BALANCE_DUE = "auction.balance_due"
    RULING_AFTER_PAYMENT = "auction.ruling_after_payment"
    SALE_ANNOUNCEMENT_WITHIN = "sale.announcement_within"
    SALE_ANNOUNCEMENT_LEAD = "sale.announcement_lead"
    SALE_PERIOD = "sale.period"
    SALE_COUNTDOWN = "sale.countdown"
    ONLINE_INQUIRY = "reference.online_inquiry"
    ONLINE_INQUIRY_EXTENSION = "reference.online_inquiry_extension"
    APPRAISAL = "reference.appraisal"
    REPORT_SERVICE = "reference.report_service"
    REFERENCE_OBJECTION = "reference.objection"
    REFERENCE_VALIDITY = "reference.validity"
    DISPOSAL_START_WITHIN = "reference.disposal_start_within"
    DISTRIBUTION_OBJECTION = "distribution.objection"
    DISTRIBUTION_CLAIM_DECLARATION = "distribution.claim_declaration"  # known creditors invited to declare
    DISTRIBUTION_COUNTER_OBJECTION = "distribution.counter_objection"
    DISTRIBUTION_OBJECTOR_SUIT = "distribution.objector_suit"
    DELAYED_INTEREST_DAILY = "interest.delayed_performance_daily"
    RESIDENCE_RENT_YEARS_MIN = "residence.rent_years_min"
    RESIDENCE_RENT_YEARS_MAX = "residence.rent_years_max"
    JOINT_REVIEW_DUE = "joint_review.answer_due"
    TITLE_TRANSFER_DUE = "title_transfer.due"
    SETTLEMENT_RESUMPTION_PERIOD = "settlement.resumption_period"  # 执行和解: 申请恢复执行的期间
    # 申请执行费 (诉讼费用交纳办法 Art. 14(一)): a flat fee up to a bound, then marginal bands.
    FEE_ENFORCEMENT_FLAT = "fee.enforcement.flat"
    FEE_ENFORCEMENT_FLAT_UP_TO = "fee.enforcement.flat_up_to"
    FEE_ENFORCEMENT_BAND_1_RATE = "fee.enforcement.band_1.rate"
    FEE_ENFORCEMENT_BAND_1_UP_TO = "fee.enforcement.band_1.up_to"
    FEE_ENFORCEMENT_BAND_2_RATE = "fee.enforcement.band_2.rate"
    FEE_ENFORCEMENT_BAND_2_UP_TO = "fee.enforcement.band_2.up_to"
    FEE_ENFORCEMENT_BAND_3_RATE = "fee.enforcement.band_3.rate"
    FEE_ENFORCEMENT_BAND_3_UP_TO = "fee.enforcement.band_3.up_to"
    FEE_ENFORCEMENT_BAND_4_RATE = "fee.enforcement.band_4.rate"
    FEE_ENFORCEMENT_NO_AMOUNT_MIN = "fee.enforcement.no_amount_min"
    FEE_ENFORCEMENT_NO_AMOUNT_MAX = "fee.enforcement.no_amount_max"
    # The enforcement case (执行案件, DOMAIN §17): the period to apply, the notice, the term (审限).
    CASE_APPLICATION_PERIOD = "case.application_period"
    CASE_DOCKET_WITHIN = "case.docket_within"
    CASE_EXECUTION_NOTICE_WITHIN = "case.execution_notice_within"
    CASE_NOTICE_PERFORMANCE_PERIOD = "case.notice_performance_period"  # our rule [I]: no statute fixes it
    CASE_TERM = "case.term"
    CASE_TERM_NON_LITIGATION = "case.term_non_litigation"
    CASE_TERM_EXTENSION = "case.term_extension"
    CASE_TERM_EXTENSION_REQUEST_LEAD = "case.term_extension_request_lead"
    CASE_TERM_YELLOW_BEFORE = "case.term_yellow_before"


class LegalParam(BaseModel):
    """One value of the law as of ``effective_from`` (until a later entry for the same key replaces it)."""

    key: str = Field(min_length=1)
    title: str
    value: Decimal
    unit: ParamUnit
    instrument: str = Field(description="法律文件, e.g. 网拍规定 (法释〔2016〕18号)")
    article: str = Field(default="", description="条款, e.g. 第十条; empty where no article is known")
    effective_from: date
    effective_until: date | None = Field(default=None, description="exclusive; set when repealed outright")
    jurisdiction: str = NATIONAL
    tag: Literal["V", "S", "I"] = Field(description="V verified, S secondary source, I inference or local practice")

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_until is None or on < self.effective_until)

    def cite(self) -> str:
        return f"{self.instrument} {self.article}".strip()


class MissingParameter(LookupError):
    """A date the table does not cover: it says from which date on every parameter has an instrument."""

    def __init__(self, key: str, on: date, covered_from: date | None = None) -> None:
        covered = f"; the table covers cases from {covered_from.isoformat()} on" if covered_from else ""
        super().__init__(f"no legal parameter {key!r} in force on {on.isoformat()}{covered}")
        self.key = key
        self.covered_from = covered_from


class LegalParams(BaseModel):
    """The parameter set in force on ``as_of`` for ``jurisdiction``: what a workflow carries in its input."""

    as_of: date
    jurisdiction: str = NATIONAL
    values: dict[str, LegalParam]

    def get(self, key: str) -> LegalParam:
        try:
            return self.values[key]
        except KeyError:
            raise MissingParameter(key, self.as_of) from None

    def ratio(self, key: str) -> Decimal:
        param = self.get(key)
        if param.unit not in (ParamUnit.RATIO, ParamUnit.RATE_PER_DAY):
            raise ValueError(f"{key} is a {param.unit.value}, not a ratio")
        return param.value

    def fen(self, key: str) -> int:
        """An amount of money in fen (a fee, a band's bound)."""
        param = self.get(key)
        if param.unit is not ParamUnit.FEN:
            raise ValueError(f"{key} is a {param.unit.value}, not an amount in fen")
        return _whole(param)

    def duration(self, key: str) -> LegalDuration:
        """A period in the units ``domain.legal_time`` counts (hours, calendar or working days, months, years)."""
        param = self.get(key)
        unit = _TIME_UNITS.get(param.unit)
        if unit is None:
            raise ValueError(f"{key} is a {param.unit.value}, not a legal period")
        return LegalDuration(amount=_whole(param), unit=unit)

    def span(self, key: str) -> timedelta:
        """A fixed span (minutes, hours, calendar days): e.g. the 5-minute extension or 24-hour bidding."""
        param = self.get(key)
        per = _SPANS.get(param.unit)
        if per is None:
            raise ValueError(f"{key} is a {param.unit.value}, not a fixed span")
        return per * _whole(param)

    def cite(self, key: str) -> str:
        return self.get(key).cite()


_TIME_UNITS: dict[ParamUnit, TimeUnit] = {
    ParamUnit.HOUR: TimeUnit.HOUR,
    ParamUnit.CALENDAR_DAY: TimeUnit.CALENDAR_DAY,
    ParamUnit.WORKING_DAY: TimeUnit.WORKING_DAY,
    ParamUnit.MONTH: TimeUnit.MONTH,
    ParamUnit.YEAR: TimeUnit.YEAR,
}
_SPANS: dict[ParamUnit, timedelta] = {
    ParamUnit.MINUTE: timedelta(minutes=1),
    ParamUnit.HOUR: timedelta(hours=1),
    ParamUnit.CALENDAR_DAY: timedelta(days=1),
}


def _whole(param: LegalParam) -> int:
    if param.value != param.value.to_integral_value():
        raise ValueError(f"{param.key}: a period must be a whole number of {param.unit.value}s")
    return int(param.value)


class ParamTable(BaseModel):
    """Every entry ever in force; ``at`` resolves the set for one date."""

    params: list[LegalParam]

    def at(self, on: date, jurisdiction: str = NATIONAL, required: Iterable[str] = tuple(P)) -> LegalParams:
        chosen: dict[str, LegalParam] = {}
        for entry in self.params:
            if not entry.in_force(on) or entry.jurisdiction not in (NATIONAL, jurisdiction):
                continue
            current = chosen.get(entry.key)
            if current is None or _precedence(entry) > _precedence(current):
                chosen[entry.key] = entry
        for key in required:
            if key not in chosen:
                raise MissingParameter(key, on, self.covered_from(jurisdiction, required))
        return LegalParams(as_of=on, jurisdiction=jurisdiction, values=dict(sorted(chosen.items())))

    def covered_from(self, jurisdiction: str = NATIONAL, required: Iterable[str] = tuple(P)) -> date | None:
        """The first date on which every required parameter has an entry in force (None: never)."""
        firsts: dict[str, date] = {}
        for e in self.params:
            if e.jurisdiction in (NATIONAL, jurisdiction):
                firsts[e.key] = min(firsts.get(e.key, e.effective_from), e.effective_from)
        keys = list(required)
        if any(k not in firsts for k in keys):
            return None
        return max((firsts[k] for k in keys), default=None)

    def check(self) -> None:
        """Refuses ambiguous data: two entries for one key, jurisdiction and date."""
        seen: set[tuple[str, str, date]] = set()
        for e in self.params:
            ident = (e.key, e.jurisdiction, e.effective_from)
            if ident in seen:
                raise ValueError(f"duplicate entry {e.key} ({e.jurisdiction}) from {e.effective_from}")
            seen.add(ident)


def _precedence(entry: LegalParam) -> tuple[bool, date]:
    # A jurisdiction's own rule beats the national default; among equals, the later one is in force.
    return (entry.jurisdiction != NATIONAL, entry.effective_from)


def load_table(text: str | None = None) -> ParamTable:
    raw = json.loads(text) if text is not None else json.loads(_packaged_text())
    table = ParamTable.model_validate({"params": raw["params"]})
    table.check()
    return table


@functools.cache
def _packaged_text() -> str:
    return resources.files("domain").joinpath("legal_params.json").read_text(encoding="utf-8")


@functools.cache
def _packaged_table() -> ParamTable:
    return load_table()


def params_at(on: date, jurisdiction: str = NATIONAL) -> LegalParams:
    """The parameters in force on ``on`` (the packaged table). Call at start, outside workflow code."""
    return _packaged_table().at(on, jurisdiction)
