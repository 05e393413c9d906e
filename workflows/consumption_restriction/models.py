"""What a consumption restriction (限制消费令) takes, returns and decides."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, model_validator

from domain.cases import CaseNumber, CourtName
from domain.consumption_restriction import (
    BoundRole,
    LiftingGround,
    RestrictedItem,
    RestrictionTrigger,
    ViolationMeasure,
)
from domain.full_performance import PROMPT_LIFT_WITHIN
from domain.legal_time import LegalDuration
from domain.money import Fen
from domain.parties import Party, PartyKind
from domain.personal import PersonName
from workflows.foundation.case_link import CaseRef
from workflows.foundation.messages import LIFT_RESTRICTION
from workflows.foundation.scenario import ScenarioContext
from workflows.foundation.task_models import TaskOutcome

NAME = "consumption-restriction"
# The judge's decisions.
ISSUE, DECLINE = "issue-order", "decline-order"
APPROVE_EXEMPTION, REFUSE_EXEMPTION = "approve-exemption", "refuse-exemption"
REPORT_VIOLATION, SANCTION, DISMISS = "report-violation", "sanction-violation", "dismiss-violation"
LIFT = LIFT_RESTRICTION
# What the dishonest-list workflow tells an order it started or joined.
DISHONEST_LIST_SIGNAL = "dishonest-list-changed"
# The assisting unit's receipt of a notice (order, exemption, lifting).
NOTICE_RECEIPT = "restriction-notice-receipt"

ALL_ITEMS = list(RestrictedItem)


class BoundPerson(BaseModel):
    """A person an organisation's restriction binds too (限消规定 Art. 3)."""

    role: BoundRole = Field(description="身份")
    name: PersonName = Field(min_length=1, max_length=100, description="姓名")


class ConsumptionRestrictionRequest(BaseModel):
    """限制消费申请 — what the judge submits (or the dishonest list does, with the order number)."""

    case_number: CaseNumber
    court: CourtName = Field(description="执行法院")
    case: CaseRef | None = Field(default=None, description="执行案件: the case this matter belongs to")
    debtor: Party = Field(description="被执行人")
    trigger: RestrictionTrigger = Field(default=RestrictionTrigger.NOTICE_UNPAID, description="限消规定 第一条")
    applicant_requested: bool = Field(default=True, description="依申请执行人书面申请 (否则依职权, 第四条)")
    items: list[RestrictedItem] = Field(default_factory=lambda: list(ALL_ITEMS), min_length=1, description="限制事项")
    bound_persons: list[BoundPerson] = Field(default_factory=list, max_length=20, description="单位: 受约束的人员")
    airlines: str = Field(default="airlines-caac", description="民航 (agency id)")
    railways: str = Field(default="railway-12306", description="铁路 (agency id)")
    hotels: str = Field(default="hotels-zhejiang", description="星级宾馆、酒店 (agency id)")
    order_number: str = Field(default="", max_length=100, description="已签发的限制消费令文号 (由失信决定一并作出时)")

    @model_validator(mode="after")
    def _bound_only_for_organisations(self) -> ConsumptionRestrictionRequest:
        if self.bound_persons and self.debtor.kind is not PartyKind.ORGANISATION:
            raise ValueError("bound_persons: only an organisation's restriction binds other persons (第三条)")
        return self


class ConsumptionRestrictionInput(BaseModel):
    request: ConsumptionRestrictionRequest
    context: ScenarioContext
    prompt_lift_within: LegalDuration = Field(
        default=PROMPT_LIFT_WITHIN, description="full performance: lifted within (及时, DOMAIN §17.7)"
    )


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


class LiftOrder(BaseModel):
    """Lifting (Art. 9), within the same scope as the notice."""

    ground: LiftingGround = Field(description="解除事由")
    document_number: str = Field(min_length=3, max_length=100, description="解除限制消费令文号")


class DishonestListChange(BaseModel):
    """Sent by the dishonest-list workflow: the debtor entered or left the list, in which case."""

    case_number: str
    court: str
    listed: bool
    removal_ground: str | None = None


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
