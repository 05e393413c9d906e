"""Legal periods in workflows (DESIGN.md "Legal clock"): a period that ends in a year whose holiday
schedule is unpublished is provisional and is counted again once the schedule is published; a period
whose last day is a rest day rolls forward (CPL Art. 85)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from activities.tasks import CalendarSource, TaskActivities
from config.settings import Settings
from domain.auction import RoundKind, announcement_lead, schedule_round
from domain.calendar import Deadline
from domain.legal_params import params_at
from domain.legal_time import CHINA_TZ, LegalDuration, TimeUnit
from security.identity import ActorWorkerInterceptor, acting_as
from tests.helpers import JUDGE
from tests.scenarios.period_probe import (
    COUNTED_QUERY,
    PUBLISHED_SIGNAL,
    CountingInput,
    DeadlineCounter,
    PeriodProbe,
    ProbeInput,
)
from workers.main import sandbox_runner

QUEUE = "one-matter-period-probe"
# 2027's schedule as the State Council might publish it (fabricated, as in test_agency_tasks): Spring
# Festival from Fri 5 Feb to Sat 13 Feb, Sat 20 Feb worked.
SCHEDULE_2027 = {
    "year": 2027,
    "published": True,
    "source": "国办发明电〔2026〕test",
    "title": "test",
    "note": "test",
    "holidays": [f"2027-02-{d:02d}" for d in range(5, 14)],
    "makeup_workdays": ["2027-02-20"],
}


class _NoInbox:
    def upsert_task(self, view: object) -> None:  # the probe assigns no task
        raise AssertionError("unreachable")


@pytest.fixture
async def probe_worker(client: Client, settings: Settings) -> AsyncIterator[None]:
    # Keeps no run in memory: every workflow task and every query replays the run from its history, as a
    # worker does after an eviction — what a replay would get wrong, each task gets wrong.
    acts = TaskActivities(_NoInbox(), CalendarSource(settings.var_dir / "holiday_schedules"))
    async with Worker(
        client,
        task_queue=QUEUE,
        workflows=[PeriodProbe, DeadlineCounter],
        activities=[acts.compute_deadlines, acts.holiday_calendar],
        interceptors=[ActorWorkerInterceptor(settings.actor_signer())],
        workflow_runner=sandbox_runner(),
        max_cached_workflows=0,
    ):
        yield


@pytest.mark.usefixtures("probe_worker")
async def test_a_provisional_period_is_counted_again_once_the_schedule_is_published(
    client: Client, settings: Settings
) -> None:
    # 5 days from Mon 1 Feb 2027 end on Sat 6 Feb. Unpublished, only the statutory days are known:
    # 除夕 to 初三 (5–8 Feb), so the period ends on Tue 9 Feb — provisionally.
    start = datetime(2027, 2, 1, 9, tzinfo=CHINA_TZ)
    with acting_as(JUDGE):
        handle = await client.start_workflow(
            PeriodProbe.run,
            ProbeInput(legal_start=start, period=LegalDuration(amount=5, unit=TimeUnit.CALENDAR_DAY)),
            id=f"period-probe-{uuid.uuid4().hex[:8]}",
            task_queue=QUEUE,
        )
    folder = settings.var_dir / "holiday_schedules"
    folder.mkdir(exist_ok=True)
    try:
        await _first_answer_recorded(handle)
        (folder / "2027.json").write_text(json.dumps(SCHEDULE_2027))
        with acting_as(JUDGE):
            await handle.signal(PUBLISHED_SIGNAL)
        first, second = (Deadline.model_validate(d) for d in await handle.result())
    finally:
        (folder / "2027.json").unlink(missing_ok=True)
    assert first.provisional and first.due_at.astimezone(CHINA_TZ).date() == date(2027, 2, 9)
    # Published: the break runs to Sat 13 Feb, Sun 14 Feb is a rest day, so Mon 15 Feb.
    assert not second.provisional and second.due_at.astimezone(CHINA_TZ).date() == date(2027, 2, 15)


@pytest.mark.usefixtures("probe_worker")
async def test_queries_while_periods_are_counted_replay_every_patch_where_it_was_decided(client: Client) -> None:
    """The query-replay flake: deadlines came from a local activity; a query arriving while it ran made Core
    end the task with the activity's marker and the code went on in the next task, while replay resolved
    the marker inside the first — ``patched`` answered False a task early, and the query (and the next
    task) failed: "patch marker encountered … no corresponding change command". Queried without pause on a
    worker that keeps no run in memory, every count must replay."""
    rounds = 8
    with acting_as(JUDGE):
        handle = await client.start_workflow(
            DeadlineCounter.run,
            CountingInput(legal_start=datetime(2026, 3, 2, 9, tzinfo=CHINA_TZ), rounds=rounds),
            id=f"deadline-counter-{uuid.uuid4().hex[:8]}",
            task_queue=QUEUE,
            execution_timeout=timedelta(seconds=60),
        )
    failures: list[str] = []

    async def hammer() -> None:
        while True:
            try:
                await handle.query(COUNTED_QUERY)
            except Exception as exc:  # a failed replay reaches the client as the query's failure
                failures.append(str(exc))

    queries = asyncio.create_task(hammer())
    try:
        counted = await asyncio.wait_for(handle.result(), timeout=45)
    finally:
        queries.cancel()
    history = await handle.fetch_history()
    task_failures = [e for e in history.events if e.HasField("workflow_task_failed_event_attributes")]
    assert counted == rounds and not task_failures, (failures[:3], task_failures[:1])
    assert not [f for f in failures if "nondetermin" in f.lower() or "patch" in f.lower()], failures[:3]


async def _first_answer_recorded(handle: object) -> None:
    """Waits until the calendar the first count used is in history, before publishing."""
    for _ in range(200):
        history = await handle.fetch_history()  # type: ignore[attr-defined]
        if any(e.HasField("activity_task_completed_event_attributes") for e in history.events):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the period was never counted")


def test_an_announcement_lead_ending_in_the_national_day_break_rolls_forward() -> None:
    """网拍规定 Art. 12 (30 days' notice) with CPL Art. 85: announced on Sun 6 Sep 2026, the 30 days end on
    Tue 6 Oct, inside the National Day break (1–7 Oct 2026); the auction may open only after Wed 7 Oct."""
    params = params_at(date(2026, 9, 6))
    announced = datetime(2026, 9, 6, 10, tzinfo=CHINA_TZ)
    lead = announcement_lead(RoundKind.FIRST, params)
    calendar = CalendarSource().current()
    due = calendar.due(announced, lead)
    assert due.due_at.astimezone(CHINA_TZ).date() == date(2026, 10, 8)
    rolled = schedule_round(RoundKind.FIRST, announced, None, params, lead_ends_at=due.due_at)
    plain = schedule_round(RoundKind.FIRST, announced, None, params)
    assert plain.opens_at.astimezone(CHINA_TZ).date() == date(2026, 10, 6)
    assert rolled.opens_at - plain.opens_at > timedelta(days=1)
