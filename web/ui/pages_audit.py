"""Auditors' pages (审计): search workflows — live in Temporal or archived — by case number, scenario,
status and dates; read a workflow's audit trail; download its signed export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from domain.errors import ValidationFailed
from domain.legal_time import CHINA_TZ
from web.deps import app_state, temporal_client
from web.services import audit
from web.services import workflows as cases
from web.services.workflows import build_list_query
from web.ui.render import page
from web.ui.session import AuditUser
from workflows.registry import SCENARIOS

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


@dataclass
class Row:
    workflow_id: str
    scenario: str | None
    case_number: str | None
    court: str | None
    status: str | None
    temporal_status: str | None
    started_at: datetime | None
    closed_at: datetime | None
    archived: bool = False
    started_by: str | None = None  # listed by visibility since OmStartedBy; the page does not show it


def _day(value: str | None, field: str) -> datetime | None:
    """A date typed by the auditor, as the start of that day in China time."""
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(0), tzinfo=CHINA_TZ)
    except ValueError:
        raise ValidationFailed("INVALID_DATE", f"{field}: not a date (YYYY-MM-DD)", field) from None


def _visibility_time(value: datetime) -> str:
    return "'" + value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") + "'"


@router.get("/ui/audit", response_class=HTMLResponse)
async def search(request: Request, user: AuditUser) -> Response:
    q = request.query_params
    filters = {k: (q.get(k) or "").strip() for k in ("case_number", "scenario", "status", "from", "to", "started_by")}
    started_from = _day(filters["from"], "from")
    to_day = _day(filters["to"], "to")
    started_to = to_day + timedelta(days=1) if to_day else None  # inclusive of the last day
    query = build_list_query(
        filters["case_number"] or None,
        filters["scenario"] or None,
        filters["status"] or None,
        started_by=filters["started_by"] or None,  # a judge's own, from the command centre's view of them
    )
    if started_from:
        query += f" AND StartTime >= {_visibility_time(started_from)}"
    if started_to:
        query += f" AND StartTime < {_visibility_time(started_to)}"
    state = app_state(request)
    found = await cases.search_for(temporal_client(state), state.db, user.actor, query, PAGE_SIZE)
    rows = [Row(**s.model_dump()) for s in found.items]
    seen = {r.workflow_id for r in rows}
    # The archive keeps no starter: a view of one judge's running matters lists them from visibility only.
    archived = (
        []
        if filters["started_by"]
        else await audit.search_archive(
            user.actor,
            state.db,
            filters["case_number"] or None,
            filters["scenario"] or None,
            filters["status"] or None,
            started_from,
            started_to,
            PAGE_SIZE,
        )
    )
    for a in archived:
        if a.workflow_id in seen:
            continue
        rows.append(
            Row(
                a.workflow_id,
                a.scenario,
                a.case_number,
                a.court,
                a.status,
                a.temporal_status,
                a.started_at,
                a.closed_at,
                archived=True,
            )
        )
    return page(request, "audit/search.html", user, rows=rows, filters=filters, scenarios=SCENARIOS)


@router.get("/ui/audit/{workflow_id}", response_class=HTMLResponse)
async def trail(workflow_id: str, request: Request, user: AuditUser) -> Response:
    state = app_state(request)
    result = await audit.trail(user.actor, state.db, temporal_client(state), workflow_id)
    return page(
        request,
        "audit/trail.html",
        user,
        trail=result,
        key_id=audit.public_key(state.settings).key_id,
        temporal_link=audit.temporal_ui_link(state.settings, workflow_id, result.header.run_id),
        scenario=SCENARIOS.get(result.header.scenario or ""),
    )


@router.get("/ui/audit/{workflow_id}/export")
async def export(workflow_id: str, request: Request, user: AuditUser) -> Response:
    state = app_state(request)
    signed = await audit.signed_export(user.actor, state.settings, state.db, temporal_client(state), workflow_id)
    return Response(
        signed.content,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{signed.filename}"'},
    )
