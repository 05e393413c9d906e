"""Agency tasks (协助事项): the inbox an agency works from, and the judge's task actions.

Lists come from the inbox projection (web/inbox.py); every change goes to the task's workflow as an
Update, whose validator is the authority (wrong agency, wrong state, invalid result). The checks here
answer early and make sure an agency never learns about another agency's tasks.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, TypeAdapter
from temporalio.client import Client

from core.logging import get_logger
from domain.actors import Actor, Role
from domain.errors import Conflict, Forbidden, NotFound, OneMatterError, ValidationFailed
from domain.task_results import result_schema
from domain.tasks import TaskView
from web.api.common import errors
from web.api.workflows import execute_update_as
from web.deps import AnyActor, Judge, State, TemporalClient
from web.errors import GatewayTimeout
from web.inbox import OPEN_STATES, InboxTask, SqlTaskStore
from workflows.agency_task import (
    CANCEL,
    CLAIM,
    COMPLETE,
    EXTEND,
    REASSIGN,
    REJECT,
    Completion,
    Extension,
    Reasoned,
    Reassignment,
)

log = get_logger(__name__)
router = APIRouter(tags=["tasks"])

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


class TaskSummary(BaseModel):
    task_id: str
    workflow_id: str
    agency: str
    case_number: str
    task_type: str
    title: str
    state: str
    mark: str
    overdue: bool
    escalated: bool
    provisional: bool
    due_at: datetime
    assigned_at: datetime
    result_type: str

    @classmethod
    def of(cls, row: InboxTask) -> TaskSummary:
        # Columns only, and no re-validation of values our own database holds: this is the hot path.
        return cls.model_construct(
            task_id=row.task_id,
            workflow_id=row.workflow_id,
            agency=row.agency,
            case_number=row.case_number,
            task_type=row.task_type,
            title=row.title,
            state=row.state,
            mark=row.mark,
            overdue=row.overdue,
            escalated=row.escalated,
            provisional=row.provisional,
            due_at=row.due_at,
            assigned_at=row.assigned_at,
            result_type=row.result_type,
        )


class TaskDetail(BaseModel):
    task: TaskView
    result_schema: dict[str, Any]


class AttachmentStored(BaseModel):
    sha256: str
    size: int


def _store(state: State) -> SqlTaskStore:
    return SqlTaskStore(state.db)


def _visible(actor: Actor, row: InboxTask) -> bool:
    if actor.role is Role.AGENCY:
        return actor.agency == row.agency
    return actor.role in (Role.JUDGE, Role.AUDITOR, Role.ADMIN)


async def _task_for(state: State, actor: Actor, task_id: str) -> InboxTask:
    row = await state.db.run(_store(state).get, task_id)
    if row is None:
        raise NotFound("TASK_NOT_FOUND", "no such task")
    if not _visible(actor, row):
        raise Forbidden("TASK_FORBIDDEN", "this task belongs to another agency")
    return row


_SUMMARIES = TypeAdapter(list[TaskSummary])


@router.get("/tasks", response_model=list[TaskSummary], responses=errors(401, 403))
async def list_tasks(
    state: State,
    actor: AnyActor,
    status: Annotated[str | None, Query(description="open (open+claimed), or one state")] = None,
    due_before: datetime | None = None,
    case_number: str | None = None,
    agency: Annotated[str | None, Query(description="judges and auditors: one agency's tasks")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """An agency sees only its own tasks, sorted by due date; judges and auditors see all."""
    if actor.role is Role.AGENCY:
        agency = actor.agency
    elif actor.role not in (Role.JUDGE, Role.AUDITOR, Role.ADMIN):
        raise Forbidden("ROLE_FORBIDDEN", "no task list for this role")
    states = OPEN_STATES if status == "open" else (status,) if status else None
    rows = await state.db.run(
        lambda: _store(state).list(
            agency=agency, states=states, due_before=due_before, case_number=case_number, limit=limit, offset=offset
        )
    )
    return Response(_SUMMARIES.dump_json([TaskSummary.of(r) for r in rows]), media_type="application/json")


@router.get("/tasks/{task_id}", response_model=TaskDetail, responses=errors(401, 403, 404))
async def get_task(task_id: str, state: State, actor: AnyActor) -> TaskDetail:
    row = await _task_for(state, actor, task_id)
    view = row.view()
    return TaskDetail(task=view, result_schema=result_schema(view.spec.result_type))


async def _task_closed() -> OneMatterError:
    return Conflict("TASK_CLOSED", "the task is no longer open")


async def _update(state: State, client: Client, actor: Actor, task_id: str, name: str, arg: BaseModel | None) -> Any:
    timeout = GatewayTimeout("TASK_TIMEOUT", "the task did not answer in time; check it before retrying")
    view = await execute_update_as(
        client, actor, task_id, name, arg, closed=_task_closed, timeout=timeout, result_type=TaskView
    )
    # The workflow projects on its own, a moment later; writing the answer now means the page the actor is
    # sent to next already shows the change (the store only moves forward in version, so order is moot).
    if isinstance(view, TaskView):
        await state.db.run(_store(state).upsert_task, view)
    return view


async def _agency_action(
    state: State, client: Client, actor: Actor, task_id: str, name: str, arg: BaseModel | None
) -> Any:
    if actor.role is not Role.AGENCY:
        raise Forbidden("ROLE_FORBIDDEN", "only the assigned agency acts on a task")
    await _task_for(state, actor, task_id)
    return await _update(state, client, actor, task_id, name, arg)


@router.post("/tasks/{task_id}/claim", responses=errors(401, 403, 404, 409))
async def claim_task(task_id: str, state: State, actor: AnyActor, client: TemporalClient) -> Any:
    """The agency takes the task (签收)."""
    return await _agency_action(state, client, actor, task_id, CLAIM, None)


@router.post("/tasks/{task_id}/complete", responses=errors(401, 403, 404, 409, 422))
async def complete_task(task_id: str, body: Completion, state: State, actor: AnyActor, client: TemporalClient) -> Any:
    """The agency reports its result (反馈); the workflow validates it against the task's result model."""
    for digest in body.attachments:
        if not (state.settings.var_dir / "attachments" / digest).is_file():
            raise ValidationFailed("UNKNOWN_ATTACHMENT", f"attachments: {digest} was not uploaded", "attachments")
    return await _agency_action(state, client, actor, task_id, COMPLETE, body)


