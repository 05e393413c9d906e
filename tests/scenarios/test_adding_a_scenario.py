"""docs/adding-a-scenario.md, followed: the property-lead scenario in tests/scenarios/ was built by the
guide alone (its folder, one registry entry, this test). It runs end to end on a worker built from
the registry plus it, and keeps the same contract as the registered scenarios."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError

from config.settings import Settings
from domain.actors import Actor, Role
from runtime.temporal import scenario_search_attributes
from security.identity import acting_as
from tests.helpers import JUDGE, context, decide, eventually, refusal_code, status
from tests.scenarios.property_lead import SCENARIO
from tests.scenarios.property_lead.models import CONTROL, NO_ACTION, PropertyLeadRequest, PropertyLeadResult
from tests.structure import test_scenario_contract as contract
from workers.main import running_worker
from workflows.foundation.messages import COMPLETE_TASK, TASK_VIEW_QUERY
from workflows.foundation.task_models import Completion
from workflows.registry import with_scenarios

pytestmark = pytest.mark.usefixtures("stack")

REGISTRY = Actor(user_id="clerk-registry", role=Role.AGENCY, agency="realestate-registry")
QUEUE = "one-matter-example-scenario"


@pytest.fixture
async def example_worker(client: Client, settings: Settings) -> Any:
    own_queue = settings.model_copy(update={"task_queue": QUEUE})
    async with running_worker(client, own_queue, scenarios=with_scenarios(SCENARIO)):
        yield


async def start(client: Client, settings: Settings, urgent: bool) -> WorkflowHandle[Any, Any]:
    request = PropertyLeadRequest(
        case_number="(2026)浙0681执1234号",
        court="诸暨市人民法院",
        lead="诸暨市暨阳街道某小区 3 幢 101 室",
        urgent=urgent,
    )
    wid = f"property-lead-test-{uuid.uuid4().hex[:12]}"
    with acting_as(JUDGE):
        return await client.start_workflow(
            "PropertyLeadCheck",
            SCENARIO.build_input(request, context(settings, wid)),
            id=wid,
            task_queue=QUEUE,
            search_attributes=scenario_search_attributes(request.case_number, SCENARIO.name, "running", request.court),
        )


async def answer(client: Client, wid: str, found: bool) -> None:
    task = client.get_workflow_handle(f"{wid}:task:check")
    with acting_as(REGISTRY):
        # A clerk sees the task once it has set itself up (its deadline computed, its inbox row written).
        await eventually(lambda: task.query(TASK_VIEW_QUERY))
        result = {"found": found, "estimated_value_fen": 150_000_000}
        await task.execute_update(COMPLETE_TASK, Completion(result=result))


@pytest.mark.usefixtures("example_worker")
async def test_a_lead_that_holds_goes_to_the_judge(client: Client, settings: Settings) -> None:
    handle = await start(client, settings, urgent=True)
    await answer(client, handle.id, found=True)
    st = await eventually(lambda: _with_status(handle, "awaiting_decision"))
    assert [d.name for d in st.pending_decisions] == [CONTROL, NO_ACTION]
    assert st.pending_decisions[0].title == "决定控制该财产"  # the scenario's own words
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await decide(handle, NO_ACTION, reason=" ")
    assert refusal_code(refused.value) == "REASON_REQUIRED"
    await decide(handle, CONTROL, note="依申请执行人线索")
    result = PropertyLeadResult.model_validate(await handle.result())
    assert result.status == "control_ordered" and result.found
    entries = [(e.action, e.actor.user_id) for e in (await status(handle)).timeline]
    # Each step names who acted: the judge decided, the registry's clerk answered.
    assert ("decision", "judge") in entries and ("task_completed", "clerk-registry") in entries


@pytest.mark.usefixtures("example_worker")
async def test_an_unfounded_lead_closes_without_a_decision(client: Client, settings: Settings) -> None:
    handle = await start(client, settings, urgent=False)
    await answer(client, handle.id, found=False)
    result = PropertyLeadResult.model_validate(await handle.result())
    assert result.status == "lead_unfounded" and not result.found


async def _with_status(handle: WorkflowHandle[Any, Any], wanted: str) -> Any:
    st = await status(handle)
    assert st.status == wanted, st.status
    return st


def test_the_example_keeps_the_scenario_contract() -> None:
    contract.test_every_word_is_said_in_both_languages(SCENARIO)
    contract.test_every_status_has_words(SCENARIO)
    contract.test_every_decision_and_its_form_has_words(SCENARIO)
    contract.test_every_start_form_field_has_words(SCENARIO)
    with_scenarios(SCENARIO)  # its own task result joins the catalogue
    contract.test_every_task_result_type_is_known(SCENARIO)
