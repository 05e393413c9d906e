"""Incidents (异常终止): a workflow the web started (or one of its children) that ended cancelled,
terminated or reset without the web having asked — ``temporal workflow terminate``, a reset, a plain
client's ``cancel()``. Temporal records such calls with no signed actor (docs/security.md); the web's own
cancel is recorded in its register before it asks (store/started.py), so anything else is raised here, for
the court's judges, supervisors, auditors and admins: on the case page, on the dashboard, in
``GET /api/incidents``, and in the audit trail (audit/derive.py marks the same events).

What is not an incident: the web's recorded cancel; a cancel one of our workflows asked for (Temporal
records the requesting workflow, which no client can set); a child terminated by its parent's close policy
after the parent closed — the parent's history says it gave the child that policy (TERMINATE): the
termination's identity and reason are whatever its caller wrote.

Found by a sweep over visibility's recently closed terminated and cancelled workflows — in the web's
background every ``OM_INCIDENT_SWEEP_SECONDS``, and before the incidents are listed — and when a closed
case is opened. A reset of a run that had already ended (completed, failed, or cancelled by the web) leaves
that run as it was and starts a new one: the same sweep looks at the runs started since its last pass whose
workflow has another run that did not continue as new (one visibility query), and a run whose start event
keeps another run's id (``original_execution_run_id``: a reset's copy of the run it
began from; any other run's, continued-as-new or fresh, is its own) is a reset — recorded against the run it
was reset from, so a reset of a running run (its old run terminated by ``history-resetter``) is one
incident, whichever side is found first. Each run is judged once per process and recorded once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Collection
from datetime import UTC, datetime, timedelta

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import ParentClosePolicy, WorkflowTaskFailedCause
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflow.v1 import WorkflowExecutionInfo
from temporalio.api.workflowservice.v1 import GetWorkflowExecutionHistoryRequest, ListWorkflowExecutionsRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError

from domain.actors import Actor
from domain.errors import ValidationFailed
from runtime.logging import get_logger
from store.db import Database, utcnow
from store.started import Incident, Registered, StartedStore
from web.services import register
from web.services.access import READERS, require_role
from web.services.workflow_list import quote
from web.services.workflow_views import IncidentView

log = get_logger(__name__)

# Visibility is asked for workflows closed this recently (a sweep that ran late still sees them).
LOOK_BACK = timedelta(days=3)
SWEEP_LIMIT = 1000
PARENT_CLOSE_REASON = "by parent close policy"
SERVER_IDENTITY = "history-service"
RESETTER_IDENTITY = "history-resetter"

# The runs started since the sweep's last pass are asked for less this margin (visibility's lag).
VISIBILITY_LAG = timedelta(seconds=30)
FAN_OUT = 8  # history reads in flight at once

_ENDED = {WorkflowExecutionStatus.TERMINATED, WorkflowExecutionStatus.CANCELED}


class _Seen:
    """Runs this process has judged (a closed run's history does not change; a run's start never does):
    bounded, the oldest forgotten first — one forgotten is only judged again, and recorded once."""

    def __init__(self, keep: int = 200_000) -> None:
        self._keep = keep
        self._runs: OrderedDict[tuple[str, str], None] = OrderedDict()

    def __contains__(self, run: object) -> bool:
        return run in self._runs

    def add(self, run: tuple[str, str]) -> None:
        self._runs[run] = None
        while len(self._runs) > self._keep:
            self._runs.popitem(last=False)


_judged = _Seen()  # closed terminated or cancelled runs
_starts = _Seen()  # runs looked at for a reset


class _Pass:
    """When this process last looked over the runs started (None: not yet — it looks back ``LOOK_BACK``)."""

    at: datetime | None = None


_last_starts = _Pass()


async def _terminated_by_parent(client: Client, workflow_id: str, started: HistoryEvent, at: datetime) -> bool:
    """Whether the parent's close policy terminated this child: the parent had closed by then and started
    this child with the TERMINATE policy. The termination's identity and reason are the caller's to choose
    (a plain client can write the server's words); the parent's close and the policy it gave are not."""
    attrs = started.workflow_execution_started_event_attributes
    if not attrs.HasField("parent_workflow_execution"):
        return False
    handle = client.get_workflow_handle(
        attrs.parent_workflow_execution.workflow_id, run_id=attrs.parent_workflow_execution.run_id
    )
    try:
        desc = await handle.describe()
        if desc.close_time is None or desc.close_time > at:
            return False
        async for e in handle.fetch_history_events():
            initiated = e.start_child_workflow_execution_initiated_event_attributes
            if (
                e.HasField("start_child_workflow_execution_initiated_event_attributes")
                and initiated.workflow_id == workflow_id
            ):
                return initiated.parent_close_policy == ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE
    except RPCError:
        return False
    return False


async def judge(client: Client, db: Database, workflow_id: str, run_id: str, owner: Registered) -> Incident | None:
    """The incident a closed run is, if it is one (recorded), else None."""
    events = [e async for e in client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history_events()]
    if not events:
        return None
    last = events[-1]
    at = last.event_time.ToDatetime(UTC)
    kind: str | None = None
    caller = ""
    if last.HasField("workflow_execution_terminated_event_attributes"):
        term = last.workflow_execution_terminated_event_attributes
        caller = f"{term.identity}: {term.reason}"
        by_parent = term.reason == PARENT_CLOSE_REASON and term.identity == SERVER_IDENTITY
        if not (by_parent and await _terminated_by_parent(client, workflow_id, events[0], at)):
            kind = "reset" if term.identity == RESETTER_IDENTITY else "terminated"
    elif last.HasField("workflow_execution_canceled_event_attributes"):
        requests = [
            e.workflow_execution_cancel_requested_event_attributes
            for e in events
            if e.HasField("workflow_execution_cancel_requested_event_attributes")
        ]
        by_workflow = any(r.HasField("external_workflow_execution") for r in requests)
        if not by_workflow and not await db.read(StartedStore(db).cancel_requested, workflow_id, run_id):
            kind = "canceled"
            caller = "; ".join(f"{r.identity}: {r.cause}" for r in requests)
    if kind is None:
        return None
    incident = Incident(
        workflow_id=workflow_id,
        run_id=run_id,
        court=owner.court,
        kind=kind,
        case_number=owner.case_number,
        happened_at=at,
        found_at=utcnow(),
        caller=caller,
    )
    if await db.run(StartedStore(db).add_incident, incident):
        log.warning("incident: workflow ended outside the web", workflow_id=workflow_id, kind=kind)
    return incident


async def check(client: Client, db: Database, infos: list[WorkflowExecutionInfo]) -> int:
    """Judges the terminated and cancelled runs among ``infos`` that are the web's; returns incidents found."""
    ended = [i for i in infos if i.status in _ENDED and (i.execution.workflow_id, i.execution.run_id) not in _judged]
    if not ended:
        return 0
    owners = await register.owners(db, ended)
    found = 0
    for info in ended:
        wid, run = info.execution.workflow_id, info.execution.run_id
        owner = owners.get(wid)
        if owner is not None and await judge(client, db, wid, run, owner) is not None:
            found += 1
        _judged.add((wid, run))
    return found


async def _reset_event(client: Client, workflow_id: str, run_id: str) -> HistoryEvent | None:
    """The workflow task a reset failed to make this run (its base run, who, why), if a reset made it."""
    first = await client.workflow_service.get_workflow_execution_history(
        GetWorkflowExecutionHistoryRequest(
            namespace=client.namespace,
            execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id),
            maximum_page_size=1,
        ),
        retry=True,
    )
    if not first.history.events:
        return None
    original = first.history.events[0].workflow_execution_started_event_attributes.original_execution_run_id
    if not original or original == run_id:
        return None
    found = None
    async for e in client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history_events():
        failed = e.workflow_task_failed_event_attributes
        if failed.cause == WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW:
            found = e  # the last one: a reset run reset again keeps the earlier reset's event too
    return found


