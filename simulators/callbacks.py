"""Delivers asynchronous inquiry answers (异步反馈) from the partners' outboxes to ``callback_url``.

Each pending answer is a task on the app's event loop that sleeps until it is due, then POSTs it with
the partner's token. Transport errors and 5xx are retried with exponential backoff; a 4xx means the
receiver refused it and retrying cannot help. The outbox row is the truth: answers not yet delivered
when the simulator stops are delivered after it starts again.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx
from starlette.concurrency import run_in_threadpool

from runtime.logging import get_logger
from simulators.partner_db import PartnerStore, PendingCallback

log = get_logger(__name__)


@dataclass(frozen=True)
class CallbackSender:
    """Who a callback is from: the partner's id, its store (to record delivery) and its token."""

    partner_id: str
    store: PartnerStore
    token: str


class CallbackDispatcher:
    def __init__(self, attempts: int, backoff_seconds: float, max_backoff_seconds: float = 5.0) -> None:
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None

    async def start(self, senders: list[CallbackSender]) -> None:
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
        for sender in senders:
            for cb in await run_in_threadpool(sender.store.pending_callbacks):
                self.schedule(sender, cb)

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def schedule(self, sender: CallbackSender, callback: PendingCallback) -> None:
        """Must run on the app's event loop (the endpoints do)."""
        task = asyncio.get_running_loop().create_task(self._deliver(sender, callback))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, sender: CallbackSender, cb: PendingCallback) -> None:
        delay = cb.due_at - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        assert self._client is not None, "dispatcher not started"
        headers = {"Content-Type": "application/json"}
        if sender.token:
            headers["Authorization"] = f"Bearer {sender.token}"
        attempts = cb.attempts
        status: int | None = None
        error = ""
        while attempts < self._attempts:
            attempts += 1
            try:
                response = await self._client.post(cb.url, content=cb.body, headers=headers)
            except httpx.TransportError as exc:
                status, error = None, f"{type(exc).__name__}: {exc}"
            else:
                status, error = response.status_code, response.text[:200]
                if status < 300:
                    await run_in_threadpool(sender.store.finish_callback, cb.id, "delivered", attempts, status, "")
                    return
                if status < 500 and status not in (408, 425, 429):
                    log.warning("callback refused", partner=sender.partner_id, status=status)
                    await run_in_threadpool(sender.store.finish_callback, cb.id, "refused", attempts, status, error)
                    return
            if attempts < self._attempts:
                await asyncio.sleep(min(self._backoff * 2 ** (attempts - 1), self._max_backoff))
        log.warning("callback undeliverable", partner=sender.partner_id, attempts=attempts, status=status)
        await run_in_threadpool(sender.store.finish_callback, cb.id, "failed", attempts, status, error)
