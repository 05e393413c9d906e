"""Closing the current enforcement procedure (终结本次执行程序, 终本) and its five-year watch.

Source: 最高人民法院关于严格规范终结本次执行程序的规定（试行） (法〔2016〕373号), as quoted in DOMAIN.md
§5.1 [S] (secondary sources; the primary text was not read):

- Art. 1: the court closes the current procedure only when all of these hold — the enforcement notice
  was served and the debtor ordered to report property; a consumption restriction was issued and a
  debtor who qualifies was entered on the dishonest list; every property-investigation measure was
  exhausted without finding property that can be enforced (or what was found cannot be disposed of);
  **more than three months** have passed since the case was filed; a debtor whose whereabouts are
  unknown was searched for, and obstruction was met with the coercive measures the law provides.
- Art. 9: for **five years** after closure the court queries the debtor's property through the network
  query-and-control system **every six months** and tells the applicant the result; where property is
  found the court resumes enforcement (恢复执行). The applicant may apply to resume when it finds
  property, unbound by the limitation period for applying.
- Art. 5: before closing, the court tells the applicant how enforcement went, what was investigated, what
  the debtor owns and what closing means, and hears the applicant's opinion, which goes on the file.
- Art. 9 para 1: a lead the court verified (核查属实) resumes enforcement, whatever the network finds.
- Art. 12: within 7 days of serving the ruling on the applicant, the case enters the SPC's 终本 database
  (published); Art. 16: it is withdrawn (屏蔽) within 3 days once the obligation is performed in full, the
  enforcement terminated or refused, or the debtor's bankruptcy accepted.
- Art. 16's grounds are data here (``DatabaseRemovalGround``): performance in full — a settlement performed in
  full among it (执行完毕, DOMAIN §17.6) —, termination (终结执行), non-enforcement of the title (不予执行), the
  debtor's bankruptcy accepted (执行工作规定 Art. 61; 民诉法解释 Art. 513). A wrong entry is corrected, or
  deleted where the case should not be in the database at all, as its own act (``DatabaseCorrection``; Art.
  14 as issue 22 names it — the primary text was not read, so the article is [S] like the rest).
- Art. 17: obstruction after closing is still fined or detained (the CPL's caps, as for any obstruction).
- 财产调查规定 Art. 2 [V]: a specific lead from the applicant is checked within 7 days (3 if urgent).

The periods are versioned legal parameters (``legal_params.json``, keys ``closure.*``, tag S: effective
2016-12-01 as the secondary sources give it); the constants below are the values runs recorded before the
parameters carry (their input has none).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from domain.assets import AssetKind, AssetStatus
from domain.legal_params import LegalParams, ParamTable, load_table
from domain.legal_time import LegalDuration, TimeUnit, add_months

INSTRUMENT = "终本规定 (法〔2016〕373号)"
MIN_SINCE_FILING = LegalDuration(amount=3, unit=TimeUnit.MONTH)  # Art. 1(四): 超过三个月
REINQUIRY_INTERVAL = LegalDuration(amount=6, unit=TimeUnit.MONTH)  # Art. 9: 每六个月
WATCH_PERIOD = LegalDuration(amount=5, unit=TimeUnit.YEAR)  # Art. 9: 五年内
LEAD_CHECK = LegalDuration(amount=7, unit=TimeUnit.CALENDAR_DAY)  # 财产调查规定 Art. 2
URGENT_LEAD_CHECK = LegalDuration(amount=3, unit=TimeUnit.CALENDAR_DAY)


class ClosureParam(StrEnum):
    """The keys of ``legal_params.json`` this module reads (终本规定 2016)."""

    MIN_SINCE_FILING = "closure.min_since_filing"  # Art. 1(四)
    REINQUIRY_INTERVAL = "closure.reinquiry_interval"  # Art. 9
    WATCH_PERIOD = "closure.watch_period"  # Art. 9
    DATABASE_ENTRY = "closure.database_entry"  # Art. 12: 七日内录入终本案件信息库
    DATABASE_REMOVAL = "closure.database_removal"  # Art. 16: 三日内屏蔽


class ClosurePeriods(BaseModel):
    """The watch's periods as one value: from the parameters in force, or the recorded runs' constants."""

    min_since_filing: LegalDuration = MIN_SINCE_FILING
    reinquiry_interval: LegalDuration = REINQUIRY_INTERVAL
    watch_period: LegalDuration = WATCH_PERIOD
    database_entry: LegalDuration = LegalDuration(amount=7, unit=TimeUnit.CALENDAR_DAY)
    database_removal: LegalDuration = LegalDuration(amount=3, unit=TimeUnit.CALENDAR_DAY)

    @property
    def rounds(self) -> int:
        """How many scheduled inquiries the watch makes (Art. 9: every six months within five years: ten)."""
        months = {TimeUnit.YEAR: 12, TimeUnit.MONTH: 1}
        return (self.watch_period.amount * months[self.watch_period.unit]) // (
            self.reinquiry_interval.amount * months[self.reinquiry_interval.unit]
        )


@functools.cache
def _table() -> ParamTable:
    return load_table()


def closure_periods_at(on: date) -> ClosurePeriods:
    """The 终本 periods in force on ``on``; called at start, outside workflow code (reads the table)."""
    params: LegalParams = _table().at(on, required=tuple(ClosureParam))
    return ClosurePeriods(
        min_since_filing=params.duration(ClosureParam.MIN_SINCE_FILING),
        reinquiry_interval=params.duration(ClosureParam.REINQUIRY_INTERVAL),
        watch_period=params.duration(ClosureParam.WATCH_PERIOD),
        database_entry=params.duration(ClosureParam.DATABASE_ENTRY),
        database_removal=params.duration(ClosureParam.DATABASE_REMOVAL),
    )


class ClosureApproval(StrEnum):
    """民诉法解释 Art. 517: after the property investigation finds nothing, 终本 may be ruled once the applicant
    has signed to confirm it (签字确认), or once a panel has reviewed it and the president approved (合议庭审查核实
    并经院长批准). Nothing else closes the current procedure."""

    APPLICANT_SIGNATURE = "applicant-signature"
    PRESIDENT = "president"


ART_517 = "民诉法解释 第五百一十七条"
SIGNATURE_OR_APPROVAL_REQUIRED = "CLOSURE_SIGNATURE_OR_APPROVAL_REQUIRED"


class ClosureChecklist(BaseModel):
    """The judge's checklist of 终本规定 Art. 1, ticked item by item, and the ruling that closes."""

    notice_served: bool = Field(
        default=False, description="Art. 1(一): enforcement notice served, debtor ordered to report property"
    )
    consumption_order_issued: bool = Field(
        default=False, description="Art. 1(二): consumption restriction issued; dishonest list where it applies"
    )
    investigation_exhausted: bool = Field(
        default=False, description="Art. 1(三): every investigation measure taken; nothing enforceable found"
    )
    whereabouts_and_obstruction: bool = Field(
        default=False, description="Art. 1(五): missing debtor searched for; obstruction met with coercive measures"
    )
    applicant_heard: bool = Field(
        default=False, description="Art. 5: 已告知申请执行人执行情况及终本的依据和后果, 并听取其意见"
    )
    applicant_opinion: str = Field(default="", max_length=1000, description="Art. 5: 申请执行人的意见 (记录入卷)")
    ruling_number: str = Field(min_length=4, max_length=60, description="终本裁定书文号")
    approval: ClosureApproval = Field(
        default=ClosureApproval.PRESIDENT,
        description="民诉法解释 Art. 517: applicant-signature (申请执行人已在线签字确认) | "
        "president (合议庭评议, 报院长批准)",
    )


