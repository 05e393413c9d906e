"""Agency notifications: an agency registers, lists and deletes its webhooks and reads each one's
delivery log. Rules and delivery in web/services/webhooks.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from web.api.common import errors
from web.deps import Agency, State
from web.services import webhooks
from web.services.webhooks import DeliveryOut, WebhookIn, WebhookOut

router = APIRouter(tags=["webhooks"])
# A database id: anything beyond a 64-bit integer is no webhook (and would overflow the query).
WebhookId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.post("/webhooks", response_model=WebhookOut, status_code=201, responses=errors(401, 403, 422))
async def register_webhook(body: WebhookIn, state: State, actor: Agency) -> WebhookOut:
    """Events about your agency's tasks (task.assigned, task.due_soon, task.yellow, task.red, task.escalated,
    task.reassigned, task.cancelled) are POSTed to ``url`` as JSON with ``X-OM-Signature: t=<unix>,v1=<hex
    HMAC-SHA256 of "<t>.<body>" under the secret>``, ``X-OM-Event`` and ``X-OM-Delivery``; answer 2xx, or
    the delivery is retried with back-off. Polling ``GET /api/tasks`` keeps working."""
    return await webhooks.register(state.db, state.settings, actor, body)


@router.get("/webhooks", response_model=list[WebhookOut], responses=errors(401, 403))
async def list_webhooks(state: State, actor: Agency) -> list[WebhookOut]:
    return await webhooks.list_webhooks(state.db, actor)


@router.delete("/webhooks/{webhook_id}", status_code=204, responses=errors(401, 403, 404))
async def delete_webhook(webhook_id: WebhookId, state: State, actor: Agency) -> Response:
    await webhooks.delete(state.db, actor, webhook_id)
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=list[DeliveryOut], responses=errors(401, 403, 404))
async def webhook_deliveries(
    webhook_id: WebhookId, state: State, actor: Agency, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[DeliveryOut]:
    """Each delivery: event, attempts, the last answer (status or error), delivered or failed, newest first."""
    return await webhooks.deliveries(state.db, actor, webhook_id, limit)
