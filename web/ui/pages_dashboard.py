"""The command centre page (执行指挥中心 看板, /ui/dashboard): a supervisor across their courts, a judge (or
approver, auditor) their own court. Charts are SVG drawn on the server, each with its table beneath and
a CSV download (GET /api/dashboard/{section}.csv, or the same under /ui for a browser session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse

from web.deps import app_state, temporal_client
from web.services import command_views, dashboard
from web.ui.render import page
from web.ui.session import ReaderUser
from workflows.registry import SCENARIOS

router = APIRouter(include_in_schema=False)


@router.get("/ui/dashboard", response_class=HTMLResponse)
async def dashboard_page(request: Request, user: ReaderUser) -> Response:
    state = app_state(request)
    board = await dashboard.build(state.db, temporal_client(state), state.settings, user.actor)
    judges = await state.db.run(command_views.judges_of, state.db, user.actor)
    return page(request, "dashboard.html", user, board=board, scenarios=SCENARIOS, judges=judges)


_ID = Path(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@router.get("/ui/dashboard/judges/{judge}", response_class=HTMLResponse)
async def judge_page(judge: Annotated[str, _ID], request: Request, user: ReaderUser) -> Response:
    """按法官: one judge's waiting and overdue decisions, enforcement cases and matters."""
    state = app_state(request)
    view = await command_views.judge_view(temporal_client(state), state.db, state.settings, user.actor, judge)
    return page(request, "dashboard_judge.html", user, view=view, scenarios=SCENARIOS)


@router.get("/ui/dashboard/agencies/{agency}", response_class=HTMLResponse)
async def agency_page(agency: Annotated[str, _ID], request: Request, user: ReaderUser) -> Response:
    """按协助单位: one agency's open tasks by mark, its 绩效 and the tasks themselves."""
    state = app_state(request)
    view = await command_views.agency_view(state.db, state.settings, user.actor, agency)
    return page(request, "dashboard_agency.html", user, view=view)


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
