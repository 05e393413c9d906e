"""What the closure and its five-year watch (终结本次执行 and 终本 periodic re-inquiry) take, carry from
run to run, decide and return."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from domain.cases import CaseNumber, CourtName
from domain.closure import ClosureChecklist, ClosurePeriods
from domain.consumption_restriction import ViolationMeasure
from domain.legal_time import LegalClock
from domain.money import Fen, PositiveFen
from domain.parties import Party, PartyKind
from domain.personal import Personal, PersonalKind
from workflows.foundation.case_link import CaseRef
from workflows.foundation.models import TimelineEntry
from workflows.foundation.scenario import ScenarioContext

NAME = "periodic-reinquiry"
# The judge's decisions: close the current procedure (终本) or go on enforcing; on a hit, resume (恢复执行)
# or keep the case closed.
CLOSE, CONTINUE = "close-procedure", "continue-enforcement"
RESUME, KEEP_CLOSED = "resume-enforcement", "keep-closed"
# The applicant's property lead, entered by the judge — on the case page (offered like a decision while
# the case is watched) or by API (the Update): either runs an inquiry at once.
REGISTER_LEAD = "register-lead"
# 终本规定 Art. 17: obstruction after closing is still fined or detained.
SANCTION = "sanction-obstruction"
SUBMIT_LEAD_UPDATE = "submit-lead"
# 民诉法解释 Art. 517: the applicant signs (or declines) the 终本 in their case space, before the judge rules.
APPLICANT_CONSENT_UPDATE = "applicant-closure-consent"
# 终本规定 Art. 16: the case withdrawn from the 终本 database on a ground other than the case's own full
# performance (which arrives as the case's notice); and a wrong entry corrected or deleted (Art. 14 [S]).
REMOVE_FROM_DATABASE = "remove-from-closure-database"
CORRECT_DATABASE_ENTRY = "correct-closure-database-entry"


class PeriodicReinquiryRequest(BaseModel):
    """终结本次执行程序 — what the judge submits to close the current procedure and watch the debtor."""

    case_number: CaseNumber
    court: CourtName = Field(description="执行法院")
    case: CaseRef | None = Field(default=None, description="执行案件: the case this matter belongs to")
    debtor: Party = Field(description="被执行人")
    outstanding_fen: PositiveFen = Field(description="未履行金额 (fen): what the title still leaves unpaid")
    filed_on: date = Field(description="立案日期: closing needs more than three months since (终本规定 Art. 1(四))")


class Lead(BaseModel):
    """申请执行人提供的财产线索: a specific lead, checked at once (财产调查规定 Art. 2: 7 days, 3 if urgent)."""

    # An asset's whereabouts may name an account or a unit number: personal data, masked in the audit.
    asset_lead: Annotated[str, Personal(PersonalKind.ACCOUNT_NUMBER)] = Field(
        min_length=4, max_length=500, description="what and where the asset is"
    )
    urgent: bool = Field(default=False, description="urgent: checked in 3 days instead of 7")


class ClosureConsent(BaseModel):
    """申请执行人对终结本次执行程序的签字确认 (民诉法解释 Art. 517), made in the applicant's case space."""

    agree: bool = Field(description="同意终结本次执行程序")
    statement: str = Field(min_length=2, max_length=2000, description="申请执行人的意见 (签字确认的内容)")


class ConsentRecord(BaseModel):
    """The applicant's act as the case keeps it: who (their account, signed by the web), when, what they said
    (its SHA-256 beside the words), and whether they agreed."""

    by: str
    at: datetime
    agree: bool
    statement: str
    statement_sha256: str


class QueuedLead(BaseModel):
    number: int
    lead: Lead
    due_by: datetime
    provisional: bool


class LeadReceipt(BaseModel):
    """The answer to a submitted lead: its number and the day by which it must be checked."""

    lead: int
    due_by: datetime
    provisional: bool


class ResumeEnforcement(BaseModel):
    """恢复执行: the judge resumes enforcement on what the inquiry found."""

    resumed_case_number: str = Field(default="", max_length=60, description="恢复执行案号 (执恢字), if assigned")
    lead_verified: bool = Field(
        default=False, description="线索经核查属实 (终本规定 第九条第一款): resumes even if the network found nothing"
    )


class ObstructionSanction(BaseModel):
    """终本规定 Art. 17: a fine or detention for obstructing enforcement after closing (CPL Art. 114 ff.)."""

    measure: ViolationMeasure = Field(description="措施: fine | detention | criminal-referral")
    fine_fen: Fen = Field(default=0, description="罚款金额 (fen)")
    fined: PartyKind | None = Field(default=None, description="被罚款人 (default: the debtor's kind)")
    conduct: str = Field(min_length=2, max_length=1000, description="妨害执行的行为")


class InquiryRound(BaseModel):
    """One inquiry of the watch: what set it off, and what it found (references masked)."""

    round: int
    trigger: Literal["schedule", "lead"]
    lead: int | None = None
    at: datetime
    inquiry_id: str
    outcome: Literal["reported", "failed"]
    assets: int = 0
    hits: list[dict[str, Any]] = Field(default_factory=list)
    no_answer: list[str] = Field(default_factory=list)


class WatchState(BaseModel):
    """What one run of the watch hands the next (continue-as-new): legal time, schedule, leads, record."""

    clock: LegalClock
    closed_at: datetime
    ruling_number: str
    ends_at: datetime
    next_due: datetime | None
    scheduled_done: int = 0
    inquiries: int = 0
    rounds_with_hits: int = 0
    leads_received: int = 0
    pending_leads: list[QueuedLead] = Field(default_factory=list)
    last: InquiryRound | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)
    database_entry: Literal["entered", "deleted"] = Field(
        default="entered", description="the case's entry in the 终本 database (终本规定 Arts. 12, 14 [S])"
    )


class PeriodicReinquiryInput(BaseModel):
    request: PeriodicReinquiryRequest
    context: ScenarioContext
    # 申请执行费 of the amount outstanding (诉讼费用交纳办法 Art. 14(一)), fixed at the start: the costs the
    # control measures cover once enforcement resumes.
    application_fee_fen: int = 0
    watch: WatchState | None = None  # None on the first run: the procedure is not closed yet
    # The 终本 periods in force at start (versioned); None in runs recorded before they were parameters.
    periods: ClosurePeriods | None = None


class PeriodicReinquiryResult(BaseModel):
    status: str
    closed_at: datetime | None = None
    ruling_number: str | None = None
    inquiries: int = 0
    rounds_with_hits: int = 0
    resumed_on: InquiryRound | None = None
    resumed_case_number: str | None = None
    control_inquiry: str | None = None  # the asset inquiry that controls what was found, on resumption


__all__ = [
    "APPLICANT_CONSENT_UPDATE",
    "CLOSE",
    "CONTINUE",
    "KEEP_CLOSED",
    "NAME",
    "REGISTER_LEAD",
    "RESUME",
    "SUBMIT_LEAD_UPDATE",
    "ClosureChecklist",
    "ClosureConsent",
    "ConsentRecord",
    "InquiryRound",
    "Lead",
    "LeadReceipt",
    "PeriodicReinquiryInput",
    "PeriodicReinquiryRequest",
    "PeriodicReinquiryResult",
    "QueuedLead",
    "ResumeEnforcement",
    "WatchState",
]
