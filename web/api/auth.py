"""Logging in (登录) for people, logging out, and who am I."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from domain.actors import Actor
from domain.errors import ValidationFailed
from web.api.common import errors
from web.deps import AnyActor, State, oauth2_scheme
from web.guard import LOGIN_FORM_TYPE, login_form
from web.services import users
from web.services.users import TokenOut

router = APIRouter(tags=["auth"])


# The guard (web/guard.py) reads and counts the form; the route documents it and reads that one parse.
_LOGIN_BODY = {
    "required": True,
    "content": {
        LOGIN_FORM_TYPE: {
            "schema": {
                "type": "object",
                "required": ["username", "password"],
                "properties": {
                    "username": {"type": "string", "minLength": 1, "maxLength": 64},
                    "password": {"type": "string", "minLength": 1},
                    "grant_type": {"type": "string", "enum": ["password"]},
                    "scope": {"type": "string"},
                },
            }
        }
    },
}


@router.post(
    "/auth/token",
    response_model=TokenOut,
    responses=errors(401, 415, 422, 429),
    openapi_extra={"requestBody": _LOGIN_BODY},
)
async def login(request: Request, state: State) -> TokenOut:
    """OAuth2 password flow: user name and password in, a session bearer token out."""
    form = login_form(request)
    for name in ("username", "password"):
        if not form.get(name):
            raise ValidationFailed("FIELD_REQUIRED", f"{name} is required / 必须填写 {name}", name)
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
