"""Judges' pages (法官): my cases, starting a scenario from its schema, a case with its timeline, tasks,
decisions, progress and countdowns; deciding, cancelling, and acting on an agency task."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from temporalio.client import WorkflowExecutionStatus

from domain.errors import Conflict, OneMatterError, ValidationFailed
from web.deps import app_state, temporal_client
from web.errors import field_errors
from web.services import audit, scenarios
from web.services import tasks as task_service
from web.services import workflows as case_service
from web.services.scenarios import InvalidStartRequest, scenario_or_404
from web.services.workflows import CancelBody, DecisionBody, ListFilter
from web.ui.forms import FormBuilder, error_map, flatten, parse
from web.ui.render import countdowns, page, progress_bars, refusal_fields
from web.ui.session import JudgeUser, ReaderUser, UiUser, check_csrf, translator
from workflows.agency_task.models import Reasoned, Reassignment
from workflows.registry import SCENARIOS

router = APIRouter(include_in_schema=False)


def _form(request_form: Any) -> dict[str, str]:
    return {k: v for k, v in request_form.items() if isinstance(v, str)}


# --- my cases ---------------------------------------------------------------------------------------------


@router.get("/ui/cases", response_class=HTMLResponse)
async def cases(request: Request, user: JudgeUser) -> Response:
    q = request.query_params
    case_number = (q.get("case_number") or "").strip() or None
    scenario = q.get("scenario") or None
    client = temporal_client(app_state(request))
    found = await case_service.list_workflows(
        client, user.actor, ListFilter(case_number=case_number, scenario=scenario), page_size=100
    )
    return page(
        request,
        "judge/cases.html",
        user,
        rows=found.items,
        scenarios=SCENARIOS,
        filters={"case_number": case_number or "", "scenario": scenario or ""},
    )


# --- starting a scenario -------------------------------------------------------------------------------


@router.get("/ui/cases/new", response_class=HTMLResponse)
async def choose_scenario(request: Request, user: JudgeUser) -> Response:
    return page(request, "judge/new.html", user, scenarios=SCENARIOS)


def _start_page(
    request: Request,
    user: UiUser,
    name: str,
    values: dict[str, str] | None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    scenario = scenario_or_404(name)
    fields = FormBuilder(scenario.input_schema(), translator(request)).fields(values, errors)
    known = {f.name for f in flatten(fields)}
    general = list(general or []) + [m for n, m in (errors or {}).items() if n not in known]
    return page(
        request,
        "judge/start.html",
        user,
        status_code=status_code,
        scenario=scenario,
        fields=fields,
        general_errors=general,
        idempotency_key=(values or {}).get("idempotency_key") or uuid.uuid4().hex,
    )


@router.get("/ui/cases/new/{name}", response_class=HTMLResponse)
async def start_form(name: str, request: Request, user: JudgeUser) -> Response:
    return _start_page(request, user, name, None)


@router.post("/ui/cases/new/{name}")
async def start(name: str, request: Request, user: JudgeUser) -> Response:
    await check_csrf(request, user)
    scenario = scenario_or_404(name)
    t = translator(request)
    values = _form(await request.form())
    fields = FormBuilder(scenario.input_schema(), t).fields(values)
    parsed = parse(fields, values, t)
    if parsed.errors:
        return _start_page(request, user, name, values, parsed.errors, status_code=422)
    state = app_state(request)
    try:
        started = await scenarios.start(
            temporal_client(state),
            state.settings,
            state.partners,
            user.actor,
            name,
            parsed.data,
            values.get("idempotency_key") or None,
        )
    except InvalidStartRequest as exc:
        by_field, general = error_map([(e.field, e.message) for e in field_errors(exc.errors)])
        return _start_page(request, user, name, values, by_field, general, status_code=422)
    except OneMatterError as exc:
        return _start_page(request, user, name, values, None, [exc.message], status_code=exc.status)
    return RedirectResponse(f"/ui/cases/{started.workflow_id}?done=started", status_code=303)


# --- one case -------------------------------------------------------------------------------------------


_MARK_ORDER = {"red": 0, "yellow": 1, "green": 2}


async def _case_page(
    request: Request,
    user: UiUser,
    workflow_id: str,
    decision: str | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    state = app_state(request)
    t = translator(request)
    detail = await case_service.get_workflow(temporal_client(state), user.actor, workflow_id)
    tasks = await task_service.tasks_of_case(state.db, user.actor, workflow_id)
    forms = []
    for d in detail.pending_decisions:
        mine = d.name == decision
        fields = FormBuilder(d.input_schema, t).fields(values if mine else None, errors if mine else None)
        known = {f.name for f in flatten(fields)}
        extra = [m for n, m in (errors or {}).items() if mine and n not in known and n != "reason"]
        forms.append(
            {
                "decision": d,
                "fields": fields,
                "reason": (values or {}).get("reason", "") if mine else "",
                "reason_error": (errors or {}).get("reason") if mine else None,
                "errors": (list(general or []) + extra) if mine else [],
            }
        )
    pending_names = {d.name for d in detail.pending_decisions}
    page_errors = list(general or []) if decision not in pending_names else []
    open_tasks = [r for r in tasks if r.state in ("open", "claimed")]
    open_tasks.sort(key=lambda r: (_MARK_ORDER.get(r.mark, 3), r.due_at))
    closed_tasks = [r for r in tasks if r.state not in ("open", "claimed")]
    scenario = SCENARIOS.get(detail.scenario or "")
    return page(
        request,
        "judge/case.html",
        user,
        status_code=status_code,
        detail=detail,
        scenario=scenario,
        forms=forms,
        open_tasks=open_tasks,
        closed_tasks=closed_tasks,
        progress=progress_bars(detail.summary),
        countdowns=countdowns(detail.summary),
        running=detail.temporal_status == WorkflowExecutionStatus.RUNNING.name,
        agencies=[(a.id, a.name) for a in state.settings.agencies()],
        temporal_link=audit.temporal_ui_link(state.settings, workflow_id, detail.run_id),
        done=request.query_params.get("done"),
        cancel_error=(errors or {}).get("cancel_reason") if decision == "__cancel__" else None,
        page_errors=page_errors,
    )


@router.get("/ui/cases/{workflow_id}", response_class=HTMLResponse)
async def case(workflow_id: str, request: Request, user: ReaderUser) -> Response:
    return await _case_page(request, user, workflow_id)


@router.post("/ui/cases/{workflow_id}/decisions/{decision}")
async def take_decision(workflow_id: str, decision: str, request: Request, user: JudgeUser) -> Response:
    await check_csrf(request, user)
    t = translator(request)
    state = app_state(request)
    client = temporal_client(state)
    values = _form(await request.form())
    detail = await case_service.get_workflow(client, user.actor, workflow_id)
    pending = next((d for d in detail.pending_decisions if d.name == decision), None)
    if pending is None:
        raise Conflict("DECISION_NOT_PENDING", f"{decision!r} is not waiting for a decision")
    fields = FormBuilder(pending.input_schema, t).fields(values)
    parsed = parse(fields, values, t)
    if parsed.errors:
        return await _case_page(request, user, workflow_id, decision, values, parsed.errors, status_code=422)
    reason = values.get("reason", "").strip()
    try:
        body = DecisionBody.model_validate({**parsed.data, "reason": reason})
        await case_service.decide(client, user.actor, workflow_id, decision, body)
    except ValidationError as exc:
        by_field, general = error_map([(e.field, e.message) for e in field_errors(exc.errors())])
        return await _case_page(request, user, workflow_id, decision, values, by_field, general, status_code=422)
    except OneMatterError as exc:
        by_field, general = refusal_fields(exc)
        return await _case_page(request, user, workflow_id, decision, values, by_field, general, status_code=exc.status)
    return RedirectResponse(f"/ui/cases/{workflow_id}?done=decided", status_code=303)


@router.post("/ui/cases/{workflow_id}/cancel")
async def cancel_case(workflow_id: str, request: Request, user: JudgeUser) -> Response:
    """Cancels the case with a reason, as ``POST /api/workflows/{id}/cancel`` does (one implementation):
    only a scenario workflow the judge may see, and only with a reason."""
    await check_csrf(request, user)
    client = temporal_client(app_state(request))
    # Anything but a case this judge may see is refused before the form is even looked at.
    await case_service.visible_case(client, user.actor, workflow_id)
    values = _form(await request.form())
    try:
        body = CancelBody(reason=values.get("reason", ""))
    except ValidationError:
        errors = {"cancel_reason": translator(request)("common.required")}
        return await _case_page(request, user, workflow_id, "__cancel__", values, errors, status_code=422)
    try:
        await case_service.cancel(client, user.actor, workflow_id, body)
    except Conflict as exc:
        return await _case_page(request, user, workflow_id, None, None, None, [exc.message], status_code=exc.status)
    return RedirectResponse(f"/ui/cases/{workflow_id}?done=cancelled", status_code=303)


@router.post("/ui/cases/{workflow_id}/tasks/{task_id}")
async def task_action(workflow_id: str, task_id: str, request: Request, user: JudgeUser) -> Response:
    """The judge extends, reassigns or cancels an agency task, with a reason."""
    await check_csrf(request, user)
    values = _form(await request.form())
    action, reason = values.get("action", ""), values.get("reason", "").strip()
    state = app_state(request)
    client = temporal_client(state)
    try:
        if action == "extend":
            amount = int(values.get("amount") or 0)
            await task_service.extend_in_own_unit(state.db, client, user.actor, task_id, amount, reason)
        elif action == "reassign":
            body = Reassignment(reason=reason, agency=values.get("agency", ""))
            await task_service.reassign(state.db, client, user.actor, task_id, body)
        elif action == "cancel":
            await task_service.cancel(state.db, client, user.actor, task_id, Reasoned(reason=reason))
        else:
            raise ValidationFailed("UNKNOWN_ACTION", f"unknown task action {action!r}")
    except (ValidationError, ValueError) as exc:
        msg = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        return await _case_page(request, user, workflow_id, None, None, None, [msg], status_code=422)
    except OneMatterError as exc:
        return await _case_page(request, user, workflow_id, None, None, None, [exc.message], status_code=exc.status)
    return RedirectResponse(f"/ui/cases/{workflow_id}?done=task", status_code=303)
