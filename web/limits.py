"""The web's outer guard, in front of every route (issue 11, items 5 and 9), as plain ASGI so it acts before
FastAPI reads or parses anything:

- **Body limits per route**, enforced while the body streams in: a declared ``Content-Length`` above the
  route's limit is answered 413 at once; a body that grows past it is cut off with 413.
- **Authentication before the body**: a state-changing request to ``/api`` or ``/ui`` (other than logging
  in) without a valid bearer token or session is answered 401 before a byte of its body is read.
- **Login throttle** per user name and per client address: after a few failures, 429 with ``Retry-After``
  and a back-off that doubles with every further failure (the right password does not help while blocked).
- **Response headers**: CSP, ``X-Frame-Options: DENY``, ``Referrer-Policy``, ``nosniff``; cookies are
  marked ``Secure`` whenever the site is served beyond loopback.

Throttle state lives in each web process (``OM_WEB_WORKERS`` multiplies the allowance); docs/security.md.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from core.settings import is_loopback
from domain.actors import Actor
from web.services import users

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KB, MB = 1024, 1024 * 1024
DEFAULT_BODY_LIMIT = 1 * MB
# (method, path pattern, limit). First match wins. Multipart adds a little to a file's own limit.
BODY_LIMITS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("POST", re.compile(r"^/api/auth/token$"), 16 * KB),
    ("POST", re.compile(r"^/ui/login$"), 16 * KB),
    ("POST", re.compile(r"^/api/parties/(register|code|login)$"), 16 * KB),
    # A payee list of up to a million rows: web/services/payouts.py MAX_UPLOAD_BYTES (256 MB) plus the form
    # around it. The file is spooled to disk as it arrives, never held: the limit bounds disk, not memory.
    ("POST", re.compile(r"^/api/payouts/lists$"), 257 * MB),
    # A start form may carry its list (the payee list of a mass payout, checked before the start).
    ("POST", re.compile(r"^/ui/cases/new/[a-z0-9-]+$"), 257 * MB),
    ("POST", re.compile(r"^/(api|ui)/tasks/[^/]+/attachments$"), 21 * MB),  # MAX_ATTACHMENT_BYTES + form
    ("POST", re.compile(r"^/codec/(encode|decode)$"), 8 * MB),  # Temporal's 2 MB payloads, base64, a few
)
LOGIN_PATHS = frozenset({"/api/auth/token", "/ui/login"})
# Reached before any login: a party registers, asks for a code and logs in with it (web/api/parties.py).
PUBLIC_PATHS = frozenset({"/api/parties/register", "/api/parties/code", "/api/parties/login"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_COOKIE = "om_session"  # web/codec.py SESSION_COOKIE (imported lazily there; same value)

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


def body_limit(method: str, path: str) -> int:
    for m, pattern, limit in BODY_LIMITS:
        if m == method and pattern.match(path):
            return limit
    return DEFAULT_BODY_LIMIT


# --- login throttle -------------------------------------------------------------------------------------


@dataclass
class _Record:
    failures: int = 0
    blocked_until: float = 0.0
    last_failure: float = 0.0


@dataclass
class LoginThrottle:
    """Failures per key (``user:<name>``, ``addr:<ip>``). ``free`` failures pass; each further one blocks
    for ``base`` seconds doubled per excess failure, up to ``cap``. A key is forgotten ``forget`` seconds
    after its last failure; a successful login forgets the user's key (not the address's: logging into
    one's own account must not reset the count of guesses at others)."""

    free_per_user: int = 5
    free_per_address: int = 20
    base: float = 1.0
    cap: float = 900.0
    forget: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _records: dict[str, _Record] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retry_after(self, username: str, address: str) -> float:
        """Seconds until a login may be tried; 0 when it may be tried now."""
        now = self.clock()
        with self._lock:
            waits = [r.blocked_until - now for k in self._keys(username, address) if (r := self._live(k, now))]
        return max([0.0, *waits])

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key, free in zip(
                self._keys(username, address), (self.free_per_user, self.free_per_address), strict=True
            ):
                r = self._live(key, now) or self._records.setdefault(key, _Record())
                r.failures += 1
                r.last_failure = now
                excess = r.failures - free
                if excess > 0:
                    r.blocked_until = now + min(self.cap, self.base * 2 ** min(excess - 1, 30))
            if len(self._records) > 100_000:  # bounded memory under a spray of names
                self._records = {k: r for k, r in self._records.items() if now - r.last_failure < self.forget}

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._records.pop(f"user:{username.lower()}", None)

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return f"user:{username.lower()}", f"addr:{address}"

    def _live(self, key: str, now: float) -> _Record | None:
        r = self._records.get(key)
        if r is not None and now - r.last_failure >= self.forget and now >= r.blocked_until:
            del self._records[key]
            return None
        return r


# --- the middleware -------------------------------------------------------------------------------------


class BodyTooLarge(Exception):
    pass


@dataclass
class _Started:
    value: bool = False
    status: int = 0
    answered_by_guard: bool = False  # a 413 went out mid-body: whatever the app sends after is dropped


TokenLookup = Callable[[str], Awaitable[Actor | None]]


