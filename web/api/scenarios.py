"""Scenarios (执行场景) a judge can start, and starting one.

The list and the start route come from ``workflows.registry.SCENARIOS``: a new scenario appears here
without any change to the web.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from core.identity import acting_as
from core.logging import get_logger
from core.temporal import scenario_search_attributes
from domain.actors import Actor
from domain.errors import NotFound
from domain.legal_time import TimeScale
from web.api.common import errors
from web.deps import AnyActor, Judge, State, TemporalClient
from workflows.registry import SCENARIOS, Scenario, ScenarioContext

log = get_logger(__name__)
router = APIRouter(tags=["scenarios"])

IDEMPOTENCY_HEADER = "Idempotency-Key"
INITIAL_STATUS = "running"


class ScenarioInfo(BaseModel):
    name: str
    title: str
    title_en: str
    input_schema: dict[str, Any]


class StartedWorkflow(BaseModel):
    workflow_id: str


def scenario_or_404(name: str) -> Scenario:
    scenario = SCENARIOS.get(name)
    if scenario is None:
        known = ", ".join(sorted(SCENARIOS))
        raise NotFound("UNKNOWN_SCENARIO", f"no scenario named {name!r} (known: {known})", "name")
    return scenario


def workflow_id_for(name: str, actor: Actor, idempotency_key: str | None) -> str:
    """Random, or — with an Idempotency-Key — derived from (user, key): a double-click or a retried POST
    names the same workflow, and Temporal starts it once."""
    if idempotency_key is None:
        return f"{name}-{uuid.uuid4().hex[:16]}"
    digest = hashlib.sha256(f"{actor.user_id}\x00{idempotency_key}".encode()).hexdigest()
    return f"{name}-{digest[:16]}"


@router.get("/scenarios", response_model=list[ScenarioInfo], responses=errors(401))
async def list_scenarios(_: AnyActor) -> list[ScenarioInfo]:
    """Every registered scenario with its titles and the JSON schema of its start request."""
    return [
        ScenarioInfo(name=s.name, title=s.title, title_en=s.title_en, input_schema=s.input_schema())
        for s in SCENARIOS.values()
    ]


_EXAMPLE = {
    "case_number": "(2026)浙0102执1234号",
    "court": "杭州市上城区人民法院",
    "debtor": {"kind": "person", "name": "张三", "id_number": "110105194912310021"},
    "amount_owed_fen": 500000,
    "execution_costs_fen": 10000,
}


@router.post(
    "/scenarios/{name}/workflows",
    status_code=201,
    response_model=StartedWorkflow,
    responses=errors(401, 403, 404, 422, 503),
)
async def start_workflow(
    request: Request,
    actor: Judge,
    state: State,
    client: TemporalClient,
    name: Annotated[str, Path(description="scenario name, from GET /api/scenarios")],
    body: Annotated[
        dict[str, Any],
        Body(
            description="the scenario's start request; its schema is `input_schema` in GET /api/scenarios",
            openapi_examples={"asset-inquiry": {"summary": "网络查控 (asset-inquiry)", "value": _EXAMPLE}},
        ),
    ],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            min_length=1,
            max_length=200,
            description="the same key from the same user starts one workflow, however often it is sent",
        ),
    ] = None,
) -> StartedWorkflow:
    """A judge starts one scenario workflow (立案后启动). Nothing starts unless the whole body is valid."""
    scenario = scenario_or_404(name)
    try:
        req = scenario.request_model.model_validate(body)
    except ValidationError as exc:
        # Without input values or context objects: they may be personal data.
        raise RequestValidationError(
            exc.errors(include_url=False, include_context=False, include_input=False)
        ) from None

    settings = state.settings
    wid = workflow_id_for(name, actor, idempotency_key)
    request.state.workflow_id = wid
    ctx = ScenarioContext(
        workflow_id=wid,
        partners=[p.ref() for p in state.partners],
        time_scale=TimeScale(acceleration=settings.time_acceleration),
        callback_base_url=settings.public_base_url,
    )
    inp = scenario.build_input(req, ctx)
    case_number, court = scenario.case_number(req), scenario.court(req)
    # Only keyed starts may meet an existing workflow: a random id never collides, a keyed one means
    # "the same start again" — join it while it runs, and never start it a second time after it ends.
    conflict, reuse = (
        (WorkflowIDConflictPolicy.USE_EXISTING, WorkflowIDReusePolicy.REJECT_DUPLICATE)
        if idempotency_key
        else (WorkflowIDConflictPolicy.FAIL, WorkflowIDReusePolicy.ALLOW_DUPLICATE)
    )
    try:
        with acting_as(actor):
            await client.start_workflow(
                scenario.workflow.run,  # type: ignore[attr-defined]
                inp,
                id=wid,
                task_queue=settings.task_queue,
                search_attributes=scenario_search_attributes(case_number, name, INITIAL_STATUS, court),
                id_conflict_policy=conflict,
                id_reuse_policy=reuse,
            )
    except WorkflowAlreadyStartedError:
        if not idempotency_key:
            raise
        # The keyed workflow already ran to its end: the earlier start is the answer, not a second one.
        log.info("keyed start repeated after the workflow closed", workflow_id=wid)
    log.info("workflow started", scenario=name, workflow_id=wid, case_number=case_number)
    return StartedWorkflow(workflow_id=wid)
