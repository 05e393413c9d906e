"""Work queues (待办): what waits for each user, and how many — the judge's decisions (待我决定), the
approver's (庭长/院长) second approvals, signatures, term extensions and sanctions (待我审批), an agency's tasks to
claim and in hand (待签收 / 办理中), the command centre's overdue decisions and red tasks (待督办). Each
queue is a visibility, register or inbox query within the user's courts.

Which status means "waiting for the judge" is each scenario's (its decision desk waits there); the
list below names them, and ``tests/test_queues.py`` holds it to the scenarios' words so a renamed status
cannot drop out of every queue unnoticed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from pydantic import BaseModel
from temporalio.client import Client

from domain.actors import Actor, Role
from domain.calendar import HolidayCalendar
from domain.decision_due import decision_due, is_overdue
from runtime.temporal import DECIDED_BY, STARTED_BY, STATUS
from store.cases import CaseRegisterEntry, CaseStore
from store.db import Database
from web.services import tasks
from web.services.access import READERS, require_role
from web.services.workflow_detail import QUERY_TIMEOUT
from web.services.workflows import WorkflowPage, WorkflowSummary, build_list_query, quote, search_for
from workflows.foundation.issuing import AWAITING_PRESIDENT
from workflows.foundation.messages import STATUS_QUERY
from workflows.foundation.models import ScenarioStatus

# The statuses in which a case waits for its judge's decision, by scenario.
JUDGE_DECIDES: Mapping[str, frozenset[str]] = {
    "asset-inquiry": frozenset({"awaiting_decision"}),
    "cross-region-seizure": frozenset({"awaiting_disposition"}),
    "real-estate-disposal": frozenset(
        {
            "awaiting_residence_decision",
            "awaiting_joint_review_decision",
            "awaiting_terms_first",
            "awaiting_terms_second",
            "awaiting_ruling",
            "awaiting_unsold_decision",
            "awaiting_plan_approval",
        }
    ),
    "mass-payout": frozenset({"awaiting_approval"}),
    "dishonest-list": frozenset({"awaiting_entry_decision"}),
    "consumption-restriction": frozenset({"awaiting_order"}),
    "periodic-reinquiry": frozenset({"awaiting_closure", "awaiting_resumption"}),
    "refusal-referral": frozenset({"awaiting_referral"}),
    "settlement": frozenset({"awaiting_suspension"}),
}
# The statuses in which a case waits for a second approval (庭长: the approver of the judge's court).
APPROVER_DECIDES: Mapping[str, frozenset[str]] = {"mass-payout": frozenset({"awaiting_second_approval"})}
# The status in which any scenario waits for the president's signature on a document (院长签发).
PRESIDENT_SIGNS = frozenset({AWAITING_PRESIDENT})

QUEUE_PAGE = 50
# The command centre looks at most this many waiting cases for overdue decisions, and reuses what it found
# for this long (the header counts on every page).
MAX_WAITING_SCANNED = 200
OVERDUE_TTL_SECONDS = 30.0
_SCAN_CONCURRENCY = 16


class QueueCounts(BaseModel):
    """What the header counts for a user: ``decide`` (cases awaiting me), ``to_claim`` and ``in_hand``
    (an agency's tasks), ``red`` (tasks past their red mark, for the command centre)."""

    decide: int = 0
    to_claim: int = 0
    in_hand: int = 0
    red: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.decide + self.to_claim + self.in_hand + self.red + self.overdue


class WaitingDecision(BaseModel):
    """A case waiting for a decision past the court's period (超期未决): who started it, what it waits for,
    since when, and when the period ended."""

    workflow_id: str
    case_number: str
    scenario: str
    court: str
    status: str
    started_by: str
    decision: str
    since: datetime
    due_at: datetime


def _flat(table: Mapping[str, frozenset[str]]) -> set[str]:
    return {status for statuses in table.values() for status in statuses}


def _statuses(actor: Actor) -> set[str]:
    if actor.role is Role.APPROVER:
        return _flat(APPROVER_DECIDES) | PRESIDENT_SIGNS
    return _flat(JUDGE_DECIDES)


def _mine(user_id: str) -> str:
    """Cases started or decided by ``user_id`` (a judge's own)."""
    me = quote(user_id, "user")
    return f"({STARTED_BY.name} = {me} OR {DECIDED_BY.name} = {me})"


def _waiting_query(statuses: set[str], judge: str | None = None) -> str:
    waiting = ", ".join(quote(s) for s in sorted(statuses))
    clauses = [build_list_query(temporal_status="RUNNING"), f"{STATUS.name} IN ({waiting})"]
    if judge is not None:
        clauses.append(_mine(judge))
    return " AND ".join(clauses)


def _queue_query(actor: Actor) -> str:
    # The judge's own cases: started or decided by them. An approver approves for the whole court.
    return _waiting_query(_statuses(actor), actor.user_id if actor.role is Role.JUDGE else None)


async def decisions_waiting_for_judge(
    client: Client, db: Database, actor: Actor, judge: str, page_size: int = 100
) -> WorkflowPage:
    """The cases of ``judge`` (started or decided by them) waiting for a judge's decision, within the
    actor's courts: the command centre's view of one judge."""
    return await search_for(client, db, actor, _waiting_query(_flat(JUDGE_DECIDES), judge), page_size)


async def decisions_waiting(
    client: Client, db: Database, actor: Actor, page_size: int = QUEUE_PAGE, page_token: str | None = None
) -> WorkflowPage:
    """The cases waiting for this judge's decision, or for this approver's second approval."""
    return await search_for(client, db, actor, _queue_query(actor), page_size, page_token)


async def extensions_waiting(db: Database, actor: Actor) -> list[CaseRegisterEntry]:
    """The term extensions of the approver's court awaiting the president (延长审限), nearest term end first."""
    if actor.role is not Role.APPROVER or not actor.courts:
        return []
    return await db.read(CaseStore(db).extensions_pending, tuple(actor.courts))


async def sanctions_waiting(db: Database, actor: Actor) -> list[CaseRegisterEntry]:
    """The cases of the approver's court with a fine or detention awaiting the president (院长批准罚款/拘留,
    CPL Art 119), nearest term end first: read from the register the case keeps, like the extensions."""
    if actor.role is not Role.APPROVER or not actor.courts:
        return []
    return await db.read(CaseStore(db).sanctions_pending, tuple(actor.courts))


async def red_tasks(db: Database, actor: Actor) -> list[tasks.TaskSummary]:
    """The open agency tasks of the actor's courts past their red mark (督办), the most overdue first."""
    rows = await tasks.list_tasks(db, actor, tasks.TaskQuery(states=tasks.TaskQuery.states_for("open"), limit=500))
    return [r for r in rows if r.mark == "red"]


_overdue_cache: dict[tuple[tuple[str, ...], str | None], tuple[float, list[WaitingDecision]]] = {}


async def overdue_decisions(
    client: Client,
    db: Database,
    actor: Actor,
    task_queue: str,
    acceleration: float = 1.0,
    judge: str | None = None,
    fresh: bool = False,
) -> list[WaitingDecision]:
    """Decisions of the actor's courts (a judge's own with ``judge``) waiting past the court's period
    (domain.decision_due), the longest waiting first. Each waiting case is asked when its decision became
    due (its status query); at most ``MAX_WAITING_SCANNED`` cases of ``task_queue`` (the workers' queue: a
    case no worker serves would hold its query to the timeout) are looked at, and an answer is reused for
    ``OVERDUE_TTL_SECONDS`` unless ``fresh``, so the header's count costs one scan per half minute."""
    require_role(actor, *READERS)
    key = (tuple(sorted(actor.courts)), judge)
    cached = _overdue_cache.get(key)
    if not fresh and cached is not None and time.monotonic() - cached[0] < OVERDUE_TTL_SECONDS:
        return cached[1]
    statuses = _flat(JUDGE_DECIDES) | _flat(APPROVER_DECIDES) | PRESIDENT_SIGNS
    query = f"{_waiting_query(statuses, judge)} AND TaskQueue = {quote(task_queue)}"
    found = await search_for(client, db, actor, query, MAX_WAITING_SCANNED)
    calendar = HolidayCalendar.load()
    now = datetime.now(UTC)
    limit = asyncio.Semaphore(_SCAN_CONCURRENCY)

    async def one(w: WorkflowSummary) -> WaitingDecision | None:
        async with limit:
            try:
                st = await client.get_workflow_handle(w.workflow_id).query(
                    STATUS_QUERY, result_type=ScenarioStatus, rpc_timeout=QUERY_TIMEOUT
                )
            except Exception:  # a case that ended or does not answer in time is left off this snapshot
                return None
        if not st.pending_decisions:
            return None
        first = min(st.pending_decisions, key=lambda d: d.since)
        if not is_overdue(calendar, first.since, now, acceleration):
            return None
        return WaitingDecision(
            workflow_id=w.workflow_id,
            case_number=st.case_number,
            scenario=st.scenario,
            court=st.court,
            status=st.status,
            started_by=w.started_by or "",
            decision=first.name,
            since=first.since,
            due_at=decision_due(calendar, first.since),
        )

    late = [d for d in await asyncio.gather(*(one(w) for w in found.items)) if d is not None]
    late.sort(key=lambda d: (d.since, d.workflow_id))
    _overdue_cache[key] = (time.monotonic(), late)
    return late


async def counts(client: Client, db: Database, actor: Actor, task_queue: str, acceleration: float = 1.0) -> QueueCounts:
    """How much waits for this user (the header's badge). At most 100 a kind: beyond it says "99+"."""
    if actor.role is Role.JUDGE:
        found = await decisions_waiting(client, db, actor, page_size=100)
        return QueueCounts(decide=len(found.items))
    if actor.role is Role.APPROVER:
        found, extensions, sanctions = await asyncio.gather(
            decisions_waiting(client, db, actor, page_size=100),
            extensions_waiting(db, actor),
            sanctions_waiting(db, actor),
        )
        return QueueCounts(decide=len(found.items) + len(extensions) + len(sanctions))
    if actor.role is Role.SUPERVISOR:
        red, late = await asyncio.gather(
            red_tasks(db, actor), overdue_decisions(client, db, actor, task_queue, acceleration)
        )
        return QueueCounts(red=len(red), overdue=len(late))
    if actor.role is Role.AGENCY:
        rows = await tasks.list_tasks(db, actor, tasks.TaskQuery(states=tasks.TaskQuery.states_for("open"), limit=500))
        return QueueCounts(
            to_claim=sum(1 for r in rows if r.state == "open"), in_hand=sum(1 for r in rows if r.state == "claimed")
        )
    return QueueCounts()
