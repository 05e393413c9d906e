"""Updates sent to a workflow as the acting user (the gateway every decision and task action goes through):
refusals mapped to our errors, a closed workflow and a silent one told apart, and a decision sent only once
the workflow has no task pending."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel
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
from web.services.workflow_detail import describe_or_404, visible_case
from web.services.workflow_views import DecisionBody
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


async def decide(
    client: Client, db: Database, actor: Actor, workflow_id: str, decision: str, body: DecisionBody
) -> Any:
    """A judge's decision (法官决定), with a reason. The workflow validates it and records who, when, why;
    the answer is its ``DecisionOutcome``. Only on a case of the actor's court; which role takes which
    decision is the workflow's decision desk's to say (a judge's, or an approver's second approval)."""
    require_role(actor, *DECIDERS)
    desc = await visible_case(client, db, actor, workflow_id)
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
