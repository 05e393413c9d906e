"""Agency tasks (协助事项): the inbox an agency works from, one task, the agency's and the judge's actions,
and the files an agency attaches.

Lists come from the inbox projection (store/tasks.py); every change goes to the task's workflow as an
Update, whose validator is the authority (wrong agency, wrong state, invalid result). The checks here
answer early and make sure an agency never learns about another agency's tasks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Row, select
from temporalio.client import Client

from config.settings import Settings
from domain.actors import Actor, Role
from domain.errors import Conflict, Forbidden, NotFound, OneMatterError, ValidationFailed
from domain.legal_time import LegalDuration
from domain.partners import Agency
from domain.task_results import result_schema
from domain.tasks import TaskState, TaskView
from runtime.logging import get_logger
from store.blobs import BlobError, BlobStore
from store.db import Database, utcnow
from store.tasks import OPEN_STATES, SUMMARY_COLUMNS, InboxTask, SqlTaskStore
from web.db import Attachment as AttachmentRow
from web.errors import GatewayTimeout
from web.services.access import ATTACHMENT_READERS, READERS, STARTERS, TASK_REASSIGNERS, require_role
from web.services.workflow_updates import execute_update_as
from workflows.foundation.messages import (
    CANCEL_TASK,
    CLAIM_TASK,
    COMPLETE_TASK,
    EXTEND_TASK,
    REASSIGN_TASK,
    REJECT_TASK,
    RELEASE_TASK,
)
from workflows.foundation.task_models import Completion, Extension, Reasoned, Reassignment

log = get_logger(__name__)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
FINAL_STATES = tuple(s.value for s in TaskState if s.is_final)


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

    @staticmethod
    def of_rows(rows: Sequence[Row[*tuple[Any, ...]]]) -> list[TaskSummary]:
        """Summaries of rows of ``store.tasks.SUMMARY_COLUMNS``. Validated from plain dicts in one call:
        this is the inbox's hot path, and ``model_construct`` per row cost twice as much."""
        fields = rows[0]._fields if rows else ()
        return _SUMMARIES.validate_python([dict(zip(fields, row, strict=True)) for row in rows])

    @staticmethod
    def dump_list(summaries: list[TaskSummary]) -> bytes:
        return _SUMMARIES.dump_json(summaries)


_SUMMARIES = TypeAdapter(list[TaskSummary])


class TaskDetail(BaseModel):
    task: TaskView
    result_schema: dict[str, Any]


class AttachmentStored(BaseModel):
    sha256: str
    size: int


class TaskQuery(BaseModel):
    """Which tasks: ``states`` (none: all), due before, one case, one agency (judges and auditors; an
    agency user always sees its own), and the page."""

    states: tuple[str, ...] | None = None
    due_before: datetime | None = None
    case_number: str | None = None
    agency: str | None = None
    limit: int = 100
    offset: int = 0

    @staticmethod
    def states_for(status: str | None) -> tuple[str, ...] | None:
        """``open`` means open or claimed; any other word is one state; nothing is every state."""
        return OPEN_STATES if status == "open" else (status,) if status else None


class TaskAction(StrEnum):
    """What can be done to a task: the agency claims (签收), releases (放回), completes (反馈) or rejects (退回)
    it; the judge reassigns, extends or cancels it."""

    CLAIM = CLAIM_TASK
    RELEASE = RELEASE_TASK
    COMPLETE = COMPLETE_TASK
    REJECT = REJECT_TASK
    REASSIGN = REASSIGN_TASK
    EXTEND = EXTEND_TASK
    CANCEL = CANCEL_TASK

    @property
    def by_agency(self) -> bool:
        return self in (TaskAction.CLAIM, TaskAction.RELEASE, TaskAction.COMPLETE, TaskAction.REJECT)


def _task_not_found() -> NotFound:
    return NotFound("TASK_NOT_FOUND", "no such task")


