"""What an asset inquiry (网络查控) takes and returns, and what a measure-term watch (续行) carries."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from domain.cases import CaseNumber, CourtName
from domain.fees import enforcement_fee
from domain.full_performance import PROMPT_LIFT_WITHIN
from domain.legal_params import LegalParams
from domain.legal_time import LegalClock, LegalDuration, TimeUnit
from domain.measures import Measure
from domain.money import Fen, PositiveFen
from domain.parties import Party
from domain.personal import AccountNumber
from workflows.foundation.case_link import CaseRef
from workflows.foundation.models import TimelineEntry
from workflows.foundation.scenario import ScenarioContext

NAME = "asset-inquiry"
WORKFLOW_TYPE = "AssetInquiry"  # the Temporal workflow type; partner callbacks reach only these
# The judge's decisions on the report.
APPROVE, REJECT = "approve-control", "reject-control"
RELEASE = "release-measure"  # on a measure-term watch


class AssetInquiryRequest(BaseModel):
    """网络查控申请 — what the judge submits."""

    case_number: CaseNumber
    court: CourtName = Field(description="执行法院")
    case: CaseRef | None = Field(default=None, description="执行案件: the case this matter belongs to")
    debtor: Party = Field(description="被执行人")
    amount_owed_fen: PositiveFen = Field(description="执行标的 (fen)")
    # Left out, the enforcement application fee of the amount owed is proposed (诉讼费用交纳办法 Art. 14(一)):
    # it is a cost the freeze may cover. The scenario's build_input fills it at the start (in the web), so
    # the workflow's history records the amount.
    execution_costs_fen: Fen | None = Field(
        default=None, description="执行费用 (fen); left out: the enforcement application fee of the amount owed"
    )
    case_account: AccountNumber = Field(default="", max_length=64, description="案款账户; defaults to one per case")

    def with_proposed_costs(self, params: LegalParams) -> AssetInquiryRequest:
        """The request with the application fee as its costs, where the judge left the costs out."""
        if self.execution_costs_fen is not None:
            return self
        return self.model_copy(update={"execution_costs_fen": enforcement_fee(self.amount_owed_fen, params).fee_fen})


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
    # Set when the inquiry belongs to a case: the watch reports the measure's renewal, release or lapse
    # as the inquiry's (``matter_workflow_id``) and releases it on the case's full performance.
    case: CaseRef | None = None
    matter_workflow_id: str | None = None
    prompt_lift_within: LegalDuration = PROMPT_LIFT_WITHIN
    measure_timeout_seconds: float = 20.0
    timeline: list[TimelineEntry] = []