class GuardMiddleware:
    """See the module docstring. ``lookup`` resolves a bearer token or session (None: the app's database,
    once its lifespan has set it up)."""

    def __init__(
        self,
        app: ASGIApp,
        public_base_url: str = "http://127.0.0.1:8000",
        throttle: LoginThrottle | None = None,
        lookup: TokenLookup | None = None,
    ) -> None:
        self.app = app
        self.throttle = throttle or LoginThrottle()
        self._lookup = lookup
        host = urlsplit(public_base_url).hostname or "127.0.0.1"
        self.force_secure_cookies = not is_loopback(host)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        send = self._with_headers(send, path)
        limit = body_limit(method, path)
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                await _error(send, 400, "BAD_CONTENT_LENGTH", "Content-Length is not a number")
                return
            if too_big:
                await _error(send, 413, "BODY_TOO_LARGE", f"the body may have at most {limit} bytes here")
                return
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        if query and path.startswith(("/api/", "/ui/")):
            bad = _forbidden_text(query.encode(), "application/x-www-form-urlencoded")
            if bad is not None:
                await _error(send, 422, "FORBIDDEN_CHARACTER", bad)
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
                await _error(send, 401, code, message, extra_headers=[(b"www-authenticate", b"Bearer")])
                return
        started = _Started()
        send = _tracking(send, started)
        receive = _limited(receive, limit, send, started)
        try:
            if method in UNSAFE_METHODS and _is_text_body(_header(scope, b"content-type") or ""):
                body = await _read_all(receive)
                if started.answered_by_guard:
                    return
                bad = _forbidden_text(body, _header(scope, b"content-type") or "")
                if bad is not None:
                    await _error(send, 422, "FORBIDDEN_CHARACTER", bad)
                    return
                receive = _replaying(body, receive)
            if method == "POST" and path in LOGIN_PATHS:
                await self._login(scope, receive, send, started)
            else:
                await self.app(scope, receive, send)
        except BodyTooLarge:
            if started.value:
                raise
            await _error(send, 413, "BODY_TOO_LARGE", f"the body may have at most {limit} bytes here")

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

    async def _resolve(self, scope: Scope, token: str) -> Actor | None:
        if self._lookup is not None:
            return await self._lookup(token)
        app = scope.get("app")
        state = getattr(getattr(app, "state", None), "om", None)
        if state is None:
            return None
        return await users.actor_for(state.db, token)

    async def _login(self, scope: Scope, receive: Receive, send: Send, started: _Started) -> None:
        body = await _read_all(receive)
        if started.answered_by_guard:
            return
        username = _form_username(body, _header(scope, b"content-type") or "")
        address = (scope.get("client") or ("unknown", 0))[0]
        wait = self.throttle.retry_after(username, address)
        if wait > 0:
            seconds = str(math.ceil(wait))
            await _error(
                send,
                429,
                "TOO_MANY_ATTEMPTS",
                f"too many failed logins; try again in {seconds} s / 登录失败次数过多, 请 {seconds} 秒后再试",
                extra_headers=[(b"retry-after", seconds.encode())],
            )
            return
        await self.app(scope, _replaying(body, receive), send)
        if started.status in (200, 303):
            self.throttle.succeeded(username)
        elif started.status == 401:
            self.throttle.failed(username, address)

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


def _form_username(body: bytes, content_type: str) -> str:
    if "application/x-www-form-urlencoded" in content_type:
        values = parse_qs(body.decode("utf-8", "replace"), max_num_fields=20).get("username", [""])
        return values[0][:64]
    if "application/json" in content_type:
        try:
            data = json.loads(body)
        except ValueError:
            return ""
        return str(data.get("username", ""))[:64] if isinstance(data, dict) else ""
    return ""  # multipart logins are throttled by address (and by the empty name)


# C0 controls but tab, newline and carriage return; DEL and C1; bidi embeddings, overrides and isolates
# (the "Trojan source" characters): no text field of ours needs them, and they forge what people read.
FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _is_text_body(content_type: str) -> bool:
    return "application/json" in content_type or "application/x-www-form-urlencoded" in content_type


def _forbidden_text(body: bytes, content_type: str) -> str | None:
    """Why the body is refused (a control or bidi-override character in a text value), or None. A body
    that does not parse is left to the route, which answers it in its own words."""
    strings: list[str] = []
    if "application/json" in content_type:
        try:
            _strings(json.loads(body), strings)
        except ValueError:
            return None
    else:
        for key, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
            strings += [key, *values]
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


async def _read_all(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return body
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return body


def _replaying(body: bytes, receive: Receive) -> Receive:
    replayed = False

    async def wrapped() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


def _limited(receive: Receive, limit: int, send: Send, started: _Started) -> Receive:
    """Counts the body as it arrives. Past the limit: while the guard itself reads, BodyTooLarge; while
    the app reads (it would turn any exception into its own 400), the guard answers 413 and tells the app
    the client left, so it stops reading and its own answer is dropped."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                if started.value:
                    raise BodyTooLarge()
                await _error(send, 413, "BODY_TOO_LARGE", f"the body may have at most {limit} bytes here")
                started.answered_by_guard = True
                return {"type": "http.disconnect"}
        return message

    return wrapped


def _tracking(send: Send, started: _Started) -> Send:
    async def wrapped(message: Message) -> None:
        if started.answered_by_guard:
            return
        if message["type"] == "http.response.start":
            started.value = True
            started.status = int(message["status"])
        await send(message)

    return wrapped


async def _error(
    send: Send, status: int, code: str, message: str, extra_headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"code": code, "message": message, "field": None}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra_headers or [])})
    await send({"type": "http.response.body", "body": body})
