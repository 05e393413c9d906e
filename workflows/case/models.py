"""What the enforcement case (执行案件) takes, holds and shows. Personal data (parties) stays in payloads,
which the codec encrypts; the register (store/cases.py) and search attributes hold none."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from domain.case_closing import ClosingMode
from domain.case_number import CaseNumberParts
from domain.case_term import ExcludedPeriod, ExclusionGround, TermView
from domain.cases import CourtName
from domain.filing import ApplicationPeriod, NoticePeriod
from domain.leads import LeadAsset
from domain.ledger import Claim, LedgerView, Payout, Recovery
from domain.legal_params import LegalParams
from domain.legal_time import LegalClock
from domain.money import PositiveFen
from domain.next_steps import Proposal
from domain.parties import Party
from domain.party_requests import PartyRequestKind, PartySide
from domain.property_report import PropertyReport
from domain.report_sanctions import ReconsiderationOutcome, SanctionDecision, SanctionStatus
from domain.settlement import Instalment
from workflows.foundation.case_link import CaseFacts, CaseMatter, CaseRef, RegisteredMeasure
from workflows.foundation.models import PendingDecision, TimelineEntry

CASE_STATUS_QUERY = "status"
START_MATTER_UPDATE = "start-matter"
CLOSE_UPDATE = "close"
REQUEST_EXTENSION_UPDATE = "request-term-extension"
EXCLUDE_PERIOD_UPDATE = "exclude-term-period"
# A party files in their case space (a message, a lead, a property report, an objection …) and the judge answers.
FILE_PARTY_REQUEST_UPDATE = "party-file"
ANSWER_PARTY_REQUEST_UPDATE = "party-answer"
PARTY_CONSENT_UPDATE = "party-consent"  # the other side agrees to a request (the applicant to instalments)
PAYMENT_UPDATE = "party-payment"  # the debtor paid online (网上缴费): credited once per payment id
# 退款: money the case did not take went back to the payer; recorded on the timeline while the case runs.
PAYMENT_REFUNDED_UPDATE = "payment-refunded"
PUSH_NODE_UPDATE = "push-node"  # the judge pushes a node with photos and a location to the parties' space
REPORT_SANCTION_UPDATE = "report-sanction"  # the judge's sanction on a refused report, with no report to answer
# A fine's or detention's decision (罚款/拘留决定书, CPL Art 119): the debtor received it (opened it in their space),
# applies for reconsideration (复议) within 3 days of receipt, and the judge records the higher court's decision.
SANCTION_RECEIVED_UPDATE = "sanction-received"
SANCTION_RECONSIDERATION_UPDATE = "sanction-reconsideration"
SANCTION_RECONSIDERED_UPDATE = "sanction-reconsidered"
APPROVE_EXTENSION, REFUSE_EXTENSION = "approve-term-extension", "refuse-term-extension"


class CaseTitle(BaseModel):
    """执行依据: the effective legal document enforced."""

    document_number: str = Field(min_length=2, max_length=100, description="执行依据文书号")
    issuer: str = Field(min_length=2, max_length=100, description="作出执行依据的机关")
    effective_on: date = Field(description="生效日期")
    performance_due_on: date = Field(description="履行期间届满日")
    document_sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="执行依据的 PDF as the court holds it (SHA-256 of the file filed online); none when filed on paper",
    )

    @field_validator("performance_due_on")
    @classmethod
    def _after_effect(cls, value: date, info: ValidationInfo) -> date:
        effective = info.data.get("effective_on")
        if effective is not None and value < effective:
            raise ValueError(
                "履行期间届满日不得早于生效日期 / the performance period ends before the title took effect"
            )
        return value


class CaseFiling(BaseModel):
    """The docketed application (申请执行书 as filed): fixed at filing, recorded in the first history event."""

    case_id: str
    workflow_id: str
    number: CaseNumberParts
    case_number: str
    court: CourtName
    judge: str = Field(description="承办法官's user id")
    filed_by: str
    received_on: date
    filed_on: date
    applicants: list[Party] = Field(min_length=1)
    debtors: list[Party] = Field(min_length=1)
    title: CaseTitle
    claim: Claim
    application_period: ApplicationPeriod
    execution_notice_due_on: date
    params: LegalParams = Field(description="the term's legal parameters in force on the filing day (TERM_KEYS)")
    resumes: CaseRef | None = Field(default=None, description="恢复执行: the earlier case this 执恢 case resumes")


class MatterRecord(BaseModel):
    scenario: str
    workflow_id: str
    status: str = "running"
    started_at: datetime
    started_by: str
    ended_at: datetime | None = None
    result: dict[str, int | str | bool] = Field(default_factory=dict, description="MATTER_ENDED's result")


class ClosedCase(BaseModel):
    mode: ClosingMode
    title: str
    on: date
    at: datetime
    by: str
    reason: str
    document: str
    checklist: dict[str, bool] = Field(default_factory=dict)


class PartyFiling(BaseModel):
    """What a party files in the case space (当事人在线申请与留言). The web names the party's side (from the
    party index) and the last day to answer (domain/party_requests.py); the text stays in the encrypted payload."""

    request_id: str = Field(min_length=1, max_length=80)
    kind: PartyRequestKind
    side: PartySide
    text: str = Field(min_length=1, max_length=4000, description="内容")
    attachments: list[str] = Field(default_factory=list, max_length=10, description="files by SHA-256")
    answer_due_on: date | None = None
    instalments: list[Instalment] = Field(default_factory=list, max_length=120, description="分期履行计划")
    special_authority: bool = Field(default=False, description="委托代理: 特别授权 (代为和解、收取执行款)")
    late: bool = Field(default=False, description="报告财产: filed after the report order's period (the case says)")
    report: PropertyReport | None = Field(default=None, description="报告财产 / 补充报告: 财产调查规定第五条至第七条")
    report_due_on: date | None = Field(
        default=None,
        description="补充报告: the last day for its earliest change (Art 7), counted by the web's calendar",
    )
    agent: bool = Field(default=False, description="filed by a confirmed agent for their principal's side")
    place: int | None = Field(
        default=None,
        ge=1,
        description="the filer's (an agent's: their principal's) place among their side's parties (1 = the first "
        "named); none for an agent acting for the side",
    )
    asset: LeadAsset | None = Field(default=None, description="财产线索: the asset it names (domain/leads.py)")
    settlement_workflow_id: str | None = Field(
        default=None,
        max_length=200,
        description="申请恢复执行 on a breached settlement: the settlement matter in default (执行和解规定 Art 9)",
    )


class PartyAnswer(BaseModel):
    """The judge's answer to a party's request, with reasons; ``matter_workflow_id`` a matter it started."""

    request_id: str = Field(min_length=1, max_length=80)
    answer: str = Field(min_length=1, max_length=32)
    reason: str = Field(min_length=1, max_length=2000, description="理由或答复")
    matter_workflow_id: str | None = None
    sanction: SanctionDecision | None = Field(default=None, description="报告财产: the sanction decided on a breach")
    settlement_not_told: str | None = Field(
        default=None,
        max_length=40,
        description="恢复执行 accepted on a breached settlement the web could not tell (it had ended): the code why",
    )


class PartyConsent(BaseModel):
    """The other side's answer to a request that needs it: the applicant agrees to the debtor's instalments."""

    request_id: str = Field(min_length=1, max_length=80)
    agree: bool
    reason: str = Field(default="", max_length=2000)


class PaymentRefunded(BaseModel):
    """The judge's refund of a payment the case did not take (paid after it ended, or beyond the balance),
    made through the platform: on the case's timeline with who decided, when and why."""

    order_id: str = Field(min_length=4, max_length=80)
    refund_fen: PositiveFen
    refund_ref: str = Field(min_length=1, max_length=80, description="the platform's refund id")
    reason: str = Field(min_length=1, max_length=2000)


