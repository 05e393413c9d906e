"""Activities of the agency-task layer: legal deadlines from the holiday calendar, and the inbox projection.

Deadlines are computed in an activity, not in workflow code, because the holiday tables change when a
year's schedule is published; the answer is recorded in history, so replay never sees the change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from domain.calendar import Deadline, HolidayCalendar
from pydantic import BaseModel
from temporalio import activity

from domain.legal_time import LegalDuration
from domain.tasks import TaskView


class DeadlineRequest(BaseModel):
    start: datetime
    durations: list[LegalDuration]


class TaskStore(Protocol):
    """Where the inbox projection lives (the web's database)."""

    def upsert_task(self, view: TaskView) -> None: ...


class TaskActivities:
    def __init__(self, store: TaskStore, calendar: Callable[[], HolidayCalendar] = HolidayCalendar.load) -> None:
        self._store = store
        self._calendar = calendar

    @activity.defn(name="compute_deadlines")
    async def compute_deadlines(self, request: DeadlineRequest) -> list[Deadline]:
        calendar = self._calendar()
        return [calendar.due(request.start, d) for d in request.durations]

    @activity.defn(name="project_task")
    def project_task(self, view: TaskView) -> None:
        """Idempotent: the store keeps the highest version it has seen."""
        self._store.upsert_task(view)

    def all(self) -> list[Callable[..., Any]]:
        return [self.compute_deadlines, self.project_task]
