"""Partner systems (协助执行单位) answering asynchronously: an inquiry callback is relayed to the waiting
workflow. The rules live in web/services/partners.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from web.api.common import errors
from web.deps import Agency, State, TemporalClient
from web.services import partners
from web.services.partners import CallbackAck

router = APIRouter(tags=["partners"])


@router.post(
    "/partners/{partner_id}/callbacks/inquiry",
    response_model=CallbackAck,
    responses=errors(401, 403, 404, 422, 503),
    # The body is the partner's protocol's (sandbox-v1: docs/partner-protocol.md), read by its adapter.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "title": "InquiryCallback"}}},
        }
    },
)
async def inquiry_callback(
    request: Request,
    partner_id: Annotated[str, Path(max_length=64)],
    actor: Agency,
    state: State,
    client: TemporalClient,
) -> CallbackAck:
    """查询结果回调: a partner's late answer to an asset inquiry. Repeats and late arrivals are harmless."""
    workflow_id, callback = partners.read_callback(actor, state.partners, partner_id, await request.body())
    request.state.workflow_id = workflow_id
    return await partners.record_inquiry_answer(client, actor, workflow_id, partner_id, callback)
