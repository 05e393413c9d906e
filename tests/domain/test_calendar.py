"""The legal clock's working-day calendar: the project-owned tables against chinesecalendar, the 调休
swaps around Spring Festival and National Day, the rest-day roll-forward, and provisional deadlines for a
year whose schedule (部分节假日安排) is not yet published."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import chinese_calendar
import pytest
from chinese_calendar import constants as cc_data
from pydantic import ValidationError

from domain.calendar import (
    CalendarYearUnavailable,
    Deadline,
    HolidayCalendar,
    HolidaySchedule,
    load_packaged_lunar_festivals,
    statutory_holidays,
)
from domain.legal_time import LegalDuration, TimeUnit

CST = timezone(timedelta(hours=8), "CST")
PUBLISHED = (2024, 2025, 2026)


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=CST)


def days(n: int) -> LegalDuration:
    return LegalDuration(amount=n, unit=TimeUnit.CALENDAR_DAY)


def working_days(n: int) -> LegalDuration:
    return LegalDuration(amount=n, unit=TimeUnit.WORKING_DAY)


@pytest.fixture(scope="module")
def cal() -> HolidayCalendar:
    return HolidayCalendar.load()


# --- the tables -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", PUBLISHED)
def test_table_agrees_with_chinesecalendar_on_every_day(cal: HolidayCalendar, year: int) -> None:
    schedule = cal.schedules[year]
    assert schedule.holidays == {d for d in cc_data.holidays if d.year == year}
    assert schedule.makeup_workdays == {d for d in cc_data.workdays if d.year == year}
    disagree = [d for d in days_of(year) if cal.is_working_day(d) != chinese_calendar.is_workday(d)]
    assert disagree == []
    assert not any(cal.is_provisional(d) for d in days_of(year))


def test_packaged_schedules_name_their_notice(cal: HolidayCalendar) -> None:
    assert cal.published_years == frozenset(PUBLISHED)
    assert {y: s.source for y, s in cal.schedules.items()} == {
        2024: "国办发明电〔2023〕7号",
        2025: "国办发明电〔2024〕12号",
        2026: "国办发明电〔2025〕7号",
    }


def test_2027_is_not_published_anywhere(cal: HolidayCalendar) -> None:
    # Tripwire: once chinesecalendar ships 2027, the notice is out: add domain/holiday_schedules/2027.json.
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    assert 2027 not in cal.schedules
    assert cal.is_provisional(date(2027, 1, 4))


def test_lunar_table_qingming_agrees_with_solar_terms() -> None:
    for row in load_packaged_lunar_festivals():
        terms = chinese_calendar.get_solar_terms(date(row.year, 4, 1), date(row.year, 4, 10))
        assert [d for d, name in terms if name == "清明"] == [row.qingming]


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_derivation_agrees_with_published_years(cal: HolidayCalendar, year: int) -> None:
    """The notices obey the law: every statutory holiday we derive is a day off in the published schedule,
    under the name chinesecalendar gives it. This checks the lunar table and the derivation on real years."""
    lunar = {row.year: row for row in load_packaged_lunar_festivals()}[year]
    derived = statutory_holidays(lunar)
    assert len(derived) == 13
    assert [d for d in derived if cal.is_working_day(d)] == []
    names = {
        lunar.spring_festival_eve: "Spring Festival",
        lunar.spring_festival: "Spring Festival",
        lunar.qingming: "Tomb-sweeping Day",
        lunar.dragon_boat: "Dragon Boat Festival",
        lunar.mid_autumn: "Mid-autumn Festival",
    }
    for d, name in names.items():
        assert chinese_calendar.get_holiday_detail(d) == (True, name), d


def test_schedule_validation_refuses_inconsistent_tables() -> None:
    with pytest.raises(ValidationError, match="Saturdays or Sundays"):
        HolidaySchedule(
            year=2027, source=None, published=True, holidays=frozenset(), makeup_workdays={date(2027, 2, 1)}
        )
    with pytest.raises(ValidationError, match="outside 2027"):
        HolidaySchedule(year=2027, source=None, published=True, holidays={date(2026, 12, 31)})
    with pytest.raises(ValidationError, match="both"):
        HolidaySchedule(
            year=2027, source=None, published=True, holidays={date(2027, 2, 6)}, makeup_workdays={date(2027, 2, 6)}
        )


def test_years_without_any_basis_fail_loudly(cal: HolidayCalendar) -> None:
    with pytest.raises(CalendarYearUnavailable, match="2023"):
        cal.is_working_day(date(2023, 5, 4))  # before the 2024 放假办法 rules and before our tables
    with pytest.raises(CalendarYearUnavailable, match="2040"):
        cal.is_working_day(date(2040, 1, 2))  # beyond the lunar table


# --- working days and the 调休 swaps --------------------------------------------------------------------


def test_make_up_weekend_days_are_working_days(cal: HolidayCalendar) -> None:
    assert date(2025, 9, 28).weekday() == 6 and cal.is_working_day(date(2025, 9, 28))  # Sunday 上班
    assert date(2025, 10, 11).weekday() == 5 and cal.is_working_day(date(2025, 10, 11))  # Saturday 上班
    assert not cal.is_working_day(date(2025, 10, 8))  # a Wednesday inside the 国庆/中秋 block
    assert not cal.is_working_day(date(2025, 10, 12))  # an ordinary Sunday


def test_national_day_2026_matches_find_workday(cal: HolidayCalendar) -> None:
    # DOMAIN.md §7.2: find_workday(5, 2026-09-30) is 2026-10-13 (Oct 1–7 off, Oct 10 a make-up Saturday).
    assert chinese_calendar.find_workday(5, date(2026, 9, 30)) == date(2026, 10, 13)
    assert cal.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert [cal.add_working_days(date(2026, 9, 30), n) for n in (1, 2, 3)] == [
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),  # Saturday, worked
    ]


def test_spring_festival_2026_working_days(cal: HolidayCalendar) -> None:
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)  # make-up Saturday counts
    assert cal.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)  # Feb 15–23 off
    assert cal.add_working_days(date(2026, 2, 24), 4) == date(2026, 2, 28)  # make-up Saturday again
    deadline = cal.due(at(2026, 2, 12), working_days(3))
    assert deadline.due_at == datetime(2026, 2, 24, 23, 59, 59, tzinfo=CST)
    assert not deadline.provisional and deadline.unit is TimeUnit.WORKING_DAY
    assert "skipping 9 rest days" in deadline.basis


@pytest.mark.parametrize("n", [1, 3, 5, 10, 20])
def test_add_working_days_agrees_with_find_workday_from_working_days(cal: HolidayCalendar, n: int) -> None:
    # find_workday counts from the first working day on or after the start, so the two agree when the start
    # is itself a working day. From a rest day the legal count (start day not counted) is ours.
    for start in days_of(2025) + days_of(2026)[:300]:
        if chinese_calendar.is_workday(start):
            assert cal.add_working_days(start, n) == chinese_calendar.find_workday(n, start), start


def test_counting_backwards_inverts_counting_forwards(cal: HolidayCalendar) -> None:
    for start in days_of(2026):
        if cal.is_working_day(start):
            for n in (1, 5, 15):
                assert cal.add_working_days(cal.add_working_days(start, n), -n) == start
    assert cal.add_working_days(date(2026, 10, 1), 0) == date(2026, 10, 1)


# --- deadlines -------------------------------------------------------------------------------------------


def test_calendar_day_period_ending_on_a_holiday_rolls_forward(cal: HolidayCalendar) -> None:
    deadline = cal.due(at(2026, 9, 27), days(7))  # ends on Oct 4, inside the National Day block
    assert deadline.due_at == datetime(2026, 10, 8, 23, 59, 59, tzinfo=CST)
    assert deadline.unit is TimeUnit.CALENDAR_DAY and not deadline.provisional
    assert "end on 2026-10-04, a holiday; rolled forward to 2026-10-08" in deadline.basis


def test_calendar_day_period_ending_on_a_weekend_rolls_forward(cal: HolidayCalendar) -> None:
    assert cal.due(at(2026, 3, 4), days(3)).due_at.date() == date(2026, 3, 9)  # Sat Mar 7 → Mon
    assert cal.due(at(2026, 3, 4), days(2)).due_at.date() == date(2026, 3, 6)  # a Friday stays


def test_month_and_year_periods_roll_forward_only_off_rest_days(cal: HolidayCalendar) -> None:
    # Jan 31 + 1 month = Feb 28 2026, a make-up Saturday: a working day, so no roll-forward.
    assert cal.due(at(2026, 1, 31), LegalDuration(amount=1, unit=TimeUnit.MONTH)).due_at.date() == date(2026, 2, 28)
    # 2025-02-15 + 1 year lands in the 2026 Spring Festival block (Feb 15–23).
    yearly = cal.due(at(2025, 2, 15), LegalDuration(amount=1, unit=TimeUnit.YEAR))
    assert yearly.due_at.date() == date(2026, 2, 24) and yearly.unit is TimeUnit.YEAR


def test_hours_are_exact_and_never_roll(cal: HolidayCalendar) -> None:
    deadline = cal.due(at(2026, 9, 30, 20), LegalDuration(amount=24, unit=TimeUnit.HOUR))
    assert deadline.due_at == datetime(2026, 10, 1, 20, tzinfo=CST)  # National Day, still due
    assert not deadline.provisional and deadline.unit is TimeUnit.HOUR
    far = cal.due(at(2027, 2, 5, 9), LegalDuration(amount=8, unit=TimeUnit.HOUR))
    assert far.due_at == datetime(2027, 2, 5, 17, tzinfo=CST) and not far.provisional


def test_due_keeps_the_start_time_zone_and_ends_the_day(cal: HolidayCalendar) -> None:
    deadline = cal.due(at(2026, 6, 1, 15), days(10))
    assert deadline.due_at == datetime(2026, 6, 11, 23, 59, 59, tzinfo=CST)
    naive = cal.due(datetime(2026, 6, 1, 15), days(10))
    assert naive.due_at == datetime(2026, 6, 11, 23, 59, 59) and naive.due_at.tzinfo is None


def test_deadline_round_trips_and_keeps_the_placeholder_form() -> None:
    # workflows/agency_task.py seeds a view with Deadline(due_at=…, provisional=False) before computing.
    placeholder = Deadline(due_at=at(2026, 1, 5), provisional=False)
    assert placeholder.unit is None and placeholder.basis == ""
    computed = HolidayCalendar.load().due(at(2026, 9, 30), working_days(5))
    assert Deadline.model_validate_json(computed.model_dump_json()) == computed


# --- a year without a published schedule ---------------------------------------------------------------

STATUTORY_2027 = {
    date(2027, 1, 1),  # 元旦 (Fri)
    date(2027, 2, 5),  # 除夕 (Fri)
    date(2027, 2, 6),  # 初一 (Sat)
    date(2027, 2, 7),  # 初二 (Sun)
    date(2027, 2, 8),  # 初三 (Mon)
    date(2027, 4, 5),  # 清明 (Mon)
    date(2027, 5, 1),  # 劳动节 (Sat)
    date(2027, 5, 2),  # (Sun)
    date(2027, 6, 9),  # 端午 (Wed)
    date(2027, 9, 15),  # 中秋 (Wed)
    date(2027, 10, 1),  # 国庆 (Fri)
    date(2027, 10, 2),
    date(2027, 10, 3),
}


def test_2027_uses_the_statutory_holidays_only(cal: HolidayCalendar) -> None:
    off_weekdays = {d for d in days_of(2027) if d.weekday() < 5 and not cal.is_working_day(d)}
    assert off_weekdays == {d for d in STATUTORY_2027 if d.weekday() < 5}
    assert not any(cal.is_working_day(d) for d in days_of(2027) if d.weekday() >= 5)  # no make-up days known
    assert all(cal.is_provisional(d) for d in days_of(2027))


def test_a_2027_deadline_is_provisional(cal: HolidayCalendar) -> None:
    spring = cal.due(at(2027, 1, 27), days(10))  # ends Sat Feb 6 (初一); Feb 5–8 are statutory holidays
    assert spring.due_at.date() == date(2027, 2, 9)
    assert spring.provisional
    assert "Provisional: no published holiday schedule for 2027" in spring.basis
    across = cal.due(at(2026, 12, 28), working_days(10))  # starts in a published year, ends in 2027
    assert across.due_at.date() == date(2027, 1, 12) and across.provisional
    inside_2026 = cal.due(at(2026, 12, 21), working_days(5))
    assert inside_2026.due_at.date() == date(2026, 12, 28) and not inside_2026.provisional


# A fabricated "published" 2027 schedule in the usual shape: Spring Festival 8 days from 除夕 with the
# Saturday after it worked, National Day Oct 1–7 with Saturday Oct 9 worked.
FAKE_2027 = HolidaySchedule(
    year=2027,
    source=None,
    note="fabricated for tests",
    published=True,
    holidays=frozenset(
        {date(2027, 1, 1)}
        | {date(2027, 2, 5) + timedelta(days=i) for i in range(8)}
        | {date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2), date(2027, 5, 3), date(2027, 6, 9)}
        | {date(2027, 9, 15)}
        | {date(2027, 10, 1) + timedelta(days=i) for i in range(7)}
    ),
    makeup_workdays=frozenset({date(2027, 2, 20), date(2027, 10, 9)}),
)


def test_publishing_2027_recomputes_deadlines(cal: HolidayCalendar) -> None:
    published = cal.with_schedule(FAKE_2027)
    assert published.published_years == {2024, 2025, 2026, 2027}
    assert published.fingerprint != cal.fingerprint

    start, one = at(2027, 2, 4), working_days(1)
    before, after = cal.due(start, one), published.due(start, one)
    assert (before.due_at.date(), before.provisional) == (date(2027, 2, 9), True)
    assert (after.due_at.date(), after.provisional) == (date(2027, 2, 15), False)  # Feb 5–12 off now
    assert "Provisional" not in after.basis

    friday = at(2027, 2, 19)
    assert cal.due(friday, one).due_at.date() == date(2027, 2, 22)  # statutory: the weekend is off
    assert published.due(friday, one).due_at.date() == date(2027, 2, 20)  # the make-up Saturday counts

    # A calendar-day period ending on the make-up Saturday no longer rolls forward.
    ends_saturday = days(11)
    assert cal.due(friday - timedelta(days=10), ends_saturday).due_at.date() == date(2027, 2, 22)
    assert published.due(friday - timedelta(days=10), ends_saturday).due_at.date() == date(2027, 2, 20)

    # The original calendar is untouched, and 2028 stays provisional on both.
    assert cal.due(start, one) == before
    assert published.is_provisional(date(2028, 1, 3)) and cal.is_provisional(date(2028, 1, 3))


def test_a_draft_schedule_is_used_but_stays_provisional(cal: HolidayCalendar) -> None:
    draft = cal.with_schedule(FAKE_2027.model_copy(update={"published": False}))
    deadline = draft.due(at(2027, 2, 4), working_days(1))
    assert deadline.due_at.date() == date(2027, 2, 15) and deadline.provisional
    assert "draft schedule used for 2027" in deadline.basis and "statutory" not in deadline.basis


def test_a_later_unpublished_year_from_the_lunar_table(cal: HolidayCalendar) -> None:
    # 2028: 中秋 falls on Oct 3, inside National Day, so the statutory days merge (12 distinct dates).
    assert not cal.is_working_day(date(2028, 1, 25))  # 除夕, Tuesday
    assert cal.is_working_day(date(2028, 5, 29))  # Monday after 端午 (Sun May 28): no 补假 is derived
    assert cal.due(at(2028, 9, 28), days(3)).due_at.date() == date(2028, 10, 4)
