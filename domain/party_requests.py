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


def places_by_digest(index: Iterable[tuple[str, str]]) -> dict[str, list[tuple[str, int]]]:
    """Each party's (side, place from 1) in the case's lists, from the party index's (digest, role) rows in
    the order they were written — the order the case names its parties: a personal notice is addressed to
    one party by place (``debtor-2``)."""
    counted: dict[str, int] = {}
    places: dict[str, list[tuple[str, int]]] = {}
    for digest, role in index:
        counted[role] = counted.get(role, 0) + 1
        (side,) = sides_of([role])
        places.setdefault(digest, []).append((str(side), counted[role]))
    return places


class PartyRequestKind(StrEnum):
    MESSAGE = "message"  # 留言: to the judge, on record
    LEAD = "lead"  # 财产线索
    PROPERTY_REPORT = "property-report"  # 报告财产 (报告财产令), in Art 5's structure (domain/property_report.py)
    PROPERTY_SUPPLEMENT = "property-supplement"  # 补充报告财产: a change after the report, within 10 days (Art 7)
    OBJECTION = "objection"  # 执行异议
    DISHONEST_REQUEST = "dishonest-request"  # 申请将被执行人纳入失信名单
    DISHONEST_CORRECTION = "dishonest-correction"  # 申请纠正失信信息
    RESUME = "resume"  # 申请恢复执行
    INSTALMENTS = "instalments"  # 分期履行申请: the debtor proposes, the applicant agrees, the judge records
    AGENCY = "agency"  # 委托代理: a lawyer's power of attorney, for the judge to confirm


@dataclass(frozen=True)
class RequestRule:
    title: str
    filers: frozenset[PartySide]
    answers: tuple[str, ...]  # what the judge may answer; empty: kept on record, the judge may reply
    period: LegalDuration | None
    basis: str
    seen_by_other_side: bool = False  # §19.4: the other side never sees a party's leads or messages
    special_authority: bool = False  # 特别授权: an agent files it only with special authority (执行工作规定 Art 20)
    on_closed_case: frozenset[str] = frozenset()  # closing modes after which it may still be filed


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
        ("acknowledge", "sanction"),  # SANCTION, below
        None,
        "财产调查规定第五条至第九条; 申请执行人可以查询 (第八条)",
        seen_by_other_side=True,
    ),
    PartyRequestKind.PROPERTY_SUPPLEMENT: RequestRule(
        "补充报告财产",
        frozenset({PartySide.DEBTOR}),
        ("acknowledge", "sanction"),
        None,
        "财产调查规定第七条: 报告财产后财产情况发生变动, 影响申请执行人债权实现的, 应当自财产变动之日起十日内补充报告;"
        " 第十一条: 终结本次执行程序后仍应补充报告",
        seen_by_other_side=True,
        on_closed_case=frozenset({"current-procedure-ended"}),
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
    PartyRequestKind.RESUME: RequestRule(
        "申请恢复执行",
        frozenset({PartySide.APPLICANT}),
        ("accept", "refuse"),
        LegalDuration(amount=7, unit=_DAYS),
        "民诉法解释第五百一十七条: 终结本次执行程序后发现财产的, 可以再次申请执行, 不受申请执行时效期间的限制;"
        " 执行和解规定第九条: 被执行人不履行和解协议的, 申请执行人可以申请恢复执行原生效法律文书"
        " (民事诉讼法第二百五十条: 自和解协议约定履行期间的最后一日起二年内); 执行工作规定第十六条: 七日内立案",
        on_closed_case=frozenset({"current-procedure-ended"}),
    ),
    PartyRequestKind.INSTALMENTS: RequestRule(
        "申请分期履行",
        frozenset({PartySide.DEBTOR}),
        ("settle", "refuse"),
        None,
        "执行和解规定第一条、第二条: 当事人自愿达成和解协议的, 可以中止执行; 须经申请执行人同意",
        seen_by_other_side=True,
        special_authority=True,
    ),
    PartyRequestKind.AGENCY: RequestRule(
        "委托代理",
        BOTH,
        ("confirm", "refuse"),
        None,
        "民事诉讼法第六十二条、执行工作规定第二十条: 委托他人代理的, 应当提交授权委托书;"
        " 代理人代为放弃、变更民事权利, 或代为进行执行和解, 或代为收取执行款项的, 应当有委托人的特别授权",
    ),
}
REPORTS = frozenset({PartyRequestKind.PROPERTY_REPORT, PartyRequestKind.PROPERTY_SUPPLEMENT})  # carry a report
REPLY = "reply"
# A lawyer or other agent (诉讼代理人) acts for the side of the party who appointed them, once the judge has
# confirmed the power of attorney; a kind marked ``special_authority`` needs the special authority too.
AGENT_ROLE_PREFIX = "agent-of-"
SANCTION = "sanction"  # the judge's answer to a late, refused or false property report (report_sanctions)
SETTLE = "settle"  # the judge records the instalments the applicant agreed to: a settlement matter starts
SETTLEMENT_MATTER = "settlement"  # the matter (执行和解) whose breach lets the applicant apply to resume (Art 9)


def may_file(kind: PartyRequestKind, closed_mode: str | None, settlement_breached: bool = False) -> bool:
    """Whether the kind may be filed on a case closed in ``closed_mode`` (None: the case is open). A message
    may always be left; a resumption is applied for after 终本, or on an open case whose settlement the debtor
    has not performed (执行和解规定 Art 9: ``settlement_breached``); anything else only while the case is open."""
    if kind is PartyRequestKind.RESUME and closed_mode is None:
        return settlement_breached
    if kind is PartyRequestKind.MESSAGE or closed_mode is None:
        return True
    return closed_mode in RULES[kind].on_closed_case


# the judge's answer to a message (kept on record, changes nothing)


def answer_due(kind: PartyRequestKind, filed_at: datetime, calendar: HolidayCalendar | None = None) -> date | None:
    """The last day the court answers a request filed at ``filed_at`` (the filing day not counted; a last
    day on a rest day rolls forward, CPL Art 85); None where the law sets no period."""
    period = RULES[kind].period
    if period is None:
        return None
    start = datetime.combine(filed_at.astimezone(CHINA_TZ).date(), time(0), tzinfo=CHINA_TZ)
    return (calendar or HolidayCalendar.load()).due(start, period).due_at.date()
