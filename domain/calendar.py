"""The legal clock's working-day calendar (工作日历): official holidays, make-up workdays, rest-day roll-forward.

Sources, in order of authority:

* a **published schedule** (国务院办公厅关于YYYY年部分节假日安排的通知) per year, kept as a project-owned
  data file under ``domain/holiday_schedules/`` (chinesecalendar is only used by the tests to cross-check it);
* for a year whose schedule is **not yet published**, the statutory holidays of 全国年节及纪念日放假办法
  (2024 revision) Art. 2 alone: weekends rest, no make-up workdays (调休上班) are known. Such days, and every
  deadline that depends on them, are **provisional** (暂定) and must be recomputed once the notice is out.

Everything here is pure and deterministic. The only I/O is reading the packaged tables once, in
:meth:`HolidayCalendar.load`; per-year working-day tables are computed lazily and cached on the instance.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, field_serializer, model_validator

from domain.legal_time import CHINA_TZ, LegalDuration, TimeUnit, calendar_end

# The 2024 revision of 放假办法 (13 holidays, Spring Festival from 除夕) applies from 2025 on; earlier years
# followed other rules, so the statutory derivation must never be used for them.
STATUTORY_RULES_FROM = 2025
END_OF_DAY = time(23, 59, 59)
_SCHEDULE_FILE = re.compile(r"^(\d{4})\.json$")
_LUNAR_FILE = "lunar_festivals.json"


class CalendarYearUnavailable(LookupError):
    """Neither a published schedule nor the statutory derivation covers this year: fail loudly, never guess."""

    def __init__(self, year: int, why: str) -> None:
        super().__init__(f"no working-day calendar for {year}: {why}")
        self.year = year


class HolidaySchedule(BaseModel):
    """One year's holiday arrangement (部分节假日安排) as published by the State Council General Office.

    ``holidays`` are all days off of the holiday blocks (放假日, weekend days inside a block included);
    ``makeup_workdays`` are the weekend days worked in exchange (调休上班日). ``published=False`` marks a
    draft: it is used, but deadlines depending on it stay provisional.
    """

    model_config = ConfigDict(frozen=True)

    year: int = Field(ge=1949, le=2200)
    source: str | None = Field(description="notice number, e.g. 国办发明电〔2025〕7号; null if not known")
    title: str | None = None
    issued: date | None = None
    published: bool
    note: str | None = None
    holidays: frozenset[date]
    makeup_workdays: frozenset[date] = frozenset()

    @field_serializer("holidays", "makeup_workdays")
    def _in_order(self, days: frozenset[date]) -> list[date]:
        # A set's order follows the process's hash seed: sorted, the same schedule is the same bytes
        # everywhere (a workflow's input is signed over its encoding, security/identity.py).
        return sorted(days)

    @model_validator(mode="after")
    def _consistent(self) -> HolidaySchedule:
        stray = sorted(d for d in self.holidays | self.makeup_workdays if d.year != self.year)
        if stray:
            raise ValueError(f"dates outside {self.year}: {[d.isoformat() for d in stray]}")
        both = sorted(self.holidays & self.makeup_workdays)
        if both:
            raise ValueError(f"both holiday and make-up workday: {[d.isoformat() for d in both]}")
        # A make-up workday on a weekday would change nothing; it is almost surely a typo in the table.
        weekdays = sorted(d for d in self.makeup_workdays if d.weekday() < 5)
        if weekdays:
            raise ValueError(f"make-up workdays must be Saturdays or Sundays: {[d.isoformat() for d in weekdays]}")
        return self


class LunarFestivals(BaseModel):
    """Gregorian dates of one year's lunar and solar-term holidays: 除夕, 正月初一, 清明, 端午, 中秋 (UTC+8)."""

    model_config = ConfigDict(frozen=True)

    year: int
    spring_festival_eve: date  # 除夕
    spring_festival: date  # 正月初一
    qingming: date  # 清明
    dragon_boat: date  # 端午, 五月初五
    mid_autumn: date  # 中秋, 八月十五

    @model_validator(mode="after")
    def _consistent(self) -> LunarFestivals:
        if self.spring_festival_eve + timedelta(days=1) != self.spring_festival:
            raise ValueError("除夕 must be the day before 正月初一")
        days = (self.spring_festival_eve, self.spring_festival, self.qingming, self.dragon_boat, self.mid_autumn)
        if any(d.year != self.year for d in days):
            raise ValueError(f"lunar festival dates must lie in {self.year}")
        return self


