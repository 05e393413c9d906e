"""Logging in and out, the language switch, and the front door."""

from __future__ import annotations

import hmac
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.deps import app_state
from web.errors import Unauthorized
from web.guard import login_form as guarded_login_form
from web.services import users
from web.ui.i18n import LANGS
from web.ui.render import page
from web.ui.session import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    AnyUser,
    check_csrf,
    clear_session,
    home_for,
    landing,
    new_login_csrf,
    optional_user,
    safe_next,
    set_session,
    translator,
)

router = APIRouter(include_in_schema=False)


@router.get("/")
async def front_door(request: Request) -> Response:
    user = await optional_user(request)
    return RedirectResponse(home_for(user.role) if user else "/ui/login", status_code=303)


@router.get("/ui")
@router.get("/ui/")
async def ui_home(request: Request) -> Response:
    return await front_door(request)


def _login_page(request: Request, error: str | None = None, username: str = "", status_code: int = 200) -> Response:
    token = new_login_csrf()
    next_url = safe_next(request.query_params.get("next")) or ""
    response = page(
        request,
        "login.html",
        None,
        status_code=status_code,
        login_csrf=token,
        error=error,
        username=username,
        next_url=next_url,
        sandbox=app_state(request).settings.sandbox,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict", path="/ui/login")
    return response


@router.get("/ui/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/ui/login")
async def login(request: Request) -> Response:
    form = guarded_login_form(request)  # parsed once, by the guard that counted it
    sent, expected = form.get("csrf"), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    t = translator(request)
    if not expected or not hmac.compare_digest(sent, expected):
        return _login_page(request, t("error.csrf"), status_code=403)
    username, password = form.username, form.password
    state = app_state(request)
    ttl = timedelta(hours=state.settings.token_ttl_hours)
    try:
        out = await users.login(state.db, username, password, ttl)
    except Unauthorized:
        return _login_page(request, t("login.failed"), username=username, status_code=401)
    target = landing(out.role, safe_next(form.get("next")))
    response = RedirectResponse(target, status_code=303)
    secure = state.settings.public_base_url.startswith("https://")
    set_session(response, out.access_token, state.settings.token_ttl_hours * 3600, secure)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/ui/login")
    return response


@router.post("/ui/logout")
async def logout(request: Request, user: AnyUser) -> Response:
    await check_csrf(request, user)
    state = app_state(request)
    await users.logout(state.db, user.token)
    response = RedirectResponse("/ui/login", status_code=303)
    clear_session(response)
    return response


@router.get("/ui/lang/{lang}")
async def switch_language(lang: str, request: Request) -> Response:
    """Sets the ``lang`` cookie and goes back where the user was."""
    target = safe_next(request.query_params.get("next")) or "/ui/"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response