@router.post("/tasks/{task_id}/reject", responses=errors(401, 403, 404, 409, 422))
async def reject_task(task_id: str, body: Reasoned, state: State, actor: AnyActor, client: TemporalClient) -> Any:
    """The agency cannot do it (退回), with a reason."""
    return await _agency_action(state, client, actor, task_id, REJECT, body)


@router.post("/tasks/{task_id}/reassign", responses=errors(401, 403, 404, 409, 422))
async def reassign_task(task_id: str, body: Reassignment, state: State, actor: Judge, client: TemporalClient) -> Any:
    await _task_for(state, actor, task_id)
    return await _update(state, client, actor, task_id, REASSIGN, body)


@router.post("/tasks/{task_id}/extend", responses=errors(401, 403, 404, 409, 422))
async def extend_task(task_id: str, body: Extension, state: State, actor: Judge, client: TemporalClient) -> Any:
    await _task_for(state, actor, task_id)
    return await _update(state, client, actor, task_id, EXTEND, body)


@router.post("/tasks/{task_id}/cancel", responses=errors(401, 403, 404, 409, 422))
async def cancel_task(task_id: str, body: Reasoned, state: State, actor: Judge, client: TemporalClient) -> Any:
    await _task_for(state, actor, task_id)
    return await _update(state, client, actor, task_id, CANCEL, body)


@router.post(
    "/tasks/{task_id}/attachments",
    response_model=AttachmentStored,
    status_code=201,
    responses=errors(401, 403, 404, 413),
)
async def upload_attachment(task_id: str, file: UploadFile, request: Request, state: State, actor: AnyActor) -> Any:
    """Stores a file (e.g. a custody photo) by its SHA-256; the result then names it by that hash."""
    if actor.role is not Role.AGENCY:
        raise Forbidden("ROLE_FORBIDDEN", "only the assigned agency uploads to a task")
    await _task_for(state, actor, task_id)
    data = await file.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed("ATTACHMENT_TOO_LARGE", f"file: at most {MAX_ATTACHMENT_BYTES} bytes", "file")
    digest = hashlib.sha256(data).hexdigest()
    folder = state.settings.var_dir / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / digest
    if not path.exists():
        tmp = folder / f".{digest}.part"
        tmp.write_bytes(data)
        tmp.replace(path)  # content-addressed: the same bytes land in the same place, once
    return AttachmentStored(sha256=digest, size=len(data))


@router.get("/attachments/{sha256}", responses=errors(401, 403, 404))
async def get_attachment(sha256: str, state: State, actor: AnyActor) -> FileResponse:
    if actor.role not in (Role.JUDGE, Role.AUDITOR, Role.ADMIN, Role.AGENCY):
        raise Forbidden("ROLE_FORBIDDEN", "not allowed")
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise NotFound("ATTACHMENT_NOT_FOUND", "no such attachment")
    path = state.settings.var_dir / "attachments" / sha256
    if not path.is_file():
        raise NotFound("ATTACHMENT_NOT_FOUND", "no such attachment")
    return FileResponse(path, media_type="application/octet-stream")