class OnlinePayment(BaseModel):
    """网上缴费: a payment the payment platform confirmed into this case's account. ``payment_id`` is the
    platform's serial number: the case credits it once, whoever reports it and however often."""

    payment_id: str = Field(min_length=4, max_length=80)
    order_id: str = Field(min_length=4, max_length=80)
    amount_fen: PositiveFen
    paid_at: datetime


class NodeLocation(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    address: str = Field(default="", max_length=200, description="地点 (文字)")


class SanctionDocument(BaseModel):
    """The decision document issued for a sanction (罚款决定书 / 拘留决定书): no personal data, its reference."""

    document_id: str
    title: str
    number: str


class SanctionReconsideration(BaseModel):
    """复议: the debtor's application to the higher court (once, within 3 days of receipt) and, once recorded,
    that court's decision (within 5 days, 民诉法解释 Art 185). The sanction is not suspended meanwhile."""

    applied_at: datetime
    applied_on: date
    by: str
    text: str = Field(min_length=1, max_length=4000)
    attachments: list[str] = Field(default_factory=list, max_length=10)
    decide_by: date = Field(description="the higher court decides within 5 days of the application")
    outcome: ReconsiderationOutcome | None = None
    outcome_ref: str | None = None
    outcome_reason: str | None = None
    decided_on: date | None = None


class ReportSanction(BaseModel):
    """The judge's sanction on a breach of the report order: a refused report (with no report to answer) or a
    late or false one (``request_id``: the report answered). A fine or detention waits for the president's
    approval, then its decision document is issued and served on the debtor, who may apply for
    reconsideration within 3 days of receipt (CPL Art 119)."""

    sanction_id: str = Field(min_length=1, max_length=80)
    decision: SanctionDecision
    reason: str = Field(min_length=1, max_length=2000)
    at: datetime | None = None
    by: str = ""
    request_id: str | None = Field(default=None, description="the property report answered with this sanction")
    debtor: int = Field(default=1, ge=1, description="the debtor it names: their place among the case's debtors")
    status: SanctionStatus = SanctionStatus.AWAITING_PRESIDENT
    approved_by: str | None = None
    approved_by_name: str | None = Field(default=None, description="the president's name the document prints")
    president_reason: str | None = None
    document: SanctionDocument | None = None
    served_on: date | None = Field(default=None, description="收到决定书之日: the debtor opened it or acted on it")
    reconsideration_due_on: date | None = None
    reconsideration: SanctionReconsideration | None = None


class SanctionReceipt(BaseModel):
    """The debtor opened the decision document in their space: electronic service completed (在线诉讼规则 Art 31)."""

    sanction_id: str = Field(min_length=1, max_length=80)
    received_at: datetime


class ReconsiderationApplication(BaseModel):
    sanction_id: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=4000, description="复议理由")
    attachments: list[str] = Field(default_factory=list, max_length=10, description="files by SHA-256")


