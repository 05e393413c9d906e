"""What an asset inquiry (网络查控) takes and returns, and what a measure-term watch (续行) carries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from domain.cases import CaseNumber, CourtName
from domain.fees import enforcement_fee
from domain.legal_params import params_at
from domain.legal_time import CHINA_TZ, LegalClock, LegalDuration, TimeUnit
from domain.measures import Measure
from domain.money import Fen, PositiveFen
from domain.parties import Party
from domain.personal import AccountNumber
from workflows.kit.models import TimelineEntry
from workflows.kit.scenario import ScenarioContext

NAME = "asset-inquiry"
# The judge's decisions on the report.
APPROVE, REJECT = "approve-control", "reject-control"
RELEASE = "release-measure"  # on a measure-term watch


class AssetInquiryRequest(BaseModel):
    """网络查控申请 — what the judge submits."""

    case_number: CaseNumber
    court: CourtName = Field(description="执行法院")
    debtor: Party = Field(description="被执行人")
    amount_owed_fen: PositiveFen = Field(description="执行标的 (fen)")
    # Left out, the enforcement application fee of the amount owed is proposed (诉讼费用交纳办法 Art. 14(一)):
    # it is a cost the freeze may cover. Filled in here, before the workflow starts, so history records it.
    execution_costs_fen: Fen = Field(
        default=None,
        validate_default=True,
        description="执行费用 (fen); left out: the enforcement application fee of the amount owed",
    )
    case_account: AccountNumber = Field(default="", max_length=64, description="案款账户; defaults to one per case")

    @field_validator("execution_costs_fen", mode="before")
    @classmethod
    def _propose_application_fee(cls, value: Any, info: ValidationInfo) -> Any:
        owed = info.data.get("amount_owed_fen")
        if value is not None or not isinstance(owed, int):
            return value
        # Validated in the web before the start, never inside the workflow (the field is then set).
        return enforcement_fee(owed, params_at(datetime.now(CHINA_TZ).date())).fee_fen


class AssetInquiryInput(BaseModel):
    request: AssetInquiryRequest
    context: ScenarioContext
    renewal_lead: LegalDuration = LegalDuration(amount=30, unit=TimeUnit.CALENDAR_DAY)
    measure_timeout_seconds: float = 20.0
    # Inquire and report only, with no decision on control: a closed case's periodic re-inquiry (终本)
    # puts what it finds before the judge itself.
    report_only: bool = False


class AssetInquiryResult(BaseModel):
    status: str
    target_fen: int
    frozen_fen: int
    deducted_fen: int
    shortfall_fen: int
    measures: list[Measure]
    no_answer: list[str]
    refusals: dict[str, str]
    term_watchers: list[str]
    # The report as the judge sees it (references masked), filled when only a report was asked for.
    report: list[dict[str, Any]] = []


class MeasureTermInput(BaseModel):
    """One run of a measure-term watch, including what it carries to the next (continue-as-new)."""

    measure: Measure
    case_number: str
    court: str
    clock: LegalClock
    renewal_lead: LegalDuration
    measure_timeout_seconds: float = 20.0
    timeline: list[TimelineEntry] = []
