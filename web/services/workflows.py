"""Cases (执行案件流程): the list, one case's status, a judge's decision, and cancelling a case.

Reads come from Temporal itself — visibility for the list, describe plus the ``status`` query for one
workflow — so what a judge or auditor sees is what the workflow holds, never a stale copy. Changes go to
the workflow as Updates (decisions) or as a recorded signal plus Temporal's cancellation (cancel), always
sent as the acting user.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.exc import SQLAlchemyError
from temporalio.api.workflow.v1 import WorkflowExecutionInfo
from temporalio.api.workflowservice.v1 import ListWorkflowExecutionsRequest
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import TypedSearchAttributes
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from core.identity import acting_as
from core.logging import get_logger
from core.temporal import CASE_NUMBER, COURT, SCENARIO, STARTED_BY, STATUS
from domain.actors import Actor
from domain.errors import Conflict, ErrorDetail, Forbidden, NotFound, OneMatterError, ValidationFailed
from store.case_pages import CasePageStore
from store.sealing import SealError
from web.errors import GatewayTimeout
from web.services.access import DECIDERS, READERS, STARTERS, courts_clause, require_court, require_role
from workflows.kit.messages import CANCEL_REQUEST_SIGNAL, DECIDE_UPDATE, STATUS_QUERY
from workflows.kit.models import DecisionInput, PendingDecision, ScenarioStatus, TimelineEntry
from workflows.registry import SCENARIOS

log = get_logger(__name__)

QUERY_TIMEOUT = timedelta(seconds=5)
# A decision waits for the workflow to accept it; a workflow without a live worker would hang the request.
DECISION_TIMEOUT_SECONDS = 30.0
# RUNNING -> Running, CONTINUED_AS_NEW -> ContinuedAsNew: how visibility spells ExecutionStatus.
_TEMPORAL_STATUS_FILTER = {s.name: s.name.title().replace("_", "") for s in WorkflowExecutionStatus}


# --- models -------------------------------------------------------------------------------------------


class WorkflowSummary(BaseModel):
    workflow_id: str
    scenario: str | None = None
    case_number: str | None = None
    court: str | None = None
    started_by: str | None = Field(default=None, description="user id of who started the case (OmStartedBy)")
    status: str | None = Field(default=None, description="the scenario's own status word (OmStatus)")
    temporal_status: str | None = Field(default=None, description="RUNNING, COMPLETED, FAILED, ...")
    started_at: datetime | None = None
    closed_at: datetime | None = None


class WorkflowDetail(WorkflowSummary):
    run_id: str | None = None
    workflow_type: str | None = None
    task_queue: str | None = None
    history_length: int = 0
    live: bool = Field(description="whether status, summary and timeline came from the workflow's status query")
    summary: dict[str, Any] = Field(default_factory=dict)
    pending_decisions: list[PendingDecision] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    result: Any = None
    failure: ErrorDetail | None = None


class WorkflowPage(BaseModel):
    """One page of the list; ``next_page_token`` (opaque, URL-safe) fetches the next, if there is one."""

    items: list[WorkflowSummary]
    next_page_token: str | None = None


class ListFilter(BaseModel):
    """What the list may be narrowed by: the Om* search attributes and Temporal's own status."""

    case_number: str | None = None
    scenario: str | None = None
    status: str | None = None
    temporal_status: str | None = None
    started_by: str | None = Field(default=None, description="user id of who started it (a judge's own cases)")


class DecisionBody(BaseModel):
    """``reason`` (理由) plus the decision's own fields, which the workflow validates."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{"reason": "经审查, 依法冻结被执行人存款", "deduct": True}]},
    )

    reason: str = Field(default="", max_length=2000)


class CancelBody(BaseModel):
    """Why the case ends here (终止理由): recorded, encrypted, with the judge's identity."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "申请执行人撤回执行申请"}]})

    reason: str = Field(min_length=1, max_length=2000)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a reason is required")
        return value


