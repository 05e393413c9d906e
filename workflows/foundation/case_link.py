"""How a matter and its case (执行案件) speak to each other — the one contract between the case's entity
workflow (``workflows/case/``) and the scenario workflows (the matters, 执行事项).

- A matter started from a case carries a ``CaseRef`` in its request (``case``; ``None`` only where a
  recorded history or a standalone start needs it).
- A matter reports what it did to the case by ``MATTER_EFFECT_SIGNAL`` with a ``MatterEffect``: a measure
  placed, renewed, released or lapsed; money recovered or paid out; a debtor listed (失信) or restricted
  (限消), or lifted; a period the case's term does not count began or ended. Each effect has an
  ``effect_id`` derived from the matter's workflow id and step, so a repeat (a retried activity, a replayed
  signal) is taken once.
- The case tells its matters what concerns them by ``CASE_NOTICE_SIGNAL`` with a ``CaseNotice`` — e.g. full
  performance (the balance reached zero): every matter releases or lifts what it holds, on the legal clock
  (DOMAIN §17.7). The case sends it to each register row's ``holder_workflow_id`` (the workflow that holds
  the measure now: an asset inquiry hands its freezes to term watchers that outlive it) and to every matter
  still running; a matter that holds nothing or is already closed ignores it.

Signals, not Updates: the matter must not wait on the case, a case outlives any one run of a matter (and
the reverse), and Temporal keeps each signal once accepted.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.case_term import ExclusionGround
from domain.money import Fen
from domain.parties import Party

CASE_WORKFLOW = "EnforcementCase"
MATTER_EFFECT_SIGNAL = "case-matter-effect"  # matter → case
CASE_NOTICE_SIGNAL = "case-notice"  # case → matter


class CaseRef(BaseModel):
    """The case a matter belongs to: enough to report to it and to show its number."""

    case_id: str = Field(min_length=1, max_length=100)
    workflow_id: str = Field(min_length=1, max_length=200, description="the case's entity workflow")
    case_number: str = Field(min_length=3, max_length=64, description="案号")


class RegisterKind(StrEnum):
    """What the case's register of measures (措施登记) holds."""

    FREEZE = "freeze"  # 冻结
    SEIZE = "seize"  # 查封 / 扣押
    DISHONEST_LIST = "dishonest-list"  # 失信
    CONSUMPTION_RESTRICTION = "consumption-restriction"  # 限消


class RecoverySource(StrEnum):
    """Where recovered money came from (执行到位 by source)."""

    DEDUCTION = "deduction"  # 扣划
    AUCTION = "auction"  # 拍卖 / 变卖 proceeds
    SETTLEMENT = "settlement"  # 和解 instalments
    VOLUNTARY = "voluntary"  # 自动履行 / 网上缴费


class EffectKind(StrEnum):
    MEASURE_PLACED = "measure-placed"
    MEASURE_RENEWED = "measure-renewed"
    MEASURE_RELEASED = "measure-released"
    MEASURE_LAPSED = "measure-lapsed"
    MONEY_RECOVERED = "money-recovered"
    MONEY_PAID_OUT = "money-paid-out"
    MATTER_ENDED = "matter-ended"
    MATTER_ATTACHED = "matter-attached"  # an existing matter joined its case (web/services/attach_cases.py)
    # A period the term does not count (审限规定 Art. 9: an auction, an appraisal, a settlement's stay) began
    # or ended in the matter, on the legal day the effect occurred.
    PERIOD_STARTED = "term-period-started"
    PERIOD_ENDED = "term-period-ended"
    # A 终本裁定 was made on one of 民诉法解释 Art. 517's paths (``result["approval"]``): the case may close as 终本.
    CLOSURE_RULED = "closure-ruled"


class SeizedUnit(BaseModel):
    """A seized real-estate unit (不动产单元) as the registry reported it: held on the register structured,
    not only in the row's words, so the disposal of it is chosen from the case, never typed."""

    unit_number: str = Field(description="不动产单元号")
    description: str = Field(default="", description="坐落 and use, as the registry reported them")


