"""Agency tasks (协助事项): the inbox an agency works from, and the judge's task actions. The rules live in
web/services/tasks.py; these routes parse, call and answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, UploadFile

from web.api.common import IsoMoment, errors
from web.deps import AnyActor, Judge, Reassigner, State, TemporalClient
from web.services import tasks
from web.services.tasks import MAX_ATTACHMENT_BYTES, AttachmentStored, TaskAction, TaskDetail, TaskQuery, TaskSummary
from workflows.foundation.task_models import Completion, Extension, Reasoned, Reassignment

router = APIRouter(tags=["tasks"])


@router.get("/tasks", response_model=list[TaskSummary], responses=errors(401, 403))
async def list_tasks(
    state: State,
    actor: AnyActor,
    status: Annotated[str | None, Query(description="open (open+claimed), or one state")] = None,
    due_before: IsoMoment | None = None,
    case_number: str | None = None,
    agency: Annotated[str | None, Query(description="judges and auditors: one agency's tasks")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,  # SQLite's integers end at 2^63
) -> Response:
    """An agency sees only its own tasks, sorted by due date; judges and auditors see all."""
    query = TaskQuery(
        states=TaskQuery.states_for(status),
        due_before=due_before,
        case_number=case_number,
        agency=agency,
        limit=limit,
        offset=offset,
    )
    rows = await tasks.list_tasks(state.db, actor, query)
    # Serialised in one go, without a second validation by FastAPI: this is the inbox's hot path.
    return Response(TaskSummary.dump_list(rows), media_type="application/json")


@router.get("/tasks/{task_id}", response_model=TaskDetail, responses=errors(401, 403, 404))
async def get_task(task_id: str, state: State, actor: AnyActor) -> TaskDetail:
    return await tasks.get_task(state.db, actor, task_id)


@router.post("/tasks/{task_id}/claim", responses=errors(401, 403, 404, 409))
async def claim_task(task_id: str, state: State, actor: AnyActor, client: TemporalClient) -> Any:
    """The agency takes the task (签收)."""
    return await tasks.act(state.db, client, actor, task_id, TaskAction.CLAIM)


@router.post("/tasks/{task_id}/complete", responses=errors(401, 403, 404, 409, 422))
async def complete_task(task_id: str, body: Completion, state: State, actor: AnyActor, client: TemporalClient) -> Any:
    """The agency reports its result (反馈); the workflow validates it against the task's result model."""
    return await tasks.complete(state.db, client, actor, task_id, body)


@router.post("/tasks/{task_id}/reject", responses=errors(401, 403, 404, 409, 422))
async def reject_task(task_id: str, body: Reasoned, state: State, actor: AnyActor, client: TemporalClient) -> Any:
    """The agency cannot do it (退回), with a reason."""
    return await tasks.reject(state.db, client, actor, task_id, body)


@router.post("/tasks/{task_id}/reassign", responses=errors(401, 403, 404, 409, 422))
async def reassign_task(
    task_id: str, body: Reassignment, state: State, actor: Reassigner, client: TemporalClient
) -> Any:
    return await tasks.reassign(state.db, client, actor, task_id, body, state.settings.agencies())


@router.post("/tasks/{task_id}/extend", responses=errors(401, 403, 404, 409, 422))
async def extend_task(task_id: str, body: Extension, state: State, actor: Judge, client: TemporalClient) -> Any:
    return await tasks.extend(state.db, client, actor, task_id, body)


@router.post("/tasks/{task_id}/cancel", responses=errors(401, 403, 404, 409, 422))
async def cancel_task(task_id: str, body: Reasoned, state: State, actor: Judge, client: TemporalClient) -> Any:
    return await tasks.cancel(state.db, client, actor, task_id, body)


@router.post(
    "/tasks/{task_id}/attachments",
    response_model=AttachmentStored,
    status_code=201,
    responses=errors(401, 403, 404, 413, 422),
)
async def upload_attachment(task_id: str, file: UploadFile, state: State, actor: AnyActor) -> Any:
    """Stores a file (a custody photo, a scanned receipt: PDF, JPEG or PNG) for this task, encrypted, by
    its SHA-256; the result then names it by that hash."""
    data = await file.read(MAX_ATTACHMENT_BYTES + 1)
    return await tasks.store_attachment(state.db, tasks.attachment_store(state.settings), actor, task_id, data)


@router.get("/attachments/{sha256}", responses=errors(401, 403, 404))
async def get_attachment(sha256: str, state: State, actor: AnyActor) -> Response:
    """For the agency of the task it belongs to, and the judges, supervisors and auditors of that court."""
    found = await tasks.read_attachment(state.db, tasks.attachment_store(state.settings), actor, sha256)
    return Response(
        found.content,
        media_type=found.content_type,
        headers={"Content-Disposition": f'attachment; filename="{sha256}"', "Cache-Control": "private, no-store"},
    )
