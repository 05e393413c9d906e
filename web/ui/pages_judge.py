"""Judges' pages (法官): my cases, starting a scenario from its schema, a case with its timeline, tasks,
decisions, progress and countdowns; deciding, cancelling, and acting on an agency task."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from temporalio.client import WorkflowExecutionStatus

from domain.errors import Conflict, OneMatterError, ValidationFailed
from domain.money import format_yuan, yuan_to_fen
from web.deps import app_state, temporal_client
from web.services import audit, case_search, documents, payouts, scenarios
from web.services import tasks as task_service
from web.services import workflows as case_service
from web.services.access import READERS
from web.services.case_search import CaseSearch
from web.services.directory import Directory, directory
from web.services.payouts import RejectedList
from web.services.scenarios import InvalidStartRequest, scenario_or_404
from web.services.workflows import CancelBody, DecisionBody
from web.ui.display import Display
from web.ui.forms import FormBuilder, FormField, error_map, flatten, parse, upload_fields, yuan_text
from web.ui.i18n import Translator, translate
from web.ui.messages import field_messages
from web.ui.render import countdowns, page, progress_bars, refusal_fields, said
from web.ui.session import DeciderUser, JudgeUser, ReaderUser, UiUser, check_csrf, translator
from workflows.foundation.scenario import Scenario
from workflows.foundation.task_models import Reasoned, Reassignment
from workflows.registry import SCENARIOS

router = APIRouter(include_in_schema=False)


def _form(request_form: Any) -> dict[str, str]:
    return {k: v for k, v in request_form.items() if isinstance(v, str)}


# --- my cases ---------------------------------------------------------------------------------------------


@router.get("/ui/cases", response_class=HTMLResponse)
async def cases(request: Request, user: DeciderUser) -> Response:
    """我的案件: the cases I started or decided (default) or every case of my court, filtered by scenario,
    status, start date, case number, or a party's ID number (blind index)."""
    q = request.query_params

    def text(name: str) -> str | None:
        return (q.get(name) or "").strip() or None

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(q.get(name) or "")
        except ValueError:
            return None

    mine = q.get("who", "mine") != "court"
    filters = CaseSearch(
        case_number=text("case_number"),
        scenario=text("scenario"),
        status=text("status"),
        involving=user.actor.user_id if mine else None,  # 我经办的: started or decided by me
        started_from=day("from"),
        started_to=day("to"),
        party=text("party"),
    )
    state = app_state(request)
    problems: list[str] = []
    try:
        found = await case_search.search_cases(
            temporal_client(state), state.db, state.settings, user.actor, filters, page_size=100
        )
        rows = found.items
    except ValidationFailed as exc:
        rows, problems = [], [said(exc, translator(request))]
    t = translator(request)
    # The status filter grouped by scenario, each status once within its scenario (the same words in two
    # scenarios — 解除中 — are told apart by their group).
    statuses = [
        (
            s.title if t.lang == "zh" else s.title_en,
            [(k, w.zh if t.lang == "zh" else w.en) for k, w in s.words.statuses.items()],
        )
        for s in SCENARIOS.values()
        if not filters.scenario or s.name == filters.scenario
    ]
    return page(
        request,
        "judge/cases.html",
        user,
        rows=rows,
        scenarios=SCENARIOS,
        statuses=statuses,
        page_errors=problems,
        filters={
            "who": "mine" if mine else "court",
            "case_number": filters.case_number or "",
            "scenario": filters.scenario or "",
            "status": filters.status or "",
            "from": filters.started_from.isoformat() if filters.started_from else "",
            "to": filters.started_to.isoformat() if filters.started_to else "",
            "party": filters.party or "",
        },
    )


# --- starting a scenario -------------------------------------------------------------------------------


@router.get("/ui/cases/new", response_class=HTMLResponse)
async def choose_scenario(request: Request, user: JudgeUser) -> Response:
    return page(request, "judge/new.html", user, scenarios=SCENARIOS)


def _directory(request: Request) -> Directory:
    return Directory(directory(app_state(request).settings))


