"""Logging in (登录) for people, logging out, and who am I."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from domain.actors import Actor
from web.api.common import errors
from web.deps import AnyActor, State, oauth2_scheme
from web.services import users
from web.services.users import TokenOut

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenOut, responses=errors(401, 422))
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], state: State) -> TokenOut:
    """OAuth2 password flow: user name and password in, a session bearer token out."""
    ttl = timedelta(hours=state.settings.token_ttl_hours)
    return await users.login(state.db, form.username, form.password, ttl)


class LogoutOut(BaseModel):
    status: str


@router.post("/auth/logout", response_model=LogoutOut, responses=errors(401))
async def logout(actor: AnyActor, state: State, token: Annotated[str | None, Depends(oauth2_scheme)]) -> LogoutOut:
    """Revokes the token this request carries (a session, or an API token the caller wants gone)."""
    assert token is not None  # current_actor already refused a missing one
    await users.logout(state.db, token)
    return LogoutOut(status="revoked")


@router.get("/me", response_model=Actor, responses=errors(401))
async def me(actor: AnyActor) -> Actor:
    """The authenticated caller: user id, role and, for agency users, the agency."""
    return actor