# Art. 1's items the checklist must tick, with the words of the refusal when one is missing.
_ITEMS: dict[str, str] = {
    "notice_served": "执行通知、报告财产令未发出 / enforcement notice and report order (Art. 1(一))",
    "consumption_order_issued": "未发出限制消费令或未依法纳入失信名单 / consumption restriction (Art. 1(二))",
    "investigation_exhausted": "财产调查措施未穷尽 / investigation not exhausted (Art. 1(三))",
    "whereabouts_and_obstruction": "未依法查找被执行人或处置妨害执行 / search and coercive measures (Art. 1(五))",
    "applicant_heard": "未告知申请执行人并听取其意见 / the applicant was not told and heard (Art. 5)",
}


def closure_problems(
    checklist: ClosureChecklist, filed_on: date, closing_on: date, periods: ClosurePeriods | None = None
) -> list[str]:
    """What stands in the way of closing on ``closing_on`` (empty: the procedure may close)."""
    problems = [words for item, words in _ITEMS.items() if not getattr(checklist, item)]
    if checklist.applicant_heard and not checklist.applicant_opinion.strip():
        problems.append("applicant_opinion: 申请执行人的意见应当记录入卷 (第五条) / record the applicant's opinion")
    earliest = earliest_closure(filed_on, periods or ClosurePeriods())
    if closing_on < earliest:
        problems.append(
            f"立案未满三个月, 最早于 {earliest.isoformat()} 终本 / less than three months since filing "
            f"(Art. 1(四)): the earliest closing day is {earliest.isoformat()}"
        )
    return problems


