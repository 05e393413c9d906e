"""Enforcement cases (执行案件): filing, the list, one case's file, matters started from the case, closing,
the term's extension. The rules live in web/services/cases.py; these routes parse, call and answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from pydantic import BaseModel, Field

from domain.actors import Actor, Role
from domain.case_closing import ClosingMode
from domain.case_dashboard import CaseBoard
from store.cases import CaseFilter, CaseRegisterEntry
from web.api.common import errors
from web.deps import Decider, Judge, Reader, State, TemporalClient, require_roles
from web.services import case_dashboard, cases
from web.services.case_dashboard import DRILL_PAGE, Drill
from web.services.cases import CASE_READERS, CloseBody, Filed, FilingRequest, StartedMatter
from workflows.case.models import ExclusionRequest

router = APIRouter(tags=["cases"])

FilingClerk = Annotated[Actor, Depends(require_roles(Role.FILING_CLERK))]
CaseReader = Annotated[Actor, Depends(require_roles(*CASE_READERS))]
CaseId = Annotated[str, Path(min_length=1, max_length=64, description="case_id from POST /api/cases")]


class ReasonBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="理由")


@router.post("/cases", status_code=201, response_model=Filed, responses=errors(401, 403, 422, 503))
async def file_case(actor: FilingClerk, state: State, client: TemporalClient, body: FilingRequest) -> Filed:
    """立案: the filing clerk dockets an application (申请执行书) of their court. Answers the case number
    from the court's yearly sequence, the judge assigned, the end of the two-year period to apply
    (CPL Art. 250) and, for a late application, the warning of 民诉法解释 Art. 481 (it is filed all the same)."""
    return await cases.file_case(client, state.settings, state.db, actor, body)


@router.get("/cases", response_model=list[CaseRegisterEntry], responses=errors(401, 403))
async def list_cases(
    actor: CaseReader,
    state: State,
    mine: Annotated[bool, Query(description="我的案件: the cases the caller is the judge of")] = False,
) -> list[CaseRegisterEntry]:
    """The cases of the caller's courts, newest first, with the term's colour and the balance."""
    return await cases.list_cases(state.db, actor, mine)


@router.get("/case-dashboard", response_model=CaseBoard, responses=errors(401, 403))
async def case_dashboard_board(
    actor: Reader,
    state: State,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="立案年度; left out: every year")] = None,
) -> CaseBoard:
    """案件看板 over the caller's courts: open cases by the term's colour, closed ones by mode, 执行到位率
    (recovered over applied for, both in fen) and 结案率 per court and per judge, with the sums behind them."""
    return await case_dashboard.case_board(state.db, actor, year)


@router.get("/case-dashboard/cases", response_model=Drill, responses=errors(401, 403, 422))
async def case_dashboard_drill(
    actor: Reader,
    state: State,
    court: Annotated[str | None, Query(max_length=100)] = None,
    judge: Annotated[str | None, Query(max_length=64)] = None,
    colour: Annotated[str | None, Query(pattern="^(green|yellow|red)$", description="open cases only")] = None,
    state_: Annotated[str | None, Query(alias="state", pattern="^(open|closed)$")] = None,
    mode: Annotated[ClosingMode | None, Query(description="结案方式")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = DRILL_PAGE,
) -> Drill:
    """The cases behind a figure of the board (the same filters), newest first, a page at a time."""
    where = CaseFilter(court=court, judge=judge, colour=colour, state=state_, mode=mode, year=year)
    return await case_dashboard.drill(state.db, actor, where, offset, limit)


@router.get("/cases/{case_id}", responses=errors(401, 403, 404, 503, 504))
async def get_case(actor: CaseReader, state: State, client: TemporalClient, case_id: CaseId) -> dict[str, Any]:
    """One case: parties (ID numbers masked), ledger, register of measures, term, matters, timeline, closing."""
    return await cases.get_case(client, state.db, actor, case_id)


@router.post(
    "/cases/{case_id}/matters/{scenario}",
    status_code=201,
    response_model=StartedMatter,
    responses=errors(401, 403, 404, 409, 422, 503),
)
async def start_matter(
    request: Request,
    actor: Judge,
    state: State,
    client: TemporalClient,
    case_id: CaseId,
    scenario: Annotated[str, Path(max_length=64, description="scenario name, from GET /api/scenarios")],
    body: Annotated[dict[str, Any], Body(description="only the matter's own fields; the case fills the rest")],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)] = None,
) -> StartedMatter:
    """Starts a matter of the case (e.g. ``asset-inquiry`` with ``{}``: an inquiry against the case's debtors
    for the case's balance). Nothing starts unless every request is valid."""
    started = await cases.start_matter(
        client, state.settings, state.partners, state.db, actor, case_id, scenario, body, idempotency_key
    )
    request.state.workflow_id = started.workflow_id
    return started


@router.post("/cases/{case_id}/close", responses=errors(401, 403, 404, 409, 422, 503))
async def close_case(actor: Judge, state: State, client: TemporalClient, case_id: CaseId, body: CloseBody) -> Any:
    """结案 with one of the six modes and its checklist; refused (409, with every reason) while a matter is
    open or a measure is in force that the mode does not keep."""
    return await cases.close_case(client, state.db, actor, case_id, body)


@router.post("/cases/{case_id}/term/exclusions", responses=errors(401, 403, 404, 409, 422, 503))
async def exclude_period(
    actor: Judge, state: State, client: TemporalClient, case_id: CaseId, body: ExclusionRequest
) -> Any:
    """A period the term does not count (审限规定 Art. 9), once it is over: the term's end moves by its days."""
    return await cases.exclude_period(client, state.db, actor, case_id, body)


@router.post("/cases/{case_id}/term/extension", responses=errors(401, 403, 404, 409, 503))
async def request_extension(
    actor: Judge, state: State, client: TemporalClient, case_id: CaseId, body: ReasonBody
) -> Any:
    """The judge asks the president to extend the term by 3 months (审限规定 Art. 5), ≥ 10 days ahead."""
    return await cases.request_extension(client, state.db, actor, case_id, body.reason)


@router.post("/cases/{case_id}/decisions/{name}", responses=errors(401, 403, 404, 409, 422, 503))
async def decide(
    actor: Decider,
    state: State,
    client: TemporalClient,
    case_id: CaseId,
    name: Annotated[str, Path(max_length=64, description="approve-term-extension or refuse-term-extension")],
    body: ReasonBody,
) -> Any:
    """The president's (approver's) decision on a pending extension."""
    return await cases.decide(client, state.db, actor, case_id, name, body.reason)
