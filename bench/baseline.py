"""The bare-Temporal baseline: the same number of activities, no codec, no partners, no logic."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow


class BareInput(BaseModel):
    parallel: int
    sequential: int


@activity.defn(name="bare_noop")
async def bare_noop(step: str) -> str:
    return step


@workflow.defn(name="BareFanOut")
class BareFanOut:
    """Fans out ``parallel`` activities, then runs ``sequential`` ones: the asset inquiry's shape."""

    @workflow.run
    async def run(self, inp: BareInput) -> int:
        timeout = timedelta(seconds=30)
        await asyncio.gather(
            *(
                workflow.execute_activity(bare_noop, f"p{i}", start_to_close_timeout=timeout)
                for i in range(inp.parallel)
            )
        )
        for i in range(inp.sequential):
            await workflow.execute_activity(bare_noop, f"s{i}", start_to_close_timeout=timeout)
        return inp.parallel + inp.sequential
