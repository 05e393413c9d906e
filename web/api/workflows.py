"""Workflows (执行案件流程): the list, one workflow's status, and the judge's decisions.

Reads come from Temporal itself — visibility for the list, describe plus the ``status`` query for one
workflow — so what a judge or auditor sees is what the workflow holds, never a stale copy.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
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
from temporalio.common import SearchAttributeKey, TypedSearchAttributes
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from core.identity import acting_as
from core.logging import get_logger
from core.temporal import CASE_NUMBER, COURT, SCENARIO, STATUS
from domain.actors import Actor
from domain.errors import Conflict, ErrorDetail, Forbidden, NotFound, OneMatterError, ValidationFailed
from web.api.common import errors
from web.deps import Judge, Reader, TemporalClient
from web.errors import GatewayTimeout
from workflows.common import (
    DECIDE_UPDATE,
    STATUS_QUERY,
    DecisionInput,
    DecisionOutcome,
    PendingDecision,
    ScenarioStatus,
    TimelineEntry,
)

log = get_logger(__name__)
router = APIRouter(tags=["workflows"])

NEXT_PAGE_HEADER = "X-Next-Page-Token"
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


class DecisionBody(BaseModel):
    """``reason`` (理由) plus the decision's own fields, which the workflow validates."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{"reason": "经审查, 依法冻结被执行人存款", "deduct": True}]},
    )

    reason: str = Field(default="", max_length=2000)


# --- list -----------------------------------------------------------------------------------------------


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
) -> str:
    clauses = [f"{SCENARIO.name} IS NOT NULL"]
    filters = (("case_number", CASE_NUMBER, case_number), ("scenario", SCENARIO, scenario), ("status", STATUS, status))
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


def _sa(attrs: TypedSearchAttributes, key: SearchAttributeKey[str]) -> str | None:
    return attrs.get(key)


def _summary_of(
    workflow_id: str,
    attrs: TypedSearchAttributes,
    status: WorkflowExecutionStatus | None,
    started: datetime | None,
    closed: datetime | None,
) -> WorkflowSummary:
    return WorkflowSummary(
        workflow_id=workflow_id,
        scenario=_sa(attrs, SCENARIO),
        case_number=_sa(attrs, CASE_NUMBER),
        court=_sa(attrs, COURT),
        status=_sa(attrs, STATUS),
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


@router.get(
    "/workflows",
    response_model=list[WorkflowSummary],
    responses={
        200: {
            "description": f"one page; the `{NEXT_PAGE_HEADER}` header, when present, fetches the next",
            "headers": {NEXT_PAGE_HEADER: {"schema": {"type": "string"}}},
        },
        **errors(401, 403, 422, 503),
    },
)
async def list_workflows(
    response: Response,
    _: Reader,
    client: TemporalClient,
    case_number: Annotated[str | None, Query(max_length=64, description="案号, exact")] = None,
    scenario: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=64, description="the scenario's status word")] = None,
    temporal_status: Annotated[str | None, Query(max_length=32, description="RUNNING, COMPLETED, ...")] = None,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    next_page_token: Annotated[str | None, Query(max_length=4096)] = None,
) -> list[WorkflowSummary]:
    """Scenario workflows (running first, then by closing time, newest first), filtered by the Om* search
    attributes."""
    query = build_list_query(case_number, scenario, status, temporal_status)
    it = client.list_workflows(query, page_size=page_size, next_page_token=_decode_page_token(next_page_token))
    await it.fetch_next_page()
    page = it.current_page or []
    if it.next_page_token:
        response.headers[NEXT_PAGE_HEADER] = base64.urlsafe_b64encode(it.next_page_token).decode().rstrip("=")
    return [_summary_of(w.id, w.typed_search_attributes, w.status, w.start_time, w.close_time) for w in page]


# --- one workflow -----------------------------------------------------------------------------------------


async def describe_or_404(handle: WorkflowHandle[Any, Any]) -> WorkflowExecutionDescription:
    try:
        return await handle.describe()
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise NotFound("WORKFLOW_NOT_FOUND", f"no workflow {handle.id!r}", "workflow_id") from None
        raise


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


@router.get("/workflows/{workflow_id}", response_model=WorkflowDetail, responses=errors(401, 403, 404, 503))
async def get_workflow(request: Request, workflow_id: str, actor: Reader, client: TemporalClient) -> WorkflowDetail:
    """Status, summary, pending decisions, timeline (who did what, when, why) and result of one workflow."""
    request.state.workflow_id = workflow_id
    handle = client.get_workflow_handle(workflow_id)
    desc = await describe_or_404(handle)
    base = _summary_of(desc.id, desc.typed_search_attributes, desc.status, desc.start_time, desc.close_time)
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
    return detail


# --- decisions --------------------------------------------------------------------------------------------


def refusal_error(exc: WorkflowUpdateFailedError) -> OneMatterError:
    """The workflow's validator refused the decision: pass its code and message on, with a fitting status."""
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


@router.post(
    "/workflows/{workflow_id}/decisions/{decision}",
    responses={200: {"model": DecisionOutcome}, **errors(401, 403, 404, 409, 422, 503, 504)},
)
async def decide(
    request: Request,
    workflow_id: str,
    decision: Annotated[str, Path(min_length=1, max_length=64, description="a pending decision's name")],
    body: DecisionBody,
    actor: Judge,
    client: TemporalClient,
) -> Any:
    """A judge's decision (法官决定), with a reason. The workflow validates it and records who, when, why."""
    request.state.workflow_id = workflow_id
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