async def _with_other_runs(client: Client, infos: list[WorkflowExecutionInfo]) -> set[tuple[str, str]]:
    """Those of ``infos`` whose workflow id has another run that did not continue as new into a later one —
    the only runs a reset can have made (the run it was reset from stays behind, ended or terminated); a run
    of a workflow's first or continued-as-new chain has none. One visibility query per 100 ids."""
    ids, odd = [], set()
    for wid in sorted({i.execution.workflow_id for i in infos}):
        try:
            ids.append(quote(wid))
        except ValidationFailed:  # not one the web makes; read its first event rather than guess
            odd.add(wid)
    others: dict[str, set[str]] = {}
    for at in range(0, len(ids), 100):
        listed = ", ".join(ids[at : at + 100])
        query = f"WorkflowId IN ({listed}) AND ExecutionStatus != 'ContinuedAsNew'"
        async for page in _listed(client, query):
            for run in page:
                others.setdefault(run.execution.workflow_id, set()).add(run.execution.run_id)
    return {
        (i.execution.workflow_id, i.execution.run_id)
        for i in infos
        if i.execution.workflow_id in odd or others.get(i.execution.workflow_id, set()) - {i.execution.run_id}
    }


async def check_starts(client: Client, db: Database, infos: Collection[WorkflowExecutionInfo]) -> int:
    """Judges the runs among ``infos`` that are the web's for a reset that made them; returns incidents found.
    Only a run whose workflow has another run left behind has its first event read."""
    fresh = [i for i in infos if (i.execution.workflow_id, i.execution.run_id) not in _starts]
    owners = await register.owners(db, fresh)
    ours = [i for i in fresh if i.execution.workflow_id in owners]
    suspect = await _with_other_runs(client, ours) if ours else set()
    gate = asyncio.Semaphore(FAN_OUT)

    async def one(info: WorkflowExecutionInfo) -> bool:
        wid, run = info.execution.workflow_id, info.execution.run_id
        owner = owners.get(wid)
        if owner is None or (wid, run) not in suspect:
            _starts.add((wid, run))
            return False
        async with gate:
            event = await _reset_event(client, wid, run)
        _starts.add((wid, run))
        if event is None:
            return False
        failed = event.workflow_task_failed_event_attributes
        incident = Incident(
            workflow_id=wid,
            run_id=failed.base_run_id,
            court=owner.court,
            kind="reset",
            case_number=owner.case_number,
            happened_at=event.event_time.ToDatetime(UTC),
            found_at=utcnow(),
            caller=f"{failed.identity}: {failed.failure.message}",
        )
        if await db.run(StartedStore(db).add_incident, incident):
            log.warning("incident: workflow reset outside the web", workflow_id=wid, run_id=run)
        return True

    return sum(await asyncio.gather(*(one(i) for i in fresh)))


