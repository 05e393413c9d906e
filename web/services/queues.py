"""Work queues (待办): what waits for each user, and how many — the judge's decisions (待我决定), the
approver's second approvals (待我审批), an agency's tasks to claim and in hand (待签收 / 办理中), the
command centre's red tasks. Each queue is one visibility or inbox query within the user's courts.

Which status means "waiting for the judge" is each scenario's (its decision desk waits there); the
list below names them, and ``tests/test_queues.py`` holds it to the scenarios' words so a renamed status
cannot drop out of every queue unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel
from temporalio.client import Client

from domain.actors import Actor, Role
from runtime.temporal import DECIDED_BY, STARTED_BY, STATUS
from store.db import Database
from web.services import tasks
from web.services.workflows import WorkflowPage, build_list_query, quote, search_for

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

QUEUE_PAGE = 50


class QueueCounts(BaseModel):
    """What the header counts for a user: ``decide`` (cases awaiting me), ``to_claim`` and ``in_hand``
    (an agency's tasks), ``red`` (tasks past their red mark, for the command centre)."""

    decide: int = 0
    to_claim: int = 0
    in_hand: int = 0
    red: int = 0

    @property
    def total(self) -> int:
        return self.decide + self.to_claim + self.in_hand + self.red


def _statuses(actor: Actor) -> set[str]:
    table = APPROVER_DECIDES if actor.role is Role.APPROVER else JUDGE_DECIDES
    return {status for statuses in table.values() for status in statuses}


def _queue_query(actor: Actor) -> str:
    waiting = ", ".join(quote(s) for s in sorted(_statuses(actor)))
    clauses = [build_list_query(temporal_status="RUNNING"), f"{STATUS.name} IN ({waiting})"]
    if actor.role is Role.JUDGE:
        # The judge's own cases: started or decided by them. An approver approves for the whole court.
        me = quote(actor.user_id, "user")
        clauses.append(f"({STARTED_BY.name} = {me} OR {DECIDED_BY.name} = {me})")
    return " AND ".join(clauses)


async def decisions_waiting(
    client: Client, db: Database, actor: Actor, page_size: int = QUEUE_PAGE, page_token: str | None = None
) -> WorkflowPage:
    """The cases waiting for this judge's decision, or for this approver's second approval."""
    return await search_for(client, db, actor, _queue_query(actor), page_size, page_token)


async def counts(client: Client, db: Database, actor: Actor) -> QueueCounts:
    """How much waits for this user (the header's badge). At most 100 a kind: beyond it says "99+"."""
    if actor.role in (Role.JUDGE, Role.APPROVER):
        found = await decisions_waiting(client, db, actor, page_size=100)
        return QueueCounts(decide=len(found.items))
    if actor.role in (Role.AGENCY, Role.SUPERVISOR):
        rows = await tasks.list_tasks(db, actor, tasks.TaskQuery(states=tasks.TaskQuery.states_for("open"), limit=500))
        if actor.role is Role.SUPERVISOR:
            return QueueCounts(red=sum(1 for r in rows if r.mark == "red"))
        return QueueCounts(
            to_claim=sum(1 for r in rows if r.state == "open"), in_hand=sum(1 for r in rows if r.state == "claimed")
        )
    return QueueCounts()
