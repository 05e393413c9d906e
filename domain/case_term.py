"""The term of an enforcement case (审限), DOMAIN §17.5.

审限规定 (法释〔2000〕29号) [V]:
- Art. 5: an enforcement case ends within **6 months** of docketing (非诉执行: 3 months); the president may
  extend it by **3 months**; a further extension is reported to the high court (not handled here).
- Art. 8: counted from the day after docketing — so the term ends on the corresponding day 6 months on.
- Art. 9: not counted — (6) announcement and appraisal, (8) audit, valuation and asset clearance,
  (9) suspension, (10) stays after a settlement or a guarantee, (11) stays a higher court orders,
  (12) auction and sale. Each excluded period pushes the end by its length in days (a day two periods
  share, once). Matters report their own auction, appraisal and stay periods; the judge records the rest.
- Art. 12 (civil cases; applied here [I]): the extension is asked for at least 10 days before expiry and
  decided before it.
The internal term does not roll over holidays [I]. Yellow within a configurable lead of the end, red past
it [I] (like the agency tasks' marks).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.legal_params import LegalParams, P
from domain.legal_time import add_months
from domain.tasks import SlaMark


class ExclusionGround(StrEnum):
    """审限规定 Art. 9's grounds that apply to enforcement."""

    ANNOUNCEMENT_APPRAISAL = "announcement-appraisal"  # (六) 公告、鉴定
    AUDIT_VALUATION = "audit-valuation"  # (八) 审计、评估、资产清理
    SUSPENSION = "suspension"  # (九) 中止执行
    SETTLEMENT_STAY = "settlement-stay"  # (十) 和解、担保后暂缓执行
    HIGHER_COURT_STAY = "higher-court-stay"  # (十一) 上级法院通知暂缓执行
    AUCTION_SALE = "auction-sale"  # (十二) 拍卖、变卖


class ExcludedPeriod(BaseModel):
    ground: ExclusionGround
    start: date
    end: date | None = Field(default=None, description="None: still running (counted up to today)")
    matter_workflow_id: str | None = Field(default=None, description="the matter that reported it; None: the judge")

    def days(self, today: date) -> int:
        """Days not counted: from ``start`` up to ``end`` (or today), the start day included."""
        last = self.end or today
        return max((last - self.start).days, 0)


class TermView(BaseModel):
    filed_on: date
    base_due_on: date = Field(description="6 months (or 3) from the day after docketing")
    excluded_days: int
    extensions: int
    due_on: date
    days_left: int
    colour: SlaMark
    basis: str


def days_excluded(periods: list[ExcludedPeriod], today: date) -> int:
    """Days not counted, each day once: a matter's auction and another's suspension may run at the same
    time (matters report their periods themselves), and a day they share is one day off the term."""
    spans = sorted((p.start, p.end or today) for p in periods)
    days, reached = 0, date.min
    for start, end in spans:
        start = max(start, reached)
        if end > start:
            days += (end - start).days
            reached = end
    return days


# What the term needs of the legal parameters: a case carries these only (its history stays small).
TERM_KEYS = (
    P.CASE_TERM,
    P.CASE_TERM_NON_LITIGATION,
    P.CASE_TERM_EXTENSION,
    P.CASE_TERM_EXTENSION_REQUEST_LEAD,
    P.CASE_TERM_YELLOW_BEFORE,
)


def term_params(params: LegalParams, *also: str) -> LegalParams:
    """``params`` narrowed to what the term is computed from (and ``also`` these keys)."""
    return params.model_copy(update={"values": {k: params.get(k) for k in (*TERM_KEYS, *also)}})


def term(
    filed_on: date,
    today: date,
    params: LegalParams,
    excluded: list[ExcludedPeriod] | None = None,
    extensions: int = 0,
    non_litigation: bool = False,
) -> TermView:
    """The term of a case docketed on ``filed_on``, as it stands on ``today``."""
    key = P.CASE_TERM_NON_LITIGATION if non_litigation else P.CASE_TERM
    months = params.duration(key).amount
    extension_months = params.duration(P.CASE_TERM_EXTENSION).amount
    base_due = add_months(filed_on, months)
    excluded_days = days_excluded(excluded or [], today)
    due = add_months(filed_on, months + extension_months * extensions) + timedelta(days=excluded_days)
    days_left = (due - today).days
    yellow = params.duration(P.CASE_TERM_YELLOW_BEFORE).amount
    colour = SlaMark.RED if days_left < 0 else SlaMark.YELLOW if days_left <= yellow else SlaMark.GREEN
    basis = (
        f"{params.cite(key)}: {months} 个月自立案次日起算 (第八条), 届满于 {base_due.isoformat()}"
        + (f"; 不计入审限 {excluded_days} 日 (第九条)" if excluded_days else "")
        + (f"; 经院长批准延长 {extension_months * extensions} 个月" if extensions else "")
    )
    return TermView(
        filed_on=filed_on,
        base_due_on=base_due,
        excluded_days=excluded_days,
        extensions=extensions,
        due_on=due,
        days_left=days_left,
        colour=colour,
        basis=basis,
    )


def extension_problem(view: TermView, today: date, params: LegalParams) -> str | None:
    """Why the term may not be extended on ``today``, or None (审限规定 Arts. 5, 12)."""
    if view.extensions >= 1:
        return (
            "审限已经院长批准延长一次; 再延长须报请高级人民法院批准 / "
            "extended once: a further extension goes to the high court"
        )
    if today > view.due_on:
        return f"审限已于 {view.due_on.isoformat()} 届满 / the term ended on {view.due_on.isoformat()}"
    lead = params.duration(P.CASE_TERM_EXTENSION_REQUEST_LEAD).amount
    if (view.due_on - today).days < lead:
        return (
            f"延长审限应于届满 {lead} 日前申请 (审限规定第十二条) / an extension is asked for at least {lead} days "
            f"before the term ends on {view.due_on.isoformat()}"
        )
    return None
