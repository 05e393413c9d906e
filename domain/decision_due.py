"""When a decision waiting for its judge counts as overdue (超期未决) for the command centre.

No instrument sets one period for every decision an enforcement judge takes (the law's own periods — the
失信 request's 15 days, the term — are kept by their scenarios). Three working days from the moment the
decision became due is the court's management rule (DOMAIN.md [I], like the assisting units' notice
period), so the supervisors' list of overdue decisions has something to measure against.

Pure rules: the caller passes the calendar, the instants and the deployment's acceleration.
"""

from __future__ import annotations

from datetime import datetime

from domain.calendar import HolidayCalendar
from domain.legal_time import CHINA_TZ, LegalDuration, TimeUnit

DECIDE_WITHIN = LegalDuration(amount=3, unit=TimeUnit.WORKING_DAY)


def decision_due(calendar: HolidayCalendar, since: datetime) -> datetime:
    """The end of the period a decision awaited since ``since`` may wait (China time)."""
    return calendar.due(since.astimezone(CHINA_TZ), DECIDE_WITHIN).due_at


def is_overdue(calendar: HolidayCalendar, since: datetime, now: datetime, acceleration: float = 1.0) -> bool:
    """Whether the decision is overdue at ``now``. Under a compressed clock (demos, tests) the time it has
    waited counts ``acceleration`` times over, the working days counted from the wall clock's date."""
    waited = (now - since) * acceleration
    return since + waited > decision_due(calendar, since)
