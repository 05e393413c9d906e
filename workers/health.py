"""Probes for an orchestrator (deploy/kubernetes/): ``GET /livez`` and ``GET /readyz``, for the worker on
``OM_WORKER_HEALTH_PORT`` and for the webhook outbox on ``OM_OUTBOX_HEALTH_PORT``.

The worker:
- live: it is polling (it has not stopped or crashed) and this event loop answers — the same loop the
  workflows and activities run on, so a loop blocked by a runaway activity fails the probe too;
- ready: live, and Temporal's frontend answers a health check within 3 s.
A worker that cannot reach Temporal stays alive (restarting it cannot help) but is reported not ready.

The outbox (workers/outbox.py, :class:`Beat`):
- live: its loop finished a tick (well or not) within ``LIVE_WITHIN`` — a loop stuck in one tick is restarted;
- ready: its last tick reached the database (a database that is down makes it not ready, not dead).

Plain HTTP/1.0 on asyncio's streams: the probe needs nothing more.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

TEMPORAL_TIMEOUT = timedelta(seconds=3)
LIVE_WITHIN = timedelta(seconds=120)
_READ_TIMEOUT = 5.0

Check = Callable[[], Awaitable[bool]]


async def serve_probes(live: Check, ready: Check, host: str, port: int) -> asyncio.Server:
    """Starts answering ``/livez`` by ``live`` and ``/readyz`` by ``ready`` on ``host:port``; close the
    returned server to stop."""

    async def answer(path: str) -> tuple[int, str]:
        if path == "/livez":
            return (200, "live") if await live() else (503, "not live")
        if path == "/readyz":
            return (200, "ready") if await ready() else (503, "not ready")
        return 404, "not found"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), _READ_TIMEOUT)
            parts = request.decode("latin-1").split()
            method, path = (parts[0], parts[1]) if len(parts) >= 2 else ("", "")
            status, text = (405, "method not allowed") if method != "GET" else await answer(path)
            body = text.encode()
            head = f"HTTP/1.0 {status} {text}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass  # a probe that hung up or never spoke gets no answer
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port)


async def serve_health(worker: Worker, client: Client, host: str, port: int) -> asyncio.Server:
    """The worker's probes."""

    async def live() -> bool:
        return worker.is_running

    async def ready() -> bool:
        if not worker.is_running:
            return False
        try:
            return await client.service_client.check_health(timeout=TEMPORAL_TIMEOUT)
        except Exception:  # any failure to answer means not ready; the probe only needs the verdict
            return False

    return await serve_probes(live, ready, host, port)


class Beat:
    """What a loop tells its probes: when it last finished a tick, and whether that tick went well."""

    def __init__(self) -> None:
        self.finished_at: float | None = None
        self.ok = False

    def tick(self, ok: bool) -> None:
        self.finished_at, self.ok = time.monotonic(), ok

    async def live(self) -> bool:
        started = self.finished_at is not None
        return started and time.monotonic() - (self.finished_at or 0.0) < LIVE_WITHIN.total_seconds()

    async def ready(self) -> bool:
        return self.ok and await self.live()


async def serve_loop_health(beat: Beat, host: str, port: int) -> asyncio.Server:
    """A loop's probes (the outbox's)."""
    return await serve_probes(beat.live, beat.ready, host, port)
