"""The command centre page (执行指挥中心 看板, /ui/dashboard): a supervisor across their courts, a judge (or
approver, auditor) their own court. Charts are SVG drawn on the server, each with its table beneath and
a CSV download (GET /api/dashboard/{section}.csv, or the same under /ui for a browser session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse

from web.deps import app_state, temporal_client
from web.services import dashboard
from web.ui.render import page
from web.ui.session import ReaderUser
from workflows.registry import SCENARIOS

router = APIRouter(include_in_schema=False)


@router.get("/ui/dashboard", response_class=HTMLResponse)
async def dashboard_page(request: Request, user: ReaderUser) -> Response:
    state = app_state(request)
    board = await dashboard.build(state.db, temporal_client(state), state.settings, user.actor)
    return page(request, "dashboard.html", user, board=board, scenarios=SCENARIOS)


@router.get("/ui/dashboard/{section}.csv")
async def dashboard_csv(
    section: Annotated[str, Path(pattern="^(agencies|performance|cases|payouts)$")], request: Request, user: ReaderUser
) -> Response:
    state = app_state(request)
    board = await dashboard.build(state.db, temporal_client(state), state.settings, user.actor)
    return Response(
        dashboard.to_csv(board, section),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="dashboard-{section}.csv"'},
    )
