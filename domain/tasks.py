"""Agency tasks (协助事项): a unit of work for one agency, with a result model and a due rule.

States: open → claimed → completed | rejected | cancelled. Marks: yellow and red at configurable
points after assignment (五环智控: 7 and 14 days), escalation to the supervising role at red.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from domain.actors import Actor
from domain.calendar import Deadline
from domain.legal_time import LegalDuration, TimeUnit


class TaskState(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    REJECTED = "rejected"  # the agency declines, with a reason (e.g. vehicle not found)
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (TaskState.COMPLETED, TaskState.REJECTED, TaskState.CANCELLED)


class SlaMark(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"  # 黄灯
    RED = "red"  # 红灯


class DueRule(BaseModel):
    """When the answer is due and when the task turns yellow and red, all counted from assignment."""

    due: LegalDuration
    yellow_after: LegalDuration = LegalDuration(amount=7, unit=TimeUnit.CALENDAR_DAY)
    red_after: LegalDuration = LegalDuration(amount=14, unit=TimeUnit.CALENDAR_DAY)
    supervising_role: str = Field(default="judge", description="who a red task escalates to")


# The longest a task may be given, extensions included: no longer than the enforcement case itself may
# last — 6 months from filing plus the 3-month extension a president may approve (审限规定 Arts. 5, 9).
# In working days: 9 months of 5-day weeks less the statutory holidays that fall in them.
MAX_TASK_PERIOD: dict[TimeUnit, int] = {
    TimeUnit.CALENDAR_DAY: 275,
    TimeUnit.WORKING_DAY: 185,
    TimeUnit.HOUR: 275 * 24,
    TimeUnit.MONTH: 9,
    TimeUnit.YEAR: 0,
}


def extension_problem(current: LegalDuration, extra: LegalDuration) -> str | None:
    """Why ``extra`` may not be added to a task now due in ``current``, or None."""
    if extra.amount <= 0:
        return "extra: must be a positive duration"
    if extra.unit is not current.unit:
        return f"extra.unit: must be {current.unit.value}, the unit of the task's period"
    limit = MAX_TASK_PERIOD[current.unit]
    if current.amount + extra.amount > limit:
        return (
            f"extra.amount: the task's period may not exceed {limit} {current.unit.value}s in all "
            f"(审限规定 Arts. 5, 9); at most {max(0, limit - current.amount)} more"
        )
    return None


class TaskSpec(BaseModel):
    """What a workflow asks of an agency. ``result_type`` names the result model in the task catalogue."""

    task_type: str
    agency: str
    case_number: str
    court: str
    title: str
    instructions: str = ""
    result_type: str
    rule: DueRule
    context: dict[str, Any] = Field(default_factory=dict, description="what the agency needs to act")
    not_by: str | None = Field(
        default=None,
        max_length=200,
        description="four eyes (双人复核): the user who may not complete this task — the one whose act it checks",
    )


class TaskTransition(BaseModel):
    at: datetime
    actor: Actor
    action: str
    reason: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class TaskView(BaseModel):
    """The task as the inbox shows it; the workflow is the source of truth, the inbox a projection."""

    task_id: str
    workflow_id: str
    version: int
    spec: TaskSpec
    state: TaskState
    mark: SlaMark
    overdue: bool = False
    escalated: bool
    assigned_at: datetime
    deadline: Deadline
    claimed_by: str | None = None
    result: dict[str, Any] | None = None
    attachments: list[str] = Field(default_factory=list, description="content hashes of uploaded files")
    history: list[TaskTransition] = Field(default_factory=list)
