"""The bare-Temporal baseline: the same number of activities, no codec, no partners, no logic.

``python -m bench.baseline <temporal address>`` runs the baseline's worker as a process of its own (until
SIGTERM), as ``python -m workers`` runs ours: a bench that puts our worker in its own processes puts the
baseline's there too, so both are measured the same way."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from runtime.process import freeze_startup_objects

BARE_TASK_QUEUE = "bench-bare"


class BareInput(BaseModel):
    parallel: int
    sequential: int
    await_approval: bool = False


@activity.defn(name="bare_noop")
async def bare_noop(step: str) -> str:
    return step


class Approval:
    """The judge's approval as both benchmark workflows take it: an Update the driver sends once a query says the
    workflow is ready for it (``bench/featured.py``'s workflow shares it)."""

    def __init__(self) -> None:
        self.ready = False
        self.approved = False

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


@workflow.defn(name="BareFanOut")
class BareFanOut(Approval):
    """Fans out ``parallel`` activities, optionally waits for an approval (an Update the driver sends once
    a query says it is ready), then runs ``sequential`` ones: the asset inquiry's shape."""

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


def bare_worker(client: Client, task_queue: str = BARE_TASK_QUEUE) -> Worker:
    """The baseline's worker: the default sandbox, pydantic JSON, no codec, no interceptor."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[BareFanOut],
        activities=[bare_noop],
        max_concurrent_activities=200,
        max_concurrent_workflow_tasks=50,
    )


async def _serve(address: str) -> None:
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with bare_worker(client):
        freeze_startup_objects()  # as our worker's process does (workers/main.py): both sides the same way
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1]))
