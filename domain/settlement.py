"""Settlement in enforcement (执行和解): the instalment schedule, which instalment stands how, when the
applicant may have enforcement resumed, and what is enforced on resumption. Pure rules on plain values.

Law (DOMAIN.md §16; articles of 执行和解规定 are [S], read in secondary sources):

* CPL 2023 Art. 241: the parties may settle during enforcement; if one party does not perform the
  settlement, the other may apply to resume enforcement of the original title.
* 执行和解规定 (法释〔2018〕3号, amended 2020) Arts. 2–3: the agreement may suspend enforcement (中止执行);
  measures already taken stay in force or are released as the parties agree.
* Art. 11: the court does not resume while the performance period has not yet come or the debtor is
  performing. Art. 17: on resumption, what the applicant obtained under the agreement is deducted.
* CPL 2023 Art. 250 with §16.1: the two-year period to apply runs from the last day of the performance
  period fixed in the agreement (the last instalment's due date).
* Art. 18: where a guarantor guaranteed the settlement and undertook to the court to accept direct
  enforcement, the court may enforce against the guarantor's property on the applicant's application.
* 民法典 Art. 561: a partial payment goes to the costs of realising the claim first, then principal.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.legal_time import add_months
from domain.money import PositiveFen


class Instalment(BaseModel):
    """One instalment of the agreement (分期履行): how much, due by the end of which day."""

    due_on: date = Field(description="履行期限 (this day included)")
    amount_fen: PositiveFen = Field(description="本期金额 (fen)")


class InstalmentState(StrEnum):
    UPCOMING = "upcoming"  # not yet due
    PAID = "paid"  # covered in full
    PARTIAL = "partial"  # due and passed, covered in part
    MISSED = "missed"  # due and passed, nothing towards it


class InstalmentView(BaseModel):
    """An instalment as the case shows it."""

    number: int
    due_on: date
    amount_fen: int
    received_fen: int
    state: InstalmentState


def schedule_problem(instalments: Sequence[Instalment], signed_on: date | None = None) -> str | None:
    """Why a schedule cannot be recorded, or None: at least one instalment, due dates strictly later
    one after another, none before the agreement was signed."""
    if not instalments:
        return "instalments: the agreement names at least one instalment"
    for before, after in itertools.pairwise(instalments):
        if after.due_on <= before.due_on:
            return f"instalments: due dates must increase ({after.due_on} is not after {before.due_on})"
    if signed_on is not None and instalments[0].due_on < signed_on:
        return f"instalments: the first instalment is due before the agreement was signed ({signed_on})"
    return None


def total_fen(instalments: Sequence[Instalment]) -> int:
    return sum(i.amount_fen for i in instalments)


def last_due(instalments: Sequence[Instalment]) -> date:
    """The last day of the agreement's performance period: the resumption period runs from here
    (CPL 2023 Art. 250, DOMAIN.md §16.1)."""
    return instalments[-1].due_on


def instalment_views(instalments: Sequence[Instalment], paid_fen: int, settled: int) -> list[InstalmentView]:
    """Each instalment's state when ``paid_fen`` has been paid in all and the first ``settled``
    instalments' watches are over. Payments meet the instalments in their order (an early payment
    counts towards the next one due), so instalment *n* is covered once the total paid reaches the sum
    due through *n*."""
    views: list[InstalmentView] = []
    due_through = 0
    for n, inst in enumerate(instalments, start=1):
        before = due_through
        due_through += inst.amount_fen
        paid_here = min(max(paid_fen - before, 0), inst.amount_fen)
        if paid_here == inst.amount_fen:
            state = InstalmentState.PAID
        elif n > settled:
            state = InstalmentState.UPCOMING
        else:
            state = InstalmentState.PARTIAL if paid_here else InstalmentState.MISSED
        views.append(
            InstalmentView(
                number=n, due_on=inst.due_on, amount_fen=inst.amount_fen, received_fen=paid_here, state=state
            )
        )
    return views


def outstanding_on(instalments: Sequence[Instalment], number: int, paid_fen: int) -> int:
    """What is still to be paid towards instalment ``number`` (1-based)."""
    due_through = total_fen(instalments[:number])
    return max(min(due_through - paid_fen, instalments[number - 1].amount_fen), 0)


def in_default(views: Sequence[InstalmentView]) -> bool:
    """An instalment whose time has passed is not covered: the debtor did not perform (CPL Art. 241)."""
    return any(v.state in (InstalmentState.MISSED, InstalmentState.PARTIAL) for v in views)


def resumption_problem(
    views: Sequence[InstalmentView], now: datetime, period_ends: datetime | None, repudiation: str = ""
) -> str | None:
    """Why the court may not resume enforcement now, or None (执行和解规定 Art. 11; CPL Art. 250). Where the
    debtor has made clear by words or conduct that it will not perform (预期违约, 民法典 Art. 578) —
    ``repudiation`` states the facts — the applicant need not wait for an instalment to fall due."""
    if all(v.state is InstalmentState.PAID for v in views):
        return "resume: the agreement is performed in full; there is nothing to resume (执行和解规定 Art. 11(1))"
    if not in_default(views) and not repudiation.strip():
        return (
            "resume: no instalment is in default — the court does not resume while an instalment is not yet "
            "due or is being performed (执行和解规定 Art. 11(2)(3))"
        )
    if period_ends is not None and now > period_ends:
        return (
            f"resume: the period to apply ended on {period_ends.date().isoformat()} "
            "(two years from the last due date of the agreement, CPL Art. 250)"
        )
    return None


class ResumedClaim(BaseModel):
    """What the original title still claims once the performed part is deducted (Art. 17)."""

    owed_fen: int
    costs_fen: int

    @property
    def total_fen(self) -> int:
        return self.owed_fen + self.costs_fen


def resumed_claim(owed_fen: int, costs_fen: int, paid_fen: int) -> ResumedClaim:
    """The original claim less what was paid under the agreement; payments meet the costs first, then
    the principal (民法典 Art. 561)."""
    to_costs = min(paid_fen, costs_fen)
    to_owed = min(paid_fen - to_costs, owed_fen)
    return ResumedClaim(owed_fen=owed_fen - to_owed, costs_fen=costs_fen - to_costs)


def guarantor_problem(guarantors: Sequence[tuple[str, bool]]) -> str | None:
    """Art. 18: enforcing against a guarantor needs the guarantor's undertaking to the court to accept
    direct enforcement; ``guarantors`` are (name, undertook) pairs."""
    if not guarantors:
        return "payload.against_guarantor: the agreement has no guarantee (执行和解规定 第十八条)"
    missing = [name for name, undertook in guarantors if not undertook]
    if missing:
        return (
            f"payload.against_guarantor: {', '.join(missing)} 未向法院承诺自愿接受直接强制执行, 不得直接执行其财产 "
            "(执行和解规定 第十八条) / no undertaking to accept direct enforcement"
        )
    return None


def guarantor_claim(claim: ResumedClaim, cap_fen: int) -> int:
    """What is enforced against the guarantor: the unpaid claim, up to the guarantee's cap (0 = no cap)
    (执行和解规定 Art. 18)."""
    return claim.total_fen if cap_fen == 0 else min(claim.total_fen, cap_fen)


class BookedCredit(BaseModel):
    """One line of the case account's statement (入账流水): what the bank booked, under its serial number."""

    reference: str
    amount_fen: int
    received_on: date


