"""The worker's probes, for an orchestrator (deploy/kubernetes/): ``GET /livez`` and ``GET /readyz`` on
``OM_WORKER_HEALTH_PORT``.

- live: the worker is polling (it has not stopped or crashed) and this event loop answers — the same loop
  the workflows and activities run on, so a loop blocked by a runaway activity fails the probe too;
- ready: live, and Temporal's frontend answers a health check within 3 s.

A worker that cannot reach Temporal stays alive (restarting it cannot help) but is reported not ready.
Plain HTTP/1.0 on asyncio's streams: the probe needs nothing more.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

TEMPORAL_TIMEOUT = timedelta(seconds=3)
_READ_TIMEOUT = 5.0


async def _ready(worker: Worker, client: Client) -> bool:
    if not worker.is_running:
        return False
    try:
        return await client.service_client.check_health(timeout=TEMPORAL_TIMEOUT)
    except Exception:  # any failure to answer means not ready; the probe only needs the verdict
        return False


async def _answer(worker: Worker, client: Client, path: str) -> tuple[int, str]:
    if path == "/livez":
        return (200, "live") if worker.is_running else (503, "worker stopped")
    if path == "/readyz":
        return (200, "ready") if await _ready(worker, client) else (503, "not ready")
    return 404, "not found"


async def serve_health(worker: Worker, client: Client, host: str, port: int) -> asyncio.Server:
    """Starts answering probes on ``host:port``; close the returned server to stop."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), _READ_TIMEOUT)
            parts = request.decode("latin-1").split()
            method, path = (parts[0], parts[1]) if len(parts) >= 2 else ("", "")
            status, text = (405, "method not allowed") if method != "GET" else await _answer(worker, client, path)
            body = text.encode()
            head = f"HTTP/1.0 {status} {text}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass  # a probe that hung up or never spoke gets no answer
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port)
