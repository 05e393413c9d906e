"""The filing clerk's queue of applications submitted online (网上申请执行, 立案庭): dockets or refuses each
within its period. Parties submit them at ``POST /api/my/applications``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from domain.actors import Actor, Role
from web.api.common import errors
from web.deps import State, TemporalClient, require_roles
from web.services import party_applications
from web.services.party_applications import ApplicationView, QueuedApplication, Refusal

router = APIRouter(tags=["filing"])
FilingClerk = Annotated[Actor, Depends(require_roles(Role.FILING_CLERK))]


class Acceptance(BaseModel):
    judge: str | None = Field(default=None, max_length=64, description="承办法官 (user id); left out: assigned")


@router.get("/applications", response_model=list[QueuedApplication], responses=errors(401, 403))
async def queue(actor: FilingClerk, state: State) -> list[QueuedApplication]:
    """The court's applications waiting for a decision, the most urgent first, each opened."""
    return await party_applications.queue(state.db, actor)


@router.post(
    "/applications/{application_id}/accept", response_model=ApplicationView, responses=errors(401, 403, 404, 409, 422)
)
async def accept(
    application_id: str, body: Acceptance, actor: FilingClerk, state: State, client: TemporalClient
) -> ApplicationView:
    """立案: files the case from the application (the number from the court's sequence); the applicant sees it."""
    return await party_applications.accept(client, state.settings, state.db, actor, application_id, body.judge)


@router.post(
    "/applications/{application_id}/refuse", response_model=ApplicationView, responses=errors(401, 403, 404, 409, 422)
)
async def refuse(application_id: str, body: Refusal, actor: FilingClerk, state: State) -> ApplicationView:
    """不予受理, with reasons the applicant sees."""
    return await party_applications.refuse(state.db, actor, application_id, body)
