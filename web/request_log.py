"""One JSON log line per request: method, path, status, user, workflow id, duration — never a body
or a query string (both may carry personal data)."""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.logging import get_logger

log = get_logger("web.request")


class RequestLogMiddleware:
    """Pure ASGI, so it sees the final status without buffering the response. Routes add ``user`` and
    ``workflow_id`` to ``request.state`` (the scope's ``state`` dict) for this line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            state: dict[str, Any] = scope.get("state") or {}
            path: str = scope.get("path", "")
            fields: dict[str, Any] = {
                "method": scope.get("method"),
                "path": path,
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
            for key in ("user", "workflow_id"):
                if state.get(key):
                    fields[key] = state[key]
            if path != "/healthz" or status != 200:  # probes every few seconds would drown the log
                log.info("request", **fields)
