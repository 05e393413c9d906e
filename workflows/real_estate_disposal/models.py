"""What a real-estate disposal (不动产司法处置) takes, returns and decides: the judge's request, the
decisions the law reserves for the judge along the way (and what each carries), the statuses the case
passes through, and the records the workflow keeps. Passed through the sandbox: built once, not per run.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.auction import AuctionTerms, AuctionView, ForfeitureApplication, RoundKind
from domain.cases import CaseNumber, CourtName
from domain.distribution import Claim, CostItem, DistributionPlan, DistributionRules
from domain.joint_review import DefectsReport
from domain.legal_params import LegalParams
from domain.money import Fen, PositiveFen
from domain.parties import Party
from domain.personal import AccountNumber, IdNumber, PersonName
from domain.residence import OtherAsset, ResidenceException
from workflows.foundation.case_link import CaseRef
from workflows.foundation.scenario import ScenarioContext
from workflows.foundation.task_models import TaskOutcome

NAME = "real-estate-disposal"

# The judge's decisions (DecisionInput.decision).
PROCEED, STOP = "proceed-despite-findings", "stop-disposal"
RESIDENCE_EXCEPTION = "residence-exception"
CORRECT_REFERENCE = "correct-reference-price"
SET_TERMS = "set-auction-terms"
CONFIRM_SALE, REFUSE_SALE = "confirm-sale", "refuse-sale"
IN_KIND, RELEASE = "offer-in-kind", "release-property"
DISTRIBUTION_OBJECTION = "record-distribution-objection"
DECLARE_CLAIM = "record-claim-declaration"  # a known creditor's declaration, as the court received it
APPROVE_PLAN = "approve-distribution-plan"  # the plan is the judge's decision before it is served
# 民诉法解释 Art. 510: another creditor's or the debtor's opposition to an objection, and the objector's suit.
COUNTER_OBJECTION = "record-counter-objection"
OBJECTOR_SUIT = "record-objector-suit"

# The agency tasks it assigns, by step; the task type is ``<NAME>.<step>``, the task id
# ``<workflow id>:task:<step>`` (recorded in histories: do not rename).
TAX_TASK, SURVEY_TASK = "tax", "survey"
APPRAISAL_TASK = "appraisal"
TITLE_TRANSFER_TASK = "title-transfer"


class Status(StrEnum):
    """Where the case stands (the STATUS search attribute; recorded in histories: keep the values)."""

    STARTED = "started"
    AWAITING_RESIDENCE_DECISION = "awaiting_residence_decision"
    JOINT_REVIEW = "joint_review"
    AWAITING_JOINT_REVIEW_DECISION = "awaiting_joint_review_decision"
    REFERENCE_PRICE = "reference_price"
    REFERENCE_OBJECTION_WINDOW = "reference_objection_window"
    AWAITING_TERMS_FIRST = "awaiting_terms_first"
    AWAITING_TERMS_SECOND = "awaiting_terms_second"
    NOTIFYING_FIRST = "notifying_first"
    NOTIFYING_SECOND = "notifying_second"
    NOTIFYING_PRIVATE_SALE = "notifying_sale"
    ANNOUNCED_FIRST = "announced_first"
    ANNOUNCED_SECOND = "announced_second"
    ANNOUNCED_PRIVATE_SALE = "announced_sale"
    BIDDING_FIRST = "bidding_first"
    BIDDING_SECOND = "bidding_second"
    BIDDING_PRIVATE_SALE = "bidding_sale"
    AWAITING_RULING = "awaiting_ruling"
    AWAITING_UNSOLD_DECISION = "awaiting_unsold_decision"
    TITLE_TRANSFER = "title_transfer"
    CLAIM_DECLARATION = "claim_declaration"
    AWAITING_PLAN_APPROVAL = "awaiting_plan_approval"
    DISTRIBUTION_OBJECTION_WINDOW = "distribution_objection_window"
    COUNTER_OBJECTION_WINDOW = "counter_objection_window"  # Art. 510: the others told of an objection
    OBJECTOR_SUIT_WINDOW = "objector_suit_window"  # Art. 510: an opposed objector may sue
    PAYING = "paying"
    # How it ends.
    COMPLETED = "completed"
    RESIDENCE_PROTECTED = "residence_protected"
    STOPPED = "stopped"
    RELEASED = "released"
    REFUSED = "refused"  # another matter disposes of the unit, or has transferred it


class RoundStatuses(BaseModel):
    """The statuses one kind of round passes through (变卖 has no terms decision: it runs at the 二拍 price)."""

    awaiting_terms: Status | None
    notifying: Status
    announced: Status
    bidding: Status


ROUND_STATUSES: dict[RoundKind, RoundStatuses] = {
    RoundKind.FIRST: RoundStatuses(
        awaiting_terms=Status.AWAITING_TERMS_FIRST,
        notifying=Status.NOTIFYING_FIRST,
        announced=Status.ANNOUNCED_FIRST,
        bidding=Status.BIDDING_FIRST,
    ),
    RoundKind.SECOND: RoundStatuses(
        awaiting_terms=Status.AWAITING_TERMS_SECOND,
        notifying=Status.NOTIFYING_SECOND,
        announced=Status.ANNOUNCED_SECOND,
        bidding=Status.BIDDING_SECOND,
    ),
    RoundKind.PRIVATE_SALE: RoundStatuses(
        awaiting_terms=None,
        notifying=Status.NOTIFYING_PRIVATE_SALE,
        announced=Status.ANNOUNCED_PRIVATE_SALE,
        bidding=Status.BIDDING_PRIVATE_SALE,
    ),
}


class ReferenceMethod(StrEnum):
    ONLINE_INQUIRY = "online_inquiry"  # 网络询价 (参考价规定 Arts. 7–13)
    APPRAISAL = "appraisal"  # 委托评估 (Arts. 14–19)


class Creditor(Claim):
    """A claim on the proceeds and where to pay it (申请执行人 and 参与分配 creditors)."""

    id_number: IdNumber = Field(
        default="", max_length=32, description="payee's ID number or credit code (personal data)"
    )
    account: AccountNumber = Field(
        default="", max_length=34, description="payee's account; empty: held by the court (提存)"
    )
    performance_due_on: date | None = Field(
        default=None, description="last day of the performance period: the doubled interest is computed to the ruling"
    )


class Cost(CostItem):
    id_number: IdNumber = Field(default="", max_length=32, description="payee's credit code")
    account: AccountNumber = Field(default="", max_length=34, description="payee's account; empty: held by the court")


class PropertyUnit(BaseModel):
    unit_number: str = Field(min_length=3, max_length=40, description="不动产单元号")
    description: str = Field(min_length=1, max_length=200, description="e.g. 诸暨市某镇工业用地及厂房")
    necessary_residence: bool = Field(default=False, description="生活所必需的居住房屋 (查扣冻规定 Art. 4)")


class RealEstateDisposalRequest(BaseModel):
    """不动产司法处置 — what the judge submits."""

    case_number: CaseNumber
    court: CourtName = Field(description="执行法院 (as registered on seizures)")
    case: CaseRef | None = Field(default=None, description="执行案件: the case this matter belongs to")
    jurisdiction: str = Field(default="zhejiang", description="selects local parameter overrides")
    debtor: Party = Field(description="被执行人")
    property: PropertyUnit
    amount_owed_fen: PositiveFen = Field(description="执行标的 of this case")
    creditors: list[Creditor] = Field(min_length=1, description="申请执行人 and creditors applying to 参与分配")
    execution_costs: list[Cost] = Field(default_factory=list, description="auction, appraisal, inquiry fees")
    # 申请执行费 (诉讼费用交纳办法 Art. 14(一)), paid after enforcement out of the proceeds (Arts. 20, 38): left
    # out, build_input proposes the fee of the amount owed; 0 where it is waived or already paid.
    application_fee_fen: Fen | None = Field(default=None, description="申请执行费 (fen); left out: by Art. 14")
    other_assets: list[OtherAsset] = Field(default_factory=list, description="the debtor's other assets (home...)")
    reference_method: ReferenceMethod = ReferenceMethod.ONLINE_INQUIRY
    auction_costs_fen: Fen = Field(default=0, description="costs a buyer's default causes (Art. 24 (1))")
    registry: str = "realestate-registry"
    auction_platform: str = "auction-platform"
    inquiry_platforms: list[str] = Field(default_factory=list, description="default: every auction platform")
    tax_agency: str = "tax-hangzhou"
    survey_agency: str = Field(default="survey-zhuji", description="who surveys occupancy and leases")
    appraiser: str = "appraiser-zhejiang"
    case_bank: str = Field(default="bank-zjrcu", description="bank holding the case account (案款账户)")
    case_account: AccountNumber = Field(default="", max_length=64)
    debtor_account: AccountNumber = Field(default="", max_length=34, description="where a surplus or reserve is paid")


class RealEstateDisposalInput(BaseModel):
    request: RealEstateDisposalRequest
    context: ScenarioContext
    params: LegalParams = Field(description="the law in force at start (recorded in history)")
    rules: DistributionRules = Field(default_factory=DistributionRules)
    poll_seconds: float | None = Field(default=None, description="platform polling; default from the time scale")


class PaymentStatus(StrEnum):
    PAID = "paid"
    HELD = "held"  # no account: the court holds it (提存)
    ESCROWED = "escrowed"  # disputed by an objection to the plan
    SET_OFF = "set_off"  # the in-kind taker's own share (以物抵债)
    FAILED = "failed"


class Payment(BaseModel):
    ref: str
    payee: PersonName
    amount_fen: int
    status: PaymentStatus
    reference: AccountNumber | None = None


# Payloads the validator checks per decision.
class Grounds(BaseModel):
    grounds: str = Field(min_length=2, max_length=2000, description="why the sale may proceed")


class CorrectedReference(BaseModel):
    reference_price_fen: PositiveFen


class SaleConfirmation(BaseModel):
    ruling_ref: str = Field(min_length=3, max_length=100, description="成交裁定书文号")


class InKind(BaseModel):
    claim_id: str = Field(description="the creditor taking the property at the last reserve price (以物抵债)")
    ruling_ref: str = Field(min_length=3, max_length=100, description="以物抵债裁定书文号")
    taker_purchase_qualified: bool = Field(
        default=False, description="where 限购 applies, the creditor's purchase qualification was verified"
    )


class DistributionObjection(BaseModel):
    ref: str = Field(description="claim or cost id the objection disputes")
    disputed_fen: PositiveFen
    in_favour_of: str | None = Field(
        default=None,
        description="whose line the disputed amount belongs to in the objector's view (a claim id); "
        "none: the debtor's (民诉法解释 第五百一十条: 依异议人的意见修正)",
    )


class CounterObjection(BaseModel):
    """A creditor's or the debtor's opposition (反对意见) to an objection, within 15 days of the notice."""

    ref: str = Field(description="the claim or cost id of the objection opposed")


class ObjectorSuit(BaseModel):
    """The objector sued those who opposed (分配方案异议之诉), within 15 days of being told."""

    ref: str = Field(description="the claim or cost id of the objection sued on")
    suit_ref: str = Field(min_length=3, max_length=100, description="起诉受理案号或收件编号")


class ClaimDeclaration(BaseModel):
    """A known creditor's declaration (债权申报), recorded by the judge as the court received it."""

    claim_id: str = Field(min_length=1, max_length=40, description="the invitation answered: mortgage-N, seizure-N")
    creditor: PersonName | None = Field(
        default=None, description="who declares; default the mortgagee (a seizure: the other case's applicant)"
    )
    amount_fen: PositiveFen = Field(description="the claim declared (fen)")
    principal_fen: Fen | None = Field(default=None, description="the principal within it")
    id_number: IdNumber = Field(default="", max_length=32, description="payee's ID number or credit code")
    account: AccountNumber = Field(default="", max_length=34, description="payee's account; empty: held (提存)")