def credit_notice_problem(
    *,
    amount_fen: int,
    received_on: date,
    references: Sequence[str],
    instalment: int | None,
    watching: int,
    statement: Sequence[BookedCredit],
    counted: set[str],
    today: date,
) -> str | None:
    """Why a bank's credit notice (到账通知) cannot count, as ``CODE: message``; None when it can. A credit
    counts when the case account's statement shows it: every serial number quoted is booked, none counted
    before, the amounts add up to the notice and its date is the latest of theirs (and not in the future);
    a notice naming another instalment than the one watched is not booked to this one. What cannot count
    goes to the judge, who may confirm the payment herself (RecordPayment)."""
    booked = {line.reference: line for line in statement}
    if not references:
        return "CREDIT_WITHOUT_REFERENCE: 到账通知未注明银行流水号 / the notice quotes no serial number"
    missing = [r for r in references if r not in booked]
    if missing:
        return f"CREDIT_NOT_ON_STATEMENT: 流水 {', '.join(missing)} 不在案款账户入账流水中 / not on the statement"
    again = [r for r in references if r in counted]
    if again:
        return f"CREDIT_ALREADY_COUNTED: 流水 {', '.join(again)} 已计入 / counted before"
    total = sum(booked[r].amount_fen for r in references)
    if total != amount_fen:
        return f"CREDIT_AMOUNT_MISMATCH: 通知 {amount_fen} 分, 入账流水 {total} 分 / the bank booked {total}"
    latest = max(booked[r].received_on for r in references)
    if received_on != latest or received_on > today:
        return f"CREDIT_DATE_MISMATCH: 通知到账日 {received_on.isoformat()}, 入账流水 {latest.isoformat()}"
    if instalment is not None and instalment != watching:
        return (
            f"CREDIT_OTHER_INSTALMENT: 通知为第{instalment}期款项, 不得计入第{watching}期 / not instalment {watching}'s"
        )
    return None