def _prefill(user: UiUser) -> dict[str, str]:
    """What a clerk expects filled in: the judge's own court (courts as tenants: a judge has one)."""
    courts = getattr(user.actor, "courts", None) or []
    return {"f.court": str(courts[0])} if len(courts) == 1 else {}


@dataclass(frozen=True)
class FromCase:
    """A matter started from its case (执行案件): the form asks only the matter's own fields and posts to the
    case's page."""

    case_id: str
    case_number: str
    # What the form offers from the case's register (``Scenario.picks``): a field path → its choices.
    picks: dict[str, dict[str, Any]] = field(default_factory=dict)
    # A next step's proposal (the form's own field names, ``f.…``): shown in place of the defaults, editable.
    suggested: dict[str, str] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return f"/ui/dockets/{quote(self.case_id, safe='')}/matters"


def _builder(request: Request, user: UiUser, scenario: Scenario, case: FromCase | None = None) -> FormBuilder:
    return FormBuilder(
        scenario.case_schema(case.picks) if case else scenario.input_schema(),
        translator(request),
        scenario=scenario.name,
        directory=_directory(request),
        prefill={} if case else _prefill(user),
        suggested=case.suggested if case else None,
    )


def _accepted(f: FormField) -> dict[str, str]:
    """What the judge confirms of a checked list: how many rows, and the total in yuan."""
    values = {c.key: c.value for c in f.children}
    total = next((c.value for c in f.children if c.kind == "yuan"), "")
    try:
        values["total"] = format_yuan(yuan_to_fen(total)) if total else ""
    except ValueError:
        values["total"] = total
    return values


def _start_page(
    request: Request,
    user: UiUser,
    name: str,
    values: dict[str, str] | None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status_code: int = 200,
    checks: dict[str, RejectedList] | None = None,
    case: FromCase | None = None,
) -> Response:
    scenario = scenario_or_404(name)
    fields = _builder(request, user, scenario, case).fields(values, errors)
    known = {f.name for f in flatten(fields)}
    general = list(general or []) + [m for n, m in (errors or {}).items() if n not in known]
    uploads = upload_fields(fields)
    # An upload field whose check passed holds the list's reference: the judge confirms before the start.
    accepted = {f.name: _accepted(f) for f in uploads if all(c.value for c in f.children)}
    return page(
        request,
        "judge/start.html",
        user,
        status_code=status_code,
        scenario=scenario,
        fields=fields,
        general_errors=general,
        idempotency_key=(values or {}).get("idempotency_key") or uuid.uuid4().hex,
        uploads=uploads,
        accepted=accepted,
        rejected=checks or {},
        waiting_for_upload=any(f.name not in accepted for f in uploads),
        action=f"{case.action}/{scenario.name}" if case else f"/ui/cases/new/{scenario.name}",
        from_case=case,
    )


@router.get("/ui/cases/new/{name}", response_class=HTMLResponse)
async def start_form(name: str, request: Request, user: JudgeUser) -> Response:
    return _start_page(request, user, name, None)


def case_start_form(
    request: Request, user: UiUser, name: str, case: FromCase, suggested: dict[str, str] | None = None
) -> Response:
    """The start form of a matter from its case: only the matter's own fields, ``suggested`` pre-filling them
    (a next step's proposal) over the defaults; the judge reads and submits."""
    return _start_page(request, user, name, None, case=replace(case, suggested=suggested or {}))