class CancelRequested(BaseModel):
    """The cancellation was requested; the workflow stops as soon as its worker takes it."""

    workflow_id: str
    requested_at: datetime
    by: Actor


# --- the list -----------------------------------------------------------------------------------------------


# Temporal's visibility parser treats backslashes and double quotes inconsistently (a value holding
# either cannot be matched, a trailing backslash breaks the query); neither occurs in a case number,
# a scenario or a status word, so such filters are refused instead of guessed at.
_UNQUOTABLE = re.compile(r'[\\"\x00-\x1f\x7f]')


def quote(value: str, field: str = "filter") -> str:
    """A visibility-query string literal. A single quote is doubled, so a case number such as
    ``(2026)浙0102执1'号`` cannot end the literal and inject a clause."""
    if _UNQUOTABLE.search(value):
        raise ValidationFailed(
            "INVALID_FILTER", "a filter value may not contain backslashes, double quotes or control characters", field
        )
    return "'" + value.replace("'", "''") + "'"


def build_list_query(
    case_number: str | None = None,
    scenario: str | None = None,
    status: str | None = None,
    temporal_status: str | None = None,
    started_by: str | None = None,
) -> str:
    clauses = [f"{SCENARIO.name} IS NOT NULL"]
    filters = (
        ("case_number", CASE_NUMBER, case_number),
        ("scenario", SCENARIO, scenario),
        ("status", STATUS, status),
        ("started_by", STARTED_BY, started_by),
    )
    for field, key, value in filters:
        if value:
            clauses.append(f"{key.name} = {quote(value, field)}")
    if temporal_status:
        wanted = _TEMPORAL_STATUS_FILTER.get(temporal_status.upper())
        if wanted is None:
            raise ValidationFailed(
                "INVALID_TEMPORAL_STATUS",
                f"temporal_status must be one of {', '.join(_TEMPORAL_STATUS_FILTER)}",
                "temporal_status",
            )
        clauses.append(f"ExecutionStatus = {quote(wanted)}")
    # No ORDER BY: SQL visibility (dev server, PostgreSQL) refuses it and already lists newest first.
    return " AND ".join(clauses)


def summary_of(
    workflow_id: str,
    attrs: TypedSearchAttributes,
    status: WorkflowExecutionStatus | None,
    started: datetime | None,
    closed: datetime | None,
) -> WorkflowSummary:
    """A list row from what visibility or describe says about a workflow."""
    return WorkflowSummary(
        workflow_id=workflow_id,
        scenario=attrs.get(SCENARIO),
        case_number=attrs.get(CASE_NUMBER),
        court=attrs.get(COURT),
        started_by=attrs.get(STARTED_BY),
        status=attrs.get(STATUS),
        temporal_status=status.name if status else None,
        started_at=started,
        closed_at=closed,
    )


def _decode_page_token(token: str | None) -> bytes | None:
    if not token:
        return None
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            "INVALID_PAGE_TOKEN", "next_page_token is not one we issued", "next_page_token"
        ) from None


# Only these search attributes make a list row; decoding nothing else (memo, Temporal's own attributes)
# keeps a 100-row page cheap — the SDK's full decoding of every row was most of the cases list's cost.
_ROW_KEYS = {key.name: key for key in (SCENARIO, CASE_NUMBER, COURT, STARTED_BY, STATUS)}


def _row(info: WorkflowExecutionInfo) -> WorkflowSummary:
    """A list row straight from visibility's wire form: our keyword attributes are JSON strings."""
    fields = info.search_attributes.indexed_fields
    values = {key: json.loads(fields[name].data) for name, key in _ROW_KEYS.items() if name in fields}
    return WorkflowSummary(
        workflow_id=info.execution.workflow_id,
        scenario=values.get(SCENARIO),
        case_number=values.get(CASE_NUMBER),
        court=values.get(COURT),
        started_by=values.get(STARTED_BY),
        status=values.get(STATUS),
        temporal_status=WorkflowExecutionStatus(info.status).name if info.status else None,
        started_at=info.start_time.ToDatetime(UTC) if info.HasField("start_time") else None,
        closed_at=info.close_time.ToDatetime(UTC) if info.HasField("close_time") else None,
    )


