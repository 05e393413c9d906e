"""A decision is sent once the workflow has no workflow task pending (web/services/workflows.py
``wait_until_settled``): the state the judge saw is then the state the decision meets. Against the real
Temporal dev server."""

from __future__ import annotations

import time
import uuid

import pytest
from temporalio.client import Client

from config.settings import Settings
from security.identity import acting_as
from tests.helpers import JUDGE, settled_history_length, start, wait_status
from tests.scenarios.asset_inquiry.test_asset_inquiry import deposit, new_debtor, request
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
