"""Activities of the agency-task layer: legal deadlines from the holiday calendar, and the inbox projection.

Deadlines are computed in an activity, not in workflow code, because the holiday tables change when a
year's schedule is published; the answer is recorded in history, so replay never sees the change.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel
from temporalio import activity

from domain.calendar import CalendarData, Deadline, HolidayCalendar, HolidaySchedule
from domain.legal_time import LegalDuration
from domain.tasks import TaskView

if TYPE_CHECKING:
    from activities.resources import WorkerResources


class DeadlineRequest(BaseModel):
    start: datetime
    durations: list[LegalDuration]


class TaskStore(Protocol):
    """Where the inbox projection lives (store/tasks.py, in the database the worker and the web share)."""

    def upsert_task(self, view: TaskView) -> None: ...


class CalendarSource:
    """The packaged holiday tables plus schedules published since (JSON files in ``extra_dir``).

    Dropping a newly published year's file there is enough: the next computation picks it up, and
    open tasks recompute their provisional deadlines (periodically, or at once when asked).
    """

    def __init__(self, extra_dir: Path | None = None) -> None:
        self._dir = extra_dir
        self._key: tuple[tuple[str, int], ...] | None = None
        self._calendar = HolidayCalendar.load()

    def current(self) -> HolidayCalendar:
        if self._dir is None or not self._dir.is_dir():
            return self._calendar
        files = sorted(self._dir.glob("*.json"))
        key = tuple((f.name, f.stat().st_mtime_ns) for f in files)
        if key != self._key:
            calendar = HolidayCalendar.load()
            for f in files:
                calendar = calendar.with_schedule(HolidaySchedule.model_validate_json(f.read_text(encoding="utf-8")))
            self._calendar, self._key = calendar, key
        return self._calendar


@functools.cache
def _published_schedules(folder: Path) -> CalendarSource:
    return CalendarSource(folder)


def calendar_for(var_dir: Path) -> CalendarData:
    """The calendar as the worker's ``holiday_calendar`` would answer now (schedules published under
    ``var_dir``), for a workflow's input: the run then counts without fetching it first."""
    return _published_schedules(var_dir / "holiday_schedules").current().data()


class TaskActivities:
    @classmethod
    def from_resources(cls, r: WorkerResources) -> TaskActivities:
        from store.tasks import SqlTaskStore

        return cls(SqlTaskStore(r.database), _published_schedules(r.settings.var_dir / "holiday_schedules"))

    def __init__(self, store: TaskStore, calendar: CalendarSource | None = None) -> None:
        self._store = store
        self._calendar = calendar or CalendarSource()

    @activity.defn(name="compute_deadlines")
    async def compute_deadlines(self, request: DeadlineRequest) -> list[Deadline]:
        """Runs recorded before workflows counted on their own copy of the calendar (holiday_calendar)."""
        return self._calendar.current().deadlines(request.start, request.durations)

    @activity.defn(name="holiday_calendar")
    async def holiday_calendar(self) -> CalendarData:
        """The calendar's tables as they stand now, for a workflow to count its legal periods on."""
        return self._calendar.current().data()

    @activity.defn(name="project_task")
    def project_task(self, view: TaskView) -> None:
        """Idempotent: the store keeps the highest version it has seen."""
        self._store.upsert_task(view)

    def all(self) -> list[Callable[..., Any]]:
        return [self.compute_deadlines, self.holiday_calendar, self.project_task]