async def search(client: Client, query: str, page_size: int, page_token: str | None = None) -> WorkflowPage:
    """One page of scenario workflows matching a visibility ``query`` (from :func:`build_list_query`)."""
    request = ListWorkflowExecutionsRequest(
        namespace=client.namespace,
        query=query,
        page_size=page_size,
        next_page_token=_decode_page_token(page_token) or b"",
    )
    try:
        response = await client.workflow_service.list_workflow_executions(request, retry=True)
    except RPCError as exc:
        # A token Temporal cannot read is the caller's mistake (or a forgery), not an outage; the dev
        # server's SQL visibility answers such a token with UNKNOWN rather than INVALID_ARGUMENT.
        if page_token and exc.status in (RPCStatusCode.INVALID_ARGUMENT, RPCStatusCode.UNKNOWN):
            raise ValidationFailed(
                "INVALID_PAGE_TOKEN", "next_page_token is not one we issued", "next_page_token"
            ) from None
        raise
    items = [_row(info) for info in response.executions]
    next_token = response.next_page_token
    token = base64.urlsafe_b64encode(next_token).decode().rstrip("=") if next_token else None
    return WorkflowPage(items=items, next_page_token=token)


async def list_workflows(
    client: Client, actor: Actor, filters: ListFilter, page_size: int = 50, page_token: str | None = None
) -> WorkflowPage:
    """Scenario workflows of the actor's courts (running first, then by closing time, newest first), filtered."""
    require_role(actor, *READERS)
    query = build_list_query(
        filters.case_number, filters.scenario, filters.status, filters.temporal_status, filters.started_by
    )
    return await search_for(client, actor, query, page_size, page_token)


async def search_for(
    client: Client, actor: Actor, query: str, page_size: int, page_token: str | None = None
) -> WorkflowPage:
    """:func:`search` within the actor's courts: every list a user sees goes through here."""
    require_role(actor, *READERS)
    scope = courts_clause(actor, COURT.name)
    if scope is None:
        return WorkflowPage(items=[])
    return await search(client, f"{query} AND {scope}", page_size, page_token)


# --- one workflow -----------------------------------------------------------------------------------------


async def describe_or_404(handle: WorkflowHandle[Any, Any]) -> WorkflowExecutionDescription:
    try:
        return await handle.describe()
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise NotFound("WORKFLOW_NOT_FOUND", f"no workflow {handle.id!r}", "workflow_id") from None
        raise


async def visible_case(client: Client, actor: Actor, workflow_id: str) -> WorkflowExecutionDescription:
    """A scenario workflow this actor may see, described; anything else does not exist for them (404),
    whether it is missing, an agency task, a workflow of no registered scenario, or a case of a court
    that is not theirs (the same answer as an unknown id). The one place that says which cases a user
    may see."""
    require_role(actor, *READERS)
    desc = await describe_or_404(client.get_workflow_handle(workflow_id))
    attrs = desc.typed_search_attributes
    if attrs.get(SCENARIO) not in SCENARIOS:
        raise NotFound("WORKFLOW_NOT_FOUND", f"no case workflow {workflow_id!r}", "workflow_id")
    require_court(actor, attrs.get(COURT), workflow_id)
    return desc


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


class _DetailCache:
    """The last case pages this web process built, keyed by (workflow id, run id, history length).

    A workflow's state changes only by events appended to its history, so a status built at one history
    length is the status at that length: a judge reloading an unchanged case is answered from here,
    after ``describe`` has said the length and :func:`visible_case` has said the judge may see it,
    instead of a query that waits for the worker. Never stale; bounded (least recently used goes)."""

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._details: OrderedDict[tuple[str, str, int], WorkflowDetail] = OrderedDict()

    def get(self, key: tuple[str, str, int]) -> WorkflowDetail | None:
        detail = self._details.get(key)
        if detail is not None:
            self._details.move_to_end(key)
        return detail

    def put(self, key: tuple[str, str, int], detail: WorkflowDetail) -> None:
        self._details[key] = detail
        self._details.move_to_end(key)
        while len(self._details) > self._size:
            self._details.popitem(last=False)


