"""What an asset inquiry (网络查控) takes and returns, and what a measure-term watch (续行) carries."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.cases import CaseNumber, CourtName
from domain.legal_time import LegalClock, LegalDuration, TimeUnit
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
    execution_costs_fen: Fen = Field(default=0, description="执行费用 (fen)")
    case_account: AccountNumber = Field(default="", max_length=64, description="案款账户; defaults to one per case")


class AssetInquiryInput(BaseModel):
    request: AssetInquiryRequest
    context: ScenarioContext
    renewal_lead: LegalDuration = LegalDuration(amount=30, unit=TimeUnit.CALENDAR_DAY)
    measure_timeout_seconds: float = 20.0


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


class MeasureTermInput(BaseModel):
    """One run of a measure-term watch, including what it carries to the next (continue-as-new)."""

    measure: Measure
    case_number: str
    court: str
    clock: LegalClock
    renewal_lead: LegalDuration
    measure_timeout_seconds: float = 20.0
    timeline: list[TimelineEntry] = []
