"""The property report (报告财产) and what follows a late, refused or false one (DOMAIN §17.4).

The report order (报告财产令) goes with the execution notice and states its own deadline: the law sets no
number of days (财产调查规定 Art 4). A debtor who reports late, refuses or reports falsely may be fined or
detained — the debtor, its legal representative or the persons responsible (Art 9; CPL 2023 Art 118) —
by a decision the president approves, with one reconsideration (CPL Art 119: apply within 3 days, decided
within 5, 民诉法解释 Art 185); and may be listed as dishonest (失信规定 Art 1(四), 财产调查规定 Art 10).

The judge proposes the sanction; this module checks it against the caps and says its legal basis.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from domain.errors import ValidationFailed
from domain.legal_time import LegalDuration, TimeUnit
from domain.parties import PartyKind

# [I] The order states its deadline; no statutory number. Courts' orders commonly give five days after the
# notice is served, so a report is counted late after the notice's own last day plus these days.
REPORT_DEADLINE = LegalDuration(amount=5, unit=TimeUnit.CALENDAR_DAY)
SUPPLEMENT_WITHIN = LegalDuration(amount=10, unit=TimeUnit.CALENDAR_DAY)  # later changes (Art 7)
# 复议: apply within 3 days of receiving the decision, to the higher court, once; it decides within 5 days
# (民事诉讼法 Art 119 para 2; 民诉法解释 Art 185: 复议期间不停止执行).
RECONSIDERATION_WITHIN = LegalDuration(amount=3, unit=TimeUnit.CALENDAR_DAY)
RECONSIDERATION_DECIDED_WITHIN = LegalDuration(amount=5, unit=TimeUnit.CALENDAR_DAY)

PERSON_FINE_CAP_FEN = 100_000_00  # CPL Art 118: a person, up to ¥100,000
ENTITY_FINE_MIN_FEN = 50_000_00  # an entity, ¥50,000 …
ENTITY_FINE_CAP_FEN = 1_000_000_00  # … to ¥1,000,000
DETENTION_CAP_DAYS = 15  # CPL Art 118: detention up to 15 days
RECONSIDERATION = (
    "可自收到决定书之日起三日内向上一级人民法院申请复议一次, 复议期间不停止执行"
    " (民事诉讼法第一百一十九条、民诉法解释第一百八十五条)"
)


class ReportBreach(StrEnum):
    LATE = "late"  # 逾期报告
    REFUSED = "refused"  # 拒绝报告
    FALSE = "false"  # 虚假报告


class SanctionKind(StrEnum):
    FINE = "fine"  # 罚款
    DETENTION = "detention"  # 拘留
    DISHONEST = "dishonest"  # 纳入失信被执行人名单 (失信规定第一条第(四)项)


BREACH_WORDS = {
    ReportBreach.LATE: "逾期报告财产",
    ReportBreach.REFUSED: "拒绝报告财产",
    ReportBreach.FALSE: "虚假报告财产",
}
SANCTION_WORDS = {
    SanctionKind.FINE: "罚款",
    SanctionKind.DETENTION: "拘留",
    SanctionKind.DISHONEST: "纳入失信被执行人名单",
}


class SanctionStatus(StrEnum):
    """Where a fine or detention stands: the president approves (CPL Art 119), then the decision document is
    issued and served on the debtor; a 失信 sanction goes to the listing's own procedure instead."""

    AWAITING_PRESIDENT = "awaiting-president"  # 待院长批准
    NOT_APPROVED = "not-approved"  # 院长不予批准
    APPROVED = "approved"  # 院长已批准, 决定书制作中
    ISSUED = "issued"  # 决定书已作出并送达
    LISTING = "listing"  # 失信: 由失信名单程序审查


STATUS_WORDS = {
    SanctionStatus.AWAITING_PRESIDENT: "待院长批准",
    SanctionStatus.NOT_APPROVED: "院长不予批准",
    SanctionStatus.APPROVED: "院长已批准, 决定书制作中",
    SanctionStatus.ISSUED: "决定书已作出",
    SanctionStatus.LISTING: "转入失信名单审查",
}


class ReconsiderationOutcome(StrEnum):
    """The higher court's decision on a reconsideration (民诉法解释 Art 185)."""

    UPHELD = "upheld"  # 驳回复议申请, 维持原决定
    REVOKED = "revoked"  # 撤销原决定
    VARIED = "varied"  # 变更原决定


OUTCOME_WORDS = {
    ReconsiderationOutcome.UPHELD: "驳回复议申请, 维持原决定",
    ReconsiderationOutcome.REVOKED: "撤销原决定",
    ReconsiderationOutcome.VARIED: "变更原决定",
}


