"""Judges' pages (法官): my cases, starting a scenario from its schema, a case with its timeline, tasks,
decisions, progress and countdowns; deciding, cancelling, and acting on an agency task."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from core.identity import acting_as
from core.logging import get_logger
from domain.errors import Conflict, OneMatterError, ValidationFailed
from domain.legal_time import LegalDuration
from web.api.scenarios import scenario_or_404, start_workflow
from web.api.tasks import cancel_task, extend_task, reassign_task
from web.api.workflows import DecisionBody, WorkflowDetail, decide, get_workflow, list_workflows
from web.audit import temporal_ui_link
from web.db import Database
from web.deps import app_state, temporal_client
from web.errors import field_errors
from web.inbox import InboxTask
from web.ui.forms import FormBuilder, error_map, flatten, parse
from web.ui.render import countdowns, page, progress_bars
from web.ui.session import JudgeUser, ReaderUser, UiUser, check_csrf, translator
from workflows.agency_task import Extension, Reasoned, Reassignment
from workflows.registry import SCENARIOS

log = get_logger(__name__)
router = APIRouter(include_in_schema=False)

# Recorded in history with the judge's identity (the om-actor header) and reason, just before the
# Temporal cancellation itself, whose own record carries only the web's identity.
CANCEL_REQUEST_SIGNAL = "om-cancel-requested"


def _form(request_form: Any) -> dict[str, str]:
    return {k: v for k, v in request_form.items() if isinstance(v, str)}


# --- my cases ---------------------------------------------------------------------------------------------


@router.get("/ui/cases", response_class=HTMLResponse)
async def cases(request: Request, user: JudgeUser) -> Response:
    q = request.query_params
    case_number = (q.get("case_number") or "").strip() or None
    scenario = q.get("scenario") or None
    client = temporal_client(app_state(request))
    rows = await list_workflows(
        Response(), user.actor, client, case_number=case_number, scenario=scenario, page_size=100
    )
    return page(
        request,
        "judge/cases.html",
        user,
        rows=rows,
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
        started = await start_workflow(
            request,
            user.actor,
            state,
            temporal_client(state),
            name,
            parsed.data,
            values.get("idempotency_key") or None,
        )
    except RequestValidationError as exc:
        by_field, general = error_map([(e.field, e.message) for e in field_errors(exc.errors())])
        return _start_page(request, user, name, values, by_field, general, status_code=422)
    except OneMatterError as exc:
        return _start_page(request, user, name, values, None, [exc.message], status_code=exc.status)
    return RedirectResponse(f"/ui/cases/{started.workflow_id}?done=started", status_code=303)


# --- one case -------------------------------------------------------------------------------------------


def _tasks_of(db: Database, workflow_id: str) -> list[InboxTask]:
    with db.session() as s:
        q = select(InboxTask).where(InboxTask.workflow_id == workflow_id).order_by(InboxTask.assigned_at)
        return list(s.scalars(q))


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
    detail: WorkflowDetail = await get_workflow(request, workflow_id, user.actor, temporal_client(state))
    tasks = await state.db.run(_tasks_of, state.db, workflow_id)
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
        temporal_link=temporal_ui_link(state.settings, workflow_id, detail.run_id),
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
    detail = await get_workflow(request, workflow_id, user.actor, client)
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
        await decide(request, workflow_id, decision, body, user.actor, client)
    except ValidationError as exc:
        by_field, general = error_map([(e.field, e.message) for e in field_errors(exc.errors())])
        return await _case_page(request, user, workflow_id, decision, values, by_field, general, status_code=422)
    except OneMatterError as exc:
        by_field, general = _refusal_fields(exc)
        return await _case_page(request, user, workflow_id, decision, values, by_field, general, status_code=exc.status)
    return RedirectResponse(f"/ui/cases/{workflow_id}?done=decided", status_code=303)


def _refusal_fields(exc: OneMatterError) -> tuple[dict[str, str], list[str]]:
    """A workflow validator says "field: message"; put it next to the field when there is one."""
    if exc.code == "REASON_REQUIRED":
        return {"reason": exc.message}, []
    head, sep, rest = exc.message.partition(": ")
    if sep and " " not in head and exc.code.startswith("INVALID"):
        path = head.removeprefix("result.")
        return {f"f.{path}": rest}, []
    return {}, [exc.message]


@router.post("/ui/cases/{workflow_id}/cancel")
async def cancel_case(workflow_id: str, request: Request, user: JudgeUser) -> Response:
    """Cancels the workflow with a reason: a signal records who and why (encrypted, with the judge's
    identity in its header), then Temporal's cancellation stops it."""
    await check_csrf(request, user)
    values = _form(await request.form())
    reason = values.get("reason", "").strip()
    t = translator(request)
    if not reason:
        errors = {"cancel_reason": t("common.required")}
        return await _case_page(request, user, workflow_id, "__cancel__", values, errors, status_code=422)
    client = temporal_client(app_state(request))
    handle = client.get_workflow_handle(workflow_id)
    try:
        with acting_as(user.actor):
            await handle.signal(CANCEL_REQUEST_SIGNAL, {"reason": reason})
            # The cancellation's own reason is stored in plain text: the user id only, never the judge's words.
            await handle.cancel(reason=f"cancelled by {user.actor.user_id} (see signal {CANCEL_REQUEST_SIGNAL})")
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise Conflict("WORKFLOW_CLOSED", "the workflow is no longer running") from None
        raise
    log.info("workflow cancel requested", workflow_id=workflow_id)
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
            row = await state.db.run(lambda: _task_row(state.db, task_id))
            unit = row.view().spec.rule.due.unit if row else None
            if unit is None:
                raise ValidationFailed("TASK_NOT_FOUND", "no such task")
            body = Extension(reason=reason, extra=LegalDuration(amount=int(values.get("amount") or 0), unit=unit))
            await extend_task(task_id, body, state, user.actor, client)
        elif action == "reassign":
            await reassign_task(
                task_id, Reassignment(reason=reason, agency=values.get("agency", "")), state, user.actor, client
            )
        elif action == "cancel":
            await cancel_task(task_id, Reasoned(reason=reason), state, user.actor, client)
        else:
            raise ValidationFailed("UNKNOWN_ACTION", f"unknown task action {action!r}")
    except (ValidationError, ValueError) as exc:
        msg = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        return await _case_page(request, user, workflow_id, None, None, None, [msg], status_code=422)
    except OneMatterError as exc:
        return await _case_page(request, user, workflow_id, None, None, None, [exc.message], status_code=exc.status)
    return RedirectResponse(f"/ui/cases/{workflow_id}?done=task", status_code=303)


def _task_row(db: Database, task_id: str) -> InboxTask | None:
    with db.session() as s:
        return s.get(InboxTask, task_id)
