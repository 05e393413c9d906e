"""Scenarios (执行场景) a judge can start, and starting one. The rules live in web/services/scenarios.py;
a new scenario appears here without any change to the web."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Request
from fastapi.exceptions import RequestValidationError

from web.api.common import errors
from web.deps import AnyActor, Judge, State, TemporalClient
from web.services import scenarios
from web.services.scenarios import InvalidStartRequest, ScenarioInfo, StartedWorkflow

router = APIRouter(tags=["scenarios"])

IDEMPOTENCY_HEADER = "Idempotency-Key"


@router.get("/scenarios", response_model=list[ScenarioInfo], responses=errors(401))
async def list_scenarios(_: AnyActor) -> list[ScenarioInfo]:
    """Every registered scenario with its titles and the JSON schema of its start request."""
    return scenarios.list_scenarios()


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
    responses=errors(401, 403, 404, 409, 422, 503),
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
    try:
        started = await scenarios.start(
            client, state.settings, state.partners, actor, name, body, idempotency_key, db=state.db
        )
    except InvalidStartRequest as exc:
        # The common 422 shape, every failing field listed.
        raise RequestValidationError(exc.errors) from None
    request.state.workflow_id = started.workflow_id
    return started
