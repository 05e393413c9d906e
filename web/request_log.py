"""One JSON log line per request: method, path, status, user, workflow id, duration — never a body
or a query string (both may carry personal data). The same timing feeds the request-latency histogram
(web/metrics.py), so a request is timed once."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime.logging import get_logger

log = get_logger("web.request")

# Told of every HTTP request once it is answered: its scope, status code and seconds.
RequestObserver = Callable[[Scope, int, float], None]


class RequestLogMiddleware:
    """Pure ASGI, so it sees the final status without buffering the response. Routes add ``user`` and
    ``workflow_id`` to ``request.state`` (the scope's ``state`` dict) for this line. Outermost, so the
    requests our guard refuses are logged and timed too."""

    def __init__(self, app: ASGIApp, observers: Sequence[RequestObserver] = ()) -> None:
        self.app = app
        self.observers = tuple(observers)

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
            seconds = time.perf_counter() - started
            for observe in self.observers:
                observe(scope, status, seconds)
            state: dict[str, Any] = scope.get("state") or {}
            path: str = scope.get("path", "")
            fields: dict[str, Any] = {
                "method": scope.get("method"),
                "path": path,
                "status": status,
                "ms": round(seconds * 1000, 1),
            }
            for key in ("user", "workflow_id"):
                if state.get(key):
                    fields[key] = state[key]
            if path not in ("/healthz", "/livez") or status != 200:  # probes every few seconds would drown the log
                log.info("request", **fields)
