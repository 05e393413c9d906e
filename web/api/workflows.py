"""Workflows (执行案件流程): the list, one workflow's status, the judge's decisions and cancelling a case.
The rules live in web/services/workflows.py; these routes parse, call and answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from domain.errors import ValidationFailed
from web.api.common import IsoDay, errors
from web.deps import Decider, Judge, Reader, State, TemporalClient
from web.services import case_search, incidents
from web.services import workflows as cases
from web.services.case_search import CaseSearch
from web.services.workflows import (
    CancelBody,
    CancelRequested,
    DecisionBody,
    IncidentView,
    WorkflowDetail,
    WorkflowSummary,
)
from workflows.foundation.models import DecisionOutcome

router = APIRouter(tags=["workflows"])

NEXT_PAGE_HEADER = "X-Next-Page-Token"


@router.get(
    "/workflows",
    response_model=list[WorkflowSummary],
    responses={
        200: {
            "description": f"one page; the `{NEXT_PAGE_HEADER}` header, when present, fetches the next",
            "headers": {NEXT_PAGE_HEADER: {"schema": {"type": "string"}}},
        },
        **errors(401, 403, 422, 503),
    },
)
async def list_workflows(
    response: Response,
    actor: Reader,
    client: TemporalClient,
    state: State,
    case_number: Annotated[str | None, Query(max_length=64, description="案号, exact")] = None,
    scenario: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=64, description="the scenario's status word")] = None,
    temporal_status: Annotated[str | None, Query(max_length=32, description="RUNNING, COMPLETED, ...")] = None,
    started_by: Annotated[str | None, Query(max_length=64, description="user id of who started it")] = None,
    involving: Annotated[
        str | None,
        Query(max_length=64, description="user id of who started it or took a decision in it (OmDeciders)"),
    ] = None,
    mine: Annotated[
        bool,
        Query(description="我的案件: only cases the caller started or took a decision in (involving = the caller)"),
    ] = False,
    started_from: Annotated[IsoDay | None, Query(description="started on or after this day (China time)")] = None,
    started_to: Annotated[IsoDay | None, Query(description="started on or before this day (China time)")] = None,
    party: Annotated[
        str | None,
        Query(max_length=40, description="every case naming this ID number or credit code (blind index)"),
    ] = None,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    next_page_token: Annotated[str | None, Query(max_length=4096)] = None,
) -> list[WorkflowSummary]:
    """Scenario workflows of the caller's courts (running first, then by closing time, newest first),
    filtered by the Om* search attributes, the start date, and a party's ID number or credit code
    (found through a keyed-hash index; the number is neither stored nor put in a search attribute).
    ``mine`` and ``involving`` list the cases a user started or decided (a judge's decision, an
    approver's second approval); ``started_by`` only those they started."""
    if mine and involving and involving != actor.user_id:
        raise ValidationFailed(
            "CONFLICTING_FILTERS", "mine=true lists the caller's cases; involving names another user", "involving"
        )
    filters = CaseSearch(
        case_number=case_number,
        scenario=scenario,
        status=status,
        temporal_status=temporal_status,
        started_by=started_by,
        involving=actor.user_id if mine else involving,
        started_from=started_from,
        started_to=started_to,
        party=party,
    )
    page = await case_search.search_cases(client, state.db, state.settings, actor, filters, page_size, next_page_token)
    if page.next_page_token:
        response.headers[NEXT_PAGE_HEADER] = page.next_page_token
    return page.items


@router.get("/incidents", response_model=list[IncidentView], responses=errors(401, 403, 422, 503))
async def list_incidents(
    actor: Reader,
    client: TemporalClient,
    state: State,
    workflow_id: Annotated[str | None, Query(max_length=200, description="one workflow's only")] = None,
) -> list[IncidentView]:
    """Cases of the caller's courts cancelled, terminated or reset outside the web (异常终止): who Temporal says
    did it, when, newest first. Looked for afresh before answering."""
    return await incidents.incidents(client, state.db, actor, workflow_id)


@router.get("/workflows/{workflow_id}", response_model=WorkflowDetail, responses=errors(401, 403, 404, 503))
async def get_workflow(
    request: Request, workflow_id: str, actor: Reader, client: TemporalClient, state: State
) -> WorkflowDetail:
    """Status, summary, pending decisions, timeline (who did what, when, why) and result of one workflow."""
    request.state.workflow_id = workflow_id
    return await cases.get_workflow(client, state.case_pages, actor, workflow_id)


@router.post(
    "/workflows/{workflow_id}/decisions/{decision}",
    responses={200: {"model": DecisionOutcome}, **errors(401, 403, 404, 409, 422, 503, 504)},
)
async def decide(
    request: Request,
    workflow_id: str,
    decision: Annotated[str, Path(min_length=1, max_length=64, description="a pending decision's name")],
    body: DecisionBody,
    actor: Decider,
    client: TemporalClient,
    state: State,
) -> Any:
    """A judge's decision (法官决定), with a reason. The workflow validates it and records who, when, why."""
    request.state.workflow_id = workflow_id
    return await cases.decide(client, state.db, actor, workflow_id, decision, body)


@router.post(
    "/workflows/{workflow_id}/cancel",
    status_code=202,
    response_model=CancelRequested,
    responses=errors(401, 403, 404, 409, 422, 503),
)
async def cancel_workflow(
    request: Request, workflow_id: str, body: CancelBody, actor: Judge, client: TemporalClient, state: State
) -> CancelRequested:
    """A judge cancels a running case (终止) with a reason. The reason is recorded in the case's history with
    the judge's identity and the time, then the workflow is cancelled; a closed case is 409, anything that
    is not a case the judge may see is 404."""
    request.state.workflow_id = workflow_id
    return await cases.cancel(client, state.db, actor, workflow_id, body)
