"""The command centre's views of one judge and of one agency (执行指挥中心: 按法官、按协助单位), within the
courts the reader may see.

- a judge: the cases waiting for their decision, those waiting past the court's period (超期未决), their
  enforcement cases from the register (term colour, balance), and their matters by scenario and status;
- an agency: its open tasks by mark (overdue first), its 绩效 over the window, and the tasks themselves.

Nothing here reveals a party: case numbers, user ids, agency names, counts and money only.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from pydantic import BaseModel
from temporalio.client import Client

from config.settings import Settings
from domain.actors import Actor, Role
from runtime.temporal import DECIDED_BY, STARTED_BY
from store.cases import CaseRegisterEntry, CaseStore
from store.db import Database, utcnow
from web.accounts import list_users
from web.services import queues, tasks
from web.services.access import READERS, require_role
from web.services.dashboard import (
    PERFORMANCE_WINDOW,
    AgencyLoad,
    AgencyPerformance,
    CaseCount,
    task_sections,
)
from web.services.directory import directory
from web.services.workflows import WorkflowSummary, build_list_query, quote, search_for

# How many of a judge's enforcement cases and an agency's open tasks a view lists, and matters it counts.
MAX_LISTED = 200
MAX_LISTED_MATTERS = 1000


class JudgeView(BaseModel):
    judge: str
    courts: list[str]
    waiting: list[WorkflowSummary]
    overdue: list[queues.WaitingDecision]
    cases: list[CaseRegisterEntry]
    matters: list[CaseCount]


class AgencyView(BaseModel):
    agency: str
    name: str
    courts: list[str]
    load: AgencyLoad
    performance: AgencyPerformance | None
    window_days: int
    open_tasks: list[tasks.TaskSummary]


def judges_of(db: Database, actor: Actor) -> list[str]:
    """The active judges of the actor's courts (user ids), for the command centre's list of judges."""
    courts = set(actor.courts)
    with db.session() as s:
        return [
            u.username
            for u in list_users(s)
            if u.active and u.role == Role.JUDGE.value and courts.intersection(u.courts)
        ]


async def _matters_of(client: Client, db: Database, actor: Actor, judge: str) -> list[CaseCount]:
    """The judge's running matters (started or decided by them) by scenario and status: the web's own
    workflows only (the register's), at most ``MAX_LISTED_MATTERS`` of them."""
    me = quote(judge, "judge")
    query = f"{build_list_query(temporal_status='RUNNING')} AND ({STARTED_BY.name} = {me} OR {DECIDED_BY.name} = {me})"
    found = await search_for(client, db, actor, query, MAX_LISTED_MATTERS)
    counts = Counter((w.scenario or "", w.status or "") for w in found.items)
    rows = [CaseCount(scenario=k[0], status=k[1], count=n) for k, n in counts.items()]
    return sorted(rows, key=lambda r: (r.scenario, -r.count, r.status))


async def judge_view(client: Client, db: Database, settings: Settings, actor: Actor, judge: str) -> JudgeView:
    """One judge as the command centre sees them, within the reader's courts."""
    require_role(actor, *READERS)
    courts = tuple(actor.courts)
    store = CaseStore(db)
    waiting, overdue, cases, matters = await asyncio.gather(
        queues.decisions_waiting_for_judge(client, db, actor, judge),
        queues.overdue_decisions(client, db, actor, settings.task_queue, settings.time_acceleration, judge=judge),
        db.read(lambda: store.list(courts, judge=judge, limit=MAX_LISTED)) if courts else _nothing(),
        _matters_of(client, db, actor, judge),
    )
    return JudgeView(
        judge=judge, courts=list(courts), waiting=waiting.items, overdue=overdue, cases=cases, matters=matters
    )


async def _nothing() -> list[CaseRegisterEntry]:
    return []


async def agency_view(db: Database, settings: Settings, actor: Actor, agency: str) -> AgencyView:
    """One agency's load and 绩效 in the reader's courts, with its open tasks (the most urgent first)."""
    require_role(actor, *READERS)
    courts = tuple(actor.courts)
    names = {e.id: e.name for e in directory(settings)}
    loads, performance = await db.run(task_sections, db, courts, utcnow(), names) if courts else ([], [])
    open_tasks = await tasks.list_tasks(
        db, actor, tasks.TaskQuery(states=tasks.TaskQuery.states_for("open"), agency=agency, limit=MAX_LISTED)
    )
    order = {"red": 0, "yellow": 1, "green": 2}
    open_tasks.sort(key=lambda r: (not r.overdue, order.get(r.mark, 3), r.due_at))
    name = names.get(agency, agency)
    return AgencyView(
        agency=agency,
        name=name,
        courts=list(courts),
        load=next((a for a in loads if a.agency == agency), AgencyLoad(agency=agency, name=name)),
        performance=next((p for p in performance if p.agency == agency), None),
        window_days=PERFORMANCE_WINDOW.days,
        open_tasks=open_tasks,
    )
