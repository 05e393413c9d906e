"""Agencies' pages (协助执行单位): the inbox by SLA mark, a task with its result form (from the task's
result schema) and attachments, and the tasks done. An agency sees only its own tasks: the API's
checks answer 403 for another agency's task, here as everywhere."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from domain.errors import OneMatterError
from domain.tasks import TaskState
from web.deps import app_state, temporal_client
from web.services import task_notes, tasks
from web.services.task_notes import CommentBody, FollowUpBody
from web.services.tasks import FINAL_STATES, MAX_ATTACHMENT_BYTES, TaskQuery, TaskSummary
from web.ui.forms import FormBuilder, FormField, flatten, parse
from web.ui.render import page, refusal_fields, said
from web.ui.session import AgencyUser, AnyUser, UiUser, check_csrf, translator
from workflows.foundation.task_models import Completion, Reasoned

router = APIRouter(include_in_schema=False)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MARK_ORDER = {"red": 0, "yellow": 1, "green": 2}
# An upload refused: the words the clerk reads beside the file chooser.
_UPLOAD_REFUSALS = {"ATTACHMENT_TOO_LARGE": "task.file_too_large", "ATTACHMENT_TYPE_REFUSED": "task.file_type"}


def _form(request_form: Any) -> dict[str, str]:
    return {k: v for k, v in request_form.items() if isinstance(v, str)}


async def _own_tasks(request: Request, user: UiUser, states: tuple[str, ...] | None) -> list[TaskSummary]:
    """The agency's own tasks, as GET /api/tasks lists them."""
    query = TaskQuery(states=states, limit=500)
    return await tasks.list_tasks(app_state(request).db, user.actor, query)


@router.get("/ui/inbox", response_class=HTMLResponse)
async def inbox(request: Request, user: AgencyUser) -> Response:
    rows = await _own_tasks(request, user, TaskQuery.states_for("open"))
    rows.sort(key=lambda r: (_MARK_ORDER.get(r.mark, 3), r.due_at))
    counts = {m: sum(1 for r in rows if r.mark == m) for m in ("red", "yellow", "green")}
    return page(request, "agency/inbox.html", user, rows=rows, counts=counts, done=False)


@router.get("/ui/inbox/done", response_class=HTMLResponse)
async def done_tasks(request: Request, user: AgencyUser) -> Response:
    rows = await _own_tasks(request, user, FINAL_STATES)
    rows.sort(key=lambda r: r.due_at, reverse=True)
    return page(request, "agency/inbox.html", user, rows=rows, counts={}, done=True)


def _attachments(request: Request) -> list[str]:
    raw = request.query_params.get("att", "")
    return [h for h in raw.split(",") if _SHA256.match(h)]


async def _task_page(
    request: Request,
    user: UiUser,
    task_id: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    attachments: list[str] | None = None,
    status_code: int = 200,
    upload_error: str | None = None,
) -> Response:
    detail = await tasks.get_task(app_state(request).db, user.actor, task_id)
    attachments = attachments if attachments is not None else _attachments(request)
    fields = FormBuilder(detail.result_schema, translator(request)).fields(values, errors)
    if values is None and attachments:
        _prefill_hashes(fields, attachments)
    known = {f.name for f in flatten(fields)}
    general = list(general or []) + [m for n, m in (errors or {}).items() if n not in known and n != "reason"]
    view = detail.task
    desk = await task_notes.notes(app_state(request).db, user.actor, task_id)
    shown = list(dict.fromkeys([*attachments, *view.attachments]))
    kinds = await tasks.attachment_types(app_state(request).db, task_id, shown) if shown else {}
    return page(
        request,
        "agency/task.html",
        user,
        status_code=status_code,
        view=view,
        fields=fields,
        attachments=attachments,
        attachment_kinds=kinds,
        upload_error=upload_error,
        general_errors=general,
        note=(values or {}).get("note", ""),
        reject_error=(errors or {}).get("reason"),
        is_open=not view.state.is_final,
        can_act=user.actor.agency == view.spec.agency and not view.state.is_final,
        is_clerk=user.actor.agency == view.spec.agency,
        desk=desk,
        done=request.query_params.get("done"),
    )


def _prefill_hashes(fields: list[FormField], hashes: list[str]) -> None:
    """Uploaded files go into the result's photo fields (``photo_hashes`` and the like)."""
    for f in flatten(fields):
        if f.kind == "list" and f.key.endswith("_hashes") and not f.value:
            f.value = ", ".join(hashes)


@router.get("/ui/tasks/{task_id}", response_class=HTMLResponse)
async def task(task_id: str, request: Request, user: AnyUser) -> Response:
    return await _task_page(request, user, task_id)


@router.post("/ui/tasks/{task_id}/claim")
async def claim(task_id: str, request: Request, user: AgencyUser) -> Response:
    await check_csrf(request, user)
    state = app_state(request)
    try:
        await tasks.act(state.db, temporal_client(state), user.actor, task_id, tasks.TaskAction.CLAIM)
    except OneMatterError as exc:
        return await _task_page(
            request, user, task_id, general=[said(exc, translator(request))], status_code=exc.status
        )
    return RedirectResponse(_task_url(task_id, _attachments(request), "claimed"), status_code=303)


def _task_url(task_id: str, attachments: list[str], done: str | None = None) -> str:
    params = {}
    if attachments:
        params["att"] = ",".join(attachments)
    if done:
        params["done"] = done
    return f"/ui/tasks/{task_id}" + (f"?{urlencode(params)}" if params else "")