async def _task_for(db: Database, actor: Actor, task_id: str) -> InboxTask:
    """The task, if the actor may see it: an agency its own tasks (another agency's: 403, as ever), the
    court's readers the tasks of their courts — another court's task does not exist for them (404)."""
    row = await db.run(SqlTaskStore(db).get, task_id)
    if row is None:
        raise _task_not_found()
    if actor.role is Role.AGENCY:
        if actor.agency != row.agency:
            raise Forbidden("TASK_FORBIDDEN", "this task belongs to another agency")
        return row
    if actor.role not in READERS:
        raise Forbidden("ROLE_FORBIDDEN", "no tasks for this role")
    if not actor.in_court(row.court):
        raise _task_not_found()
    return row


async def visible_task(db: Database, actor: Actor, task_id: str) -> InboxTask:
    """The inbox row of a task the actor may see (the same rules and answers as every task route)."""
    return await _task_for(db, actor, task_id)


# --- reading -----------------------------------------------------------------------------------------------


async def list_tasks(db: Database, actor: Actor, query: TaskQuery) -> list[TaskSummary]:
    """An agency sees only its own tasks (of every court), sorted by due date; the courts' readers (judges,
    supervisors, auditors …) the tasks of their courts."""
    agency = query.agency
    courts: tuple[str, ...] | None = None
    if actor.role is Role.AGENCY:
        agency = actor.agency
    elif actor.role in READERS:
        courts = actor.courts
    else:
        raise Forbidden("ROLE_FORBIDDEN", "no task list for this role")
    store = SqlTaskStore(db)
    rows = await db.read(
        lambda: store.list(
            agency=agency,
            states=query.states,
            due_before=query.due_before,
            case_number=query.case_number,
            limit=query.limit,
            offset=query.offset,
            courts=courts,
        )
    )
    return TaskSummary.of_rows(rows)


async def get_task(db: Database, actor: Actor, task_id: str) -> TaskDetail:
    """One task with the JSON schema of the result it asks for (the UI's form is built from it)."""
    row = await _task_for(db, actor, task_id)
    view = row.view(db.sealer)
    return TaskDetail(task=view, result_schema=result_schema(view.spec.result_type))


def _tasks_of(db: Database, workflow_id: str, courts: tuple[str, ...]) -> list[TaskSummary]:
    q = (
        select(*SUMMARY_COLUMNS)
        .where(InboxTask.workflow_id == workflow_id, InboxTask.court.in_(courts))
        .order_by(InboxTask.assigned_at)
    )
    return TaskSummary.of_rows(db.rows(q))


async def tasks_of_case(db: Database, actor: Actor, workflow_id: str) -> list[TaskSummary]:
    """Every agency task of one case, oldest first: for those who read cases, in their courts."""
    require_role(actor, *READERS)
    return await db.read(_tasks_of, db, workflow_id, actor.courts)


# --- acting ------------------------------------------------------------------------------------------------


async def _task_closed() -> OneMatterError:
    return Conflict("TASK_CLOSED", "the task is no longer open")


async def act(
    db: Database, client: Client, actor: Actor, task_id: str, action: TaskAction, body: BaseModel | None = None
) -> TaskView:
    """Sends ``action`` to the task's workflow as ``actor``; the answer is the task as it now stands.

    The agency's actions are the assigned agency's alone; the judge's are the judge's. The task's own
    validator decides the rest (wrong state, invalid result)."""
    if action.by_agency:
        if actor.role is not Role.AGENCY:
            raise Forbidden("ROLE_FORBIDDEN", "only the assigned agency acts on a task")
    elif action is TaskAction.REASSIGN:
        require_role(actor, *TASK_REASSIGNERS)
    else:
        require_role(actor, *STARTERS)
    await _task_for(db, actor, task_id)
    timeout = GatewayTimeout("TASK_TIMEOUT", "the task did not answer in time; check it before retrying")
    view = await execute_update_as(
        client, actor, task_id, action.value, body, closed=_task_closed, timeout=timeout, result_type=TaskView
    )
    assert isinstance(view, TaskView)  # result_type above
    # The workflow projects on its own, a moment later; writing the answer now means the page the actor is
    # sent to next already shows the change (the store only moves forward in version, so order is moot).
    await db.run(SqlTaskStore(db).upsert_task, view)
    return view