_details = _DetailCache()


async def get_workflow(client: Client, pages: CasePageStore, actor: Actor, workflow_id: str) -> WorkflowDetail:
    """Status, summary, pending decisions, timeline (who did what, when, why) and result of one workflow.
    Built from the status query once per history length: then from this process's memory, or from the
    pages another process built (``pages``, the web database)."""
    desc = await visible_case(client, actor, workflow_id)
    key = (desc.id, desc.run_id, desc.history_length)
    cached = _details.get(key)
    if cached is not None:
        return cached
    shared = await _shared_page(pages, key)
    if shared is not None:
        detail = WorkflowDetail.model_validate_json(shared)
        _details.put(key, detail)
        return detail
    handle = client.get_workflow_handle(workflow_id)
    base = summary_of(desc.id, desc.typed_search_attributes, desc.status, desc.start_time, desc.close_time)
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
        try:
            await pages.db.run(pages.put, *key, detail.model_dump_json())
        except SQLAlchemyError as exc:  # a cache: the judge has the page; the next process will query
            log.warning("case page not shared", workflow_id=workflow_id, error=type(exc).__name__)
    return detail


async def _shared_page(pages: CasePageStore, key: tuple[str, str, int]) -> str | None:
    """The page another process built at this key; a page that cannot be read (a database hiccup, a key
    no longer configured) is built again rather than failing the judge's page."""
    try:
        return await pages.db.read(pages.get, *key)
    except (SQLAlchemyError, SealError) as exc:
        log.warning("shared case page unreadable", workflow_id=key[0], error=type(exc).__name__)
        return None


# --- updates, as the acting user ----------------------------------------------------------------------------


def refusal_error(exc: WorkflowUpdateFailedError) -> OneMatterError:
    """The workflow's validator refused an update: pass its code and message on, with a fitting status."""
    cause = exc.cause
    if not isinstance(cause, ApplicationError):
        return Conflict("DECISION_FAILED", str(cause) or "the workflow refused the decision")
    code = cause.type or "DECISION_REFUSED"
    if code.startswith(("INVALID_", "VALIDATION")):
        return ValidationFailed(code, cause.message)
    if code in ("ROLE_FORBIDDEN", "ACTOR_MISSING"):
        return Forbidden(code, cause.message)
    return Conflict(code, cause.message)