@router.post("/ui/tasks/{task_id}/complete")
async def complete(task_id: str, request: Request, user: AgencyUser) -> Response:
    await check_csrf(request, user)
    state = app_state(request)
    t = translator(request)
    values = _form(await request.form())
    attachments = [h for h in values.get("attachments", "").split(",") if _SHA256.match(h)]
    detail = await tasks.get_task(state.db, user.actor, task_id)
    if detail.task.state is TaskState.OPEN:  # 先签收, 再反馈: whoever reports the result has taken the task
        return await _task_page(request, user, task_id, values, None, [t("task.claim_first")], attachments, 409)
    fields = FormBuilder(detail.result_schema, t).fields(values)
    parsed = parse(fields, values, t)
    if parsed.errors:
        return await _task_page(request, user, task_id, values, parsed.errors, attachments=attachments, status_code=422)
    try:
        body = Completion(result=parsed.data, attachments=attachments, note=values.get("note", "").strip())
        await tasks.complete(state.db, temporal_client(state), user.actor, task_id, body)
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"]
        return await _task_page(request, user, task_id, values, None, [msg], attachments, status_code=422)
    except OneMatterError as exc:
        by_field, general = refusal_fields(exc, translator(request))
        return await _task_page(request, user, task_id, values, by_field, general, attachments, status_code=exc.status)
    return RedirectResponse(_task_url(task_id, [], "completed"), status_code=303)


@router.post("/ui/tasks/{task_id}/reject")
async def reject(task_id: str, request: Request, user: AgencyUser) -> Response:
    await check_csrf(request, user)
    state = app_state(request)
    values = _form(await request.form())
    reason = values.get("reason", "").strip()
    if not reason:
        t = translator(request)
        return await _task_page(request, user, task_id, None, {"reason": t("common.required")}, status_code=422)
    try:
        await tasks.reject(state.db, temporal_client(state), user.actor, task_id, Reasoned(reason=reason))
    except OneMatterError as exc:
        return await _task_page(
            request, user, task_id, general=[said(exc, translator(request))], status_code=exc.status
        )
    return RedirectResponse(_task_url(task_id, [], "rejected"), status_code=303)


@router.post("/ui/tasks/{task_id}/attachments")
async def upload(task_id: str, request: Request, user: AgencyUser) -> Response:
    await check_csrf(request, user)
    form = await request.form()
    file = form.get("file")
    attachments = _attachments(request)
    t = translator(request)
    if not isinstance(file, UploadFile) or not file.filename:
        return await _task_page(
            request, user, task_id, attachments=attachments, status_code=422, upload_error=t("task.file_required")
        )
    state = app_state(request)
    data = await file.read(MAX_ATTACHMENT_BYTES + 1)
    try:
        stored = await tasks.store_attachment(
            state.db, tasks.attachment_store(state.settings), user.actor, task_id, data
        )
    except OneMatterError as exc:
        problem = t(_UPLOAD_REFUSALS[exc.code]) if exc.code in _UPLOAD_REFUSALS else said(exc, t)
        return await _task_page(
            request, user, task_id, attachments=attachments, status_code=exc.status, upload_error=problem
        )
    if stored.sha256 not in attachments:
        attachments.append(stored.sha256)
    return RedirectResponse(_task_url(task_id, attachments, "uploaded"), status_code=303)


@router.get("/ui/attachments/{sha256}")
async def attachment(sha256: str, request: Request, user: AnyUser) -> Response:
    state = app_state(request)
    found = await tasks.read_attachment(state.db, tasks.attachment_store(state.settings), user.actor, sha256)
    return Response(
        found.content,
        media_type=found.content_type,
        headers={"Content-Disposition": f'inline; filename="{sha256}"', "Cache-Control": "private, no-store"},
    )


@router.post("/ui/tasks/{task_id}/release")
async def release(task_id: str, request: Request, user: AgencyUser) -> Response:
    """The clerk hands the claimed task back to the agency's pool (放回), with a reason."""
    await check_csrf(request, user)
    state = app_state(request)
    reason = _form(await request.form()).get("reason", "").strip()
    if not reason:
        t = translator(request)
        return await _task_page(request, user, task_id, general=[t("task.release_reason")], status_code=422)
    try:
        await tasks.release(state.db, temporal_client(state), user.actor, task_id, Reasoned(reason=reason))
    except OneMatterError as exc:
        return await _task_page(
            request, user, task_id, general=[said(exc, translator(request))], status_code=exc.status
        )
    return RedirectResponse(_task_url(task_id, _attachments(request), "released"), status_code=303)


@router.post("/ui/tasks/{task_id}/comments")
async def comment(task_id: str, request: Request, user: AgencyUser) -> Response:
    await check_csrf(request, user)
    text = _form(await request.form()).get("text", "").strip()
    try:
        await task_notes.comment(app_state(request).db, user.actor, task_id, CommentBody(text=text))
    except ValidationError:
        t = translator(request)
        return await _task_page(request, user, task_id, general=[t("task.comment_required")], status_code=422)
    return RedirectResponse(_task_url(task_id, _attachments(request), "commented"), status_code=303)


@router.post("/ui/tasks/{task_id}/follow-up")
async def follow_up(task_id: str, request: Request, user: AgencyUser) -> Response:
    await check_csrf(request, user)
    values = _form(await request.form())
    try:
        body = FollowUpBody.model_validate({"on": values.get("on") or None, "reason": values.get("reason", "")})
    except ValidationError:
        t = translator(request)
        return await _task_page(request, user, task_id, general=[t("task.follow_up_invalid")], status_code=422)
    await task_notes.follow_up(app_state(request).db, user.actor, task_id, body)
    return RedirectResponse(_task_url(task_id, _attachments(request), "follow_up"), status_code=303)
