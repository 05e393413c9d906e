"""What a mass payout (涉众案款发放) takes and returns, its decisions and what one run carries to the next."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.payout import (
    BatchProgress,
    MassPayoutRequest,
    PayoutTotals,
    PayoutTuning,
    ReconciliationSummary,
)
from workflows.common import (
    TimelineEntry,
)
from workflows.scenario import ScenarioContext


class ApproveRelease(BaseModel):
    model_config = ConfigDict(extra="forbid", title="批准发放 / Approve the release")


class RejectRelease(BaseModel):
    model_config = ConfigDict(extra="forbid", title="不予发放 / Reject (reason required)")


class Approval(BaseModel):
    user_id: str
    at: datetime
    reason: str


class PayoutCarry(BaseModel):
    """What one run hands the next when it continues as new."""

    epoch: datetime
    timeline: list[TimelineEntry]
    approvals: list[Approval]
    next_batch: int
    open: dict[int, BatchProgress]
    closed: PayoutTotals
    outcomes: list[str]
    runs: int


class MassPayoutInput(BaseModel):
    request: MassPayoutRequest
    context: ScenarioContext
    tuning: PayoutTuning = Field(default_factory=PayoutTuning)
    carry: PayoutCarry | None = None


class MassPayoutResult(BaseModel):
    status: str
    payees: int
    released_fen: int
    paid_count: int
    paid_fen: int
    escrowed_count: int
    escrowed_fen: int
    reconciliation: ReconciliationSummary | None = None
    runs: int = 1
