"""The task inbox (待办): a projection of agency tasks in the shared database, written by the worker's
``project_task`` activity and by the web's task actions, read by the web's lists.

Workflows are the source of truth; the ``project_task`` activity keeps this table current after every
transition, idempotently (a row only moves forward in ``version``), so lists and filters are fast
database queries rather than fan-out queries to Temporal.

At rest: the columns lists filter and show (agency, court, case number, type, title, state, dates) are
plain; ``view_json`` — the task's full view with the names, plates and VINs an agency needs to act — is
sealed under the codec keys (store/sealing.py) and opened only for someone allowed to see that task.
Masking it instead would leave the agency unable to do its work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, Row, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from domain.tasks import TaskState, TaskView
from store.db import Base, Database, UTCDateTime, utcnow
from store.sealing import PREFIX as SEAL_PREFIX
from store.sealing import Sealer

OPEN_STATES = (TaskState.OPEN.value, TaskState.CLAIMED.value)


class InboxTask(Base):
    __tablename__ = "agency_tasks"

    task_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(200), index=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    case_number: Mapped[str] = mapped_column(String(64), index=True)
    court: Mapped[str | None] = mapped_column(String(100), index=True, default=None)
    task_type: Mapped[str] = mapped_column(String(100))
    result_type: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), index=True)
    mark: Mapped[str] = mapped_column(String(16))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    view_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def view(self, sealer: Sealer | None) -> TaskView:
        """The full view, opened with the store's keys (a row written before sealing reads as it is)."""
        text = sealer.open(self.view_json, self.task_id) if sealer is not None else self.view_json
        return TaskView.model_validate_json(text)


# What a task list shows of each task (the inbox, a case's tasks): no personal data, nothing sealed.
SUMMARY_COLUMNS = (
    InboxTask.task_id,
    InboxTask.workflow_id,
    InboxTask.agency,
    InboxTask.case_number,
    InboxTask.task_type,
    InboxTask.title,
    InboxTask.state,
    InboxTask.mark,
    InboxTask.overdue,
    InboxTask.escalated,
    InboxTask.provisional,
    InboxTask.due_at,
    InboxTask.assigned_at,
    InboxTask.result_type,
)


class SqlTaskStore:
    """``activities.tasks.TaskStore`` over the shared database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def sealer(self) -> Sealer | None:
        return self._db.sealer

    def view(self, row: InboxTask) -> TaskView:
        return row.view(self._db.sealer)

    def upsert_task(self, view: TaskView) -> None:
        sealer = self._db.sealer
        if sealer is None:
            raise RuntimeError("the inbox holds personal data: its database needs a sealer (codec keys)")
        with self._db.session() as s:
            row = s.get(InboxTask, view.task_id, with_for_update=True)
            if row is not None and row.version >= view.version:
                return  # a retry, or an older projection arriving late
            if row is None:
                row = InboxTask(task_id=view.task_id)
                s.add(row)
            row.workflow_id = view.workflow_id
            row.agency = view.spec.agency
            row.case_number = view.spec.case_number
            row.court = view.spec.court
            row.task_type = view.spec.task_type
            row.result_type = view.spec.result_type
            row.title = view.spec.title
            row.state = view.state.value
            row.mark = view.mark.value
            row.overdue = view.overdue
            row.escalated = view.escalated
            row.provisional = view.deadline.provisional
            row.due_at = view.deadline.due_at
            row.assigned_at = view.assigned_at
            row.version = view.version
            row.view_json = sealer.seal(view.model_dump_json(), view.task_id)
            row.updated_at = utcnow()

    def seal_plaintext(self, batch: int = 500) -> int:
        """Seals the views of rows written before sealing existed (the worker does it on start); returns
        how many. Safe to run from several processes at once: sealing twice gives an equally good row."""
        sealer = self._db.sealer
        if sealer is None:
            return 0
        done = 0
        while True:
            with self._db.session() as s:
                plain = select(InboxTask).where(InboxTask.view_json.not_like(f"{SEAL_PREFIX}%")).limit(batch)
                rows = list(s.scalars(plain))
                for row in rows:
                    row.view_json = sealer.seal(row.view_json, row.task_id)
            done += len(rows)
            if len(rows) < batch:
                return done

    def get(self, task_id: str) -> InboxTask | None:
        with self._db.session() as s:
            return s.get(InboxTask, task_id)

    def list(
        self,
        agency: str | None = None,
        states: tuple[str, ...] | None = None,
        due_before: datetime | None = None,
        case_number: str | None = None,
        provisional: bool | None = None,
        limit: int = 200,
        offset: int = 0,
        courts: tuple[str, ...] | None = None,
    ) -> Sequence[Row[*tuple[Any, ...]]]:
        """One page of tasks as rows of ``SUMMARY_COLUMNS``, by due date. ``courts``: only tasks of these
        courts (a judge's, a supervisor's); None: any court."""
        # Plain rows of the list's columns, not mapped objects: the sealed view (~1 KB a row) is never
        # read, and building and instrumenting 100 objects was most of an inbox page's cost.
        q = select(*SUMMARY_COLUMNS)
        if agency is not None:
            q = q.where(InboxTask.agency == agency)
        if states:
            q = q.where(InboxTask.state.in_(states))
        if due_before is not None:
            q = q.where(InboxTask.due_at < due_before)
        if case_number is not None:
            q = q.where(InboxTask.case_number == case_number)
        if courts is not None:
            q = q.where(InboxTask.court.in_(courts))
        if provisional is not None:
            q = q.where(InboxTask.provisional == provisional)
        q = q.order_by(InboxTask.due_at, InboxTask.task_id).limit(limit).offset(offset)
        return self._db.rows(q)
