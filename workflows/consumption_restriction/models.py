"""What a consumption restriction (限制消费令) takes, returns and decides."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from domain.consumption_restriction import (
    LiftingGround,
    RestrictedItem,
    ViolationMeasure,
)
from domain.money import Fen
from domain.parties import PartyKind
from workflows.foundation.child_matters import CONSUMPTION_RESTRICTION
from workflows.foundation.messages import LIFT_RESTRICTION
from workflows.foundation.task_models import TaskOutcome

NAME = CONSUMPTION_RESTRICTION
# The judge's decisions.
ISSUE, DECLINE = "issue-order", "decline-order"
APPROVE_EXEMPTION, REFUSE_EXEMPTION = "approve-exemption", "refuse-exemption"
REPORT_VIOLATION, SANCTION, DISMISS = "report-violation", "sanction-violation", "dismiss-violation"
LIFT = LIFT_RESTRICTION
# The assisting unit's receipt of a notice (order, exemption, lifting).
NOTICE_RECEIPT = "restriction-notice-receipt"


class IssueOrder(BaseModel):
    """The order, signed by the court president (Art. 5): its number and the banned items."""

    order_number: str = Field(min_length=3, max_length=100, description="限制消费令文号")
    items: list[RestrictedItem] | None = Field(default=None, description="限制事项; empty: as requested")


class Exemption(BaseModel):
    """The debtor's request for an exception (Art. 8), approved or refused in advance."""

    item: RestrictedItem = Field(description="例外事项")
    purpose: str = Field(min_length=2, max_length=500, description="事由, e.g. 就医")
    valid_from: date = Field(description="自")
    valid_until: date = Field(description="至")


class ViolationReport(BaseModel):
    """A report that the debtor breached the order (by the applicant or an assisting unit)."""

    reporter: str = Field(min_length=2, max_length=100, description="举报人或报告单位")
    item: RestrictedItem = Field(description="违反的事项")
    occurred_on: date = Field(description="发生日期")
    description: str = Field(min_length=2, max_length=1000, description="情况")


class Sanction(BaseModel):
    """The judge's measure on a breach (Art. 11)."""

    measure: ViolationMeasure = Field(description="措施")
    fine_fen: Fen = Field(default=0, description="罚款金额 (fen)")
    fined: PartyKind | None = Field(
        default=None, description="被罚款人: a person or an organisation (default: the debtor's kind)"
    )
    against_unit: str = Field(
        default="",
        max_length=64,
        description="第十一条第二款: 收到通知后仍允许被执行人消费的协助单位 (agency id); 空: 对被执行人",
    )


class LiftOrder(BaseModel):
    """Lifting (Art. 9), within the same scope as the notice."""

    ground: LiftingGround = Field(description="解除事由")
    document_number: str = Field(min_length=3, max_length=100, description="解除限制消费令文号")


class RestrictionNoticeReceipt(BaseModel):
    """The assisting unit's receipt: the restriction (or its exemption or lifting) is in its system."""

    applied: bool = True
    reference: str = Field(default="", max_length=100, description="协助单位的登记编号")
    remarks: str = Field(default="", max_length=500)


class ViolationRecord(BaseModel):
    report: ViolationReport
    decision: str
    sanction: Sanction | None = None


class ConsumptionRestrictionResult(BaseModel):
    status: str
    order_number: str | None
    items: list[RestrictedItem]
    lifted: LiftingGround | None
    exemptions: list[Exemption]
    violations: list[ViolationRecord]
    notices: list[TaskOutcome]