class ReconsiderationDecided(BaseModel):
    """The higher court's decision on a reconsideration, as the executing court received it."""

    sanction_id: str = Field(min_length=1, max_length=80)
    outcome: ReconsiderationOutcome
    decision_ref: str = Field(min_length=3, max_length=100, description="复议决定书文号")
    reason: str = Field(min_length=1, max_length=2000)


class PushedNode(BaseModel):
    """执行节点: what the judge shows the parties of an act on site (a seizure, a car taken into custody),
    with photos or video (files by SHA-256) and where it happened."""

    node_id: str = Field(min_length=1, max_length=80)
    title: str = Field(min_length=1, max_length=100, description="如: 查封现场、扣押车辆")
    text: str = Field(default="", max_length=2000)
    attachments: list[str] = Field(default_factory=list, max_length=10)
    location: NodeLocation | None = None
    at: datetime | None = None
    by: str = ""


class PartyRequest(PartyFiling):
    by: str = Field(description="the party's user id")
    filed_at: datetime
    answer: str | None = None
    reason: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    matter_workflow_id: str | None = None
    sanction: SanctionDecision | None = None
    consent: bool | None = Field(default=None, description="the other side agreed (True) or not (False)")
    consent_reason: str | None = None
    consent_at: datetime | None = None


class CaseState(BaseModel):
    """Everything that changes, carried whole across continue-as-new."""

    recoveries: list[Recovery] = Field(default_factory=list)
    payouts: list[Payout] = Field(default_factory=list)
    measures: dict[str, RegisteredMeasure] = Field(default_factory=dict, description="by matter id + measure key")
    matters: list[MatterRecord] = Field(default_factory=list)
    excluded: list[ExcludedPeriod] = Field(default_factory=list)
    extensions: int = 0
    extension_requested: bool = False
    effects_seen: list[str] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    fully_performed_on: date | None = None
    notices_sent: list[str] = Field(default_factory=list, description="matter ids told of full performance")
    closure_rulings: dict[str, str] = Field(
        default_factory=dict,
        description="终本裁定 made, by matter id: the Art. 517 path (applicant-signature | president)",
    )
    closed: ClosedCase | None = None
    runs: int = 1
    party_requests: list[PartyRequest] = Field(default_factory=list)
    pushed_nodes: list[PushedNode] = Field(default_factory=list)
    report_sanctions: list[ReportSanction] = Field(default_factory=list)
    documents_due: list[str] = Field(
        default_factory=list,
        description="the case's own documents still to issue (FILING_DOCUMENTS, CLOSING_DOCUMENTS): set by the act, "
        "so a state carried from before the case issued them never issues them late",
    )


