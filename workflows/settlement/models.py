"""What a settlement in enforcement (执行和解) takes, returns and decides."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from domain.cases import CaseNumber, CourtName
from domain.legal_time import LegalDuration, TimeUnit
from domain.money import Fen, PositiveFen
from domain.parties import Party
from domain.settlement import Instalment, SuspensionRule, schedule_problem
from workflows.foundation.case_link import CaseRef
from workflows.foundation.scenario import FROM_CASE, ScenarioContext

NAME = "settlement"
# The judge's decisions: record the agreement and suspend (or not), a payment confirmed outside the
# case account, and on the applicant's application after a default: resume, or the applicant sues.
SUSPEND, DECLINE = "suspend-enforcement", "decline-settlement"
RECORD_PAYMENT = "record-payment"
RESUME, SUE = "resume-enforcement", "applicant-sues"
CREDIT_NOTICE = "case-account-credit"  # the case-account bank's notice of a payment (task result)
# 执恢 accepted on the case: the judge accepted the applicant's application to resume the original title (执行和解
# 规定 Art 9), which the filing clerk files as a 执恢 case; the settlement records it and ends, resuming nothing itself.
TITLE_RESUMED_UPDATE = "title-resumed"
CONFIRM_PERFORMED = "confirm-performed"  # 履行完毕: the judge confirms the ledger reached the agreed sum
# The two-year period to apply to resume (CPL Art. 250): its interruption and its suspension.
RECORD_INTERRUPTION, RECORD_OBSTACLE = "record-period-interruption", "record-period-obstacle"


class Guarantee(BaseModel):
    """执行担保: who guaranteed the settlement, and up to how much."""

    guarantor: Party = Field(description="担保人")
    cap_fen: Fen = Field(default=0, description="担保限额 (fen); 0 = the whole unpaid claim")
    undertook_direct_enforcement: bool = Field(
        default=False,
        description="担保人向法院承诺被执行人不履行时自愿接受直接强制执行 (执行和解规定 第十八条): only then is the "
        "guarantor's property enforced on resumption",
    )


class HeldMeasure(BaseModel):
    """A control measure already taken in the case (查封/冻结), which the judge keeps or releases."""

    partner_id: str = Field(min_length=1, max_length=64, description="协助单位 (partner id)")
    measure_id: str = Field(min_length=1, max_length=100, description="措施编号 at the partner")
    asset: str = Field(default="", max_length=200, description="what is held, e.g. 工行账户冻结")
    # Picked from the case's register (never typed): whose measure it is, so its release is booked there.
    matter_workflow_id: str = Field(
        default="", max_length=200, description="the matter that placed it", json_schema_extra={FROM_CASE: True}
    )
    measure_key: str = Field(
        default="", max_length=100, description="its key in the case's register", json_schema_extra={FROM_CASE: True}
    )


class SettlementRequest(BaseModel):
    """执行和解 — the agreement as the judge records it."""

    case_number: CaseNumber
    court: CourtName = Field(description="执行法院")
    case: CaseRef | None = Field(default=None, description="执行案件: the case this matter belongs to")
    applicant: Party = Field(description="申请执行人")
    debtor: Party = Field(description="被执行人")
    amount_owed_fen: PositiveFen = Field(description="原执行依据确定的金额 (fen)")
    execution_costs_fen: Fen = Field(default=0, description="执行费用 (fen)")
    signed_on: date = Field(description="和解协议签订日期")
    instalments: list[Instalment] = Field(min_length=1, max_length=120, description="分期履行计划")
    # A list (the form adds a row per guarantor): several may guarantee one agreement.
    guarantees: list[Guarantee] = Field(default_factory=list, max_length=10, description="执行担保")
    measures: list[HeldMeasure] = Field(default_factory=list, max_length=50, description="已采取的控制措施")
    case_account_bank: str = Field(default="bank-icbc", min_length=1, max_length=64, description="案款账户开户行")
    dishonest_listed: bool = Field(default=False, description="被执行人已被纳入失信名单")
    consumption_restricted: bool = Field(default=False, description="被执行人已被限制消费")
    credit_desk: str = Field(
        default="court-credit", min_length=1, max_length=64, description="失信/限消管理 (agency id)"
    )

    @model_validator(mode="after")
    def _schedule(self) -> SettlementRequest:
        problem = schedule_problem(self.instalments, self.signed_on)
        if problem:
            raise ValueError(problem)
        return self


class SettlementInput(BaseModel):
    request: SettlementRequest
    context: ScenarioContext
    inquiry_context: ScenarioContext = Field(description="the partners a resumed asset inquiry asks")
    resumption_period: LegalDuration = Field(description="申请执行期间 (CPL Art. 250), from the last due date")
    # How long before an instalment falls due its bank notice is opened, and how long after the due day
    # a payment may take to be noticed. Practice, not law [I].
    notice_lead: LegalDuration = LegalDuration(amount=30, unit=TimeUnit.CALENDAR_DAY)
    notice_lag: LegalDuration = LegalDuration(amount=1, unit=TimeUnit.WORKING_DAY)
    measure_timeout_seconds: float = 20.0
    suspension_rule: SuspensionRule = Field(
        default=SuspensionRule.CIVIL_CODE,
        description="an obstacle in the period's last six months: 民法典 Art. 194 (default) or 执行程序解释 Art. 19",
    )


class SuspendEnforcement(BaseModel):
    """中止执行: which of the listed measures are released (the rest stay in force)."""

    release: list[int] = Field(default_factory=list, description="解除的措施 (序号, from 1)")


class PaymentChannel(StrEnum):
    DIRECT = "direct"  # paid to the applicant directly (当事人直接给付)
    COUNTER = "counter"  # paid at the court's counter (法院窗口缴纳)


class RecordPayment(BaseModel):
    """A payment confirmed by the court's clerk (书记员核实), not noticed by the case-account bank."""

    amount_fen: PositiveFen = Field(description="金额 (fen)")
    paid_on: date = Field(description="给付日期")
    channel: PaymentChannel = Field(default=PaymentChannel.DIRECT, description="给付方式")


