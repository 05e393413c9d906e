"""The command centre (执行指挥中心) as JSON and CSV: what /ui/dashboard shows, for the caller's courts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from web.api.common import errors
from web.deps import Reader, State, TemporalClient
from web.services import dashboard
from web.services.dashboard import Dashboard

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard", response_model=Dashboard, responses=errors(401, 403))
async def get_dashboard(state: State, actor: Reader, client: TemporalClient) -> Dashboard:
    """Open tasks by agency and SLA mark, each agency's average feedback time in working days over the
    last 30 days, cases by scenario and status, and payouts in progress — within the caller's courts."""
    return await dashboard.build(state.db, client, state.settings, actor)


@router.get(
    "/dashboard/{section}.csv",
    response_class=Response,
    responses={**errors(401, 403, 422), 200: {"content": {"text/csv": {}}, "description": "the section as CSV"}},
)
async def dashboard_csv(
    section: Annotated[str, Path(pattern="^(agencies|performance|cases|payouts)$")],
    state: State,
    actor: Reader,
    client: TemporalClient,
) -> Response:
    """One section of the dashboard as CSV (UTF-8 with a byte-order mark)."""
    board = await dashboard.build(state.db, client, state.settings, actor)
    return Response(
        dashboard.to_csv(board, section),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="dashboard-{section}.csv"'},
    )
