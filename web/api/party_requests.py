"""The judge answers what the parties filed in their case space (a lead, an objection, a message …): with
reasons, within the request's period. The requests themselves are in ``GET /api/cases/{case_id}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from web.api.common import errors
from web.deps import Judge, State, TemporalClient
from web.services import party_requests
from web.services.party_requests import Answer
from workflows.case.models import PartyRequest

router = APIRouter(tags=["cases"])


@router.post(
    "/cases/{case_id}/party-requests/{request_id}/answer",
    response_model=PartyRequest,
    responses=errors(401, 403, 404, 409, 422, 503),
)
async def answer(
    case_id: Annotated[str, Path(min_length=1, max_length=64)],
    request_id: Annotated[str, Path(min_length=1, max_length=80)],
    body: Answer,
    actor: Judge,
    state: State,
    client: TemporalClient,
) -> PartyRequest:
    """答复当事人: a lead verified (``verify``) starts an asset inquiry from the case; other answers are on record."""
    return await party_requests.answer_request(
        client, state.settings, state.partners, state.db, actor, case_id, request_id, body
    )
