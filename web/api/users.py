"""User administration (用户管理), for admins: list and create users, enable or disable them, and issue
API tokens for partner systems and scripts. The rules live in web/services/users.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from web.api.common import errors
from web.deps import Admin, State
from web.services import users as accounts
from web.services.users import IssuedToken, NewToken, NewUser, UserOut, UserPatch

router = APIRouter(tags=["users"])


@router.get("/users", response_model=list[UserOut], responses=errors(401, 403))
async def users(actor: Admin, state: State) -> list[UserOut]:
    return await accounts.users(state.db, actor)


@router.post("/users", status_code=201, response_model=UserOut, responses=errors(401, 403, 409, 422))
async def add_user(new: NewUser, actor: Admin, state: State) -> UserOut:
    return await accounts.add_user(state.db, actor, new, {a.id for a in state.settings.agencies()})


@router.patch("/users/{username}", response_model=UserOut, responses=errors(401, 403, 404, 422))
async def change_user(
    username: Annotated[str, Path(max_length=64)], patch: UserPatch, actor: Admin, state: State
) -> UserOut:
    """Disabling a user makes all of their tokens stop working at once."""
    return await accounts.change_user(state.db, actor, username, patch)


@router.post(
    "/users/{username}/tokens", status_code=201, response_model=IssuedToken, responses=errors(401, 403, 404, 422)
)
async def add_token(
    username: Annotated[str, Path(max_length=64)], new: NewToken, actor: Admin, state: State
) -> IssuedToken:
    """An API token for a partner system or a script, acting as ``username``."""
    return await accounts.add_token(state.db, actor, username, new)
