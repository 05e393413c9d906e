"""The web's outer guard, in front of every route (issue 11, items 5 and 9; issue 23, items 3 and 4), as
plain ASGI so it acts before FastAPI reads or parses anything:

- **Body limits per route** (``web/limits.py``), enforced while the body streams in.
- **Authentication before the body**: a state-changing request to ``/api`` or ``/ui`` (other than logging
  in) without a valid bearer token or session is answered 401 before a byte of its body is read.
- **Login throttle** per user name and per client address (``store/login_throttle.py``, in the database,
  so every process and replica counts together): after a few failures, 429 with ``Retry-After`` and a
  back-off that doubles with every further failure (the right password does not help while blocked). The
  login form is parsed once, here, and the login routes read that parse (:func:`login_form`): the name
  counted is the name checked. A form naming a field twice is refused.
- **Text screen**: no control or bidi-override characters in text values.
- **Response headers**: CSP, ``X-Frame-Options: DENY``, ``Referrer-Policy``, ``nosniff``; cookies are
  marked ``Secure`` whenever the site is served beyond loopback.

The client address is the connection's: uvicorn trusts ``X-Forwarded-For`` only from the proxies named in
``OM_FORWARDED_ALLOW_IPS`` (none by default; :func:`uvicorn_options`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import Request

from config.settings import Settings, is_loopback
from domain.actors import Actor
from domain.plain_text import FORBIDDEN_CHARS
from store.db import Database
from store.login_throttle import LoginThrottle
from web.limits import (
    ASGIApp,
    BodyTooLarge,
    Message,
    Receive,
    Scope,
    Send,
    Started,
    body_plan,
    error,
    limited,
    media_type,
    read_all,
    replaying,
    too_large,
    tracking,
)
from web.services import users

LOGIN_PATHS = frozenset({"/api/auth/token", "/ui/login"})
# Where the payment platform's server tells the court an order was paid: no login, its signature instead
# (web/services/party_payments.py ``notice``).
PAYMENT_NOTICE_PATH = "/api/payments/notices"
# Reached before any login: a party registers, asks for a code and logs in with it (web/api/parties.py).
PUBLIC_PATHS = frozenset({"/api/parties/register", "/api/parties/code", "/api/parties/login", PAYMENT_NOTICE_PATH})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_COOKIE = "om_session"  # web/codec.py SESSION_COOKIE (imported lazily there; same value)
LOGIN_FORM_TYPE = "application/x-www-form-urlencoded"
LOGIN_FORM_STATE = "om_login_form"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc load Swagger UI / ReDoc from a CDN with an inline bootstrap script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What every place that serves the web hands uvicorn about forwarded headers: trusted only from the
    configured proxies. uvicorn's own default trusts ``X-Forwarded-For`` from 127.0.0.1, which let anyone
    on the host (or behind a local proxy) choose the address the throttle counts."""
    proxies = settings.forwarded_allow_ips.strip()
    # h11 named: with httptools installed (the simulators' parser) uvicorn's "auto" would switch the web's.
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or "", "http": "h11"}


# --- the login form, parsed once ------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginForm:
    fields: dict[str, str]

    @property
    def username(self) -> str:
        return self.fields.get("username", "")[:64]

    @property
    def password(self) -> str:
        return self.fields.get("password", "")

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


class LoginFormRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def parse_login_form(body: bytes, content_type: str) -> LoginForm:
    """The one parse of a login: URL-encoded, each field at most once (``username=decoy&username=victim``
    would otherwise be one name to whoever reads the first and another to whoever reads the last)."""
    if media_type(content_type) != LOGIN_FORM_TYPE:
        raise LoginFormRefused(
            415, "UNSUPPORTED_MEDIA_TYPE", f"a login is sent as {LOGIN_FORM_TYPE} / 登录须以表单编码提交"
        )
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as exc:
        raise LoginFormRefused(422, "INVALID_FORM", f"the login form does not parse / 登录表单无法解析: {exc}") from exc
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise LoginFormRefused(
                422, "DUPLICATE_FIELD", f"field {name!r} is given more than once / 字段 {name!r} 重复出现"
            )
        fields[name] = value
    return LoginForm(fields)