class MatterEffect(BaseModel):
    """One thing a matter did that the case must know. Measures are keyed by ``measure_key`` (the matter's
    own reference, unique within the matter); money by ``effect_id``."""

    effect_id: str = Field(min_length=1, max_length=300, description="matter workflow id + step: taken once")
    matter_workflow_id: str
    scenario: str
    kind: EffectKind
    occurred_at: datetime
    measure_key: str | None = None
    register_kind: RegisterKind | None = None
    description: str = Field(default="", max_length=500, description="what and where, in the users' words")
    amount_fen: Fen | None = None
    effective_from: date | None = None
    expires_on: date | None = None
    renewal_due_on: date | None = None
    source: RecoverySource | None = None
    status: str | None = Field(default=None, description="MATTER_ENDED: the matter's final status")
    holder_workflow_id: str | None = Field(
        default=None, description="the workflow that holds the measure and takes notices for it; None: the matter"
    )
    partner_id: str | None = Field(default=None, description="协助单位 that registered the measure")
    asset_kind: str | None = Field(default=None, description="what is held: deposit, real_estate, vehicle …")
    partner_measure_id: str | None = Field(default=None, description="the measure's reference at the partner")
    unit: SeizedUnit | None = Field(default=None, description="a seized real-estate unit: what a disposal picks")
    result: dict[str, int | str | bool] = Field(
        default_factory=dict, description="MATTER_ENDED: the facts the next step is proposed from (counts, flags)"
    )
    ground: ExclusionGround | None = Field(default=None, description="PERIOD_*: the Art. 9 ground")


class CaseNoticeKind(StrEnum):
    FULL_PERFORMANCE = "full-performance"  # 执行完毕: release and lift everything (DOMAIN §17.7)
    CASE_CLOSED = "case-closed"


class CaseNotice(BaseModel):
    notice_id: str
    kind: CaseNoticeKind
    at: datetime
    reason: str = ""


class RegisteredMeasure(BaseModel):
    """One row of the case's register of measures: what and where, how much, since when, until when, and
    the matter that placed it. A matter that needs another matter's object picks it from here."""

    measure_key: str
    matter_workflow_id: str
    scenario: str
    register_kind: RegisterKind
    description: str = ""
    amount_fen: Fen | None = None
    effective_from: date | None = None
    expires_on: date | None = None
    renewal_due_on: date | None = None
    state: str = Field(default="in-force", description="in-force | released | lapsed")
    holder_workflow_id: str | None = Field(default=None, description="who takes notices for it; None: the matter")
    partner_id: str | None = None
    partner_measure_id: str | None = Field(default=None, description="picked by a settlement; never typed")
    asset_kind: str | None = None
    unit: SeizedUnit | None = Field(default=None, description="the real-estate unit seized: what a disposal picks")


class CaseMatter(BaseModel):
    """One matter of the case, as the next-step rules see it."""

    scenario: str
    workflow_id: str
    status: str = Field(description="running | the matter's final status")
    started_on: date | None = None
    result: dict[str, int | str | bool] = Field(default_factory=dict, description="MATTER_ENDED's result")


class CaseFacts(BaseModel):
    """What a matter started from the case is pre-filled from: the judge types only the matter's own fields."""

    ref: CaseRef
    court: str
    judge: str | None = None
    applicants: list[Party]
    debtors: list[Party]
    title_document_number: str = Field(description="执行依据 文书号")
    principal_fen: Fen
    owed_fen: Fen = Field(description="principal + interest to date + costs + fee")
    costs_fen: Fen = 0
    balance_fen: Fen
    measures: list[RegisteredMeasure] = Field(default_factory=list)
    # Added for the pre-fill and the next-step rules (case-matters); the case fills what it knows.
    filed_on: date | None = Field(default=None, description="立案日期")
    title_issuer: str = Field(default="", description="作出执行依据的单位")
    obligation: str = Field(default="", description="生效法律文书确定的义务")
    interest_fen: Fen = 0
    fee_fen: Fen = 0
    recovered_fen: Fen = 0
    case_account: str = Field(default="", description="案款账户; empty: the scenario's default per case")
    property_report_ignored: bool = Field(default=False, description="报告财产令 ignored past its period")
    matters: list[CaseMatter] = Field(default_factory=list)
