"""Auditors' pages (审计): search workflows — live in Temporal or archived — by case number, scenario,
status and dates; read a workflow's audit trail; download its signed export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from domain.errors import ValidationFailed
from domain.legal_time import CHINA_TZ
from web.api.workflows import _summary_of, build_list_query
from web.audit import (
    build_export,
    export_bytes,
    key_id,
    load_signing_key,
    public_key_b64,
    search_archive,
    temporal_ui_link,
    trail_for,
)
from web.deps import app_state, temporal_client
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
    filters = {k: (q.get(k) or "").strip() for k in ("case_number", "scenario", "status", "from", "to")}
    started_from = _day(filters["from"], "from")
    to_day = _day(filters["to"], "to")
    started_to = to_day + timedelta(days=1) if to_day else None  # inclusive of the last day
    query = build_list_query(filters["case_number"] or None, filters["scenario"] or None, filters["status"] or None)
    if started_from:
        query += f" AND StartTime >= {_visibility_time(started_from)}"
    if started_to:
        query += f" AND StartTime < {_visibility_time(started_to)}"
    state = app_state(request)
    client = temporal_client(state)
    it = client.list_workflows(query, page_size=PAGE_SIZE)
    await it.fetch_next_page()
    rows = []
    for w in it.current_page or []:
        s = _summary_of(w.id, w.typed_search_attributes, w.status, w.start_time, w.close_time)
        rows.append(Row(**s.model_dump()))
    seen = {r.workflow_id for r in rows}
    archived = await state.db.run(
        lambda: search_archive(
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
    result = await trail_for(state.db, temporal_client(state), workflow_id)
    public = public_key_b64(load_signing_key(state.settings).public_key())
    return page(
        request,
        "audit/trail.html",
        user,
        trail=result,
        key_id=key_id(public),
        temporal_link=temporal_ui_link(state.settings, workflow_id, result.header.run_id),
        scenario=SCENARIOS.get(result.header.scenario or ""),
    )


@router.get("/ui/audit/{workflow_id}/export")
async def export(workflow_id: str, request: Request, user: AuditUser) -> Response:
    state = app_state(request)
    result = await trail_for(state.db, temporal_client(state), workflow_id)
    link = temporal_ui_link(state.settings, workflow_id, result.header.run_id)
    doc = build_export(result, load_signing_key(state.settings), link)
    filename = "audit-" + re.sub(r"[^A-Za-z0-9._-]", "_", workflow_id) + ".json"
    return Response(
        export_bytes(doc),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
