"""A judge cancels a case (终止): the reason recorded in history as a signal, then Temporal's cancellation."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
)
from temporalio.service import RPCError, RPCStatusCode

from domain.actors import Actor
from domain.errors import Conflict
from runtime.logging import get_logger
from security.identity import acting_as
from store.db import Database
from store.started import StartedStore
from web.services.access import STARTERS, require_role
from web.services.workflow_detail import visible_case
from web.services.workflow_views import CancelBody, CancelRequested
from workflows.foundation.messages import CANCEL_REQUEST_SIGNAL

log = get_logger(__name__)


async def cancel(client: Client, db: Database, actor: Actor, workflow_id: str, body: CancelBody) -> CancelRequested:
    """A judge ends a case (终止) with a reason. Only a running scenario workflow the judge may see; the
    reason goes into history as a signal (encrypted, with the judge's identity in its header) just before
    Temporal's cancellation, whose own record carries the user id only, never the judge's words. The web's
    register records who asked before Temporal is asked: a cancel without that record is an incident
    (web/services/incidents.py)."""
    require_role(actor, *STARTERS)
    desc = await visible_case(client, db, actor, workflow_id)
    if desc.status is not WorkflowExecutionStatus.RUNNING:
        state = desc.status.name.lower() if desc.status else "closed"
        raise Conflict("WORKFLOW_CLOSED", f"the workflow is {state}; there is nothing to cancel")
    # The run described is the run cancelled, and the one the record names: a cancel of any other run (a
    # reset's, a continued one's) is not the web's.
    handle = client.get_workflow_handle(workflow_id, run_id=desc.run_id)
    store = StartedStore(db)
    await db.run(store.record_cancel, workflow_id, desc.run_id, actor.user_id)
    try:
        with acting_as(actor):
            await handle.signal(CANCEL_REQUEST_SIGNAL, {"reason": body.reason})
            await handle.cancel(reason=f"cancelled by {actor.user_id} (see signal {CANCEL_REQUEST_SIGNAL})")
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            await db.run(store.withdraw_cancel, workflow_id, desc.run_id)
            raise Conflict("WORKFLOW_CLOSED", "the workflow is no longer running") from None
        raise
    log.info("workflow cancel requested", workflow_id=workflow_id, by=actor.user_id)
    return CancelRequested(workflow_id=workflow_id, requested_at=datetime.now(UTC), by=actor)
