"""Work queues (待办) as pages: the judge's 待我决定, the approver's (庭长/院长) 待我审批 — second approvals,
signatures and term extensions — and the command centre's 待督办 (overdue decisions, red tasks); and what
the header counts for every role (``/ui/queue/counts``, filled in after the page loads so no page waits
for the count)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from domain.actors import Role
from domain.errors import OneMatterError
from web.deps import app_state, temporal_client
from web.services import cases, queues
from web.ui.render import page, said
from web.ui.session import AnyUser, QueueUser, UiUser, check_csrf, translator
from workflows.case.models import APPROVE_EXTENSION, REFUSE_EXTENSION
from workflows.case.words import WORDS as CASE_WORDS
from workflows.registry import SCENARIOS

router = APIRouter(include_in_schema=False)


@router.get("/ui/queue", response_class=HTMLResponse)
async def queue(request: Request, user: QueueUser) -> Response:
    return await _queue_page(request, user)


async def _queue_page(
    request: Request, user: UiUser, errors: list[str] | None = None, status_code: int = 200
) -> Response:
    state = app_state(request)
    client = temporal_client(state)
    if user.role is Role.SUPERVISOR:
        settings = state.settings
        overdue = await queues.overdue_decisions(
            client, state.db, user.actor, settings.task_queue, settings.time_acceleration, fresh=True
        )
        red = await queues.red_tasks(state.db, user.actor)
        return page(request, "queue_supervisor.html", user, overdue=overdue, red=red, scenarios=SCENARIOS)

    token = request.query_params.get("page") or None
    found = await queues.decisions_waiting(client, state.db, user.actor, page_token=token)
    extensions = await queues.extensions_waiting(state.db, user.actor) if not token else []
    sanctions = await queues.sanctions_waiting(state.db, user.actor) if not token else []
    return page(
        request,
        "judge/queue.html",
        user,
        rows=found.items,
        next_page=found.next_page_token,
        extensions=extensions,
        sanctions=sanctions,
        scenarios=SCENARIOS,
        case_words=CASE_WORDS,
        done=request.query_params.get("done"),
        page_errors=errors or [],
        status_code=status_code,
    )


@router.post("/ui/queue/extensions/{case_id}/{decision}")
async def decide_extension(
    case_id: str,
    decision: Annotated[str, Path(pattern=f"^({APPROVE_EXTENSION}|{REFUSE_EXTENSION})$")],
    request: Request,
    user: QueueUser,
) -> Response:
    """The president's decision on a term extension (院长审批延长审限), from the queue, with its reasons."""
    await check_csrf(request, user)
    form = await request.form()
    reason = str(form.get("reason") or "").strip()
    t = translator(request)
    if not reason:
        return await _queue_page(request, user, [t("refusal.REASON_REQUIRED")], status_code=422)
    state = app_state(request)
    try:
        await cases.decide(temporal_client(state), state.db, user.actor, case_id, decision, reason)
    except OneMatterError as exc:
        return await _queue_page(request, user, [said(exc, t)], status_code=exc.status)
    return RedirectResponse("/ui/queue?done=decided", status_code=303)


@router.get("/ui/queue/counts")
async def queue_counts(request: Request, user: AnyUser) -> Response:
    state = app_state(request)
    settings = state.settings
    counted = await queues.counts(
        temporal_client(state), state.db, user.actor, settings.task_queue, settings.time_acceleration
    )
    return JSONResponse(counted.model_dump(), headers={"Cache-Control": "private, no-store"})