class SuspensionRule(StrEnum):
    """Which text governs an obstacle in the last six months of the period to apply (DOMAIN §17.2: the
    two conflict; CPL Art. 250 refers to the limitation law, so the 民法典 is the default)."""

    CIVIL_CODE = "civil-code"  # 民法典 Art. 194: the period ends six months after the obstacle ends
    ENFORCEMENT_INTERPRETATION = "enforcement-interpretation"  # 执行程序解释 Art. 19: the rest runs on after it


class Obstacle(BaseModel):
    """Force majeure or another obstacle to applying (不可抗力或者其他障碍), from one day to another."""

    started_on: date
    ended_on: date


SUSPENSION_WINDOW_MONTHS = 6  # 民法典 Art. 194 / 执行程序解释 Art. 19: the last six months of the period


def application_period_ends(
    runs_from: date,
    interruptions: Sequence[date] = (),
    obstacles: Sequence[Obstacle] = (),
    rule: SuspensionRule = SuspensionRule.CIVIL_CODE,
    years: int = 2,
) -> date:
    """The last day to apply to resume (CPL Art. 250: two years from the last due date). An interruption
    before the end — a demand, the debtor agreeing to perform (执行程序解释 Art. 20; 民法典 Art. 195) —
    restarts the period from its day. An obstacle within the last six months suspends it: under the
    民法典 (the default) the period ends six months after the obstacle ends; under 执行程序解释 Art. 19
    the days it took from those six months are added back. Counting per 民法典 Arts. 201–203."""
    end = add_months(runs_from, 12 * years)
    for event in sorted(interruptions):
        if runs_from < event <= end:
            end = add_months(event, 12 * years)
    for obstacle in sorted(obstacles, key=lambda o: o.started_on):
        window_starts = add_months(end, -SUSPENSION_WINDOW_MONTHS)
        if obstacle.ended_on < window_starts or obstacle.started_on > end:
            continue  # not within the last six months
        if rule is SuspensionRule.CIVIL_CODE:
            end = max(end, add_months(obstacle.ended_on, SUSPENSION_WINDOW_MONTHS))
        else:
            lost = (min(obstacle.ended_on, end) - max(obstacle.started_on, window_starts)).days
            end = date.fromordinal(end.toordinal() + lost)
    return end


def interruption_problem(on: date, runs_from: date, today: date) -> str | None:
    """An interruption (执行程序解释 Art. 20; 民法典 Art. 195: a demand, the debtor agreeing to perform)
    counts only on a day after the period began and not later than today."""
    if on > today:
        return "payload.on: 中断事由不得发生于今日之后 / an interruption cannot be in the future"
    if on <= runs_from:
        return (
            f"payload.on: 期间自 {runs_from.isoformat()} 起算, 此前的事由不中断 / the period runs from "
            f"{runs_from.isoformat()}; nothing before it interrupts it (民法典 第一百九十五条)"
        )
    return None


def obstacle_problem(obstacle: Obstacle, today: date) -> str | None:
    """An obstacle (不可抗力或者其他障碍) is recorded once it has ended, from one day to a later one."""
    if obstacle.ended_on < obstacle.started_on:
        return "payload.ended_on: 障碍消除之日不得早于发生之日 / the obstacle ends after it starts"
    if obstacle.ended_on > today:
        return "payload.ended_on: 障碍消除后方可登记 / record an obstacle once it has ended"
    return None


def performance_problem(paid_fen: int, agreed_fen: int) -> str | None:
    """履行完毕 is the judge's finding on the ledger: only when what was received reaches what was agreed
    (失信规定 Art. 10(2), 限消规定 Art. 9: the lifts follow it; DOMAIN §17.6 执行完毕)."""
    if paid_fen < agreed_fen:
        return (
            f"confirm: 已履行 {paid_fen} 分, 未达和解金额 {agreed_fen} 分, 不能确认履行完毕 / "
            f"{paid_fen} of {agreed_fen} fen received: not performed"
        )
    return None