async def execute_update_as(
    client: Client,
    actor: Actor,
    workflow_id: str,
    name: str,
    arg: BaseModel | None,
    *,
    closed: Callable[[], Awaitable[OneMatterError]],
    timeout: OneMatterError,
    result_type: type | None = None,
) -> Any:
    """Sends an Update as ``actor`` and maps what can go wrong to our errors: the validator's refusal
    (its code and message), a workflow that is gone (``closed``), no answer in time (``timeout``)."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        with acting_as(actor):
            async with asyncio.timeout(DECISION_TIMEOUT_SECONDS):
                if arg is None:
                    return await handle.execute_update(name, result_type=result_type)
                return await handle.execute_update(name, arg, result_type=result_type)
    except WorkflowUpdateFailedError as exc:
        err = refusal_error(exc)
        log.info("update refused", workflow_id=workflow_id, update=name, code=err.code)
        raise err from None
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise await closed() from None
        raise
    except (TimeoutError, RPCTimeoutOrCancelledError):
        raise timeout from None


async def _missing_or_closed(client: Client, workflow_id: str) -> OneMatterError:
    desc = await describe_or_404(client.get_workflow_handle(workflow_id))
    state = desc.status.name.lower() if desc.status else "closed"
    return Conflict("WORKFLOW_CLOSED", f"the workflow is {state}; it takes no more decisions")


# Longer than a dead worker's sticky queue timeout (10 s), after which another worker takes the task.
SETTLE_TIMEOUT_SECONDS = 15.0


async def wait_until_settled(client: Client, desc: WorkflowExecutionDescription) -> None:
    """Waits (bounded) until the workflow has no workflow task pending, so a decision reaches it alone.

    Why: a judge decides on what the status query showed. While a workflow task waits (most of all, out
    a killed worker's sticky queue), a query can be answered from history that includes the events no
    task has processed yet — a state from the future — and a decision sent then arrives in the same task
    as those events. Temporal's SDK then either refuses it (the desk those events open is not open yet) or
    accepts it in an order its own replay does not reproduce (a nondeterminism error: the case is stuck;
    docs/performance.md, chaos run). Once the task is done, the state the judge saw is the state the
    decision meets. After the bound the decision goes anyway; the workflow's validator has the last word."""
    deadline = asyncio.get_running_loop().time() + SETTLE_TIMEOUT_SECONDS
    handle = client.get_workflow_handle(desc.id)
    while desc.raw_description.HasField("pending_workflow_task"):
        if asyncio.get_running_loop().time() > deadline:
            log.warning("deciding on a workflow whose task is still pending", workflow_id=desc.id)
            return
        await asyncio.sleep(0.2)
        desc = await describe_or_404(handle)


async def decide(client: Client, actor: Actor, workflow_id: str, decision: str, body: DecisionBody) -> Any:
    """A judge's decision (法官决定), with a reason. The workflow validates it and records who, when, why;
    the answer is its ``DecisionOutcome``. Only on a case of the actor's court; which role takes which
    decision is the workflow's decision desk's to say (a judge's, or an approver's second approval)."""
    require_role(actor, *DECIDERS)
    desc = await visible_case(client, actor, workflow_id)
    await wait_until_settled(client, desc)
    update = DecisionInput(decision=decision, reason=body.reason, payload=dict(body.model_extra or {}))
    result = await execute_update_as(
        client,
        actor,
        workflow_id,
        DECIDE_UPDATE,
        update,
        closed=lambda: _missing_or_closed(client, workflow_id),
        timeout=GatewayTimeout(
            "DECISION_TIMEOUT", "the workflow did not answer in time; check its status before deciding again"
        ),
    )
    log.info("decision accepted", workflow_id=workflow_id, decision=decision)
    return result


# --- cancelling a case ----------------------------------------------------------------------------------------


async def cancel(client: Client, actor: Actor, workflow_id: str, body: CancelBody) -> CancelRequested:
    """A judge ends a case (终止) with a reason. Only a running scenario workflow the judge may see; the
    reason goes into history as a signal (encrypted, with the judge's identity in its header) just before
    Temporal's cancellation, whose own record carries the user id only, never the judge's words."""
    require_role(actor, *STARTERS)
    desc = await visible_case(client, actor, workflow_id)
    if desc.status is not WorkflowExecutionStatus.RUNNING:
        state = desc.status.name.lower() if desc.status else "closed"
        raise Conflict("WORKFLOW_CLOSED", f"the workflow is {state}; there is nothing to cancel")
    handle = client.get_workflow_handle(workflow_id)
    try:
        with acting_as(actor):
            await handle.signal(CANCEL_REQUEST_SIGNAL, {"reason": body.reason})
            await handle.cancel(reason=f"cancelled by {actor.user_id} (see signal {CANCEL_REQUEST_SIGNAL})")
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise Conflict("WORKFLOW_CLOSED", "the workflow is no longer running") from None
        raise
    log.info("workflow cancel requested", workflow_id=workflow_id, by=actor.user_id)
    return CancelRequested(workflow_id=workflow_id, requested_at=datetime.now(UTC), by=actor)
