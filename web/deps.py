"""Request dependencies: the app's shared resources, and who is calling (身份认证与授权).

Every /api route but the token route depends on :func:`current_actor`; role rules live in
:func:`require_roles` so they are enforced on the server whatever the UI shows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from temporalio.client import Client

from adapters.cashier import Cashier
from adapters.sms import SmsGateway
from config.settings import Settings
from domain.actors import Actor, Role
from domain.errors import Forbidden
from domain.partners import PartnerEndpoint
from store.case_pages import CasePageStore
from web.db import Database
from web.errors import ServiceUnavailable, Unauthorized
from web.guard import PAYMENT_NOTICE_PATH
from web.services import users
from web.services.party_accounts import PartyDesk
from web.services.party_payments import Till

TOKEN_URL = "/api/auth/token"
# auto_error=False: we answer a missing token ourselves, in the common error shape.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


@dataclass
class AppState:
    """What the lifespan sets up once and every request shares."""

    settings: Settings
    db: Database
    partners: list[PartnerEndpoint] = field(default_factory=list)
    client: Client | None = None
    sms: SmsGateway | None = None  # parties' one-time codes and notices (None: no gateway configured)
    cashier: Cashier | None = None  # the payment platform debtors pay on (None: none configured)
    case_pages: CasePageStore = field(init=False)

    def __post_init__(self) -> None:
        self.case_pages = CasePageStore(self.db)


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.om
    return state


# The dependencies are coroutines although they never wait: FastAPI runs a plain ``def`` dependency in
# its thread pool, a hand-over that cost every request more than the lookup itself.
async def _state(request: Request) -> AppState:
    return app_state(request)


State = Annotated[AppState, Depends(_state)]


def temporal_client(state: AppState) -> Client:
    if state.client is None:
        raise ServiceUnavailable("TEMPORAL_UNAVAILABLE", "not connected to the workflow service yet")
    return state.client


async def _temporal_client(state: State) -> Client:
    return temporal_client(state)


TemporalClient = Annotated[Client, Depends(_temporal_client)]


async def _token_actor(request: Request, state: State, token: str | None) -> Actor:
    if not token:
        raise Unauthorized("UNAUTHENTICATED", "a bearer token is required (POST /api/auth/token)")
    actor = await users.actor_for(state.db, token)
    if actor is None:
        raise Unauthorized("INVALID_TOKEN", "the token is unknown, expired or revoked")
    # For the request log: who, never what they sent.
    request.state.user = str(actor)
    return actor


async def current_actor(request: Request, state: State, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Actor:
    """A member of staff, an agency or an admin: every /api route but the parties' own."""
    return users.refuse_party(await _token_actor(request, state, token))


async def current_party(request: Request, state: State, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Actor:
    """A party (当事人) in their own cases' space: the /api/my routes."""
    actor = await _token_actor(request, state, token)
    if actor.role is not Role.PARTY:
        raise Forbidden("PARTIES_ONLY", "仅当事人可用 / for parties only")
    return actor


def require_roles(*roles: Role) -> Callable[..., Awaitable[Actor]]:
    allowed = ", ".join(r.value for r in roles)

    async def _check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in roles:
            raise Forbidden("ROLE_FORBIDDEN", f"role {actor.role.value} may not do this (allowed: {allowed})")
        return actor

    return _check


AnyActor = Annotated[Actor, Depends(current_actor)]
Judge = Annotated[Actor, Depends(require_roles(Role.JUDGE))]
# A judge's decision, or an approver's second approval (the workflow's decision desk says whose is which).
Decider = Annotated[Actor, Depends(require_roles(Role.JUDGE, Role.APPROVER))]
# A task's reassignment: its court's judge, or a supervisor (执行指挥中心) of that court.
Reassigner = Annotated[Actor, Depends(require_roles(Role.JUDGE, Role.SUPERVISOR))]
# Case readers, each within their courts (web/services/access.py).
Reader = Annotated[Actor, Depends(require_roles(Role.JUDGE, Role.APPROVER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN))]
Agency = Annotated[Actor, Depends(require_roles(Role.AGENCY))]
Admin = Annotated[Actor, Depends(require_roles(Role.ADMIN))]
Party = Annotated[Actor, Depends(current_party)]


def party_desk(state: AppState) -> PartyDesk:
    """What the parties' routes and pages need: the database, the party index's keys, the SMS gateway."""
    if state.sms is None and state.settings.sms_gateway() is not None:
        raise ServiceUnavailable("SMS_STARTING", "短信网关尚未就绪 / the SMS gateway is not ready yet")
    return PartyDesk(db=state.db, keys=state.settings.party_index_keys, sms=state.sms)


def till(state: AppState) -> Till:
    """What paying online needs: the party desk, the platform's cashier, and its notices' address and secret."""
    s = state.settings
    notify = s.public_base_url.rstrip("/") + PAYMENT_NOTICE_PATH if state.cashier is not None else ""
    return Till.configured(s, party_desk(state), state.cashier, notify)
