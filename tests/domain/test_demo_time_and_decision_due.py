"""The management period of a waiting decision (domain/decision_due.py), and the demo's floor under every
wait for a legal moment (domain/legal_time.py, Settings.time_scale)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from config.settings import Settings
from domain.calendar import HolidayCalendar
from domain.decision_due import decision_due, is_overdue
from domain.legal_time import CHINA_TZ, LegalClock, TimeScale

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


def test_a_demo_floor_holds_every_wait_for_a_legal_moment() -> None:
    start = datetime(2026, 12, 4, 10, 0, tzinfo=CHINA_TZ)
    demo = LegalClock(epoch=start, scale=TimeScale(acceleration=86_400, min_wait_seconds=180))
    a_day_later = start + timedelta(days=1)
    assert demo.real_delay_until(a_day_later, start) == timedelta(seconds=180)  # 1 s compressed, 3 min held
    assert demo.real_delay_until(start, start + timedelta(seconds=1)) == timedelta(0)  # past: no wait
    plain = LegalClock(epoch=start, scale=TimeScale(acceleration=86_400))
    assert plain.real_delay_until(a_day_later, start) == timedelta(seconds=1)


def test_the_floor_is_on_only_under_a_compressed_clock(tmp_path: Path) -> None:
    assert Settings(var_dir=tmp_path, _env_file=None).time_scale().min_wait_seconds == 0
    demo = Settings(var_dir=tmp_path, time_acceleration=86_400, _env_file=None).time_scale()
    assert (demo.acceleration, demo.min_wait_seconds) == (86_400, 180)
