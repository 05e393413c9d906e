"""Inside an agency: a clerk releases a claimed task, comments on it and sets its follow-up date; the
task's agency and the court's readers read the notes. Rules in web/services/task_notes.py and tasks.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from web.api.common import errors
from web.deps import Agency, AnyActor, State, TemporalClient
from web.services import task_notes as desk
from web.services import tasks
from web.services.task_notes import CommentBody, Desk, FollowUpBody
from workflows.foundation.task_models import Reasoned

router = APIRouter(tags=["tasks"])


@router.post("/tasks/{task_id}/release", responses=errors(401, 403, 404, 409, 422))
async def release_task(task_id: str, body: Reasoned, state: State, actor: Agency, client: TemporalClient) -> Any:
    """The clerk who claimed the task hands it back (放回待签收), with a reason; any clerk may claim it again."""
    return await tasks.release(state.db, client, actor, task_id, body)


@router.get("/tasks/{task_id}/notes", response_model=Desk, responses=errors(401, 403, 404))
async def task_notes(task_id: str, state: State, actor: AnyActor) -> Desk:
    """The clerks' comments and follow-up dates, oldest first, with the current follow-up date."""
    return await desk.notes(state.db, actor, task_id)


@router.post("/tasks/{task_id}/comments", response_model=Desk, status_code=201, responses=errors(401, 403, 404, 422))
async def add_comment(task_id: str, body: CommentBody, state: State, actor: Agency) -> Desk:
    return await desk.comment(state.db, actor, task_id, body)


@router.put("/tasks/{task_id}/follow-up", response_model=Desk, responses=errors(401, 403, 404, 422))
async def set_follow_up(task_id: str, body: FollowUpBody, state: State, actor: Agency) -> Desk:
    """The agency's own follow-up date (跟进日期), separate from the legal due date; null clears it."""
    return await desk.follow_up(state.db, actor, task_id, body)