def earliest_closure(filed_on: date, periods: ClosurePeriods | None = None) -> date:
    """The first day on which more than three months have passed since filing (Art. 1(四)): the day
    after the three months end (the filing day itself is not counted, CPL Art. 85)."""
    months = (periods or ClosurePeriods()).min_since_filing
    assert months.unit is TimeUnit.MONTH
    return date.fromordinal(add_months(filed_on, months.amount).toordinal() + 1)


def lead_resumption_problem(found_on_network: bool, lead_verified: bool) -> str | None:
    """Art. 9 para 1: 执行法院核查属实的, 应当恢复执行 — on a lead the court resumes when it verified the lead,
    whether or not the network inquiry found it; without either there is nothing to resume on."""
    if found_on_network or lead_verified:
        return None
    return (
        "lead_verified: 网络查控未发现可供执行财产; 线索经核查属实方可恢复执行 (终本规定 第九条第一款) / "
        "resume on a lead only once the court verified it"
    )


class DatabaseRemovalGround(StrEnum):
    """Why a closed case leaves the 终本 database (屏蔽, 终本规定 Art. 16 [S]), within 3 days of the ground."""

    PERFORMED = "performed"  # (一) 生效法律文书确定的义务执行完毕
    SETTLEMENT_PERFORMED = "settlement-performed"  # (一) 执行和解协议履行完毕 (执行完毕, DOMAIN §17.6)
    # The items after (一) are named by their content, not numbered: the text was read only second-hand [S].
    TERMINATED = "terminated"  # 依法裁定终结执行
    NOT_ENFORCED = "not-enforced"  # 依法裁定不予执行
    BANKRUPTCY_ACCEPTED = "bankruptcy-accepted"  # 被执行人破产申请被受理 (执行工作规定 第六十一条)


DATABASE_REMOVAL_BASIS: dict[DatabaseRemovalGround, str] = {
    DatabaseRemovalGround.PERFORMED: "终本规定 第十六条第(一)项",
    DatabaseRemovalGround.SETTLEMENT_PERFORMED: "终本规定 第十六条第(一)项; 执行和解规定 (和解协议履行完毕)",
    DatabaseRemovalGround.TERMINATED: "终本规定 第十六条 (依法裁定终结执行)",
    DatabaseRemovalGround.NOT_ENFORCED: "终本规定 第十六条 (依法裁定不予执行)",
    DatabaseRemovalGround.BANKRUPTCY_ACCEPTED: "终本规定 第十六条; 执行工作规定 第六十一条; 民诉法解释 第五百一十三条",
}


class DatabaseRemoval(BaseModel):
    """The judge withdraws the closed case from the 终本 database on an Art. 16 ground: the watch ends."""

    ground: DatabaseRemovalGround = Field(description="屏蔽事由 (终本规定 第十六条)")
    document_ref: str = Field(min_length=3, max_length=100, description="裁定书或受理破产申请裁定的文号")
    ground_arose_on: date = Field(description="事由发生之日 (裁定生效、履行完毕、破产受理之日): 3 日自此起算")


class DatabaseCorrection(BaseModel):
    """A wrong entry in the 终本 database (Art. 14 as issue 22 names it [S]): corrected, or deleted when the case
    should not be there at all. The ruling itself stands — a wrong ruling is for the objection procedure."""

    error: str = Field(min_length=2, max_length=500, description="错误之处")
    correction: str = Field(default="", max_length=500, description="更正后的内容 (删除的, 可留空)")
    delete: bool = Field(default=False, description="不应录入, 删除该案件信息")


def database_removal_problem(arose_on: date, closed_on: date, today: date) -> str | None:
    """The ground of an Art. 16 withdrawal arose after closing (before it the case was never in the database)
    and not in the future."""
    if arose_on > today:
        return "ground_arose_on: 屏蔽事由发生日不得晚于今日 / the ground cannot arise in the future"
    if arose_on < closed_on:
        return (
            f"ground_arose_on: 事由发生日不得早于终本之日 {closed_on.isoformat()} (终本规定 第十六条) / "
            "before the case entered the database"
        )
    return None


def database_correction_problem(correction: DatabaseCorrection) -> str | None:
    """A correction states what replaces the error; a deletion needs none."""
    if not correction.delete and not correction.correction.strip():
        return "correction: 写明更正后的内容, 或选择删除 / state the corrected content, or delete the entry"
    return None


def is_executable(kind: str, status: str, available_fen: int | None) -> bool:
    """An asset the court can act on: in normal standing, and for funds a balance not yet frozen."""
    if status != AssetStatus.NORMAL.value:
        return False
    if AssetKind(kind).is_funds:
        return (available_fen or 0) > 0
    return True


def hits(report: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reported assets (public views: reference masked) that can be enforced: a hit offers
    resumption (恢复执行) to the judge."""
    return [r for r in report if is_executable(str(r["kind"]), str(r["status"]), r.get("available_fen"))]