def statutory_holidays(lunar: LunarFestivals) -> frozenset[date]:
    """放假办法 (2024 revision) Art. 2: the 13 days off for all citizens, without any 调休 arrangement.

    Art. 6 (a holiday on a weekend is made up on a working day, 补假) is deliberately not applied: the law
    does not say which working day, only the yearly notice does.
    """
    y, sf = lunar.year, lunar.spring_festival
    return frozenset(
        {
            date(y, 1, 1),  # 元旦
            lunar.spring_festival_eve,  # 春节: 除夕 and 初一 to 初三
            sf,
            sf + timedelta(days=1),
            sf + timedelta(days=2),
            lunar.qingming,  # 清明节
            date(y, 5, 1),  # 劳动节
            date(y, 5, 2),
            lunar.dragon_boat,  # 端午节
            lunar.mid_autumn,  # 中秋节 (may coincide with 国庆, e.g. 2028-10-03: the days then merge)
            date(y, 10, 1),  # 国庆节
            date(y, 10, 2),
            date(y, 10, 3),
        }
    )


class Deadline(BaseModel):
    """When a legal period ends, whether that may still move (``provisional``), and how it was computed.

    ``unit`` is None (and ``basis`` empty) only for a placeholder set before the first computation.
    """

    model_config = ConfigDict(frozen=True)

    due_at: datetime
    provisional: bool
    unit: TimeUnit | None = None
    basis: str = ""


class CalendarData(BaseModel):
    """A calendar's tables as data: what a workflow is handed to count legal periods itself (the tables
    change when a year's schedule is published, so a run counts on the copy recorded in its history)."""

    model_config = ConfigDict(frozen=True)

    schedules: list[HolidaySchedule]
    lunar_festivals: list[LunarFestivals]


@dataclass(frozen=True, slots=True)
class _Year:
    published: bool
    holidays: frozenset[date]
    working: tuple[int, ...]  # ordinals of the working days, ascending: bisect finds the n-th in O(log n)
    working_set: frozenset[int]


