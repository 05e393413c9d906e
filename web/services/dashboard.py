"""The command centre (执行指挥中心 看板): 业务可视、轨迹可循、绩效可见 over the courts a user reads.

- open agency tasks by agency, counted green / yellow / red / overdue (from the inbox projection);
- the 绩效 index: each agency's average feedback time in working days over the last 30 days, from a task's
  ``assigned_at`` to its completion (the projection's last write of a completed row — the web writes it
  the moment the agency's completion is accepted, so it is the completion time to within a request);
- cases by scenario and status (Temporal visibility, within the user's courts);
- payouts in progress with their percentage paid (each running mass payout's status query).

Supervisors see every court of theirs, a judge (or approver, auditor) their own. Nothing here reveals a
party: agencies, case numbers, scenario and status words and counts only.
"""

from __future__ import annotations

import asyncio
import io
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus

from config.settings import Settings
from domain.actors import Actor
from domain.calendar import HolidayCalendar
from domain.legal_time import CHINA_TZ
from domain.spreadsheet import safe_writer
from domain.tasks import TaskState
from runtime.temporal import COURT, SCENARIO, STATUS
from store.db import Database, utcnow
from store.tasks import OPEN_STATES, InboxTask
from web.services import incidents, payment_refunds, register
from web.services.access import READERS, courts_clause, require_role
from web.services.directory import directory
from web.services.payment_refunds import RefundItem
from web.services.workflow_detail import QUERY_TIMEOUT
from web.services.workflow_list import quote
from web.services.workflow_views import IncidentView
from workflows.foundation.messages import STATUS_QUERY
from workflows.foundation.models import ScenarioStatus

PERFORMANCE_WINDOW = timedelta(days=30)
# Visibility is paged through for the case counts; beyond this many cases the counts say they are partial.
MAX_CASES_COUNTED = 20_000
MAX_PAYOUTS_SHOWN = 50
PAYOUT_SCENARIO = "mass-payout"


class AgencyLoad(BaseModel):
    """One agency's open tasks (开放事项) by SLA mark; ``overdue`` counts past the due date whatever the mark."""

    agency: str
    name: str
    green: int = 0
    yellow: int = 0
    red: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.green + self.yellow + self.red


class AgencyPerformance(BaseModel):
    """绩效: completed tasks in the window and their average feedback time in working days."""

    agency: str
    name: str
    completed: int
    average_working_days: float


class CaseCount(BaseModel):
    scenario: str
    status: str
    count: int


class PayoutProgress(BaseModel):
    workflow_id: str
    case_number: str
    court: str
    status: str
    payees: int
    paid_count: int
    total_fen: int
    paid_fen: int
    percent_paid: float


class Dashboard(BaseModel):
    courts: list[str]
    generated_at: datetime
    window_days: int
    agencies: list[AgencyLoad]
    performance: list[AgencyPerformance]
    cases: list[CaseCount]
    cases_partial: bool
    payouts: list[PayoutProgress]
    incidents: list[IncidentView] = Field(
        default_factory=list,
        description="cases cancelled, terminated or reset outside the web (web/services/incidents.py)",
    )
    payment_refunds: list[RefundItem] = Field(
        default_factory=list,
        description="paid online after the case ended, waiting for a judge's refund (web/services/payment_refunds.py)",
    )


SECTIONS = ("agencies", "performance", "cases", "payouts")


def working_days_between(calendar: HolidayCalendar, start: datetime, end: datetime) -> int:
    """Working days after ``start``'s day up to and including ``end``'s day (China dates): a task answered
    on the day it came is 0, one answered the next working day 1."""
    first, last = start.astimezone(CHINA_TZ).date(), end.astimezone(CHINA_TZ).date()
    days, d = 0, first
    while d < last:
        d += timedelta(days=1)
        if calendar.is_working_day(d):
            days += 1
    return days


def _names(settings: Settings) -> dict[str, str]:
    return {e.id: e.name for e in directory(settings)}


