"""What a mass payout (涉众案款发放) takes, returns and decides, and the messages between the payout and
its batch children. The rules (keys, approvals, batching, reconciliation) and what activities exchange
stay in ``domain.payout``: activities import the domain, never workflows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.actors import Role
from domain.cases import CaseNumber, CourtName
from domain.legal_time import LegalClock, LegalDuration, TimeUnit
from domain.payout import (
    SECOND_APPROVAL_THRESHOLD_FEN,
    PayeeListRef,
    ReconciliationSummary,
    batch_count,
    batch_range,
)
from domain.personal import AccountNumber
from workflows.foundation.case_link import CaseRef
from workflows.foundation.models import TimelineEntry
from workflows.foundation.scenario import ScenarioContext

NAME = "mass-payout"
APPROVE = "approve-release"
REJECT = "reject"
PROGRESS_SIGNAL = "batch-progress"
CORRECTION_TASK = "mass-payout.payee-correction"
CORRECTION_CHECK_TASK = "mass-payout.payee-correction-check"


class Status(StrEnum):
    """Every status a payout shows (also its search attribute); the last six end it."""

    CHECKING = "checking"
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_SECOND_APPROVAL = "awaiting_second_approval"
    PAYING = "paying"
    RECONCILING = "reconciling"
    COMPLETED = "completed"
    RECONCILIATION_MISMATCH = "reconciliation_mismatch"
    REJECTED = "rejected"
    LIST_INVALID = "list_invalid"
    BALANCE_UNAVAILABLE = "balance_unavailable"
    INSUFFICIENT_FUNDS = "insufficient_funds"


# --- what the judge submits and decides -----------------------------------------------------------------


class MassPayoutRequest(BaseModel):
    """涉众案款发放申请 — what the judge submits after uploading the payee list. Nothing about who must
    approve: that is the court's configuration (domain/four_eyes.py), so an unknown field is refused."""

    model_config = ConfigDict(extra="forbid")

    case_number: CaseNumber  # checked like every other 案号 (it reaches the supervisor's payouts.csv)
    court: CourtName
    case: CaseRef | None = Field(default=None, description="执行案件: the case this matter belongs to")
    payee_list: PayeeListRef = Field(description="the uploaded, validated payee list")
    case_account: AccountNumber = Field(min_length=1, max_length=64, description="案款账户 the money is paid from")
    bank: str = Field(default="bank-icbc", description="the bank holding the case account (partner id)")
    correction_agency: str = Field(default="court-clerk", description="who corrects failed payees (agency id)")
    collecting_agents: int = Field(
        default=0,
        ge=0,
        description="rows paying the applicant's agent (代为收取执行款, special authority confirmed): counted by the "
        "web from the case's agents; any makes it a change of payee, which takes a second approval",
    )


class Approval(BaseModel):
    user_id: str
    at: datetime
    reason: str


class PayoutTuning(BaseModel):
    """How the payout runs; the defaults fit 200,000 payees on one small machine."""

    batch_size: int = Field(default=2000, ge=1, le=5000, description="payees per batch child workflow")
    window: int = Field(default=8, ge=1, le=500, description="batches paying at the same time")
    items_per_request: int = Field(default=1000, ge=1, le=5000, description="items per bank request")
    max_events_per_run: int = Field(default=8000, ge=200, description="continue-as-new beyond this history")
    max_children_per_run: int = Field(
        default=1000, ge=1, le=1500, description="continue-as-new after starting this many batches (limit: 2,000)"
    )
    max_open_corrections: int = Field(default=500, ge=1, le=1500, description="open correction tasks per batch")
    timeout_retries: int = Field(default=6, ge=0, description="times a timed-out item is sent again (same key)")
    timeout_backoff_seconds: float = Field(default=1.0, gt=0)
    correction_rounds: int = Field(default=2, ge=0, description="corrections per payee before escrow")
    correction_due: LegalDuration = LegalDuration(amount=5, unit=TimeUnit.WORKING_DAY)
    correction_deadline: LegalDuration = Field(
        default=LegalDuration(amount=30, unit=TimeUnit.CALENDAR_DAY),
        description="after this, open corrections are cancelled and their payees escrowed",
    )
    activity_timeout_seconds: float = Field(default=120.0, gt=0)
    heartbeat_timeout_seconds: float = Field(default=30.0, gt=0)

    @field_validator("correction_deadline")
    @classmethod
    def _calendar_unit(cls, v: LegalDuration) -> LegalDuration:
        if v.unit is TimeUnit.WORKING_DAY:
            raise ValueError("the correction deadline counts calendar time (hours, days, months)")
        return v


# --- between the payout and its batches ------------------------------------------------------------------


