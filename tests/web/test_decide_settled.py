"""A decision is sent once the workflow has no workflow task pending (web/services/workflows.py
``wait_until_settled``): the state the judge saw is then the state the decision meets. Against the real
Temporal dev server."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from temporalio.client import Client, WorkflowExecutionDescription

from config.settings import Settings
from security.identity import acting_as
from tests.helpers import JUDGE, deposit, eventually, new_debtor, settled_history_length, start, wait_status
from tests.helpers import asset_inquiry_request as request
from web.services import workflow_updates as cases


async def test_a_workflow_with_a_task_pending_is_waited_for_up_to_the_bound(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No worker polls this queue: the first workflow task stays pending.
    with acting_as(JUDGE):
        handle = await client.start_workflow(
            "AssetInquiry", id=f"pending-{uuid.uuid4().hex[:8]}", task_queue=f"nobody-{uuid.uuid4().hex[:6]}"
        )
    desc = await handle.describe()
    assert desc.raw_description.HasField("pending_workflow_task")
    monkeypatch.setattr(cases, "SETTLE_TIMEOUT_SECONDS", 1.0)
    began = time.monotonic()
    await cases.wait_until_settled(client, desc)
    assert time.monotonic() - began >= 1.0, "a pending task must be waited for until the bound"
    with acting_as(JUDGE):
        await handle.terminate("test over")


@pytest.mark.usefixtures("stack")
async def test_a_settled_workflow_is_decided_on_at_once(client: Client, settings: Settings, simulator: str) -> None:
    debtor = await new_debtor(simulator, [deposit("bank-icbc", 100_000_00)])
    handle = await start(client, settings, "asset-inquiry", request(debtor, owed=50_000_00))
    await wait_status(handle, "awaiting_decision")
    await settled_history_length(handle)
    desc = await handle.describe()
    assert not desc.raw_description.HasField("pending_workflow_task")
    began = time.monotonic()
    await cases.wait_until_settled(client, desc)
    assert time.monotonic() - began < 0.5


@pytest.mark.usefixtures("stack")
async def test_a_busy_workflow_is_decided_on_once_the_task_pending_at_the_click_is_done(
    client: Client, settings: Settings, simulator: str
) -> None:
    """A workflow that always has some task pending (a payout paying, its batches reporting) holds the click
    only until the task pending at the click has completed, not for the whole bound."""
    debtor = await new_debtor(simulator, [deposit("bank-icbc", 100_000_00)])
    handle = await start(client, settings, "asset-inquiry", request(debtor, owed=50_000_00))
    await wait_status(handle, "awaiting_decision")
    busy = True

    async def keep_busy() -> None:
        n = 0
        while busy:
            n += 1
            with acting_as(JUDGE):
                await handle.signal("bench-noise", n)  # each signal schedules a workflow task
            await asyncio.sleep(0.01)

    noise = asyncio.create_task(keep_busy())
    try:

        async def pending() -> WorkflowExecutionDescription | None:
            desc = await handle.describe()
            return desc if desc.raw_description.HasField("pending_workflow_task") else None

        desc = await eventually(pending, timeout=10, interval=0.01)
        began = time.monotonic()
        await cases.wait_until_settled(client, desc)
        assert time.monotonic() - began < 3.0, "a busy workflow must not hold the click for the whole bound"
    finally:
        busy = False
        await noise