async def complete(db: Database, client: Client, actor: Actor, task_id: str, body: Completion) -> TaskView:
    """The agency reports its result (反馈); every attachment it names must have been uploaded to this
    very task first (not to another task, and not a path)."""
    if body.attachments:
        await _task_for(db, actor, task_id)
        known = await db.run(_uploaded_to, db, task_id, list(body.attachments))
        for digest in body.attachments:
            if digest not in known:
                raise ValidationFailed(
                    "UNKNOWN_ATTACHMENT", f"attachments: {digest[:80]} was not uploaded to this task", "attachments"
                )
    return await act(db, client, actor, task_id, TaskAction.COMPLETE, body)


async def reject(db: Database, client: Client, actor: Actor, task_id: str, body: Reasoned) -> TaskView:
    return await act(db, client, actor, task_id, TaskAction.REJECT, body)


async def release(db: Database, client: Client, actor: Actor, task_id: str, body: Reasoned) -> TaskView:
    """The clerk who claimed the task hands it back to the agency's pool, with a reason."""
    return await act(db, client, actor, task_id, TaskAction.RELEASE, body)


async def reassign(
    db: Database, client: Client, actor: Actor, task_id: str, body: Reassignment, agencies: Sequence[Agency]
) -> TaskView:
    """To a configured agency of the kind the step needs (a court's task to another court, never to a
    name nobody answers to)."""
    require_role(actor, *TASK_REASSIGNERS)
    row = await _task_for(db, actor, task_id)
    by_id = {a.id: a for a in agencies}
    target = by_id.get(body.agency)
    if target is None:
        raise ValidationFailed(
            "UNKNOWN_AGENCY", f"改派对象未配置: no agency {body.agency!r} is configured here", "agency"
        )
    current = by_id.get(row.agency)
    if current is not None and current.kind and target.kind != current.kind:
        raise ValidationFailed(
            "AGENCY_OF_ANOTHER_KIND",
            f"只能改派给同类单位 ({current.kind}): {target.name} 是 {target.kind or '未分类'} / "
            f"this step needs a {current.kind}, not a {target.kind or 'unclassified agency'}",
            "agency",
        )
    return await act(db, client, actor, task_id, TaskAction.REASSIGN, body)


async def extend(db: Database, client: Client, actor: Actor, task_id: str, body: Extension) -> TaskView:
    return await act(db, client, actor, task_id, TaskAction.EXTEND, body)


async def extend_in_own_unit(
    db: Database, client: Client, actor: Actor, task_id: str, amount: int, reason: str
) -> TaskView:
    """Extends by ``amount`` of the unit the task's deadline is counted in (working or calendar days…)."""
    row = await _task_for(db, actor, task_id)
    unit = row.view(db.sealer).spec.rule.due.unit
    return await extend(
        db, client, actor, task_id, Extension(reason=reason, extra=LegalDuration(amount=amount, unit=unit))
    )


async def cancel(db: Database, client: Client, actor: Actor, task_id: str, body: Reasoned) -> TaskView:
    return await act(db, client, actor, task_id, TaskAction.CANCEL, body)


# --- attachments -------------------------------------------------------------------------------------------

# What an agency may attach: PDF, JPEG and PNG, told by their first bytes (what a file says it is counts
# for nothing); anything else is refused.
ATTACHMENT_TYPES = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}


class Attachment(BaseModel):
    """A fetched attachment: its bytes and the type they were recognised as at upload."""

    content: bytes
    content_type: str


def attachment_store(settings: Settings) -> BlobStore:
    """Where uploaded files live: encrypted under the codec keys, named by their SHA-256 only."""
    return BlobStore(settings.var_dir / "attachments", settings.codec_keys)