def task_sections(
    db: Database, courts: tuple[str, ...], now: datetime, names: dict[str, str]
) -> tuple[list[AgencyLoad], list[AgencyPerformance]]:
    """Open tasks by agency and mark, and each agency's 绩效, within ``courts``."""
    calendar = HolidayCalendar.load()
    with db.session() as s:
        grouped = s.execute(
            select(InboxTask.agency, InboxTask.mark, InboxTask.overdue, func.count())
            .where(InboxTask.state.in_(OPEN_STATES), InboxTask.court.in_(courts))
            .group_by(InboxTask.agency, InboxTask.mark, InboxTask.overdue)
        ).all()
        done = s.execute(
            select(InboxTask.agency, InboxTask.assigned_at, InboxTask.updated_at).where(
                InboxTask.state == TaskState.COMPLETED.value,
                InboxTask.court.in_(courts),
                InboxTask.updated_at >= now - PERFORMANCE_WINDOW,
            )
        ).all()
    loads: dict[str, AgencyLoad] = {}
    for agency, mark, overdue, n in grouped:
        load = loads.setdefault(agency, AgencyLoad(agency=agency, name=names.get(agency, agency)))
        if mark in ("green", "yellow", "red"):
            setattr(load, mark, getattr(load, mark) + n)
        if overdue:
            load.overdue += n
    spent: dict[str, list[int]] = {}
    for agency, assigned_at, completed_at in done:
        spent.setdefault(agency, []).append(working_days_between(calendar, assigned_at, completed_at))
    performance = [
        AgencyPerformance(
            agency=a, name=names.get(a, a), completed=len(v), average_working_days=round(sum(v) / len(v), 1)
        )
        for a, v in spent.items()
    ]
    return (
        sorted(loads.values(), key=lambda x: (-x.red, -x.overdue, -x.yellow, -x.total, x.agency)),
        sorted(performance, key=lambda p: (-p.average_working_days, p.agency)),
    )


async def _ours(
    client: Client, db: Database, query: str, courts: tuple[str, ...], page_size: int
) -> AsyncIterator[WorkflowExecution]:
    """The workflows visibility lists for ``query`` that the web started (or theirs), of ``courts`` by its
    register (web/services/register.py): a workflow a plain client started with our attributes counts nowhere."""
    batch: list[WorkflowExecution] = []

    async def kept() -> list[WorkflowExecution]:
        owners = await register.owners(db, [w.raw_info for w in batch])
        return [w for w in batch if w.id in owners and owners[w.id].court in courts]

    async for w in client.list_workflows(query, page_size=page_size):
        batch.append(w)
        if len(batch) >= page_size:
            for mine in await kept():
                yield mine
            batch = []
    for mine in await kept():
        yield mine


async def _case_counts(
    client: Client, db: Database, scope: str, courts: tuple[str, ...]
) -> tuple[list[CaseCount], bool]:
    counts: Counter[tuple[str, str]] = Counter()
    seen = 0
    async for w in _ours(client, db, f"{SCENARIO.name} IS NOT NULL AND {scope}", courts, 1000):
        attrs = w.typed_search_attributes
        # A case terminated, cancelled or failed keeps the status it last published (待法官决定 …): counted
        # by how it ended instead, never as pending.
        ended = w.status is not None and w.status not in (
            WorkflowExecutionStatus.RUNNING,
            WorkflowExecutionStatus.COMPLETED,
            WorkflowExecutionStatus.CONTINUED_AS_NEW,
        )
        status = w.status.name if ended and w.status is not None else attrs.get(STATUS) or ""
        counts[(attrs.get(SCENARIO) or "", status)] += 1
        seen += 1
        if seen >= MAX_CASES_COUNTED:
            break
    rows = [CaseCount(scenario=k[0], status=k[1], count=n) for k, n in counts.items()]
    return sorted(rows, key=lambda r: (r.scenario, -r.count, r.status)), seen >= MAX_CASES_COUNTED


