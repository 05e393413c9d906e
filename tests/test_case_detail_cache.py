"""A case page is built once per history length: a judge reloading an unchanged case is answered from the
web's cache without a query to the worker, and the first change to the history shows at once. Against the
real stack (Temporal dev server, worker, simulators)."""

from __future__ import annotations

import pytest
from temporalio.client import Client

from core.settings import Settings
from domain.actors import Actor, Role
from tests.helpers import decide, settled_history_length, start, wait_status
from tests.test_asset_inquiry import deposit, new_debtor, request
from web.services import workflows as cases
from workflows.asset_inquiry.models import REJECT

COURT = "杭州市上城区人民法院"
JUDGE = Actor(user_id="judge", role=Role.JUDGE, courts=(COURT,))


@pytest.mark.usefixtures("stack")
async def test_an_unchanged_case_is_served_from_the_cache_and_a_change_shows_at_once(
    client: Client, settings: Settings, simulator: str
) -> None:
    debtor = await new_debtor(simulator, [deposit("bank-icbc", 100_000_00)])
    handle = await start(client, settings, "asset-inquiry", request(debtor, owed=50_000_00))
    await wait_status(handle, "awaiting_decision")
    await settled_history_length(handle)

    first = await cases.get_workflow(client, JUDGE, handle.id)
    again = await cases.get_workflow(client, JUDGE, handle.id)
    assert first.live and first.status == "awaiting_decision"
    assert again is first, "an unchanged history must be answered from the cache"

    await decide(handle, REJECT, reason="申请执行人撤回")
    await handle.result()
    after = await cases.get_workflow(client, JUDGE, handle.id)
    assert after.history_length > first.history_length
    assert after.status != "awaiting_decision" and after.temporal_status == "COMPLETED"
    assert after.pending_decisions == []


def test_the_cache_is_bounded_and_keeps_the_most_recently_read() -> None:
    cache = cases._DetailCache(size=2)
    details = [cases.WorkflowDetail(workflow_id=f"w{i}", live=True) for i in range(3)]
    cache.put(("w0", "r", 1), details[0])
    cache.put(("w1", "r", 1), details[1])
    assert cache.get(("w0", "r", 1)) is details[0]  # w0 is now the most recently read
    cache.put(("w2", "r", 1), details[2])
    assert cache.get(("w1", "r", 1)) is None
    assert cache.get(("w0", "r", 1)) is details[0] and cache.get(("w2", "r", 1)) is details[2]
