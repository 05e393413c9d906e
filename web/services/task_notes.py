"""Inside an agency (单位内部办理): clerks' comments on a task and its follow-up date (跟进日期, the agency's
own reminder, separate from the legal due date). Claiming names the clerk (``claimed_by``) and releasing
hands the task back — those are the task workflow's Updates (web/services/tasks.py); notes are the web's,
since they change nothing the court relies on. Each note says who, when and why; notes are appended only.

Who: the clerks of the task's agency write; they and the court's readers (judges, supervisors, auditors)
read, as they read the task."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import select

from domain.actors import Actor, Role
from domain.errors import Forbidden
from store.db import Database, utcnow
from store.task_notes import TaskNote
from web.services.tasks import visible_task

COMMENT, FOLLOW_UP = "comment", "follow_up"


class CommentBody(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class FollowUpBody(BaseModel):
    on: date | None = Field(description="the follow-up date; null clears it")
    reason: str = Field(default="", max_length=500)


class Note(BaseModel):
    kind: str
    author: str
    at: datetime
    text: str
    follow_up_on: date | None = None


class Desk(BaseModel):
    """A task's notes, oldest first, and its current follow-up date."""

    notes: list[Note]
    follow_up_on: date | None


def _require_clerk(actor: Actor, agency: str) -> None:
    if actor.role is not Role.AGENCY or actor.agency != agency:
        raise Forbidden("ROLE_FORBIDDEN", "only the task's agency writes notes on it")


def _add(db: Database, task_id: str, agency: str, actor: Actor, kind: str, text: str, on: date | None) -> None:
    sealer = db.sealer
    if sealer is None:
        raise RuntimeError("notes may name people: the database needs a sealer (codec keys)")
    with db.session() as s:
        s.add(
            TaskNote(
                task_id=task_id,
                agency=agency,
                author=actor.user_id,
                at=utcnow(),
                kind=kind,
                text_sealed=sealer.seal(text, f"note:{task_id}"),
                follow_up_on=on,
            )
        )


def _read(db: Database, task_id: str) -> Desk:
    sealer = db.sealer
    with db.session() as s:
        rows = list(s.scalars(select(TaskNote).where(TaskNote.task_id == task_id).order_by(TaskNote.id)))
    notes = [
        Note(
            kind=r.kind,
            author=r.author,
            at=r.at,
            text=sealer.open(r.text_sealed, f"note:{task_id}") if sealer is not None else r.text_sealed,
            follow_up_on=r.follow_up_on,
        )
        for r in rows
    ]
    follow = [n for n in notes if n.kind == FOLLOW_UP]
    return Desk(notes=notes, follow_up_on=follow[-1].follow_up_on if follow else None)


async def notes(db: Database, actor: Actor, task_id: str) -> Desk:
    row = await visible_task(db, actor, task_id)
    return await db.run(_read, db, row.task_id)


async def comment(db: Database, actor: Actor, task_id: str, body: CommentBody) -> Desk:
    row = await visible_task(db, actor, task_id)
    _require_clerk(actor, row.agency)
    await db.run(_add, db, row.task_id, row.agency, actor, COMMENT, body.text.strip(), None)
    return await db.run(_read, db, row.task_id)


async def follow_up(db: Database, actor: Actor, task_id: str, body: FollowUpBody) -> Desk:
    row = await visible_task(db, actor, task_id)
    _require_clerk(actor, row.agency)
    await db.run(_add, db, row.task_id, row.agency, actor, FOLLOW_UP, body.reason.strip(), body.on)
    return await db.run(_read, db, row.task_id)