class CaseInput(BaseModel):
    filing: CaseFiling
    clock: LegalClock
    state: CaseState | None = None
    history_limit: int = Field(default=4000, description="events before the case continues as new")
    filing_documents: bool = Field(
        default=True,
        description="issue the 执行通知书 and 报告财产令 on filing; not for a case docketed from matters already "
        "under way (the attach migration: their notices went out long ago)",
    )


class StartMatter(BaseModel):
    """The ``start-matter`` Update: the matter's workflow input, built and checked by the web from the
    scenario's request (pre-filled from the case), and the workflow to start."""

    scenario: str = Field(min_length=1, max_length=64)
    workflow_type: str = Field(min_length=1, max_length=100)
    workflow_id: str = Field(min_length=1, max_length=200)
    input: dict[str, Any]


class CloseCase(BaseModel):
    """The ``close`` Update: the mode, its checklist ticked, the grounds."""

    mode: ClosingMode
    checklist: dict[str, bool] = Field(default_factory=dict)
    reason: str = Field(min_length=1, max_length=2000)
    document_number: str = Field(default="", max_length=100, description="the closing document's number")


class ExclusionRequest(BaseModel):
    """A period not counted in the term (审限规定 Art. 9), recorded once it is over: e.g. an auction's."""

    ground: ExclusionGround
    start: date = Field(description="first day not counted")
    end: date = Field(description="the day it ended")
    reason: str = Field(min_length=1, max_length=2000)

    @field_validator("end")
    @classmethod
    def _not_before_start(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and value < start:
            raise ValueError("结束日不得早于开始日 / ends before it starts")
        return value


class ExtensionRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class CaseView(BaseModel):
    """What the case's ``status`` query answers: the case page and ``GET /api/cases/{id}``."""

    case_id: str
    workflow_id: str
    case_number: str
    court: str
    judge: str
    filed_on: date
    status: str
    applicants: list[Party]
    debtors: list[Party]
    title: CaseTitle
    application_period: ApplicationPeriod
    execution_notice_due_on: date
    notice_period: NoticePeriod | None = Field(
        default=None, description="the execution notice's performance period, with its source (our rule, labelled)"
    )
    resumes: CaseRef | None = None
    ledger: LedgerView
    measures: list[RegisteredMeasure]
    term: TermView
    matters: list[MatterRecord]
    timeline: list[TimelineEntry]
    pending_decisions: list[PendingDecision]
    closed: ClosedCase | None
    fully_performed_on: date | None
    history_length: int
    runs: int
    party_requests: list[PartyRequest] = Field(default_factory=list)
    pushed_nodes: list[PushedNode] = Field(default_factory=list)
    report_sanctions: list[ReportSanction] = Field(default_factory=list)
    next_steps: list[Proposal] = Field(
        default_factory=list, description="下一步: the matters the facts allow now, pre-filled (domain/next_steps.py)"
    )

    def facts(self) -> CaseFacts:
        """What a matter started from this case is pre-filled from (``Scenario.from_case``)."""
        ledger = self.ledger
        return CaseFacts(
            ref=CaseRef(case_id=self.case_id, workflow_id=self.workflow_id, case_number=self.case_number),
            court=self.court,
            judge=self.judge,
            applicants=self.applicants,
            debtors=self.debtors,
            title_document_number=self.title.document_number,
            title_issuer=self.title.issuer,
            principal_fen=ledger.principal_fen,
            interest_fen=ledger.interest_fen + ledger.delayed_interest_fen,
            owed_fen=ledger.owed_fen,
            costs_fen=ledger.costs_fen,
            fee_fen=ledger.fee_fen,
            recovered_fen=ledger.recovered_fen,
            balance_fen=ledger.balance_fen,
            measures=self.measures,
            filed_on=self.filed_on,
            matters=[
                CaseMatter(
                    scenario=m.scenario,
                    workflow_id=m.workflow_id,
                    status=m.status,
                    started_on=m.started_at.date(),
                    result=m.result,
                )
                for m in self.matters
            ],
        )