def login_form(request: Request) -> LoginForm:
    """The form the guard parsed and counted (the login routes read it from here, never parse their own)."""
    form = request.scope.get("state", {}).get(LOGIN_FORM_STATE)
    if not isinstance(form, LoginForm):
        raise RuntimeError("a login route was reached without the guard (web/guard.py) in front of it")
    return form


# --- the middleware -------------------------------------------------------------------------------------


TokenLookup = Callable[[str], Awaitable[Actor | None]]


class GuardMiddleware:
    """See the module docstring. ``lookup`` resolves a bearer token or session and ``database`` holds the
    throttle's counts (None: the app's, once its lifespan has set it up)."""

    def __init__(
        self,
        app: ASGIApp,
        public_base_url: str = "http://127.0.0.1:8000",
        throttle: LoginThrottle | None = None,
        lookup: TokenLookup | None = None,
        database: Database | None = None,
    ) -> None:
        self.app = app
        self.throttle = throttle or LoginThrottle()
        self._lookup = lookup
        self._database = database
        host = urlsplit(public_base_url).hostname or "127.0.0.1"
        self.force_secure_cookies = not is_loopback(host)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        send = self._with_headers(send, path)
        content_type = _header(scope, b"content-type") or ""
        plan = body_plan(method, path, content_type)
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > plan.limit
            except ValueError:
                await error(send, 400, "BAD_CONTENT_LENGTH", "Content-Length is not a number")
                return
            if too_big:
                await error(send, 413, "BODY_TOO_LARGE", too_large(plan.limit))
                return
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        if query and path.startswith(("/api/", "/ui/")):
            bad = _forbidden_text(query.encode(), LOGIN_FORM_TYPE)
            if bad is not None:
                await error(send, 422, "FORBIDDEN_CHARACTER", bad)
                return
        if (
            method in UNSAFE_METHODS
            and path not in LOGIN_PATHS
            and path not in PUBLIC_PATHS
            and path.startswith(("/api/", "/ui/", "/codec/"))
        ):
            refusal = await self._unauthenticated(scope)
            if refusal is not None:
                if path.startswith("/ui/"):
                    # A person whose session ended: back to the login page, as the UI's pages do.
                    await send({"type": "http.response.start", "status": 303, "headers": [(b"location", b"/ui/login")]})
                    await send({"type": "http.response.body", "body": b""})
                    return
                code, message = refusal
                await error(send, 401, code, message, extra_headers=[(b"www-authenticate", b"Bearer")])
                return
        started = Started()
        send = tracking(send, started)
        receive = limited(receive, plan.limit, send, started)
        try:
            if method == "POST" and path in LOGIN_PATHS:
                await self._login(scope, receive, send, started)
                return
            if method in UNSAFE_METHODS and plan.read_by_guard:
                body = await read_all(receive)
                if started.answered_by_guard:
                    return
                bad = _forbidden_text(body, content_type)
                if bad is not None:
                    await error(send, 422, "FORBIDDEN_CHARACTER", bad)
                    return
                receive = replaying(body, receive)
            await self.app(scope, receive, send)
        except BodyTooLarge:
            if started.value:
                raise
            await error(send, 413, "BODY_TOO_LARGE", too_large(plan.limit))

    async def _unauthenticated(self, scope: Scope) -> tuple[str, str] | None:
        """None for a valid bearer token or session; else the code and message of the 401 (as the routes
        would answer it: web/deps.py)."""
        token = None
        scheme, _, value = (_header(scope, b"authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            token = value.strip()
        else:
            token = _cookie(scope, SESSION_COOKIE)
        if not token:
            return "UNAUTHENTICATED", "a bearer token is required (POST /api/auth/token)"
        if await self._resolve(scope, token) is None:
            return "INVALID_TOKEN", "the token is unknown, expired or revoked"
        return None

    def _db(self, scope: Scope) -> Database | None:
        if self._database is not None:
            return self._database
        state = getattr(getattr(scope.get("app"), "state", None), "om", None)
        return None if state is None else state.db

    async def _resolve(self, scope: Scope, token: str) -> Actor | None:
        if self._lookup is not None:
            return await self._lookup(token)
        db = self._db(scope)
        return None if db is None else await users.actor_for(db, token)

    async def _login(self, scope: Scope, receive: Receive, send: Send, started: Started) -> None:
        body = await read_all(receive)
        if started.answered_by_guard:
            return
        try:
            form = parse_login_form(body, _header(scope, b"content-type") or "")
        except LoginFormRefused as refused:
            await error(send, refused.status, refused.code, refused.message)
            return
        bad = _first_forbidden(list(form.fields) + list(form.fields.values()))
        if bad is not None:
            await error(send, 422, "FORBIDDEN_CHARACTER", bad)
            return
        db = self._db(scope)
        if db is None:
            await error(send, 503, "NOT_READY", "the web is starting / 系统正在启动")
            return
        address = (scope.get("client") or ("unknown", 0))[0]
        wait = await db.run(self.throttle.retry_after, db, form.username, address)
        if wait > 0:
            seconds = str(math.ceil(wait))
            await error(
                send,
                429,
                "TOO_MANY_ATTEMPTS",
                f"too many failed logins; try again in {seconds} s / 登录失败次数过多, 请 {seconds} 秒后再试",
                extra_headers=[(b"retry-after", seconds.encode())],
            )
            return
        scope.setdefault("state", {})[LOGIN_FORM_STATE] = form

        async def counting(message: Message) -> None:
            # Counted before the answer leaves: a client sending its next guess the moment it reads this
            # one's 401 must find it counted.
            if message["type"] == "http.response.start":
                if message["status"] in (200, 303):
                    await db.run(self.throttle.succeeded, db, form.username)
                elif message["status"] == 401:
                    await db.run(self.throttle.failed, db, form.username, address)
            await send(message)

        await self.app(scope, replaying(body, receive), counting)

    def _with_headers(self, send: Send, path: str) -> Send:
        csp = (DOCS_CSP if path in DOCS_PATHS else CSP).encode()

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"content-security-policy", b"x-frame-options", b"referrer-policy")
                ]
                headers += [
                    (b"content-security-policy", csp),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-content-type-options", b"nosniff"),
                ]
                if self.force_secure_cookies:
                    headers = [(k, _secure(v) if k.lower() == b"set-cookie" else v) for k, v in headers]
                message["headers"] = headers
            await send(message)

        return wrapped


def _secure(cookie: bytes) -> bytes:
    return cookie if re.search(rb";\s*secure(;|$)", cookie, re.IGNORECASE) else cookie + b"; Secure"


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k.lower() == name:
            return bytes(v).decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        k, _, v = part.strip().partition("=")
        if k == name and v:
            return v
    return None


# --- the text screen ------------------------------------------------------------------------------------


def _forbidden_text(body: bytes, content_type: str) -> str | None:
    """Why the body is refused (a control or bidi-override character in a text value), or None. A body
    that does not parse is left to the route, which answers it in its own words."""
    strings: list[str] = []
    if media_type(content_type) == "application/json":
        try:
            _strings(json.loads(body), strings)
        except ValueError:
            return None
    else:
        for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            strings += [key, value]
    return _first_forbidden(strings)


def _first_forbidden(strings: list[str]) -> str | None:
    for s in strings:
        m = FORBIDDEN_CHARS.search(s)
        if m:
            return (
                f"text may not contain control or bidi-override characters (U+{ord(m.group()):04X}) / "
                "文本不得包含控制字符或双向覆盖字符"
            )
    return None


def _strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            out.append(k)
            _strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _strings(v, out)
