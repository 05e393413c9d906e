"""The sandbox's simulated agencies subscribe instead of polling (issue 12 item 5): each registers a
webhook (``POST /api/webhooks``) pointing at a doorbell on loopback; an event for its tasks, once its
HMAC-SHA256 signature checks out, wakes that agency's worker, which then works its inbox as before
(simulators/task_agents.py ``work_once``). Polling stays, at a long interval, as the safety net an
agency keeps anyway (a missed event, the web restarting).

``python -m simulators.task_hooks`` runs the inbox agents this way; ``make run`` starts it (launcher).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from config.settings import get_settings
from net.localnet import free_port
from runtime.logging import configure_logging, get_logger
from security.webhook_signature import SIGNATURE_HEADER, verify
from simulators.task_agents import CASE_ACCOUNTS, INBOXES, work_once

log = get_logger(__name__)

FALLBACK_POLL_SECONDS = 60.0
# Agencies whose work waits on something outside the inbox (the bank notices a payment once it arrived in
# the case account, simulators/case_account.py): no task event says so, so they keep looking often.
POLL_OFTEN = {"bank-icbc": 2.0}


class Doorbell:
    """A loopback receiver: one path and one secret per agency; a verified event rings that agency's bell."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.bells: dict[str, asyncio.Event] = {}
        self.secrets: dict[str, str] = {}
        self.rung = 0
        app = Starlette(routes=[Route("/hooks/{agency}", self._receive, methods=["POST"])])
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))

    def url(self, agency: str) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{agency}"

    def bell(self, agency: str) -> asyncio.Event:
        if agency not in self.bells:
            self.bells[agency] = asyncio.Event()
            self.secrets[agency] = secrets.token_urlsafe(24)
        return self.bells[agency]

    async def _receive(self, request: Request) -> Response:
        agency = request.path_params["agency"]
        body = await request.body()
        secret = self.secrets.get(agency)
        if secret is None or not verify(secret, body, request.headers.get(SIGNATURE_HEADER, "")):
            return Response(status_code=401)  # not from our web: ignored, and the sender learns so
        self.rung += 1
        self.bells[agency].set()
        return Response(status_code=204)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Doorbell]:
        task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if task.done():
                await task  # raises why it could not start
            await asyncio.sleep(0.05)
        try:
            yield self
        finally:
            self._server.should_exit = True
            await task


async def subscribe(http: httpx.AsyncClient, doorbell: Doorbell, agency: str) -> int:
    """Registers the agency's webhook (replacing ones left by an earlier run); returns its id."""
    doorbell.bell(agency)
    existing = await http.get("/api/webhooks")
    existing.raise_for_status()
    for hook in existing.json():
        if hook["url"].startswith("http://127.0.0.1:") and hook["url"].endswith(f"/hooks/{agency}"):
            await http.delete(f"/api/webhooks/{hook['id']}")
    r = await http.post("/api/webhooks", json={"url": doorbell.url(agency), "secret": doorbell.secrets[agency]})
    r.raise_for_status()
    hook_id: int = r.json()["id"]
    return hook_id


async def run_subscribed(
    base_url: str, agency: str, token: str, doorbell: Doorbell, stop: asyncio.Event, poll: float = FALLBACK_POLL_SECONDS
) -> None:
    """Works the agency's inbox whenever its bell rings (and every ``poll`` seconds regardless)."""
    headers = {"Authorization": f"Bearer {token}"}
    bell = doorbell.bell(agency)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10) as http:
        while not stop.is_set():
            try:
                await subscribe(http, doorbell, agency)
                break
            except httpx.HTTPError as exc:
                log.warning("webhook not registered yet", agency=agency, error=type(exc).__name__)
                await asyncio.sleep(2)
        while not stop.is_set():
            bell.clear()
            try:
                await work_once(http, agency)
            except httpx.HTTPError as exc:
                log.warning("inbox not reachable", agency=agency, error=type(exc).__name__)
            waiters = [asyncio.create_task(bell.wait()), asyncio.create_task(stop.wait())]
            await asyncio.wait(waiters, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
            for w in waiters:
                w.cancel()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--poll", type=float, default=FALLBACK_POLL_SECONDS, help="seconds between safety polls")
    args = parser.parse_args()
    settings = get_settings()
    configure_logging(settings.log_level, component="inbox-hooks")
    tokens = {a.id: a.token for a in settings.agencies()}
    CASE_ACCOUNTS.update(url=settings.simulator_base_url, tokens={p.id: p.token for p in settings.partners()})
    stop = asyncio.Event()
    base = f"http://{settings.web_host}:{settings.web_port}"
    async with Doorbell().running() as doorbell:
        await asyncio.gather(
            *(
                run_subscribed(base, a, tokens[a], doorbell, stop, POLL_OFTEN.get(a, args.poll))
                for a in INBOXES
                if a in tokens
            )
        )


if __name__ == "__main__":
    asyncio.run(main())
