"""Work queues (待办): the judge's 待我决定 and the approver's 待我审批 as pages, and what the header counts
for every role (``/ui/queue/counts``, filled in after the page loads so no page waits for the count)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from web.deps import app_state, temporal_client
from web.services import queues
from web.ui.render import page
from web.ui.session import AnyUser, DeciderUser
from workflows.registry import SCENARIOS

router = APIRouter(include_in_schema=False)


@router.get("/ui/queue", response_class=HTMLResponse)
async def queue(request: Request, user: DeciderUser) -> Response:
    token = request.query_params.get("page") or None
    found = await queues.decisions_waiting(
        temporal_client(app_state(request)), app_state(request).db, user.actor, page_token=token
    )
    return page(
        request, "judge/queue.html", user, rows=found.items, next_page=found.next_page_token, scenarios=SCENARIOS
    )


@router.get("/ui/queue/counts")
async def queue_counts(request: Request, user: AnyUser) -> Response:
    state = app_state(request)
    counted = await queues.counts(temporal_client(state), state.db, user.actor)
    return JSONResponse(counted.model_dump(), headers={"Cache-Control": "private, no-store"})
