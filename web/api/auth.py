"""Logging in (登录) for people, logging out, and who am I."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from core.logging import get_logger
from domain.actors import Actor, Role
from web.accounts import SESSION, authenticate, issue_token, revoke_token
from web.api.common import errors
from web.db import Database
from web.deps import AnyActor, State, oauth2_scheme
from web.errors import Unauthorized

log = get_logger(__name__)
router = APIRouter(tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: Role
    agency: str | None
    expires_at: datetime | None


def _login(db: Database, username: str, password: str, ttl: timedelta) -> TokenOut | None:
    with db.session() as s:
        user = authenticate(s, username, password)
        if user is None:
            return None
        token, expires = issue_token(s, user, SESSION, ttl)
        return TokenOut(access_token=token, role=Role(user.role), agency=user.agency, expires_at=expires)


@router.post("/auth/token", response_model=TokenOut, responses=errors(401, 422))
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], state: State) -> TokenOut:
    """OAuth2 password flow: user name and password in, a session bearer token out."""
    ttl = timedelta(hours=state.settings.token_ttl_hours)
    out = await state.db.run(_login, state.db, form.username, form.password, ttl)
    if out is None:
        log.info("login refused", username=form.username[:64])
        # One answer for unknown user, wrong password and disabled account: no user enumeration.
        raise Unauthorized("INVALID_CREDENTIALS", "wrong user name or password")
    return out


class LogoutOut(BaseModel):
    status: str


def _revoke(db: Database, token: str) -> bool:
    with db.session() as s:
        return revoke_token(s, token)


@router.post("/auth/logout", response_model=LogoutOut, responses=errors(401))
async def logout(actor: AnyActor, state: State, token: Annotated[str | None, Depends(oauth2_scheme)]) -> LogoutOut:
    """Revokes the token this request carries (a session, or an API token the caller wants gone)."""
    assert token is not None  # current_actor already refused a missing one
    await state.db.run(_revoke, state.db, token)
    return LogoutOut(status="revoked")


@router.get("/me", response_model=Actor, responses=errors(401))
async def me(actor: AnyActor) -> Actor:
    """The authenticated caller: user id, role and, for agency users, the agency."""
    return actor
