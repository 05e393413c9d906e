"""Filing an enforcement case (立案): the period to apply and the notices that go out on docketing.

The period to apply (申请执行的期间), CPL 2023 Art. 250 [V] (DOMAIN §17.2): **2 years** from the last day of
the performance period the title fixes (for instalments, the last instalment's due date; no period set:
the day the title takes effect). Counting (民法典 Arts. 201–203; CPL Art. 85): the start day is not counted,
a month or year ends on the corresponding day or the month's last day, and an end on a statutory rest day
moves to the next working day. A late application **is still accepted**: only a debtor's successful
objection leads to 不予执行, and a debtor who has paid cannot reclaim it (民诉法解释 Art. 481) — so lateness
is a warning on the case, never a refusal [I].

The execution notice (执行通知书) and the asset-report order (报告财产令) go to the debtor within 10 days of
receiving the application (CPL 251; 民诉法解释 Art. 480; 财产调查规定 Art. 3: the order with the notice).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, Field

from domain.calendar import CalendarYearUnavailable, HolidayCalendar
from domain.legal_params import LegalParams, P
from domain.legal_time import CHINA_TZ, LegalDuration, TimeUnit, calendar_end

# [I] The performance period the execution notice fixes (限消规定 Art. 1: "执行通知书指定的期间"): no statute
# and no seed fixes its length (DOMAIN §17.4: "the court sets the length"), so it is our rule, as data
# (legal_params.json ``case.notice_performance_period``, tag I). A case filed before it was data carries
# none in its parameters: its notice said these ten days, under the same label.
LEGACY_NOTICE_PERFORMANCE_PERIOD = LegalDuration(amount=10, unit=TimeUnit.CALENDAR_DAY)
LEGACY_NOTICE_PERIOD_BASIS = "本院规则 (执行通知书指定的履行期间, 法律未规定天数)"
# The parameters a case carries from its filing beyond its term's (domain.case_term.TERM_KEYS).
FILING_KEYS = (P.CASE_NOTICE_PERFORMANCE_PERIOD,)

LATE_APPLICATION_WARNING = (
    "申请执行已超过民事诉讼法第二百五十条规定的二年期间; 依民诉法解释第四百八十一条仍予立案, "
    "被执行人可提出异议, 异议成立的裁定不予执行; 被执行人履行后不得以此为由请求返还"
)


class NoticePeriod(BaseModel):
    """The performance period the execution notice gives the debtor, with where it comes from."""

    days: int = Field(description="日, from service of the notice")
    basis: str = Field(description="its source; our rule says so")
    our_rule: bool = Field(description="a rule of ours (tag I), not the law's: the page labels it")


def notice_performance_period(params: LegalParams) -> NoticePeriod:
    """The period the case's execution notice fixes, as of its filing (``params`` as the case carries them)."""
    param = params.values.get(P.CASE_NOTICE_PERFORMANCE_PERIOD)
    if param is None:
        legacy = LEGACY_NOTICE_PERFORMANCE_PERIOD.amount
        return NoticePeriod(days=legacy, basis=LEGACY_NOTICE_PERIOD_BASIS, our_rule=True)
    days = params.duration(P.CASE_NOTICE_PERFORMANCE_PERIOD).amount
    return NoticePeriod(days=days, basis=f"{param.title}; {param.cite()}", our_rule=param.tag == "I")


class ApplicationPeriod(BaseModel):
    """When the two years of CPL Art. 250 end for a title, and whether an application on ``filed_on`` is late."""

    runs_from: date = Field(description="the last day of the performance period (not counted)")
    ends_on: date = Field(description="the last day to apply, rolled past rest days")
    provisional: bool = Field(description="the end depends on a year without a published holiday schedule")
    basis: str
    late: bool = False
    warning: str | None = None


def application_period(
    performance_due_on: date, filed_on: date, params: LegalParams, calendar: HolidayCalendar | None = None
) -> ApplicationPeriod:
    """The CPL Art. 250 period of a title whose performance was due on ``performance_due_on``, checked on
    ``filed_on`` (the day the application was received)."""
    duration = params.duration(P.CASE_APPLICATION_PERIOD)
    start = datetime.combine(performance_due_on, time(0), tzinfo=CHINA_TZ)
    cal = calendar or HolidayCalendar.load()
    try:
        deadline = cal.due(start, duration)
        ends_on, provisional, basis = deadline.due_at.date(), deadline.provisional, deadline.basis
    except CalendarYearUnavailable:
        # No holiday table reaches back there: weekends only, and said so.
        ends_on = calendar_end(start, duration).date()
        while ends_on.weekday() >= 5:
            ends_on += timedelta(days=1)
        provisional = True
        basis = f"{duration} from {performance_due_on} (start day not counted); weekends only: no holiday table"
    basis = f"{params.cite(P.CASE_APPLICATION_PERIOD)}: {basis}"
    late = filed_on > ends_on
    return ApplicationPeriod(
        runs_from=performance_due_on,
        ends_on=ends_on,
        provisional=provisional,
        basis=basis,
        late=late,
        warning=LATE_APPLICATION_WARNING if late else None,
    )


def execution_notice_due(received_on: date, params: LegalParams) -> date:
    """The last day to send the execution notice and the asset-report order (CPL 251; 民诉法解释 Art. 480):
    10 days after the application was received, the receipt day not counted. An internal limit of the
    court's: not rolled over rest days [I]."""
    start = datetime.combine(received_on, time(0), tzinfo=CHINA_TZ)
    return calendar_end(start, params.duration(P.CASE_EXECUTION_NOTICE_WITHIN)).date()
