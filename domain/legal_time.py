"""Legal durations carry their unit, and one acceleration factor compresses them for tests and demos.

Working-day arithmetic lives in ``domain.calendar``; this module only knows units and scaling.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from pydantic import BaseModel, Field

# China Standard Time has had no daylight saving since 1991: a fixed offset is exact and needs no tz data.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


class TimeUnit(StrEnum):
    HOUR = "hour"
    CALENDAR_DAY = "calendar_day"  # 日
    WORKING_DAY = "working_day"  # 工作日
    MONTH = "month"  # 月
    YEAR = "year"  # 年


class LegalDuration(BaseModel):
    """A period from law, e.g. 1 year (deposit freeze) or 5 working days (police answer)."""

    amount: int = Field(ge=0)
    unit: TimeUnit

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value}"


class TimeScale(BaseModel):
    """Maps legal time to wall-clock time. ``acceleration`` 1.0 is real time; 86400 makes a day a second.

    ``min_wait_seconds`` is the demo's floor: compressed as it may be, no wait for a legal moment (a
    deadline, a mark, the end of a period) is shorter than this many wall seconds, so a person in a demo
    always has minutes to act (a correction task at 86,400× would otherwise expire in 20 s). Tests leave it
    at 0; so does every history recorded before it existed, which therefore replays unchanged."""

    acceleration: float = Field(default=1.0, gt=0)
    min_wait_seconds: float = Field(default=0.0, ge=0)

    def real(self, legal: timedelta) -> timedelta:
        return legal / self.acceleration

    def legal(self, real: timedelta) -> timedelta:
        return real * self.acceleration


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later; a day the target month lacks becomes its last day (Jan 31 + 1 → Feb 28)."""
    month_index = d.month - 1 + months
    year, month = d.year + month_index // 12, month_index % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return d.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _shift(moment: datetime, duration: LegalDuration, sign: int) -> datetime:
    n = sign * duration.amount
    match duration.unit:
        case TimeUnit.HOUR:
            return moment + timedelta(hours=n)
        case TimeUnit.CALENDAR_DAY:
            return moment + timedelta(days=n)
        case TimeUnit.MONTH:
            return datetime.combine(add_months(moment.date(), n), moment.timetz())
        case TimeUnit.YEAR:
            return datetime.combine(add_months(moment.date(), 12 * n), moment.timetz())
        case TimeUnit.WORKING_DAY:
            raise ValueError("working-day periods need a holiday calendar (domain.calendar)")


def calendar_end(start: datetime, duration: LegalDuration) -> datetime:
    """End of a calendar-based period: the start day is not counted (CPL Art. 85), so +N units exactly.

    Working days are not handled here (see ``domain.calendar``), and the rest-day roll-forward is applied
    by callers that have a holiday calendar.
    """
    return _shift(start, duration, +1)


def calendar_before(end: datetime, duration: LegalDuration) -> datetime:
    """The moment ``duration`` before ``end``: e.g. when to raise a renewal ahead of expiry."""
    return _shift(end, duration, -1)


class LegalClock(BaseModel):
    """Legal time of a workflow: from ``epoch`` on, legal time runs ``acceleration`` times wall time.

    At acceleration 1 legal time is wall time. ``legal_epoch`` (default: ``epoch``) lets a demo or a
    test start legal time at another date, e.g. just before a holiday. Workflows pass ``workflow.now()``
    in; nothing here reads a clock, so replay is deterministic.
    """

    epoch: datetime
    scale: TimeScale = Field(default_factory=TimeScale)
    legal_epoch: datetime | None = None

    def legal_now(self, real_now: datetime) -> datetime:
        return (self.legal_epoch or self.epoch) + self.scale.legal(real_now - self.epoch)

    def real_delay_until(self, legal_target: datetime, real_now: datetime) -> timedelta:
        """Wall-clock time to wait until legal time reaches ``legal_target`` (zero if already past; at least
        the scale's ``min_wait_seconds`` if not)."""
        remaining = legal_target - self.legal_now(real_now)
        if remaining <= timedelta(0):
            return timedelta(0)
        return max(self.scale.real(remaining), timedelta(seconds=self.scale.min_wait_seconds))
