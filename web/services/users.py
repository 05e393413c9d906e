"""People and their tokens: logging in (登录) and out, and user administration (用户管理) for admins —
list and create users, enable or disable them, and issue API tokens for partner systems and scripts."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select

from domain.actors import Actor, Role
from domain.errors import Forbidden, NotFound
from runtime.logging import get_logger
from web.accounts import (
    API,
    MIN_PASSWORD_LENGTH,
    SESSION,
    USERNAME_PATTERN,
    actor_for_token,
    authenticate,
    create_user,
    get_user,
    issue_token,
    list_users,
    revoke_token,
)
from web.db import Database, User
from web.errors import Unauthorized
from web.services.access import require_role

log = get_logger(__name__)


# --- logging in and out ---------------------------------------------------------------------------------------


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


async def login(db: Database, username: str, password: str, ttl: timedelta) -> TokenOut:
    """A session token for a user name and password; ``INVALID_CREDENTIALS`` otherwise."""
    out = await db.run(_login, db, username, password, ttl)
    if out is None:
        log.info("login refused", username=username[:64])
        # One answer for unknown user, wrong password and disabled account: no user enumeration.
        raise Unauthorized("INVALID_CREDENTIALS", "wrong user name or password")
    return out


def _revoke(db: Database, token: str) -> bool:
    with db.session() as s:
        return revoke_token(s, token)


async def logout(db: Database, token: str) -> None:
    """Revokes a token (a session, or an API token its holder wants gone)."""
    await db.run(_revoke, db, token)


def _actor_for(db: Database, token: str) -> Actor | None:
    with db.engine.connect() as conn:
        return actor_for_token(conn, token)


async def actor_for(db: Database, token: str) -> Actor | None:
    """Who a bearer or session token belongs to; None for an unknown, expired or revoked one."""
    return await db.read(_actor_for, db, token)


def refuse_party(actor: Actor) -> Actor:
    """Staff routes and pages: a party's token (当事人) opens none of them — 403, whatever the route."""
    if actor.role is Role.PARTY:
        raise Forbidden("STAFF_ONLY", "当事人账户不能使用法院工作人员的功能 / a party's account opens no staff route")
    return actor


# --- administration -------------------------------------------------------------------------------------------


class UserOut(BaseModel):
    username: str
    role: Role
    agency: str | None
    courts: list[str] = Field(description="the courts whose cases the user sees (法院)")
    display_name: str
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, u: User) -> UserOut:
        return cls(
            username=u.username,
            role=Role(u.role),
            agency=u.agency,
            courts=list(u.courts),
            display_name=u.display_name,
            active=u.active,
            created_at=u.created_at,
        )


class NewUser(BaseModel):
    # The schema states the account rules (web/accounts.py) a client can know beforehand; the checks and
    # their codes stay in check_new_user and check_password.
    username: str = Field(min_length=2, max_length=64, json_schema_extra={"pattern": USERNAME_PATTERN.pattern})
    password: str = Field(min_length=8, max_length=200, json_schema_extra={"minLength": MIN_PASSWORD_LENGTH})
    role: Role
    agency: str | None = Field(default=None, max_length=64, description="required for (and only for) agency users")
    court: str | None = Field(
        default=None, max_length=100, description="the user's court as cases name it: judges and approvers (one)"
    )
    courts: list[str] = Field(
        default_factory=list, max_length=200, description="supervisors and auditors: their courts (one or more)"
    )
    display_name: str = Field(default="", max_length=200)

    def all_courts(self) -> list[str]:
        return ([self.court] if self.court else []) + self.courts


class UserPatch(BaseModel):
    active: bool | None = None
    display_name: str | None = Field(default=None, max_length=200)


class NewToken(BaseModel):
    label: str | None = Field(default=None, max_length=100)
    ttl_hours: int | None = Field(default=None, gt=0, le=10 * 366 * 24, description="none: valid until revoked")


class IssuedToken(BaseModel):
    token: str = Field(description="shown once; only its hash is stored")
    kind: str
    expires_at: datetime | None


def _user_or_404(db_user: User | None, username: str) -> User:
    if db_user is None:
        raise NotFound("USER_NOT_FOUND", f"no user {username!r}", "username")
    return db_user


def _list(db: Database) -> list[UserOut]:
    with db.session() as s:
        return [UserOut.of(u) for u in list_users(s)]


def _create(db: Database, new: NewUser, known_agencies: Collection[str]) -> UserOut:
    with db.session() as s:
        user = create_user(
            s,
            new.username,
            new.password,
            new.role,
            new.agency,
            new.display_name,
            known_agencies=known_agencies,
            courts=new.all_courts(),
        )
        return UserOut.of(user)


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


async def users(db: Database, actor: Actor) -> list[UserOut]:
    require_role(actor, Role.ADMIN)
    return await db.run(_list, db)


async def add_user(db: Database, actor: Actor, new: NewUser, known_agencies: Collection[str]) -> UserOut:
    """``known_agencies``: agency users may only be created for these (the deployment's agencies)."""
    require_role(actor, Role.ADMIN)
    return await db.run(_create, db, new, known_agencies)


async def change_user(db: Database, actor: Actor, username: str, patch: UserPatch) -> UserOut:
    """Disabling a user makes all of their tokens stop working at once."""
    require_role(actor, Role.ADMIN)
    return await db.run(_patch, db, username, patch)


async def add_token(db: Database, actor: Actor, username: str, new: NewToken) -> IssuedToken:
    """An API token for a partner system or a script, acting as ``username``."""
    require_role(actor, Role.ADMIN)
    return await db.run(_token, db, username, new)


def display_name(db: Database, user_id: str) -> str | None:
    """A staff member's name as the court records it (``users.display_name``), or None: what a document prints
    beside the seal and what a party reads as their case's judge — never the login name."""
    with db.session() as s:
        name = s.scalar(select(User.display_name).where(User.username == user_id))
    return name.strip() or None if name else None
