"""The bare-Temporal baseline: the same number of activities, no codec, no partners, no logic."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow


class BareInput(BaseModel):
    parallel: int
    sequential: int
    await_approval: bool = False


@activity.defn(name="bare_noop")
async def bare_noop(step: str) -> str:
    return step


@workflow.defn(name="BareFanOut")
class BareFanOut:
    """Fans out ``parallel`` activities, optionally waits for an approval (an Update the driver sends once
    a query says it is ready), then runs ``sequential`` ones: the asset inquiry's shape."""

    def __init__(self) -> None:
        self.ready = False
        self.approved = False

    @workflow.run
    async def run(self, inp: BareInput) -> int:
        timeout = timedelta(seconds=30)
        await asyncio.gather(
            *(
                workflow.execute_activity(bare_noop, f"p{i}", start_to_close_timeout=timeout)
                for i in range(inp.parallel)
            )
        )
        if inp.await_approval:
            self.ready = True
            await workflow.wait_condition(lambda: self.approved)
        for i in range(inp.sequential):
            await workflow.execute_activity(bare_noop, f"s{i}", start_to_close_timeout=timeout)
        return inp.parallel + inp.sequential

    @workflow.query(name="ready")
    def is_ready(self) -> bool:
        return self.ready

    @workflow.update(name="approve")
    async def approve(self) -> None:
        self.approved = True

    @approve.validator
    def _validate_approve(self) -> None:
        if not self.ready:
            raise ValueError("not ready")
