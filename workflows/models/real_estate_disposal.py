"""What a real-estate disposal (不动产司法处置) takes and returns."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.auction import (
    ForfeitureApplication,
)
from domain.disposal import (
    Payment,
    RealEstateDisposalRequest,
    RoundRecord,
)
from domain.distribution import DistributionPlan, DistributionRules
from domain.joint_review import DefectsReport
from domain.legal_params import LegalParams
from workflows.models.agency_task import TaskOutcome
from workflows.scenario import ScenarioContext


class RealEstateDisposalInput(BaseModel):
    request: RealEstateDisposalRequest
    context: ScenarioContext
    params: LegalParams = Field(description="the law in force at start (recorded in history)")
    rules: DistributionRules = Field(default_factory=DistributionRules)
    poll_seconds: float | None = Field(default=None, description="platform polling; default from the time scale")


class RealEstateDisposalResult(BaseModel):
    status: str
    reference_price_fen: int | None
    rounds: list[RoundRecord]
    sold_price_fen: int | None
    buyer: str | None
    forfeitures: list[ForfeitureApplication]
    defects: DefectsReport | None
    plan: DistributionPlan | None
    payments: list[Payment]
    escrowed_fen: int
    shortfall_fen: int
    residences_kept: list[str]
    title_transfer: TaskOutcome | None
    reason: str | None = None
