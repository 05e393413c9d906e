"""What a dishonest-list entry (失信被执行人名单) takes, returns and decides."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from domain.cases import CaseNumber, CourtName
from domain.dishonest_list import (
    JUDGE_REMOVAL_GROUNDS,
    EntryCorrection,
    ExtensionCondition,
    ListingBar,
    ListingGround,
    PreviousRemoval,
    PublicStatus,
    RemovalGround,
    art8_notice_problem,
)
from domain.legal_params import LegalParams
from domain.parties import Party, PartyKind
from domain.personal import PersonName
from workflows.foundation.case_link import CaseRef
from workflows.foundation.messages import REMOVE_LISTING
from workflows.foundation.scenario import ScenarioContext
from workflows.foundation.task_models import TaskOutcome

NAME = "dishonest-list"
# The judge's decisions.
ENTER, DECLINE = "enter-list", "decline-entry"
REGISTER_CORRECTION = "register-correction-request"
ACCEPT_CORRECTION, REFUSE_CORRECTION = "accept-correction", "refuse-correction"
# Art. 12: a refused correction taken to the higher court (复议), and that court's decision as received.
REGISTER_RECONSIDERATION = "register-reconsideration"
RECORD_RECONSIDERATION = "record-reconsideration-decision"
REMOVE = REMOVE_LISTING
# The credit and industry agencies' receipt of an entry's (or a removal's) notice (失信规定 Art. 8).
NOTICE_RECEIPT = "dishonest-notice-receipt"
# The higher court's reconsideration decision (复议决定, Art. 12), answered on its task.
RECONSIDERATION_RESULT = "dishonest-reconsideration-decision"


class DishonestListRequest(BaseModel):
    """纳入失信被执行人名单 — the case as the judge submits it (on the applicant's request or ex officio)."""

    case_number: CaseNumber
    court: CourtName = Field(description="执行法院")
    case: CaseRef | None = Field(default=None, description="执行案件: the case this matter belongs to")
    debtor: Party = Field(description="被执行人")
    legal_representative: PersonName = Field(default="", max_length=100, description="单位: 法定代表人或负责人")
    title_document: str = Field(min_length=3, max_length=100, description="执行依据文号")
    title_issuer: str = Field(min_length=2, max_length=100, description="作出执行依据的单位")
    obligation: str = Field(min_length=2, max_length=500, description="生效法律文书确定的义务")
    performance: str = Field(default="全部未履行", min_length=2, max_length=500, description="履行情况")
    filed_on: date = Field(description="立案日期")
    applicant_requested: bool = Field(default=True, description="依申请执行人申请 (十五日内审查, 第五条)")
    previously_removed_on: date | None = Field(default=None, description="此前被删除的纳入: 删除日期 (再次纳入的规则)")
    previously_removed_for: RemovalGround | None = Field(default=None, description="此前被删除的纳入: 删除事由")
    restriction_workflow_id: str = Field(
        default="", max_length=200, description="本案已有的限制消费令 (workflow id); 空: 一并发出新的"
    )
    list_partner: str = Field(default="dishonest-list", description="全国失信被执行人名单库 (partner id)")
    credit_agency: str = Field(default="credit-pboc", description="征信机构 (agency id)")
    industry_agency: str = Field(default="market-regulation", description="行业主管部门 (agency id)")
    public_status: PublicStatus | None = Field(
        default=None, description="第八条第三、四款: 国家工作人员、人大代表、政协委员; 国家机关、事业单位、国有企业"
    )
    reported_to: str = Field(
        default="", max_length=64, description="第八条第三、四款: 通报的所在单位或上级单位、主管部门 (agency id)"
    )

    @model_validator(mode="after")
    def _representative_only_for_organisations(self) -> DishonestListRequest:
        if self.legal_representative and self.debtor.kind is not PartyKind.ORGANISATION:
            raise ValueError("legal_representative: only an organisation has one (失信规定 第六条)")
        if (self.previously_removed_on is None) != (self.previously_removed_for is None):
            raise ValueError("previously_removed_on: an earlier removal states both its date and its ground")
        problem = art8_notice_problem(self.debtor.kind, self.public_status, self.reported_to)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def previous_removal(self) -> PreviousRemoval | None:
        if self.previously_removed_on is None or self.previously_removed_for is None:
            return None
        return PreviousRemoval(ground=self.previously_removed_for, removed_on=self.previously_removed_on)


class DishonestListInput(BaseModel):
    request: DishonestListRequest
    context: ScenarioContext
    params: LegalParams = Field(description="the 失信 parameters in force at start")
    higher_court_agency: str = Field(
        default="",
        max_length=64,
        description="上一级人民法院 (agency id, domain/court_districts.json): decides a reconsideration on its "
        "task (Art. 12); empty: the judge records its paper decision",
    )


class EnterList(BaseModel):
    """The entry decision (决定书), signed by the court president (Art. 5): ground, term, numbers."""

    ground: ListingGround = Field(description="失信情形 (第一条)")
    extension_years: int = Field(default=0, ge=0, le=3, description="延长年数 (情节严重, 第二条)")
    extension_condition: ExtensionCondition | None = Field(
        default=None, description="延长的事由 (第二条第二款): serious-obstruction | multiple-acts"
    )
    bars: list[ListingBar] = Field(default_factory=list, description="第三条情形 (有则不得以第一项纳入)")
    decision_number: str = Field(min_length=3, max_length=100, description="失信决定书文号")
    restriction_order_number: str = Field(min_length=3, max_length=100, description="限制消费令文号 (一并签发)")


class CorrectionRequest(BaseModel):
    """The debtor's written request to correct the entry (Art. 12), as the court received it."""

    claim: str = Field(min_length=2, max_length=1000, description="纠正理由")
    wrong_entry: bool = Field(default=False, description="主张不应纳入 (否则: 记载有误)")


class CorrectionOutcome(BaseModel):
    """A request found valid: revoke the entry (it should not have been made, Art. 9) or correct it."""

    revoke: bool = Field(default=False, description="撤销纳入")
    correction: EntryCorrection = Field(default_factory=EntryCorrection, description="更正内容")


class Reconsideration(BaseModel):
    """The debtor's application to the higher court (复议) against a refused correction (Art. 12)."""

    applied_on: date = Field(description="申请复议日期")
    higher_court: str = Field(min_length=4, max_length=100, description="上一级人民法院")


class ReconsiderationDecision(BaseModel):
    """The higher court's decision as the executing court received it (Art. 12)."""

    outcome: Literal["upheld", "revoked", "corrected"] = Field(description="维持 | 撤销纳入 | 更正")
    decision_ref: str = Field(min_length=3, max_length=100, description="复议决定书文号")
    correction: EntryCorrection = Field(default_factory=EntryCorrection, description="更正内容 (outcome corrected)")


class RemoveEntry(BaseModel):
    """Deletion on an Art. 10 ground, early deletion by the court (Art. 2 para 3), or revocation of a wrong
    entry ex officio (Art. 9)."""

    ground: RemovalGround = Field(description="删除事由")
    document_ref: str = Field(min_length=3, max_length=100, description="删除决定文号")
    ground_arose_on: date | None = Field(
        default=None, description="删除事由发生之日 (全部履行之日等): the 3 working days run from it (第十条)"
    )

    @model_validator(mode="after")
    def _judge_grounds(self) -> RemoveEntry:
        if self.ground not in JUDGE_REMOVAL_GROUNDS:
            raise ValueError(f"ground: {self.ground.value} is reached by the procedure, not decided")
        return self


class DishonestNoticeReceipt(BaseModel):
    """A credit or industry agency's receipt: the entry (or its removal) is in its system."""

    recorded: bool = True
    reference: str = Field(default="", max_length=100, description="登记编号")
    measures: str = Field(default="", max_length=500, description="采取的信用惩戒措施")


class DeadlineView(BaseModel):
    due_at: str
    provisional: bool


class DishonestListResult(BaseModel):
    status: str
    entry_id: str | None
    ground: ListingGround | None
    term_ends_at: str | None
    removal_ground: RemovalGround | None
    removal_due: DeadlineView | None
    removed_on_time: bool | None
    restriction_workflow_id: str | None
    notices: list[TaskOutcome]