def needs_president(kind: SanctionKind) -> bool:
    """A fine or detention is decided by the president's approval and a decision document (CPL Art 119); a
    失信 sanction starts the listing, whose own decision the president signs (失信规定 Art 5)."""
    return kind is not SanctionKind.DISHONEST


def measure_words(kind: SanctionKind, amount_fen: int | None, days: int | None) -> str:
    """罚款人民币 …元 / 拘留 …日, as the basis and the decision document print it."""
    if kind is SanctionKind.FINE:
        return f"罚款人民币 {(amount_fen or 0) / 100:,.2f} 元"
    if kind is SanctionKind.DETENTION:
        return f"拘留 {days} 日"
    return SANCTION_WORDS[kind]


def reconsideration_problem(today: date, due_on: date | None, applied_before: bool) -> tuple[str, str] | None:
    """Why a reconsideration may not be applied for now, as (code, message naming the rule), or None: once
    only, and by the last day of the 3 days from receipt (None: not yet received — applying is the act that
    completes the service, 在线诉讼规则 Art 31, so it is in time)."""
    if applied_before:
        return "RECONSIDERATION_EXISTS", "已申请复议, 复议只能申请一次 (民事诉讼法第一百一十九条)"
    if due_on is not None and today > due_on:
        return (
            "RECONSIDERATION_PERIOD_PASSED",
            f"复议申请期限已于 {due_on.isoformat()} 届满: 应自收到决定书之日起三日内申请"
            " (民事诉讼法第一百一十九条、民诉法解释第一百八十五条)",
        )
    return None


class SanctionProposal(BaseModel):
    """The judge's proposal on a breach of the report order: what, on whom, how much or how long."""

    breach: ReportBreach
    kind: SanctionKind
    amount_fen: int | None = Field(default=None, ge=1, description="罚款金额 (fen)")
    days: int | None = Field(default=None, ge=1, description="拘留天数")

    @model_validator(mode="after")
    def _shape(self) -> SanctionProposal:
        if self.kind is SanctionKind.FINE and self.amount_fen is None:
            raise ValueError("amount_fen: 罚款须写明金额 / a fine needs its amount")
        if self.kind is SanctionKind.DETENTION and self.days is None:
            raise ValueError("days: 拘留须写明天数 / detention needs its days")
        return self


class SanctionDecision(SanctionProposal):
    """The proposal as decided: its legal basis in words, whether the president approves it, the remedy."""

    title: str
    basis: str
    president_approval: bool
    remedy: str


def report_due(execution_notice_due_on: date) -> date:
    """The last day of the report order's period: the execution notice served by its last day, plus the
    order's days ([I], see REPORT_DEADLINE)."""
    return execution_notice_due_on + timedelta(days=REPORT_DEADLINE.amount)


def decide(proposal: SanctionProposal, debtor_kind: PartyKind) -> SanctionDecision:
    """The proposal checked against the law's caps and given its basis; a clear refusal naming the rule."""
    kind = proposal.kind
    if kind is SanctionKind.FINE:
        amount = proposal.amount_fen or 0
        entity = debtor_kind is PartyKind.ORGANISATION
        low, cap = (ENTITY_FINE_MIN_FEN, ENTITY_FINE_CAP_FEN) if entity else (1, PERSON_FINE_CAP_FEN)
        if not low <= amount <= cap:
            who = "单位为五万元以上一百万元以下" if entity else "个人为十万元以下"
            message = f"sanction.amount_fen: 罚款金额{who} (民事诉讼法第一百一十八条)"
            raise ValidationFailed("FINE_OUT_OF_RANGE", message, "sanction.amount_fen")
    if kind is SanctionKind.DETENTION and not 1 <= (proposal.days or 0) <= DETENTION_CAP_DAYS:
        raise ValidationFailed(
            "DETENTION_OUT_OF_RANGE", "sanction.days: 拘留期限为十五日以下 (民事诉讼法第一百一十八条)", "sanction.days"
        )
    breach = BREACH_WORDS[proposal.breach]
    if kind is SanctionKind.DISHONEST:
        basis = f"被执行人{breach}, 依照失信规定第一条第(四)项、财产调查规定第十条, 纳入失信被执行人名单"
        remedy = "可向执行法院申请纠正 (失信规定第十二条)"
    else:
        measure = measure_words(kind, proposal.amount_fen, proposal.days)
        basis = (
            f"被执行人{breach}, 依照民事诉讼法第二百五十二条、第一百一十八条、第一百一十九条及财产调查规定第九条, "
            f"拟{measure}, 报院长批准后以决定书作出"
        )
        remedy = RECONSIDERATION
    return SanctionDecision(
        **proposal.model_dump(),
        title=f"{breach} — {SANCTION_WORDS[kind]}",
        basis=basis,
        president_approval=True,  # fines, detention (CPL 119) and 失信 (失信规定 Art 5) alike
        remedy=remedy,
    )
