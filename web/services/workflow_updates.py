"""Updates sent to a workflow as the acting user (the gateway every decision and task action goes through):
refusals mapped to our errors, a closed workflow and a silent one told apart, and a decision sent only once
the workflow has no task pending."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import GetWorkflowExecutionHistoryReverseRequest
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowExecutionDescription,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.actors import Actor
from domain.errors import Conflict, Forbidden, OneMatterError, ValidationFailed
from runtime.logging import get_logger
from security.identity import acting_as
from store.db import Database
from web.errors import GatewayTimeout
from web.services.access import DECIDERS, require_role
from web.services.users import display_name
from web.services.workflow_detail import describe_or_404, visible_case
from web.services.workflow_views import DecisionBody
from workflows.foundation.issuing import PRESIDENT_SIGN
from workflows.foundation.messages import DECIDE_UPDATE
from workflows.foundation.models import DecisionInput

log = get_logger(__name__)

# A decision waits for the workflow to accept it; a workflow without a live worker would hang the request.
DECISION_TIMEOUT_SECONDS = 30.0


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
    """Waits (bounded) until the workflow task pending when the judge clicked has been processed, so the
    decision meets the state the judge saw and arrives in a task of its own.

    Why: a judge decides on what the status query showed. While a workflow task waits (most of all, out
    a killed worker's sticky queue), a query can be answered from history that includes the events no
    task has processed yet — a state from the future — and a decision sent then arrives in the same task
    as those events. Temporal's SDK then either refuses it (the desk those events open is not open yet) or
    accepts it in an order its own replay does not reproduce (a nondeterminism error: the case is stuck;
    docs/performance.md, chaos run). Once that task has completed, the state the judge saw is the state
    the decision meets.

    A busy workflow (a payout paying, its batches reporting) always has *some* task pending: waiting for
    none held a click for the whole bound. What is waited for is a workflow task *completed* after the one
    pending at the click was scheduled (read from the end of the history, the server's own clock on both
    sides); newer tasks carry only events the judge never saw. After the bound the decision goes anyway;
    the workflow's validator has the last word."""
    if not desc.raw_description.HasField("pending_workflow_task"):
        return
    clicked = desc.raw_description.pending_workflow_task.scheduled_time.ToDatetime()
    deadline = asyncio.get_running_loop().time() + SETTLE_TIMEOUT_SECONDS
    handle = client.get_workflow_handle(desc.id)
    while True:
        await asyncio.sleep(SETTLE_POLL_SECONDS)
        desc = await describe_or_404(handle)
        if not desc.raw_description.HasField("pending_workflow_task"):
            return
        if await _task_completed_since(client, desc, clicked):
            return
        if asyncio.get_running_loop().time() > deadline:
            log.warning("deciding on a workflow whose task is still pending", workflow_id=desc.id)
            return


SETTLE_POLL_SECONDS = 0.05
# The newest events read to find a completed workflow task: a busy payout writes a few dozen a second.
_TAIL_EVENTS = 100


async def _task_completed_since(client: Client, desc: WorkflowExecutionDescription, scheduled: datetime) -> bool:
    """Whether a workflow task completed after ``scheduled`` (server time): read newest first."""
    pending = desc.raw_description.pending_workflow_task.scheduled_time.ToDatetime()
    if pending <= scheduled:
        return False  # still the task pending at the click (or its retry): not processed yet
    answer = await client.workflow_service.get_workflow_execution_history_reverse(
        GetWorkflowExecutionHistoryReverseRequest(
            namespace=client.namespace,
            execution=WorkflowExecution(workflow_id=desc.id, run_id=desc.run_id or ""),
            maximum_page_size=_TAIL_EVENTS,
        )
    )
    return any(
        e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED and e.event_time.ToDatetime() > scheduled
        for e in answer.history.events
    )


async def decision_input(
    db: Database, actor: Actor, decision: str, reason: str, payload: dict[str, Any] | None = None
) -> DecisionInput:
    """The decision as the web sends it. The president's signature (院长签发) carries the signer's name as the
    court records it (the acting user's display name), which the document prints beside the seal: the web
    establishes who acts, so the name comes from the account, never from the request."""
    name = await db.run(display_name, db, actor.user_id) if decision == PRESIDENT_SIGN else None
    return DecisionInput(decision=decision, reason=reason, payload=payload or {}, signer_name=name)


async def decide(
    client: Client, db: Database, actor: Actor, workflow_id: str, decision: str, body: DecisionBody
) -> Any:
    """A judge's decision (法官决定), with a reason. The workflow validates it and records who, when, why;
    the answer is its ``DecisionOutcome``. Only on a case of the actor's court; which role takes which
    decision is the workflow's decision desk's to say (a judge's, or an approver's second approval)."""
    require_role(actor, *DECIDERS)
    desc = await visible_case(client, db, actor, workflow_id)
    await wait_until_settled(client, desc)
    update = await decision_input(db, actor, decision, body.reason, dict(body.model_extra or {}))
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