def sniff(data: bytes) -> str | None:
    return next((t for t, magic in ATTACHMENT_TYPES.items() if data.startswith(magic)), None)


def _record_attachment(db: Database, row: InboxTask, actor: Actor, digest: str, content_type: str, size: int) -> None:
    with db.session() as s:
        if s.get(AttachmentRow, (row.task_id, digest)) is None:
            s.add(
                AttachmentRow(
                    task_id=row.task_id,
                    sha256=digest,
                    workflow_id=row.workflow_id,
                    agency=row.agency,
                    court=row.court or "",
                    content_type=content_type,
                    size=size,
                    uploaded_by=actor.user_id,
                    uploaded_at=utcnow(),
                )
            )


async def store_attachment(db: Database, store: BlobStore, actor: Actor, task_id: str, data: bytes) -> AttachmentStored:
    """Stores a file (e.g. a custody photo) for the agency working the task, encrypted, by its SHA-256;
    the result then names it by that hash. ``data`` may be one byte over the limit, which is how a caller
    says so. Only PDF, JPEG and PNG (by content)."""
    if actor.role is not Role.AGENCY:
        raise Forbidden("ROLE_FORBIDDEN", "only the assigned agency uploads to a task")
    row = await _task_for(db, actor, task_id)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed("ATTACHMENT_TOO_LARGE", f"file: at most {MAX_ATTACHMENT_BYTES} bytes", "file")
    content_type = sniff(data)
    if content_type is None:
        raise ValidationFailed(
            "ATTACHMENT_TYPE_REFUSED", "file: only PDF, JPEG or PNG / 仅限 PDF、JPEG、PNG 文件", "file"
        )
    digest = await asyncio.to_thread(store.put, data)
    await db.run(_record_attachment, db, row, actor, digest, content_type, len(data))
    return AttachmentStored(sha256=digest, size=len(data))


def _uploaded_to(db: Database, task_id: str, digests: list[str]) -> set[str]:
    with db.session() as s:
        q = select(AttachmentRow.sha256).where(AttachmentRow.task_id == task_id, AttachmentRow.sha256.in_(digests))
        return set(s.scalars(q))


def _types_of(db: Database, task_id: str, digests: list[str]) -> dict[str, str]:
    with db.session() as s:
        q = select(AttachmentRow.sha256, AttachmentRow.content_type).where(
            AttachmentRow.task_id == task_id, AttachmentRow.sha256.in_(digests)
        )
        return {digest: content_type for digest, content_type in s.execute(q)}


async def attachment_types(db: Database, task_id: str, digests: Sequence[str]) -> dict[str, str]:
    """The type each of these files was recognised as when uploaded to this task (an image is shown as a
    thumbnail, a PDF as a link); a digest not uploaded to it is left out."""
    return await db.run(_types_of, db, task_id, list(digests))


def _attachment_rows(db: Database, sha256: str) -> list[AttachmentRow]:
    with db.session() as s:
        return list(s.scalars(select(AttachmentRow).where(AttachmentRow.sha256 == sha256)))


def _may_fetch(actor: Actor, row: AttachmentRow) -> bool:
    if actor.role is Role.AGENCY:
        return actor.agency == row.agency
    return actor.role in ATTACHMENT_READERS and actor.in_court(row.court)


async def read_attachment(db: Database, store: BlobStore, actor: Actor, sha256: str) -> Attachment:
    """An uploaded file, for the agency of a task it was uploaded to and for that case's court (judges,
    supervisors, auditors); for anyone else it does not exist (404)."""
    missing = NotFound("ATTACHMENT_NOT_FOUND", "no such attachment")
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise missing
    rows = [r for r in await db.run(_attachment_rows, db, sha256) if _may_fetch(actor, r)]
    if not rows:
        raise missing
    try:
        data = await asyncio.to_thread(store.get, sha256)
    except BlobError:
        raise missing from None
    return Attachment(content=data, content_type=rows[0].content_type)
