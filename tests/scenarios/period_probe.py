"""A test-only workflow that holds one legal period through the foundation's clock: counted at the start,
rechecked when the test says the holiday schedule has been published."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.calendar import Deadline
    from domain.legal_time import LegalDuration, TimeScale
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