async def _listed(client: Client, query: str) -> AsyncIterator[list[WorkflowExecutionInfo]]:
    """Visibility's pages for ``query``, at most ``SWEEP_LIMIT`` runs."""
    token = b""
    seen = 0
    while seen < SWEEP_LIMIT:
        page = await client.workflow_service.list_workflow_executions(
            ListWorkflowExecutionsRequest(
                namespace=client.namespace, query=query, page_size=200, next_page_token=token
            ),
            retry=True,
        )
        yield list(page.executions)
        seen += len(page.executions)
        token = page.next_page_token
        if not token:
            break


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def sweep(client: Client, db: Database) -> int:
    """One pass over the recently closed terminated and cancelled workflows, and the runs started since the
    last pass (resets of a run that had ended)."""
    now = datetime.now(UTC)
    found = 0
    query = f"ExecutionStatus IN ('Terminated', 'Canceled') AND CloseTime > '{_stamp(now - LOOK_BACK)}'"
    async for page in _listed(client, query):
        found += await check(client, db, page)
    since = _last_starts.at - VISIBILITY_LAG if _last_starts.at else now - LOOK_BACK
    async for page in _listed(client, f"StartTime > '{_stamp(since)}'"):
        found += await check_starts(client, db, page)
    _last_starts.at = now
    return found


async def sweep_forever(client: Client, db: Database, every: timedelta) -> None:
    """The web's background sweep; a failed pass (Temporal or the database away) is logged and retried."""
    while True:
        try:
            await sweep(client, db)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the loop outlives a bad pass
            log.warning("incident sweep failed", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(every.total_seconds())


async def incidents(
    client: Client, db: Database, actor: Actor, workflow_id: str | None = None, fresh: bool = True
) -> list[IncidentView]:
    """The incidents of the actor's courts (of one workflow if given), newest first; ``fresh`` sweeps first."""
    require_role(actor, *READERS)
    if fresh:
        await sweep(client, db)
    return await recorded(db, tuple(actor.courts), workflow_id) if actor.courts else []


async def recorded(
    db: Database, courts: tuple[str, ...], workflow_id: str | Collection[str] | None = None
) -> list[IncidentView]:
    """The incidents recorded of ``courts`` (of one workflow, or of several, if given), newest first."""
    found = await db.read(StartedStore(db).incidents, courts, workflow_id)
    return [IncidentView.model_validate(i.model_dump()) for i in found]