async def _check_uploads(
    request: Request, user: UiUser, form: Any, values: dict[str, str], fields: list[Any]
) -> dict[str, RejectedList] | None:
    """Files chosen for upload fields are checked and stored now; an accepted list's reference goes into
    the form's hidden fields (the judge sees count and total and confirms), a rejected one's errors are
    shown. None: no file was chosen."""
    chosen = {
        key.removeprefix("upload:"): value
        for key, value in form.multi_items()
        if key.startswith("upload:") and isinstance(value, UploadFile) and value.filename
    }
    if not chosen:
        return None
    rejected: dict[str, RejectedList] = {}
    store = payouts.blob_store(app_state(request))
    for f in upload_fields(fields):
        file = chosen.get(f.name)
        if file is None:
            continue
        # The spooled file itself, read a piece at a time: a million-row list is never held in memory.
        outcome = await payouts.upload_list(store, user.actor, file.file, None)
        for c in f.children:
            values.pop(c.name, None)
        if isinstance(outcome, RejectedList):
            rejected[f.name] = outcome
            continue
        ref = outcome.model_dump()
        for c in f.children:
            if c.key in ref:
                values[c.name] = yuan_text(ref[c.key]) if c.kind == "yuan" else str(ref[c.key])
    return rejected


# Starts the matter from the parsed form and the idempotency key; answers where the judge goes next.
Starter = Callable[[dict[str, Any], str | None], Awaitable[str]]


@router.post("/ui/cases/new/{name}")
async def start(name: str, request: Request, user: JudgeUser) -> Response:
    state = app_state(request)

    async def standalone(data: dict[str, Any], key: str | None) -> str:
        started = await scenarios.start(
            temporal_client(state), state.settings, state.partners, user.actor, name, data, key, db=state.db
        )
        return f"/ui/cases/{started.workflow_id}?done=started"

    return await submit_start(request, user, name, standalone)


async def submit_start(
    request: Request, user: UiUser, name: str, starter: Starter, case: FromCase | None = None
) -> Response:
    """A start form posted, standalone or from the case: uploads checked, fields parsed, the matter started;
    any error shown beside its field, in the reader's language, with nothing started."""
    await check_csrf(request, user)
    scenario = scenario_or_404(name)
    t = translator(request)
    form = await request.form()
    values = _form(form)
    fields = _builder(request, user, scenario, case).fields(values)
    checks = await _check_uploads(request, user, form, values, fields)
    if checks is not None:
        # A list was just checked: show the check; the start waits for the judge's confirmation.
        return _start_page(request, user, name, values, checks=checks, status_code=422 if checks else 200, case=case)
    missing = {f.name: t("upload.missing") for f in upload_fields(fields) if not all(c.value for c in f.children)}
    if missing:
        return _start_page(request, user, name, values, missing, status_code=422, case=case)
    parsed = parse(fields, values, t)
    if parsed.errors:
        return _start_page(request, user, name, values, parsed.errors, status_code=422, case=case)
    try:
        where = await starter(parsed.data, values.get("idempotency_key") or None)
    except InvalidStartRequest as exc:
        by_field, general = error_map(field_messages(exc.errors, t))
        return _start_page(request, user, name, values, by_field, general, status_code=422, case=case)
    except OneMatterError as exc:
        by_field, general = refusal_fields(exc, t)
        return _start_page(request, user, name, values, by_field, general, status_code=exc.status, case=case)
    return RedirectResponse(where, status_code=303)


# --- one case -------------------------------------------------------------------------------------------


_MARK_ORDER = {"red": 0, "yellow": 1, "green": 2}


# Decisions the judge may take at any time while a matter runs (an exemption, a report, lifting an order, a
# payment recorded): shown apart from the decisions the matter is waiting for.
STANDING_DECISIONS = frozenset(
    {
        "release-measure",
        "debtor-paid",
        "record-distribution-objection",
        "record-claim-declaration",
        "register-correction-request",
        "remove-entry",
        "approve-exemption",
        "refuse-exemption",
        "report-violation",
        "lift-order",
        "register-lead",
        "debtor-performed",
        "request-verification",
        "private-prosecution",
        "close-referral",
        "record-payment",
        "applicant-sues",
    }
)
_REFUSING = ("reject", "decline", "refuse", "stop", "dismiss", "return-", "keep-closed", "close-without", "continue-")
_RECORDING = (
    "record",
    "register",
    "report",
    "request",
    "seek",
    "private",
    "debtor",
    "applicant",
    "correct",
    "release-",
)


