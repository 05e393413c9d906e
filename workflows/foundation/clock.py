"""The legal clock inside a workflow (DESIGN.md "Legal clock"): legal time runs from the workflow's
start at the deployment's acceleration; periods counted in working days come from the holiday
calendar; a deadline in a year whose schedule is unpublished stays marked provisional wherever it shows.

The calendar is data that changes (a year's schedule is published), so a run counts on a copy recorded
in its history (``load_calendar`` before the run's first wait): handed in with a scenario's context or by
a parent to its agency tasks, else fetched by an activity; fetched again when a provisional deadline is
rechecked. Counted in workflow code, nothing comes between a step's status and its deadline.

Runs recorded before asked a local activity for every deadline; that is what made queries fail on
replay: a query arriving while the local activity ran made Core complete the
workflow task with the activity's marker and the code go on in the next task, while replay resolves the
marker inside the first task — the code ran a task ahead (another ``workflow.now()``, patches not yet
notified: "patch marker encountered …", once a payout without its application fee), and a worker that
evicted the run meanwhile cancelled the activity ("Missing associated machine for LocalActivity")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel
from temporalio import workflow

from activities.common import deterministic_failures_not_retried
from activities.tasks import DeadlineRequest, TaskActivities
from domain.calendar import CalendarData, Deadline, HolidayCalendar
from domain.legal_time import LegalClock, LegalDuration, TimeScale
from workflows.foundation import retries

# Runs recorded before periods were rechecked kept their first answer; new runs recheck (see ``recheck``).
RECHECK_PATCH = "recheck-provisional-periods"
# Runs recorded before the calendar was copied into the run keep asking the local activity (module doc).
CALENDAR_PATCH = "calendar-in-the-run"
# A copy younger than this is as good as the source: a year's schedule is published once, weeks ahead.
# An older copy is fetched again before it gives a provisional answer (a case runs for years).
CALENDAR_FRESH_FOR = timedelta(days=1)
_HELD = "_om_legal_calendar"


@dataclass(frozen=True, slots=True)
class _Held:
    """The run's copy of the calendar (None: a run recorded before, which asks the local activity)."""

    calendar: HolidayCalendar | None
    fetched_at: datetime | None


async def load_calendar(given: CalendarData | None = None) -> None:
    """The first act of every workflow that counts legal periods: the run's copy of the calendar (``given``
    by a parent that holds one, else fetched). A run recorded before this keeps the local activity."""
    if not workflow.patched(CALENDAR_PATCH):
        _hold(_Held(calendar=None, fetched_at=None))
    elif given is not None:
        _hold(_Held(calendar=HolidayCalendar.from_data(given), fetched_at=workflow.now()))
    else:
        await _fetch_calendar()


def calendar_data() -> CalendarData | None:
    """The run's copy, for a child it starts (None before ``load_calendar`` or in a run recorded before)."""
    held: _Held | None = getattr(workflow.instance(), _HELD, None)
    return held.calendar.data() if held is not None and held.calendar is not None else None


def _hold(held: _Held) -> None:
    setattr(workflow.instance(), _HELD, held)


async def _holding() -> _Held:
    """The run's copy; fetched now if the run did not load it first (a workflow that counts a period only
    on a rare path after other activities: where a status shows, load it first — tests/structure)."""
    held: _Held | None = getattr(workflow.instance(), _HELD, None)
    if held is None:
        await load_calendar()
        held = getattr(workflow.instance(), _HELD)
    return held


async def _fetch_calendar() -> HolidayCalendar:
    data = await workflow.execute_activity_method(
        TaskActivities.holiday_calendar, start_to_close_timeout=timedelta(seconds=10), retry_policy=retries.QUICK
    )
    calendar = HolidayCalendar.from_data(data)
    _hold(_Held(calendar=calendar, fetched_at=workflow.now()))
    return calendar


async def compute_deadlines(request: DeadlineRequest, fresh: bool = False) -> list[Deadline]:
    """The end of each period of ``request``: counted on the run's copy of the calendar (fetched again when
    ``fresh`` is asked, or when a stale copy answers provisionally), or by the local activity in a run
    recorded before."""
    held = await _holding()
    if held.calendar is None:
        return await workflow.execute_local_activity_method(
            TaskActivities.compute_deadlines,
            request,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=retries.QUICK,
        )
    calendar = await _fetch_calendar() if fresh else held.calendar
    answer = _count(calendar, request)
    stale = held.fetched_at is None or workflow.now() - held.fetched_at > CALENDAR_FRESH_FOR
    if not fresh and stale and any(d.provisional for d in answer):
        answer = _count(await _fetch_calendar(), request)
    return answer


def _count(calendar: HolidayCalendar, request: DeadlineRequest) -> list[Deadline]:
    # What the activity's failure was (a date out of range, a year no calendar covers): the run fails with
    # the code, it does not retry the task forever.
    with deterministic_failures_not_retried():
        return calendar.deadlines(request.start, request.durations)


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

    async def deadlines(
        self, durations: list[LegalDuration], start: datetime | None = None, fresh: bool = False
    ) -> list[Deadline]:
        """The end of each period from ``start`` (default: now), rest days rolled forward (CPL Art. 85),
        each with its provisional flag; ``fresh``: on the calendar as it stands now, not the run's copy."""
        return await compute_deadlines(DeadlineRequest(start=start or self.now(), durations=durations), fresh)

    async def deadline(self, duration: LegalDuration, start: datetime | None = None, fresh: bool = False) -> Deadline:
        return (await self.deadlines([duration], start, fresh))[0]

    async def period(self, name: str, duration: LegalDuration, start: datetime | None = None) -> LegalPeriod:
        start = start or self.now()
        return LegalPeriod(name=name, duration=duration, start=start, deadline=await self.deadline(duration, start))

    async def recheck(self, period: LegalPeriod) -> LegalPeriod:
        """A provisional deadline counted again when it is reached: the year's holiday schedule may have
        been published since, and the period then ends where the published schedule puts it (as agency
        tasks do). A settled deadline, or a run recorded before this rule, keeps its answer."""
        if not period.deadline.provisional or not workflow.patched(RECHECK_PATCH):
            return period
        return period.model_copy(update={"deadline": await self.deadline(period.duration, period.start, fresh=True)})
