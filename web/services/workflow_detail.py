"""One scenario workflow as a user may see it: described (a case of another court does not exist for
them), its status query, its result or failure once closed, built once per history length and kept in this
process and in the pages the web's processes share."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.actors import Actor
from domain.errors import ErrorDetail, NotFound, OneMatterError
from runtime.logging import get_logger
from runtime.temporal import SCENARIO
from security.identity import acting_as
from store.case_pages import CasePageStore
from store.db import Database
from store.sealing import SealError
from store.started import Registered
from web.services import incidents, register
from web.services.access import READERS, require_court, require_role
from web.services.workflow_list import summary_of
from web.services.workflow_views import WorkflowDetail
from workflows.foundation.messages import STATUS_QUERY
from workflows.foundation.models import ScenarioStatus, TimelineEntry
from workflows.registry import SCENARIOS

log = get_logger(__name__)

QUERY_TIMEOUT = timedelta(seconds=5)
FAN_OUT = 8  # calls to Temporal one page keeps in flight at once (describes, then status queries)


async def describe_or_404(handle: WorkflowHandle[Any, Any]) -> WorkflowExecutionDescription:
    try:
        return await handle.describe()
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise NotFound("WORKFLOW_NOT_FOUND", f"no workflow {handle.id!r}", "workflow_id") from None
        raise


async def visible_case(client: Client, db: Database, actor: Actor, workflow_id: str) -> WorkflowExecutionDescription:
    """A scenario workflow this actor may see, described; anything else does not exist for them (404),
    whether it is missing, an agency task, a workflow of no registered scenario, one the web did not start
    (nor a workflow it started: web/services/register.py), or a case of a court that is not theirs by the
    register (the same answer as an unknown id). The one place that says which cases a user may see."""
    return (await _visible(client, db, actor, workflow_id))[0]


async def _visible(
    client: Client, db: Database, actor: Actor, workflow_id: str
) -> tuple[WorkflowExecutionDescription, Registered]:
    require_role(actor, *READERS)
    desc = await describe_or_404(client.get_workflow_handle(workflow_id))
    if desc.typed_search_attributes.get(SCENARIO) not in SCENARIOS:
        raise NotFound("WORKFLOW_NOT_FOUND", f"no case workflow {workflow_id!r}", "workflow_id")
    owner = (await register.owners(db, [desc.raw_description.workflow_execution_info])).get(workflow_id)
    if owner is None:
        raise NotFound("WORKFLOW_NOT_FOUND", f"no case workflow {workflow_id!r}", "workflow_id")
    require_court(actor, owner.court, workflow_id)
    return desc, owner


async def timelines(
    client: Client, pages: CasePageStore, actor: Actor, workflow_ids: Sequence[str]
) -> dict[str, list[TimelineEntry]]:
    """The timelines of a case's matters, for the case page's merged timeline: each matter described (its
    history length says whether the page built before still holds, so a new step shows at the next load),
    at most ``FAN_OUT`` calls in flight, the register read once for all, and the status query only for a
    matter whose history grew. A matter the actor may not see, or that cannot be read now, is left out; a
    user who reads no matters (the filing clerk, who files the case) gets none."""
    if actor.role not in READERS:
        return {}
    gate = asyncio.Semaphore(FAN_OUT)

    async def describe(workflow_id: str) -> WorkflowExecutionDescription | None:
        async with gate:
            try:
                desc = await describe_or_404(client.get_workflow_handle(workflow_id))
            except (NotFound, RPCError, RPCTimeoutOrCancelledError):
                return None
        return desc if desc.typed_search_attributes.get(SCENARIO) in SCENARIOS else None

    described = [d for d in await asyncio.gather(*(describe(w) for w in workflow_ids)) if d is not None]
    owners = await register.owners(pages.db, [d.raw_description.workflow_execution_info for d in described])

    async def built(desc: WorkflowExecutionDescription) -> tuple[str, list[TimelineEntry]] | None:
        owner = owners.get(desc.id)
        if owner is None or not actor.in_court(owner.court):
            return None
        async with gate:
            try:
                return desc.id, (await _built(client, pages, actor, desc, owner)).timeline
            except (OneMatterError, RPCError, TimeoutError):
                return None

    found = await asyncio.gather(*(built(d) for d in described))
    return dict(f for f in found if f is not None)


async def _closed_outcome(
    handle: WorkflowHandle[Any, Any], desc: WorkflowExecutionDescription
) -> tuple[Any, ErrorDetail | None]:
    """The result of a completed run, or why a closed run did not complete."""
    if desc.status is WorkflowExecutionStatus.COMPLETED:
        try:
            return await handle.result(follow_runs=False, rpc_timeout=QUERY_TIMEOUT), None
        except (RPCError, RPCTimeoutOrCancelledError) as exc:
            log.warning("workflow result unavailable", workflow_id=handle.id, error=type(exc).__name__)
            return None, None
    if desc.status is WorkflowExecutionStatus.FAILED:
        try:
            await handle.result(follow_runs=False, rpc_timeout=QUERY_TIMEOUT)
        except WorkflowFailureError as exc:
            cause = exc.cause
            if isinstance(cause, ApplicationError):
                return None, ErrorDetail(code=cause.type or "WORKFLOW_FAILED", message=cause.message)
            return None, ErrorDetail(code="WORKFLOW_FAILED", message=str(cause))
        except (RPCError, RPCTimeoutOrCancelledError):
            pass
        return None, ErrorDetail(code="WORKFLOW_FAILED", message="the workflow failed")
    if desc.status is not None:
        return None, ErrorDetail(code=desc.status.name, message=f"the workflow was {desc.status.name.lower()}")
    return None, None


T = TypeVar("T")
# (workflow id, run id, history length): what a workflow's state is a function of.
HistoryKey = tuple[str, str, int]


class LengthCache(Generic[T]):
    """The last views this web process built of workflows, keyed by (workflow id, run id, history length).

    A workflow's state changes only by events appended to its history (a query's "now" is its last task's),
    so a view built at one history length is the view at that length: a judge reloading an unchanged case
    is answered from here, after ``describe`` has said the length and :func:`visible_case` has said the
    judge may see it, instead of a query that waits for the worker. Never stale; bounded (least recently
    used goes)."""

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._views: OrderedDict[HistoryKey, T] = OrderedDict()

    def get(self, key: HistoryKey) -> T | None:
        view = self._views.get(key)
        if view is not None:
            self._views.move_to_end(key)
        return view

    def put(self, key: HistoryKey, view: T) -> None:
        self._views[key] = view
        self._views.move_to_end(key)
        while len(self._views) > self._size:
            self._views.popitem(last=False)


def history_key(desc: WorkflowExecutionDescription) -> HistoryKey:
    return (desc.id, desc.run_id, desc.history_length)


_DetailCache = LengthCache[WorkflowDetail]
_details = _DetailCache()


async def get_workflow(client: Client, pages: CasePageStore, actor: Actor, workflow_id: str) -> WorkflowDetail:
    """Status, summary, pending decisions, timeline (who did what, when, why) and result of one workflow.
    Built from the status query once per history length: then from this process's memory, or from the
    pages another process built (``pages``, the web database)."""
    desc, owner = await _visible(client, pages.db, actor, workflow_id)
    detail = await _built(client, pages, actor, desc, owner)
    if desc.status in (WorkflowExecutionStatus.TERMINATED, WorkflowExecutionStatus.CANCELED):
        # Ended without the web's record? Judged now (once per process).
        await incidents.check(client, pages.db, [desc.raw_description.workflow_execution_info])
    # Also while it runs: a reset leaves the run it terminated behind and runs on.
    found = await incidents.recorded(pages.db, (owner.court,), workflow_id)
    return detail.model_copy(update={"incidents": found}) if found else detail


async def _built(
    client: Client, pages: CasePageStore, actor: Actor, desc: WorkflowExecutionDescription, owner: Registered
) -> WorkflowDetail:
    workflow_id = desc.id
    key = history_key(desc)
    cached = _details.get(key)
    if cached is not None:
        return cached
    shared = await shared_page(pages, key)
    if shared is not None:
        detail = WorkflowDetail.model_validate_json(shared)
        _details.put(key, detail)
        return detail
    handle = client.get_workflow_handle(workflow_id)
    base = summary_of(desc.id, desc.typed_search_attributes, desc.status, desc.start_time, desc.close_time, owner)
    detail = WorkflowDetail(
        **base.model_dump(),
        run_id=desc.run_id,
        workflow_type=desc.workflow_type,
        task_queue=desc.task_queue,
        history_length=desc.history_length,
        live=False,
    )
    live: ScenarioStatus | None = None
    try:
        with acting_as(actor):
            live = await handle.query(STATUS_QUERY, result_type=ScenarioStatus, rpc_timeout=QUERY_TIMEOUT)
    except (WorkflowQueryFailedError, WorkflowQueryRejectedError, RPCError, RPCTimeoutOrCancelledError) as exc:
        # No worker, or not a scenario workflow: the describe half still answers who, what and when.
        log.info("status query unavailable", workflow_id=workflow_id, error=type(exc).__name__)
    if live is not None:
        detail = detail.model_copy(
            update={
                "live": True,
                "scenario": live.scenario,
                "case_number": live.case_number,
                "court": live.court,
                "status": live.status,
                "summary": live.summary,
                "pending_decisions": live.pending_decisions,
                "timeline": live.timeline,
                "result": live.result,
            }
        )
    if desc.status is not WorkflowExecutionStatus.RUNNING and (live is None or live.result is None):
        result, failure = await _closed_outcome(handle, desc)
        detail = detail.model_copy(update={"result": detail.result if result is None else result, "failure": failure})
    if live is not None:
        _details.put(key, detail)
        await share_page(pages, key, detail.model_dump_json())
    return detail


async def share_page(pages: CasePageStore, key: HistoryKey, page_json: str, at: datetime | None = None) -> None:
    """Keeps a page built at this key for the web's other processes (``at``: when the describe that said the key
    was sent); a cache: if the database cannot take it now, the reader has the page and the next process will
    query."""
    try:
        await pages.db.run(pages.put, *key, page_json, at)
    except SQLAlchemyError as exc:
        log.warning("case page not shared", workflow_id=key[0], error=type(exc).__name__)


async def shared_page(pages: CasePageStore, key: HistoryKey) -> str | None:
    """The page another process built at this key; a page that cannot be read (a database hiccup, a key
    no longer configured) is built again rather than failing the judge's page."""
    try:
        return await pages.db.read(pages.get, *key)
    except (SQLAlchemyError, SealError) as exc:
        log.warning("shared case page unreadable", workflow_id=key[0], error=type(exc).__name__)
        return None