def decision_intent(name: str) -> str:
    """What a decision's button says by its colour: ``approve`` (the step the matter asks for), ``refuse``
    (it stops, declines or undoes), or ``optional`` (it records or asks, the matter goes on)."""
    if name.startswith(_REFUSING) or name == "release-property":
        return "refuse"
    if name.startswith(_RECORDING) or name in ("lift-order", "remove-entry", "close-referral"):
        return "optional"
    return "approve"


# A decision's field and the case's legal limit for it (in the summary): the limit is said beside the field.
_LIMITS_BESIDE = {"start_price_fen": "lowest_start_price_fen"}


def _limits_beside(fields: list[FormField], summary: dict[str, Any], display: Display, t: Translator) -> None:
    for f in flatten(fields):
        limit = summary.get(_LIMITS_BESIDE.get(f.key, ""))
        if isinstance(limit, int) and not isinstance(limit, bool):
            said = t("case.limit_at_least", amount=format_yuan(limit), what=display.label(_LIMITS_BESIDE[f.key]))
            f.hint = f"{said}; {f.hint}" if f.hint else said


def _concerns(summary: dict[str, Any]) -> str:
    """Whom the case's decisions concern: its debtor as the summary names them (masked where it masks)."""
    for key in ("debtor", "person", "owner"):
        value = summary.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


# Summary entries the page shows otherwise (the payee list a payout pays: as its paged list).
_HIDDEN_SUMMARY = frozenset({"list_sha256"})

# The report's columns a ticked row shows, in order (the rest is on the report's table).
_PICK_COLUMNS = ("partner_id", "kind", "reference", "description", "available_fen")