async def _payouts(client: Client, db: Database, scope: str, courts: tuple[str, ...]) -> list[PayoutProgress]:
    query = f"{SCENARIO.name} = {quote(PAYOUT_SCENARIO)} AND ExecutionStatus = 'Running' AND {scope}"
    ids = []
    async for w in _ours(client, db, query, courts, MAX_PAYOUTS_SHOWN):
        if w.status is WorkflowExecutionStatus.RUNNING:
            ids.append((w.id, w.typed_search_attributes.get(COURT) or ""))
        if len(ids) >= MAX_PAYOUTS_SHOWN:
            break

    async def one(workflow_id: str, court: str) -> PayoutProgress | None:
        try:
            st = await client.get_workflow_handle(workflow_id).query(
                STATUS_QUERY, result_type=ScenarioStatus, rpc_timeout=QUERY_TIMEOUT
            )
        except Exception:  # a payout that ended or does not answer in time is left off this snapshot
            return None
        s = st.summary
        return PayoutProgress(
            workflow_id=workflow_id,
            case_number=st.case_number,
            court=court,
            status=st.status,
            payees=int(s.get("payees", 0)),
            paid_count=int(s.get("paid_count", 0)),
            total_fen=int(s.get("total_fen", 0)),
            paid_fen=int(s.get("paid_fen", 0)),
            percent_paid=float(s.get("percent_paid", 0.0)),
        )

    found = await asyncio.gather(*(one(i, c) for i, c in ids))
    return [p for p in found if p is not None]


async def build(db: Database, client: Client, settings: Settings, actor: Actor) -> Dashboard:
    """The command centre for ``actor``'s courts (a supervisor's set, a judge's one)."""
    require_role(actor, *READERS)
    courts = tuple(actor.courts)
    now = utcnow()
    scope = courts_clause(actor, COURT.name)
    if scope is None or not courts:
        return Dashboard(
            courts=[],
            generated_at=now,
            window_days=PERFORMANCE_WINDOW.days,
            agencies=[],
            performance=[],
            cases=[],
            cases_partial=False,
            payouts=[],
            incidents=[],
        )
    names = _names(settings)
    (agencies, performance), (cases, partial), payouts, found, refunds = await asyncio.gather(
        db.run(task_sections, db, courts, now, names),
        _case_counts(client, db, scope, courts),
        _payouts(client, db, scope, courts),
        incidents.incidents(client, db, actor),
        payment_refunds.pending(db, actor),
    )
    return Dashboard(
        courts=list(courts),
        generated_at=now,
        window_days=PERFORMANCE_WINDOW.days,
        agencies=agencies,
        performance=performance,
        cases=cases,
        cases_partial=partial,
        payouts=payouts,
        incidents=found,
        payment_refunds=refunds,
    )


def to_csv(board: Dashboard, section: str) -> str:
    """One section of the board as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    out.write("\ufeff")
    w = safe_writer(out)
    if section == "agencies":
        w.writerow(["agency", "name", "green", "yellow", "red", "overdue", "total"])
        for a in board.agencies:
            w.writerow([a.agency, a.name, a.green, a.yellow, a.red, a.overdue, a.total])
    elif section == "performance":
        w.writerow(["agency", "name", "completed", "average_working_days"])
        for perf in board.performance:
            w.writerow([perf.agency, perf.name, perf.completed, perf.average_working_days])
    elif section == "cases":
        w.writerow(["scenario", "status", "count"])
        for c in board.cases:
            w.writerow([c.scenario, c.status, c.count])
    elif section == "payouts":
        w.writerow(
            [
                "workflow_id",
                "case_number",
                "court",
                "status",
                "payees",
                "paid_count",
                "total_fen",
                "paid_fen",
                "percent_paid",
            ]
        )
        for p in board.payouts:
            w.writerow(
                [
                    p.workflow_id,
                    p.case_number,
                    p.court,
                    p.status,
                    p.payees,
                    p.paid_count,
                    p.total_fen,
                    p.paid_fen,
                    p.percent_paid,
                ]
            )
    else:
        raise ValueError(section)
    return out.getvalue()
