"""What an asset inquiry (网络查控) takes and returns."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.cases import CaseNumber, CourtName
from domain.legal_time import LegalDuration, TimeUnit
from domain.measures import Measure
from domain.money import Fen, PositiveFen
from domain.parties import Party
from workflows.scenario import ScenarioContext


class AssetInquiryRequest(BaseModel):
    """网络查控申请 — what the judge submits."""

    case_number: CaseNumber
    court: CourtName = Field(description="执行法院")
    debtor: Party = Field(description="被执行人")
    amount_owed_fen: PositiveFen = Field(description="执行标的 (fen)")
    execution_costs_fen: Fen = Field(default=0, description="执行费用 (fen)")
    case_account: str = Field(default="", max_length=64, description="案款账户; defaults to one per case")


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