class HolidayCalendar:
    """Working days of the People's Republic of China for the legal clock (法定工作日).

    Build it with :meth:`load` (packaged tables, cached) or from in-memory schedules (tests, a freshly
    published year via :meth:`with_schedule`). Instances are immutable; per-year tables are cached.
    """

    def __init__(self, schedules: Iterable[HolidaySchedule], lunar_festivals: Iterable[LunarFestivals] = ()) -> None:
        by_year: dict[int, HolidaySchedule] = {}
        for s in schedules:
            if s.year in by_year:
                raise ValueError(f"two schedules for {s.year}")
            by_year[s.year] = s
        lunar: dict[int, LunarFestivals] = {}
        for f in lunar_festivals:
            if f.year in lunar:
                raise ValueError(f"two lunar festival rows for {f.year}")
            lunar[f.year] = f
        self._schedules: Mapping[int, HolidaySchedule] = dict(sorted(by_year.items()))
        self._lunar: Mapping[int, LunarFestivals] = dict(sorted(lunar.items()))
        self._years: dict[int, _Year] = {}

    # --- construction ---------------------------------------------------------------------------------

    @classmethod
    def load(cls) -> HolidayCalendar:
        """The calendar from the packaged tables; read once per process and shared (it is immutable)."""
        return _packaged_calendar()

    def with_schedule(self, schedule: HolidaySchedule) -> HolidayCalendar:
        """A new calendar with ``schedule`` added (or replacing that year's), e.g. when a notice is published.

        Deadlines computed before stay as they were; call :meth:`due` again on the new calendar to get the
        recomputed, non-provisional date.
        """
        others = [s for y, s in self._schedules.items() if y != schedule.year]
        return HolidayCalendar([*others, schedule], self._lunar.values())

    @classmethod
    def from_data(cls, data: CalendarData) -> HolidayCalendar:
        return cls(data.schedules, data.lunar_festivals)

    def data(self) -> CalendarData:
        return CalendarData(schedules=list(self._schedules.values()), lunar_festivals=list(self._lunar.values()))

    @property
    def schedules(self) -> Mapping[int, HolidaySchedule]:
        return self._schedules

    @property
    def published_years(self) -> frozenset[int]:
        return frozenset(y for y, s in self._schedules.items() if s.published)

    @functools.cached_property
    def fingerprint(self) -> str:
        """Short digest of the data that decides working days (not the notes): record it with a deadline
        to know which tables produced it."""
        payload = {
            "schedules": [
                [s.year, s.published, sorted(map(str, s.holidays)), sorted(map(str, s.makeup_workdays))]
                for s in self._schedules.values()
            ],
            "lunar": [f.model_dump(mode="json") for f in self._lunar.values()],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    # --- days -----------------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """工作日: a make-up workday, or a Monday–Friday that is not a holiday."""
        return d.toordinal() in self._year(d.year).working_set

    def is_provisional(self, d: date) -> bool:
        """True if ``d``'s year has no published schedule, so its status may still change (暂定)."""
        schedule = self._schedules.get(d.year)
        return schedule is None or not schedule.published

    def is_holiday(self, d: date) -> bool:
        """A day off of a holiday block (节假日), as opposed to an ordinary weekend."""
        return d in self._year(d.year).holidays

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start``; the start day itself is not counted (CPL 2023 Art. 85).

        ``n`` = 0 returns ``start``; a negative ``n`` counts backwards (the |n|-th working day before it).
        """
        if n == 0:
            return start
        origin = start.toordinal()
        year = start.year
        if n > 0:
            remaining = n
            while True:
                working = self._year(year).working
                first = bisect_right(working, origin) if year == start.year else 0
                if remaining <= len(working) - first:
                    return date.fromordinal(working[first + remaining - 1])
                remaining -= len(working) - first
                year += 1
        remaining = -n
        while True:
            working = self._year(year).working
            end = bisect_left(working, origin) if year == start.year else len(working)
            if remaining <= end:
                return date.fromordinal(working[end - remaining])
            remaining -= end
            year -= 1

    def roll_forward(self, d: date) -> date:
        """``d`` if it is a working day, else the first working day after it (CPL 2023 Art. 85: a period
        whose last day is a 法定休假日 ends on the first day after the rest days)."""
        year, ordinal = d.year, d.toordinal()
        while True:
            working = self._year(year).working
            i = bisect_left(working, ordinal)
            if i < len(working):
                return date.fromordinal(working[i])
            year += 1

    # --- deadlines ------------------------------------------------------------------------------------

    def due(self, start: datetime, duration: LegalDuration) -> Deadline:
        """When ``duration`` counted from ``start`` ends (期间届满).

        * hours (时): exactly ``start`` + N hours, never rolled forward;
        * calendar days, months, years (日/月/年): :func:`domain.legal_time.calendar_end` (start day not
          counted), then rolled forward to a working day; due at the end of that day;
        * working days (工作日): the N-th working day after the start day; due at the end of that day.

        Dates are taken in ``start``'s own time zone, so pass China Standard Time. ``provisional`` is True
        when any day the answer depends on lies in a year without a published schedule.
        """
        n, unit = duration.amount, duration.unit
        if unit is TimeUnit.HOUR:
            due_at = calendar_end(start, duration)
            basis = f"{_plural(n, 'hour')} from {start.isoformat()}: counted exactly; hour periods do not roll forward."
            return Deadline(due_at=due_at, provisional=False, unit=unit, basis=basis)

        start_day = start.date()
        if unit is TimeUnit.WORKING_DAY:
            due_day = self.add_working_days(start_day, n)
            # The days looked at run from the day after (or before) the start day to the due day.
            near = start_day + timedelta(days=1 if n >= 0 else -1)
            years = range(min(near, due_day).year, max(near, due_day).year + 1) if n else range(0)
            basis = f"{_plural(n, 'working day')} after {start_day} (start day not counted, CPL Art. 85): {due_day}"
            skipped = abs((due_day - start_day).days) - abs(n)
            if skipped:
                basis += f", skipping {_plural(skipped, 'rest day')}"
        else:
            end_day = calendar_end(start, duration).date()
            due_day = self.roll_forward(end_day)
            years = range(end_day.year, due_day.year + 1)
            label = {TimeUnit.CALENDAR_DAY: "calendar day", TimeUnit.MONTH: "month", TimeUnit.YEAR: "year"}[unit]
            basis = f"{_plural(n, label)} from {start_day} (start day not counted, CPL Art. 85) end on {end_day}"
            if due_day != end_day:
                kind = "a holiday" if self.is_holiday(end_day) else "a weekend day"
                basis += f", {kind}; rolled forward to {due_day}, the first working day after it (CPL Art. 85)"

        unpublished = [y for y in years if self.is_provisional(date(y, 1, 1))]
        if unpublished:
            basis += f". Provisional: no published holiday schedule for {', '.join(map(str, unpublished))}"
            drafts = [str(y) for y in unpublished if y in self._schedules]
            if len(drafts) < len(unpublished):
                basis += "; statutory holidays only (放假办法 Art. 2), make-up workdays unknown"
            if drafts:
                basis += f"; draft schedule used for {', '.join(drafts)}"
        due_at = datetime.combine(due_day, END_OF_DAY, tzinfo=start.tzinfo)
        return Deadline(due_at=due_at, provisional=bool(unpublished), unit=unit, basis=basis + ".")

    def deadlines(self, start: datetime, durations: Iterable[LegalDuration]) -> list[Deadline]:
        """:meth:`due` for each duration from ``start``, counted in Beijing days (a period started at
        23:00 UTC starts the next Beijing day)."""
        local = start.astimezone(CHINA_TZ)
        return [self.due(local, d) for d in durations]

    # --- tables ---------------------------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._build_year(year)
        return cached

    def _build_year(self, year: int) -> _Year:
        schedule = self._schedules.get(year)
        if schedule is not None:
            published, holidays, makeup = schedule.published, schedule.holidays, schedule.makeup_workdays
        else:
            if year < STATUTORY_RULES_FROM:
                raise CalendarYearUnavailable(
                    year, f"no schedule table, and the 2024 放假办法 rules only apply from {STATUTORY_RULES_FROM}"
                )
            lunar = self._lunar.get(year)
            if lunar is None:
                raise CalendarYearUnavailable(year, "no schedule table and no lunar festival dates to derive one")
            published, holidays, makeup = False, statutory_holidays(lunar), frozenset()
        first = date(year, 1, 1).toordinal()
        days = (date.fromordinal(o) for o in range(first, date(year, 12, 31).toordinal() + 1))
        working = tuple(d.toordinal() for d in days if d in makeup or (d.weekday() < 5 and d not in holidays))
        return _Year(published=published, holidays=holidays, working=working, working_set=frozenset(working))


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if abs(n) == 1 else f"{n} {noun}s"


# --- packaged tables -------------------------------------------------------------------------------------


def load_packaged_schedules() -> list[HolidaySchedule]:
    """Every ``domain/holiday_schedules/YYYY.json``, checked against its file name."""
    folder = resources.files("domain").joinpath("holiday_schedules")
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        match = _SCHEDULE_FILE.match(entry.name)
        if not match:
            continue
        schedule = HolidaySchedule.model_validate_json(entry.read_text(encoding="utf-8"))
        if schedule.year != int(match.group(1)):
            raise ValueError(f"{entry.name} holds the schedule of {schedule.year}")
        out.append(schedule)
    return out


def load_packaged_lunar_festivals() -> list[LunarFestivals]:
    """The project-owned table of lunar holiday dates (see the file's ``source`` for how it was verified)."""
    text = resources.files("domain").joinpath("holiday_schedules", _LUNAR_FILE).read_text(encoding="utf-8")
    return [LunarFestivals.model_validate(row) for row in json.loads(text)["years"]]


@functools.cache
def _packaged_calendar() -> HolidayCalendar:
    return HolidayCalendar(load_packaged_schedules(), load_packaged_lunar_festivals())
