"""The parties' own pages (当事人的案件空间), made for a phone: log in with a phone and an SMS code (or
register with a real name first), the cases that name you, and one case's space — what is owed and
recovered, the measures, the case's progress, and your requests and messages to the judge.

Over the same services as the parties' API (web/services/party_*.py). The session is the party's bearer
token in its own HttpOnly cookie (``/p`` only); every form carries a CSRF token derived from it.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from domain.actors import Actor, Role
from domain.errors import OneMatterError
from domain.party_requests import RULES, PartyRequestKind, sides_of
from web.deps import app_state, temporal_client
from web.deps import party_desk as desk
from web.errors import field_errors
from web.services import party_accounts, party_requests, party_space, users
from web.services.party_accounts import CodeRequest, PartyLogin, Registration
from web.ui.render import page
from web.ui.session import csrf_for

router = APIRouter(include_in_schema=False)
PARTY_COOKIE = "om_party"
PREFIX = "/p"


class PartyLoginRequired(Exception):
    """No party session: the page answers with the login page."""


async def _party(request: Request) -> tuple[Actor, str]:
    token = request.cookies.get(PARTY_COOKIE)
    actor = await users.actor_for(app_state(request).db, token) if token else None
    if actor is None or actor.role is not Role.PARTY or token is None:
        raise PartyLoginRequired()
    request.state.user = str(actor)
    return actor, token


PartySession = Annotated[tuple[Actor, str], Depends(_party)]


def _page(request: Request, name: str, token: str | None = None, **context: Any) -> HTMLResponse:
    return page(request, f"party/{name}", None, party_csrf=csrf_for(token) if token else "", **context)


def _check_csrf(token: str, sent: str) -> None:
    if not hmac.compare_digest(csrf_for(token), sent):
        raise PartyLoginRequired()


def _message(exc: Exception) -> str:
    """What went wrong, in the user's words: a refusal's message, or each invalid field's rule."""
    if isinstance(exc, ValidationError):
        return "; ".join(e.message for e in field_errors(exc.errors()))
    if isinstance(exc, OneMatterError):
        return exc.message
    raise exc


@router.get(PREFIX)
@router.get(PREFIX + "/")
async def party_home(request: Request) -> Response:
    return RedirectResponse(f"{PREFIX}/cases", status_code=303)


@router.get(PREFIX + "/login", response_class=HTMLResponse)
async def login_page(request: Request, phone: str = "", sent: bool = False) -> Response:
    return _page(request, "login.html", phone=phone, sent=sent, error=None)


@router.post(PREFIX + "/code")
async def send_code(request: Request, phone: Annotated[str, Form()] = "") -> Response:
    try:
        await party_accounts.request_code(desk(app_state(request)), CodeRequest(phone=phone))
    except (OneMatterError, ValidationError) as exc:  # shown beside the form, in the user's words
        return _page(request, "login.html", phone=phone, sent=False, error=_message(exc), status_code=422)
    return RedirectResponse(f"{PREFIX}/login?phone={phone}&sent=1", status_code=303)


@router.post(PREFIX + "/login")
async def log_in(request: Request, phone: Annotated[str, Form()] = "", code: Annotated[str, Form()] = "") -> Response:
    state = app_state(request)
    try:
        ttl = timedelta(hours=state.settings.token_ttl_hours)
        token = await party_accounts.login(desk(state), PartyLogin(phone=phone, code=code), ttl)
    except (OneMatterError, ValidationError) as exc:
        return _page(request, "login.html", phone=phone, sent=True, error=_message(exc), status_code=401)
    response = RedirectResponse(f"{PREFIX}/cases", status_code=303)
    secure = state.settings.public_base_url.startswith("https://")
    max_age = state.settings.token_ttl_hours * 3600
    response.set_cookie(
        PARTY_COOKIE, token.access_token, max_age=max_age, httponly=True, samesite="strict", secure=secure, path=PREFIX
    )
    return response


@router.get(PREFIX + "/register", response_class=HTMLResponse)
async def register_page(request: Request) -> Response:
    return _page(request, "register.html", form={}, error=None)


@router.post(PREFIX + "/register")
async def register(
    request: Request,
    name: Annotated[str, Form()] = "",
    id_number: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
) -> Response:
    form = {"name": name, "id_number": id_number, "phone": phone}
    try:
        await party_accounts.register(desk(app_state(request)), Registration.model_validate(form))
    except (OneMatterError, ValidationError) as exc:
        return _page(request, "register.html", form=form, error=_message(exc), status_code=422)
    return RedirectResponse(f"{PREFIX}/login?phone={phone}&sent=1", status_code=303)


@router.post(PREFIX + "/logout")
async def log_out(request: Request, session: PartySession, csrf: Annotated[str, Form()] = "") -> Response:
    _check_csrf(session[1], csrf)
    await users.logout(app_state(request).db, session[1])
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    response.delete_cookie(PARTY_COOKIE, path=PREFIX)
    return response


@router.get(PREFIX + "/cases", response_class=HTMLResponse)
async def cases(request: Request, session: PartySession) -> Response:
    state = app_state(request)
    mine = await party_space.my_cases(desk(state), temporal_client(state), session[0])
    return _page(request, "cases.html", session[1], cases=mine)


def _kinds(roles: list[str]) -> list[tuple[str, str]]:
    """The kinds of request this party's side may file, with their titles."""
    sides = sides_of(roles)
    return [(k.value, RULES[k].title) for k in PartyRequestKind if RULES[k].filers & sides]


async def _case_page(request: Request, session: tuple[Actor, str], case_id: str, **extra: Any) -> HTMLResponse:
    state = app_state(request)
    space = await party_space.case_space(desk(state), temporal_client(state), session[0], case_id)
    return _page(request, "case.html", session[1], case=space, kinds=_kinds(space.my_roles), **extra)


@router.get(PREFIX + "/cases/{case_id}", response_class=HTMLResponse)
async def case(request: Request, case_id: str, session: PartySession) -> Response:
    return await _case_page(request, session, case_id, error=None, text="")


@router.post(PREFIX + "/cases/{case_id}/requests")
async def file_request(
    request: Request,
    case_id: str,
    session: PartySession,
    csrf: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    _check_csrf(session[1], csrf)
    state = app_state(request)
    try:
        body = party_requests.NewPartyRequest.model_validate({"kind": kind, "text": text})
        await party_requests.file_request(desk(state), temporal_client(state), session[0], case_id, body)
    except (OneMatterError, ValidationError) as exc:
        response = await _case_page(request, session, case_id, error=_message(exc), text=text)
        response.status_code = 422
        return response
    return RedirectResponse(f"{PREFIX}/cases/{case_id}#requests", status_code=303)


def install(app: Any) -> None:
    """The party pages and their login redirect."""
    app.include_router(router)

    async def on_login_required(request: Request, exc: Exception) -> Response:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)

    app.add_exception_handler(PartyLoginRequired, on_login_required)