class ResumeEnforcement(BaseModel):
    """恢复执行 on the applicant's application: against the debtor, and the guarantor if chosen."""

    against_guarantor: bool = Field(default=False, description="同时执行担保人")
    anticipatory_breach: str = Field(
        default="",
        max_length=1000,
        description="被执行人明确表示或者以自己的行为表明不履行的事实 (预期违约, 民法典 第五百七十八条): "
        "then the applicant need not wait for the due date",
    )


class TitleResumed(BaseModel):
    """The judge accepted, on the case, the applicant's application to resume the original title (执恢)."""

    request_id: str = Field(min_length=1, max_length=80, description="the applicant's 恢复执行 request on the case")
    case_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


class CaseAccountCredit(BaseModel):
    """The case-account bank's notice (到账通知): a payment towards this case arrived."""

    amount_fen: PositiveFen = Field(description="到账金额 (fen)")
    received_on: date = Field(description="到账日期")
    bank_reference: str = Field(
        default="", max_length=64, description="银行流水号 (several: comma-separated), as the statement lists them"
    )
    instalment: int | None = Field(default=None, ge=1, le=600, description="the instalment the payer named (期次)")


class Payment(BaseModel):
    """One payment counted towards the agreement, bank-noticed or clerk-confirmed."""

    amount_fen: int
    paid_on: date
    source: str  # "bank" | the channel a clerk confirmed
    reference: str = ""


class SettlementResult(BaseModel):
    status: str
    total_fen: int
    paid_fen: int
    released_measures: list[int]
    resumed_claim_fen: int = 0
    inquiries: list[str] = Field(default_factory=list)
    lifted: list[str] = Field(default_factory=list)


class PeriodInterruption(BaseModel):
    """An event that restarts the two-year period (执行程序解释 Art. 20; 民法典 Art. 195)."""

    on: date = Field(description="中断事由发生之日")
    event: Literal["demand", "debtor-agreed", "application"] = Field(
        description="催告 (demand) | 被执行人同意履行 (debtor-agreed) | 申请 (application)"
    )


class PeriodObstacle(BaseModel):
    """Force majeure or another obstacle that kept the applicant from applying (民法典 Art. 194)."""

    started_on: date = Field(description="障碍发生之日")
    ended_on: date = Field(description="障碍消除之日")
    cause: str = Field(min_length=2, max_length=500, description="不可抗力或者其他障碍")
