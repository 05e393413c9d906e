"""How much of a body each route reads (issue 11 item 5; issue 23 item 4), and reading it.

A route names two limits: for a text body (JSON or a form, which the guard reads whole to screen it:
``web/guard.py``) and, if it takes files, for an upload (``multipart/form-data``, never read by the guard:
it streams to the route, which spools it to disk). A text body is held in memory, so its limit is small
(1 MB unless the route says more); an upload's limit bounds disk. Which limit applies is decided by the
route and the exact media type, never by a substring of the content type.

The body is counted as it arrives: a declared ``Content-Length`` above the limit is answered 413 at once,
a streamed body is cut off with 413 when it passes it. What the guard reads goes into one ``bytearray``
(appending to ``bytes`` copies everything read so far, per chunk).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from web.errors import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KB, MB = 1024, 1024 * 1024
TEXT_LIMIT = 1 * MB
TEXT_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded"})
UPLOAD_TYPE = "multipart/form-data"


@dataclass(frozen=True)
class RouteLimit:
    method: str
    pattern: re.Pattern[str]
    text: int = TEXT_LIMIT
    upload: int | None = None  # None: the route takes no files; a multipart body gets the text limit


# First match wins. Multipart adds a little to a file's own limit.
BODY_LIMITS: tuple[RouteLimit, ...] = (
    RouteLimit("POST", re.compile(r"^/api/auth/token$"), text=16 * KB),
    RouteLimit("POST", re.compile(r"^/ui/login$"), text=16 * KB),
    RouteLimit("POST", re.compile(r"^/api/parties/(register|code|login)$"), text=16 * KB),
    RouteLimit("POST", re.compile(r"^/api/payments/notices$"), text=16 * KB),  # the platform's notice
    # A payee list of up to a million rows: web/services/payouts.py MAX_UPLOAD_BYTES (256 MB) plus the form
    # around it. The file is spooled to disk as it arrives, never held: the limit bounds disk, not memory.
    RouteLimit("POST", re.compile(r"^/api/payouts/lists$"), upload=257 * MB),
    # A start form may carry its list (the payee list of a mass payout, checked before the start).
    RouteLimit("POST", re.compile(r"^/ui/cases/new/[a-z0-9-]+$"), upload=257 * MB),
    RouteLimit("POST", re.compile(r"^/(api|ui)/tasks/[^/]+/attachments$"), upload=21 * MB),  # + form
    RouteLimit("POST", re.compile(r"^/api/my/files$"), upload=21 * MB),  # a party's upload, the same limit
    RouteLimit("POST", re.compile(r"^/p/apply$"), upload=21 * MB),  # the application page with its title PDF
    RouteLimit("POST", re.compile(r"^/api/cases/[^/]+/node-files$"), upload=21 * MB),  # a node's photo
    # A node's short video (web/services/party_judge.py MAX_VIDEO_BYTES, 30 MB) plus the form around it; the
    # case page's node form carries a photo and a video.
    RouteLimit("POST", re.compile(r"^/api/cases/[^/]+/node-videos$"), upload=31 * MB),
    RouteLimit("POST", re.compile(r"^/ui/dockets/[^/]+/nodes$"), upload=51 * MB),
    RouteLimit("POST", re.compile(r"^/codec/(encode|decode)$"), text=8 * MB),  # 2 MB payloads, base64, a few
)


def media_type(content_type: str) -> str:
    """``Application/JSON; charset=utf-8`` → ``application/json``."""
    return content_type.split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class BodyPlan:
    limit: int
    read_by_guard: bool  # a text body: read whole (it is small), screened, then replayed to the route


def body_plan(method: str, path: str, content_type: str) -> BodyPlan:
    kind = media_type(content_type)
    route = next((r for r in BODY_LIMITS if r.method == method and r.pattern.match(path)), None)
    text = route.text if route else TEXT_LIMIT
    if kind == UPLOAD_TYPE and route is not None and route.upload is not None:
        return BodyPlan(route.upload, read_by_guard=False)
    return BodyPlan(text, read_by_guard=kind in TEXT_TYPES)


def body_limit(method: str, path: str, content_type: str = UPLOAD_TYPE) -> int:
    """The most a body may have on this route (an upload's, by default)."""
    return body_plan(method, path, content_type).limit


class BodyTooLarge(Exception):
    pass


@dataclass
class Started:
    value: bool = False
    status: int = 0
    answered_by_guard: bool = False  # a 413 went out mid-body: whatever the app sends after is dropped


async def read_all(receive: Receive) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return bytes(body)
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return bytes(body)


def replaying(body: bytes, receive: Receive) -> Receive:
    replayed = False

    async def wrapped() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


def limited(receive: Receive, limit: int, send: Send, started: Started) -> Receive:
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
                await error(send, 413, "BODY_TOO_LARGE", too_large(limit))
                started.answered_by_guard = True
                return {"type": "http.disconnect"}
        return message

    return wrapped


def tracking(send: Send, started: Started) -> Send:
    async def wrapped(message: Message) -> None:
        if started.answered_by_guard:
            return
        if message["type"] == "http.response.start":
            started.value = True
            started.status = int(message["status"])
        await send(message)

    return wrapped


def too_large(limit: int) -> str:
    return f"the body may have at most {limit} bytes here / 请求体超过本接口上限 {limit} 字节"


async def error(
    send: Send, status: int, code: str, message: str, extra_headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps(error_body(status, code, message), ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra_headers or [])})
    await send({"type": "http.response.body", "body": body})
