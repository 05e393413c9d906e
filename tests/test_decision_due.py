"""The management period of a waiting decision (domain/decision_due.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.calendar import HolidayCalendar
from domain.decision_due import decision_due, is_overdue
from domain.legal_time import CHINA_TZ

CALENDAR = HolidayCalendar.load()


def test_three_working_days_skip_the_weekend() -> None:
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=CHINA_TZ)
    assert decision_due(CALENDAR, friday).date().isoformat() == "2026-12-09"  # Mon, Tue, Wed
    assert not is_overdue(CALENDAR, friday, friday + timedelta(days=5))
    assert is_overdue(CALENDAR, friday, friday + timedelta(days=6))


def test_a_compressed_clock_counts_the_wait_over() -> None:
    since = datetime(2026, 12, 4, 10, 0, tzinfo=CHINA_TZ)
    assert not is_overdue(CALENDAR, since, since + timedelta(seconds=1), acceleration=86_400)
    assert is_overdue(CALENDAR, since, since + timedelta(seconds=7), acceleration=86_400)
