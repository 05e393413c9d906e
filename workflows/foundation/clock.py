"""The legal clock inside a workflow (DESIGN.md "Legal clock"): legal time runs from the workflow's
start at the deployment's acceleration; periods counted in working days come from the holiday
calendar (a local activity, since the calendar is data that changes); a deadline in a year whose
schedule is unpublished stays marked provisional wherever it shows."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from temporalio import workflow

from activities.tasks import DeadlineRequest, TaskActivities
from domain.calendar import Deadline
from domain.legal_time import LegalClock, LegalDuration, TimeScale
from workflows.foundation import retries

# Runs recorded before periods were rechecked kept their first answer; new runs recheck (see ``recheck``).
RECHECK_PATCH = "recheck-provisional-periods"


class LegalPeriod(BaseModel):
    """A legal period as it stands: what it is, from when, and its deadline with the provisional flag.
    Shown wherever the date shows (``deadline.provisional``), and rechecked when it is reached."""

    name: str
    duration: LegalDuration
    start: datetime
    deadline: Deadline

    @property
    def due_at(self) -> datetime:
        return self.deadline.due_at


class CaseClock:
    """One workflow's legal time. Build it inside the workflow (it reads ``workflow.info()``)."""

    def __init__(self, scale: TimeScale, legal_epoch: datetime | None = None) -> None:
        self.clock = LegalClock(epoch=workflow.info().start_time, scale=scale, legal_epoch=legal_epoch)

    @classmethod
    def of(cls, clock: LegalClock) -> CaseClock:
        """A clock handed down (a term watcher runs on its inquiry's legal time)."""
        made = cls.__new__(cls)
        made.clock = clock
        return made

    def now(self) -> datetime:
        """Legal now (equals wall time at acceleration 1)."""
        return self.clock.legal_now(workflow.now())

    def real_until(self, legal: datetime) -> timedelta:
        """Wall time until legal time reaches ``legal`` (zero if already past)."""
        return self.clock.real_delay_until(legal, workflow.now())

    async def sleep_until(self, legal: datetime) -> None:
        delay = self.real_until(legal)
        if delay > timedelta(0):
            await workflow.sleep(delay)

    # A local activity: replay may resolve it a workflow task earlier than the live run did (when a query made
    # Core end the live task with its marker — workflows/foundation/patches.py). An ordinary activity would
    # not, but it puts a workflow task between a step's status and the decision it then offers (a judge — and
    # the tests — saw "awaiting the decision" with nothing to decide yet); each scenario must compute its
    # deadline before announcing the step first. Left for that change.
    async def deadlines(self, durations: list[LegalDuration], start: datetime | None = None) -> list[Deadline]:
        """The end of each period from ``start`` (default: now), rest days rolled forward (CPL Art. 85),
        each with its provisional flag."""
        return await workflow.execute_local_activity_method(
            TaskActivities.compute_deadlines,
            DeadlineRequest(start=start or self.now(), durations=durations),
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=retries.QUICK,
        )

    async def deadline(self, duration: LegalDuration, start: datetime | None = None) -> Deadline:
        return (await self.deadlines([duration], start))[0]

    async def period(self, name: str, duration: LegalDuration, start: datetime | None = None) -> LegalPeriod:
        start = start or self.now()
        return LegalPeriod(name=name, duration=duration, start=start, deadline=await self.deadline(duration, start))

    async def recheck(self, period: LegalPeriod) -> LegalPeriod:
        """A provisional deadline counted again when it is reached: the year's holiday schedule may have
        been published since, and the period then ends where the published schedule puts it (as agency
        tasks do). A settled deadline, or a run recorded before this rule, keeps its answer."""
        if not period.deadline.provisional or not workflow.patched(RECHECK_PATCH):
            return period
        return period.model_copy(update={"deadline": await self.deadline(period.duration, period.start)})