class PayoutBatchInput(BaseModel):
    """One batch child: payees [offset, offset + limit) of the list."""

    payout_id: str = Field(description="the mass-payout workflow id: key root, and whom to report to")
    index: int
    offset: int
    limit: int
    list_sha256: str
    bank: str
    case_number: str
    court: str
    from_account: AccountNumber
    correction_agency: str
    tuning: PayoutTuning
    clock: LegalClock


class BatchProgress(BaseModel):
    """A batch's state as it tells the payout (signal ``batch-progress``); the highest version wins."""

    index: int
    version: int = 0
    phase: Literal["paying", "correcting", "closed"] = "paying"
    payees: int
    amount_fen: int = 0
    paid_count: int = 0
    paid_fen: int = 0
    awaiting_correction: int = 0
    escrowed_count: int = 0
    escrowed_fen: int = 0
    outcome_sha256: str | None = None


class PayoutTotals(BaseModel):
    """Sums over batches."""

    batches: int = 0
    paid_count: int = 0
    paid_fen: int = 0
    awaiting_correction: int = 0
    escrowed_count: int = 0
    escrowed_fen: int = 0

    def add(self, p: BatchProgress) -> PayoutTotals:
        return PayoutTotals(
            batches=self.batches + 1,
            paid_count=self.paid_count + p.paid_count,
            paid_fen=self.paid_fen + p.paid_fen,
            awaiting_correction=self.awaiting_correction + p.awaiting_correction,
            escrowed_count=self.escrowed_count + p.escrowed_count,
            escrowed_fen=self.escrowed_fen + p.escrowed_fen,
        )


class BatchWindow:
    """The payout's batches as a sliding window: which have started, the last report of each open one
    (the highest version wins), and what the closed ones add up to. Bookkeeping only: the workflow
    starts the children and carries this state (inside ``PayoutCarry``) across continue-as-new."""

    def __init__(self, payees: int, batch_size: int, carry: PayoutCarry | None = None) -> None:
        self.payees, self.batch_size = payees, batch_size
        self.batches = batch_count(payees, batch_size)
        self.next_batch = carry.next_batch if carry else 0
        self.open: dict[int, BatchProgress] = carry.open if carry else {}
        self.closed = carry.closed if carry else PayoutTotals()
        self.outcomes: list[str] = carry.outcomes if carry else []

    def done(self) -> bool:
        return self.next_batch == self.batches and not self.open

    def free_slots(self, window: int) -> int:
        paying = sum(1 for p in self.open.values() if p.phase == "paying")
        return max(0, min(window - paying, self.batches - self.next_batch))

    def open_next(self, window: int) -> range:
        """Opens as many batches as the window has room for; the caller starts their children."""
        opening = range(self.next_batch, self.next_batch + self.free_slots(window))
        for i in opening:
            self.open[i] = BatchProgress(index=i, payees=batch_range(i, self.payees, self.batch_size)[1])
        self.next_batch = opening.stop
        return opening

    def report(self, p: BatchProgress) -> None:
        current = self.open.get(p.index)
        if current is None or p.version <= current.version:
            return  # closed already, or an older report
        if p.phase == "closed":
            del self.open[p.index]
            self.closed = self.closed.add(p)
            if p.outcome_sha256:
                self.outcomes.append(p.outcome_sha256)
        else:
            self.open[p.index] = p

    def totals(self) -> PayoutTotals:
        totals = self.closed
        for p in self.open.values():
            totals = totals.add(p)
        return totals


# --- the workflow's input, its carry across runs, and its result -----------------------------------------


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
    """The payout's input. The four-eyes rule comes from the court's configuration at start (the
    scenario's ``build_input``); the defaults are what runs started before that recorded (a second
    judge at ¥100,000), so their histories replay."""

    request: MassPayoutRequest
    context: ScenarioContext
    tuning: PayoutTuning = Field(default_factory=PayoutTuning)
    carry: PayoutCarry | None = None
    second_approval_threshold_fen: int = Field(
        default=SECOND_APPROVAL_THRESHOLD_FEN, gt=0, description="releases of this much or more need a second approval"
    )
    second_approver_roles: tuple[Role, ...] = Field(default=(Role.JUDGE,), description="who gives the second approval")

    @model_validator(mode="before")
    @classmethod
    def _threshold_recorded_in_the_request(cls, data: Any) -> Any:
        """Runs started before the threshold left the request carry it there: it moves up to here."""
        if (
            isinstance(data, dict)
            and isinstance(data.get("request"), dict)
            and ("second_approval_threshold_fen" in data["request"])
        ):
            request = dict(data["request"])
            data = {**data, "request": request}
            data.setdefault("second_approval_threshold_fen", request.pop("second_approval_threshold_fen"))
        return data


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
