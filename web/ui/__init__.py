"""The thin web UI (界面) for judges, agencies and auditors: server-rendered pages over the same services
as the JSON API (web/services), so the rules are the API's rules; the UI never calls the API's routes.

Chinese by default, English with the ``lang`` cookie. Sessions are the API's bearer tokens in an
HttpOnly cookie; every form carries a CSRF token. ``install(app)`` mounts the pages under /ui, the
static files under /static, and makes errors on /ui pages answer in HTML.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.service import RPCError

from domain.errors import OneMatterError
from web.ui import (
    pages_agency,
    pages_audit,
    pages_auth,
    pages_cases,
    pages_dashboard,
    pages_documents,
    pages_judge,
    pages_party,
    pages_queue,
)
from web.ui.render import WEB_DIR, compile_templates, error_page, said
from web.ui.session import CsrfFailed, LoginRequired, UiForbidden, login_url, optional_user, translator

UI_PREFIX = "/ui"


def _is_ui(request: Request) -> bool:
    path = request.url.path
    return any(path == p or path.startswith(p + "/") for p in (UI_PREFIX, pages_party.PREFIX))


async def _delegate(handler: Callable[[Request, Exception], Any], request: Request, exc: Exception) -> Response:
    result = handler(request, exc)
    if inspect.isawaitable(result):
        result = await result
    assert isinstance(result, Response)
    return result


def install(app: FastAPI) -> None:
    compile_templates()
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    pages = (
        pages_auth,
        pages_queue,
        pages_judge,
        pages_cases,
        pages_documents,
        pages_agency,
        pages_audit,
        pages_dashboard,
    )
    for module in pages:
        app.include_router(module.router)
    pages_party.install(app)

    async def on_login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(login_url(exc.next_url), status_code=303)

    async def on_forbidden(request: Request, exc: Exception) -> HTMLResponse:
        t = translator(request)
        return error_page(request, await optional_user(request), 403, "error.forbidden", t("error.forbidden"))

    async def on_csrf(request: Request, exc: Exception) -> HTMLResponse:
        t = translator(request)
        return error_page(request, await optional_user(request), 403, "error.forbidden", t("error.csrf"))

    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(UiForbidden, on_forbidden)
    app.add_exception_handler(CsrfFailed, on_csrf)

    # Errors raised by the API's logic inside a page answer as a page; elsewhere as before (JSON).
    domain_handler = app.exception_handlers[OneMatterError]
    rpc_handler = app.exception_handlers[RPCError]
    http_handler = app.exception_handlers[StarletteHTTPException]

    async def on_domain_error(request: Request, exc: Exception) -> Response:
        if not _is_ui(request):
            return await _delegate(domain_handler, request, exc)
        assert isinstance(exc, OneMatterError)
        key = {403: "error.forbidden", 404: "error.not_found"}.get(exc.status, "error.title")
        return error_page(request, await optional_user(request), exc.status, key, said(exc, translator(request)))

    async def on_rpc_error(request: Request, exc: Exception) -> Response:
        if not _is_ui(request):
            return await _delegate(rpc_handler, request, exc)
        t = translator(request)
        return error_page(request, await optional_user(request), 503, "error.title", t("error.temporal"))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        if not _is_ui(request):
            return await _delegate(http_handler, request, exc)
        assert isinstance(exc, StarletteHTTPException)
        key = {403: "error.forbidden", 404: "error.not_found"}.get(exc.status_code, "error.title")
        t = translator(request)
        return error_page(request, await optional_user(request), exc.status_code, key, t(key))

    app.add_exception_handler(OneMatterError, on_domain_error)
    app.add_exception_handler(RPCError, on_rpc_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
