"""What a party may file in their case space, and by when the court answers (DOMAIN §19.2–19.3).

Each kind is a rule as data: who may file it, what the court may answer, the period to answer and its
source. A request never changes the case by itself: it goes to the judge, who answers within the period
(a message is answered or simply kept on record).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from domain.calendar import HolidayCalendar
from domain.legal_time import CHINA_TZ, LegalDuration, TimeUnit


class PartySide(StrEnum):
    APPLICANT = "applicant"  # 申请执行人
    DEBTOR = "debtor"  # 被执行人


def sides_of(roles: Iterable[str]) -> set[PartySide]:
    """A party's sides in a case from how the case names them (the party index's roles: ``applicants``,
    ``debtors``, ``debtor`` …): a role starting "applicant" is the applicant's side, any other the debtor's."""
    return {PartySide.APPLICANT if r.startswith("applicant") else PartySide.DEBTOR for r in roles}


class PartyRequestKind(StrEnum):
    MESSAGE = "message"  # 留言: to the judge, on record
    LEAD = "lead"  # 财产线索
    PROPERTY_REPORT = "property-report"  # 报告财产 (报告财产令)
    OBJECTION = "objection"  # 执行异议
    DISHONEST_REQUEST = "dishonest-request"  # 申请将被执行人纳入失信名单
    DISHONEST_CORRECTION = "dishonest-correction"  # 申请纠正失信信息


@dataclass(frozen=True)
class RequestRule:
    title: str
    filers: frozenset[PartySide]
    answers: tuple[str, ...]  # what the judge may answer; empty: kept on record, the judge may reply
    period: LegalDuration | None
    basis: str
    seen_by_other_side: bool = False  # §19.4: the other side never sees a party's leads or messages


_DAYS = TimeUnit.CALENDAR_DAY
BOTH = frozenset(PartySide)
RULES: dict[PartyRequestKind, RequestRule] = {
    PartyRequestKind.MESSAGE: RequestRule("留言", BOTH, (), None, "在线诉讼规则第三十四条 (电子记录)"),
    PartyRequestKind.LEAD: RequestRule(
        "财产线索",
        frozenset({PartySide.APPLICANT}),
        ("verify", "decline"),
        LegalDuration(amount=7, unit=_DAYS),
        "财产调查规定第二条: 具体线索应在七日内核查 (情况紧急的三日内)",
    ),
    PartyRequestKind.PROPERTY_REPORT: RequestRule(
        "报告财产",
        frozenset({PartySide.DEBTOR}),
        ("acknowledge", "sanction"),
        None,
        "财产调查规定第五条至第九条; 申请执行人可以查询 (第八条)",
        seen_by_other_side=True,
    ),
    PartyRequestKind.OBJECTION: RequestRule(
        "执行异议",
        BOTH,
        ("upheld", "dismissed"),
        LegalDuration(amount=15, unit=_DAYS),
        "民事诉讼法第二百三十六条: 自收到书面异议之日起十五日内审查",
    ),
    PartyRequestKind.DISHONEST_REQUEST: RequestRule(
        "申请纳入失信名单",
        frozenset({PartySide.APPLICANT}),
        ("accept", "refuse"),
        LegalDuration(amount=15, unit=_DAYS),
        "失信规定第五条: 收到申请之日起十五日内审查决定",
    ),
    PartyRequestKind.DISHONEST_CORRECTION: RequestRule(
        "申请纠正失信信息",
        frozenset({PartySide.DEBTOR}),
        ("accept", "refuse"),
        LegalDuration(amount=15, unit=_DAYS),
        "失信规定第十一条: 收到申请之日起十五日内审查, 理由成立的三个工作日内纠正",
    ),
}
REPLY = "reply"  # the judge's answer to a message (kept on record, changes nothing)


def answer_due(kind: PartyRequestKind, filed_at: datetime, calendar: HolidayCalendar | None = None) -> date | None:
    """The last day the court answers a request filed at ``filed_at`` (the filing day not counted; a last
    day on a rest day rolls forward, CPL Art 85); None where the law sets no period."""
    period = RULES[kind].period
    if period is None:
        return None
    start = datetime.combine(filed_at.astimezone(CHINA_TZ).date(), time(0), tzinfo=CHINA_TZ)
    return (calendar or HolidayCalendar.load()).due(start, period).due_at.date()