def _report_picks(summary: dict[str, Any], display: Display) -> dict[str, list[tuple[str, str]]]:
    """A decision that selects from the case's report (``selection``: report indexes) gets one tick box
    per reported row, labelled with the row as the report shows it."""
    report = summary.get("report")
    if not isinstance(report, list) or not all(isinstance(r, dict) and "index" in r for r in report):
        return {}
    sep = Markup(" · ")
    rows: list[tuple[str, str]] = [
        (str(r["index"]), sep.join(display.value(k, r[k]) for k in _PICK_COLUMNS if r.get(k) not in (None, "")))
        for r in report
    ]
    return {"selection": rows}


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
    detail = await case_service.get_workflow(temporal_client(state), state.case_pages, user.actor, workflow_id)
    tasks = await task_service.tasks_of_case(state.db, user.actor, workflow_id)
    readers = user.role in READERS
    issued = await documents.list_documents(state.db, user.actor, workflow_id=workflow_id) if readers else []
    directory_ = _directory(request)
    display = Display(t, detail.scenario, directory_)
    picks = _report_picks(detail.summary, display)
    forms = []
    for d in detail.pending_decisions:
        if user.role.value not in d.roles:
            continue  # another role's decision (a second approval is the approver's): no form for it here
        mine = d.name == decision
        fields = FormBuilder(d.input_schema, t, detail.scenario, directory_, picks=picks).fields(
            values if mine else None, errors if mine else None
        )
        _limits_beside(fields, detail.summary, display, t)
        known = {f.name for f in flatten(fields)}
        extra = [m for n, m in (errors or {}).items() if mine and n not in known and n != "reason"]
        forms.append(
            {
                "decision": d,
                "intent": decision_intent(d.name),
                "effect": translate(t.lang, f"effect.{d.name}", "", detail.scenario),
                "standing": d.name in STANDING_DECISIONS,
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
    try:
        payee_offset = max(int(request.query_params.get("payees") or 0), 0)
    except ValueError:
        payee_offset = 0
    payees = await payouts.payee_page(payouts.blob_store(state), detail.summary, payee_offset)
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
        documents=issued,
        progress=progress_bars(detail.summary),
        countdowns=countdowns(detail.summary),
        running=detail.temporal_status == WorkflowExecutionStatus.RUNNING.name,
        agencies=[(a.id, a.name) for a in state.settings.agencies()],
        directory=directory_,
        display=display,
        temporal_link=audit.temporal_ui_link(state.settings, workflow_id, detail.run_id),
        done=request.query_params.get("done"),
        cancel_error=(errors or {}).get("cancel_reason") if decision == "__cancel__" else None,
        page_errors=page_errors,
        concerns=_concerns(detail.summary),
        payees=payees,
        hidden=_HIDDEN_SUMMARY,
    )


@router.get("/ui/cases/{workflow_id}", response_class=HTMLResponse)
async def case(workflow_id: str, request: Request, user: ReaderUser) -> Response:
    return await _case_page(request, user, workflow_id)


@router.post("/ui/cases/{workflow_id}/decisions/{decision}")
async def take_decision(workflow_id: str, decision: str, request: Request, user: DeciderUser) -> Response:
    await check_csrf(request, user)
    t = translator(request)
    state = app_state(request)
    client = temporal_client(state)
    values = _form(await request.form())
    detail = await case_service.get_workflow(client, state.case_pages, user.actor, workflow_id)
    pending = next((d for d in detail.pending_decisions if d.name == decision), None)
    if pending is None:
        raise Conflict("DECISION_NOT_PENDING", f"{decision!r} is not waiting for a decision")
    fields = FormBuilder(pending.input_schema, t, detail.scenario, _directory(request)).fields(values)
    parsed = parse(fields, values, t)
    if parsed.errors:
        return await _case_page(request, user, workflow_id, decision, values, parsed.errors, status_code=422)
    reason = values.get("reason", "").strip()
    try:
        body = DecisionBody.model_validate({**parsed.data, "reason": reason})
        await case_service.decide(client, app_state(request).db, user.actor, workflow_id, decision, body)
    except ValidationError as exc:
        by_field, general = error_map(field_messages(exc.errors(), t))
        return await _case_page(request, user, workflow_id, decision, values, by_field, general, status_code=422)
    except OneMatterError as exc:
        by_field, general = refusal_fields(exc, translator(request))
        return await _case_page(request, user, workflow_id, decision, values, by_field, general, status_code=exc.status)
    return RedirectResponse(f"/ui/cases/{workflow_id}?done=decided", status_code=303)


@router.post("/ui/cases/{workflow_id}/cancel")
async def cancel_case(workflow_id: str, request: Request, user: JudgeUser) -> Response:
    """Cancels the case with a reason, as ``POST /api/workflows/{id}/cancel`` does (one implementation):
    only a scenario workflow the judge may see, and only with a reason."""
    await check_csrf(request, user)
    client = temporal_client(app_state(request))
    # Anything but a case this judge may see is refused before the form is even looked at.
    await case_service.visible_case(client, app_state(request).db, user.actor, workflow_id)
    values = _form(await request.form())
    try:
        body = CancelBody(reason=values.get("reason", ""))
    except ValidationError:
        errors = {"cancel_reason": translator(request)("common.required")}
        return await _case_page(request, user, workflow_id, "__cancel__", values, errors, status_code=422)
    try:
        await case_service.cancel(client, app_state(request).db, user.actor, workflow_id, body)
    except Conflict as exc:
        return await _case_page(
            request, user, workflow_id, None, None, None, [said(exc, translator(request))], status_code=exc.status
        )
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
            await task_service.reassign(state.db, client, user.actor, task_id, body, state.settings.agencies())
        elif action == "cancel":
            await task_service.cancel(state.db, client, user.actor, task_id, Reasoned(reason=reason))
        else:
            raise ValidationFailed("UNKNOWN_ACTION", f"unknown task action {action!r}")
    except (ValidationError, ValueError) as exc:
        t = translator(request)
        msgs = [m for _, m in field_messages(exc.errors(), t)] if isinstance(exc, ValidationError) else []
        return await _case_page(
            request, user, workflow_id, None, None, None, msgs[:1] or [t("invalid.integer")], status_code=422
        )
    except OneMatterError as exc:
        return await _case_page(
            request, user, workflow_id, None, None, None, [said(exc, translator(request))], status_code=exc.status
        )
    return RedirectResponse(f"/ui/cases/{workflow_id}?done=task", status_code=303)