class Nothing(BaseModel):
    pass


DECISIONS: dict[str, tuple[str, type[BaseModel], bool]] = {
    # name: (title, payload model, reason required)
    PROCEED: ("依法继续处置 / Proceed despite the findings", Grounds, True),
    STOP: ("终止处置 / Stop the disposal", Nothing, True),
    RESIDENCE_EXCEPTION: ("准予处置必需居住房屋 / Allow sale of the necessary residence", ResidenceException, True),
    CORRECT_REFERENCE: ("异议成立, 更正参考价 / Objection upheld: corrected reference price", CorrectedReference, True),
    SET_TERMS: ("确定起拍价、保证金、加价幅度 / Set starting price, deposit, increment", AuctionTerms, False),
    CONFIRM_SALE: ("作出成交裁定 / Confirm the sale (成交裁定)", SaleConfirmation, False),
    REFUSE_SALE: ("不予出具成交裁定, 重新拍卖 / Refuse the ruling and auction again", Nothing, True),
    IN_KIND: ("以物抵债 / Take in satisfaction", InKind, True),
    RELEASE: ("解除查封, 退还被执行人 / Release and return", Nothing, True),
    DISTRIBUTION_OBJECTION: ("分配方案异议 (提存争议款) / Objection to the plan (escrow)", DistributionObjection, True),
    DECLARE_CLAIM: ("登记债权申报 / Record a creditor's declaration", ClaimDeclaration, False),
    APPROVE_PLAN: ("批准分配方案 / Approve the distribution plan", Nothing, False),
    COUNTER_OBJECTION: ("登记对异议的反对意见 / Record an opposition to an objection", CounterObjection, True),
    OBJECTOR_SUIT: ("登记异议人起诉 / Record the objector's suit", ObjectorSuit, False),
}


class RoundRecord(BaseModel):
    kind: RoundKind
    attempt: int
    terms: AuctionTerms
    auction_id: str
    announced_at: datetime
    opens_at: datetime
    closes_at: datetime
    result: AuctionView | None = None


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
