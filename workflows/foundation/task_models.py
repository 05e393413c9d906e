"""What an agency task (协助事项) takes, its Update payloads and its outcome: shared by the agency-task
workflow, the foundation that assigns tasks, every scenario that reads an outcome, and the web."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from domain.actors import Actor
from domain.calendar import CalendarData
from domain.cases import Reason
from domain.legal_time import LegalClock, LegalDuration
from domain.tasks import TaskSpec, TaskState


class AgencyTaskInput(BaseModel):
    spec: TaskSpec
    clock: LegalClock
    # The parent's copy of the holiday calendar (workflows/foundation/clock.py): the task counts on it
    # without an activity of its own. None from a parent recorded before, or that holds none.
    calendar: CalendarData | None = None


class Completion(BaseModel):
    result: dict[str, Any]
    attachments: list[str] = Field(default_factory=list, description="content hashes of uploaded files")
    note: str = ""


class Reasoned(BaseModel):
    reason: Reason


class Reassignment(Reasoned):
    agency: str = Field(min_length=1)


class Extension(Reasoned):
    extra: LegalDuration


class TaskOutcome(BaseModel):
    task_id: str
    state: TaskState
    agency: str
    result: dict[str, Any] | None
    attachments: list[str]
    completed_by: Actor | None
    reason: str | None
