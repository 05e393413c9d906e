"""User administration (用户管理), for admins: list and create users, enable or disable them, and issue
API tokens for partner systems and scripts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from domain.actors import Role
from domain.errors import NotFound
from web.accounts import API, create_user, get_user, issue_token, list_users
from web.api.common import errors
from web.db import Database, User
from web.deps import Admin, State

router = APIRouter(tags=["users"])


class UserOut(BaseModel):
    username: str
    role: Role
    agency: str | None
    display_name: str
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, u: User) -> UserOut:
        return cls(
            username=u.username,
            role=Role(u.role),
            agency=u.agency,
            display_name=u.display_name,
            active=u.active,
            created_at=u.created_at,
        )


class NewUser(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=8, max_length=200)
    role: Role
    agency: str | None = Field(default=None, max_length=64, description="required for (and only for) agency users")
    display_name: str = Field(default="", max_length=200)


class UserPatch(BaseModel):
    active: bool | None = None
    display_name: str | None = Field(default=None, max_length=200)


class NewToken(BaseModel):
    label: str | None = Field(default=None, max_length=100)
    ttl_hours: int | None = Field(default=None, gt=0, description="none: valid until revoked")


class IssuedToken(BaseModel):
    token: str = Field(description="shown once; only its hash is stored")
    kind: str
    expires_at: datetime | None


def _list(db: Database) -> list[UserOut]:
    with db.session() as s:
        return [UserOut.of(u) for u in list_users(s)]


def _create(db: Database, new: NewUser) -> UserOut:
    with db.session() as s:
        return UserOut.of(create_user(s, new.username, new.password, new.role, new.agency, new.display_name))


def _user_or_404(db_user: User | None, username: str) -> User:
    if db_user is None:
        raise NotFound("USER_NOT_FOUND", f"no user {username!r}", "username")
    return db_user


def _patch(db: Database, username: str, patch: UserPatch) -> UserOut:
    with db.session() as s:
        user = _user_or_404(get_user(s, username), username)
        if patch.active is not None:
            user.active = patch.active
        if patch.display_name is not None:
            user.display_name = patch.display_name
        return UserOut.of(user)


def _token(db: Database, username: str, new: NewToken) -> IssuedToken:
    with db.session() as s:
        user = _user_or_404(get_user(s, username), username)
        ttl = timedelta(hours=new.ttl_hours) if new.ttl_hours else None
        token, expires = issue_token(s, user, API, ttl, new.label)
        return IssuedToken(token=token, kind=API, expires_at=expires)


@router.get("/users", response_model=list[UserOut], responses=errors(401, 403))
async def users(_: Admin, state: State) -> list[UserOut]:
    return await state.db.run(_list, state.db)


@router.post("/users", status_code=201, response_model=UserOut, responses=errors(401, 403, 409, 422))
async def add_user(new: NewUser, _: Admin, state: State) -> UserOut:
    return await state.db.run(_create, state.db, new)


@router.patch("/users/{username}", response_model=UserOut, responses=errors(401, 403, 404, 422))
async def change_user(
    username: Annotated[str, Path(max_length=64)], patch: UserPatch, _: Admin, state: State
) -> UserOut:
    """Disabling a user makes all of their tokens stop working at once."""
    return await state.db.run(_patch, state.db, username, patch)


@router.post(
    "/users/{username}/tokens", status_code=201, response_model=IssuedToken, responses=errors(401, 403, 404, 422)
)
async def add_token(
    username: Annotated[str, Path(max_length=64)], new: NewToken, _: Admin, state: State
) -> IssuedToken:
    """An API token for a partner system or a script, acting as ``username``."""
    return await state.db.run(_token, state.db, username, new)
