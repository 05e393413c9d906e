"""Test-only workflows on the foundation's clock: one holds a legal period (counted at the start, rechecked
when the test says the holiday schedule has been published); one counts a period again and again, each
count followed by a patch decision, as a scenario's step does, while the test queries it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.calendar import Deadline
    from domain.legal_time import LegalDuration, TimeScale, TimeUnit
    from workflows.foundation.clock import CaseClock

PUBLISHED_SIGNAL = "schedule-published"


class ProbeInput(BaseModel):
    legal_start: datetime
    period: LegalDuration
    scale: TimeScale = TimeScale()


@workflow.defn(name="PeriodProbe")
class PeriodProbe:
    def __init__(self) -> None:
        self.published = False

    @workflow.run
    async def run(self, inp: ProbeInput) -> list[Deadline]:
        clock = CaseClock(inp.scale, legal_epoch=inp.legal_start)
        period = await clock.period("probe", inp.period)
        await workflow.wait_condition(lambda: self.published)
        rechecked = await clock.recheck(period)
        return [period.deadline, rechecked.deadline]

    @workflow.signal(name=PUBLISHED_SIGNAL)
    def schedule_published(self) -> None:
        self.published = True


COUNTED_QUERY = "counted"


class CountingInput(BaseModel):
    legal_start: datetime
    rounds: int
    scale: TimeScale = TimeScale()


@workflow.defn(name="DeadlineCounter")
class DeadlineCounter:
    """Each round: a deadline, then a patch consulted (a new rule behind a marker), then a timer. Replay must
    reach every ``patched`` call in the task the live run did, or the query replaying it fails."""

    def __init__(self) -> None:
        self.counted = 0

    @workflow.run
    async def run(self, inp: CountingInput) -> int:
        clock = CaseClock(inp.scale, legal_epoch=inp.legal_start)
        for i in range(inp.rounds):
            await clock.deadline(LegalDuration(amount=i + 1, unit=TimeUnit.WORKING_DAY))
            if workflow.patched(f"counter-round-{i}"):
                self.counted += 1
            await workflow.sleep(0.05)
        return self.counted

    @workflow.query(name=COUNTED_QUERY)
    def get_counted(self) -> int:
        return self.counted
