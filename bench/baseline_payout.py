"""The mass-payout bench's bare-Temporal baseline: the same child workflows and activities, doing nothing.

A module of its own, with light imports, because the workflow sandbox imports it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow


@activity.defn(name="bare_payout_noop")
async def bare_payout_noop(step: str) -> str:
    return step


@workflow.defn(name="BareBatch")
class BareBatch:
    @workflow.run
    async def run(self, index: int) -> int:
        await workflow.execute_activity(bare_payout_noop, f"pay/{index}", start_to_close_timeout=timedelta(seconds=30))
        return index


@workflow.defn(name="BarePayout")
class BarePayout:
    """A parent with ``batches`` children, ``window`` at a time, each running one activity; plus three
    activities of its own (the list check, the balance, the reconciliation)."""

    @workflow.run
    async def run(self, batches_and_window: list[int]) -> int:
        batches, window = batches_and_window
        timeout = timedelta(seconds=30)
        for step in ("check", "balance"):
            await workflow.execute_activity(bare_payout_noop, step, start_to_close_timeout=timeout)
        running: set[asyncio.Future[Any]] = set()
        for i in range(batches):
            if len(running) >= window:
                _, pending = await workflow.wait(running, return_when=asyncio.FIRST_COMPLETED)
                running = set(pending)
            child = workflow.execute_child_workflow(BareBatch.run, i, id=f"{workflow.info().workflow_id}:{i}")
            running.add(asyncio.ensure_future(child))
        await asyncio.gather(*running)
        await workflow.execute_activity(bare_payout_noop, "reconcile", start_to_close_timeout=timeout)
        return batches
