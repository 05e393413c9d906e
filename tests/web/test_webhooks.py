"""Agency notifications (issue 12 item 5): an agency registers a webhook; its task's assignment and
cancellation are POSTed to it, signed with HMAC-SHA256, retried after a failed answer, and logged per
delivery; URLs other than http(s) loopback (in the sandbox) are refused; nobody but the agency sees them."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from config.settings import Settings
from net.localnet import free_port
from net.outbound import url_problem
from security.webhook_signature import SIGNATURE_HEADER, sign, verify
from simulators.task_hooks import Doorbell, run_subscribed
from tests.helpers import JUDGE, eventually, login
from tests.scenarios.agency_task.test_agency_tasks import spec, start_task, update
from workers.outbox import backoff
from workflows.foundation.messages import CANCEL_TASK
from workflows.foundation.task_models import Reasoned

pytestmark = pytest.mark.usefixtures("stack")

SECRET = "s3cret-for-the-police-desk"


class Receiver:
    """A webhook receiver on loopback: answers 500 to the first request (to see the retry), then 200."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.fail_first = True
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.fail_first:
                    outer.fail_first = False
                    self.send_response(500)
                else:
                    outer.received.append(({k: v for k, v in self.headers.items()}, body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/om-events"

    def events(self, task_id: str) -> list[dict[str, Any]]:
        return [json.loads(b) for _, b in self.received if json.loads(b)["task_id"] == task_id]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    yield r
    r.server.shutdown()


def test_signature_and_backoff_rules():
    body = b'{"event":"task.assigned"}'
    header = sign(SECRET, body, 1_800_000_000)
    assert verify(SECRET, body, header, now=1_800_000_010)
    assert not verify("another-secret-entirely", body, header, now=1_800_000_010)
    assert not verify(SECRET, body + b" ", header, now=1_800_000_010)
    assert not verify(SECRET, body, header, now=1_800_001_000)  # too old: a replay
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 20)] == [1, 2, 4, 600]
    assert url_problem("http://127.0.0.1:9/x", sandbox=True) is None
    assert url_problem("http://127.0.0.1:9/x", sandbox=False) == "private, loopback and reserved addresses are refused"
    assert url_problem("http://10.0.0.8/x", sandbox=False) == "private, loopback and reserved addresses are refused"
    assert url_problem("http://169.254.169.254/latest", sandbox=False) is not None
    assert url_problem("ftp://127.0.0.1/x", sandbox=True) == "only http and https URLs"
    assert url_problem("http://user:pw@127.0.0.1/x", sandbox=True) is not None


async def test_agency_is_notified_signed_retried_and_logged(
    client: Client, settings: Settings, web: str, receiver: Receiver
):
    police, court, judge = [await login(web, u) for u in ("police-hangzhou", "court-gongshu", "judge")]
    async with police, court, judge:
        for bad in ("ftp://127.0.0.1/x", "http://10.1.2.3/hook", "file:///etc/passwd"):
            r = await police.post("/api/webhooks", json={"url": bad, "secret": SECRET})
            assert r.status_code == 422 and r.json()["code"] == "WEBHOOK_URL_REFUSED", bad
        assert (await police.post("/api/webhooks", json={"url": receiver.url, "secret": "short"})).status_code == 422
        assert (await judge.post("/api/webhooks", json={"url": receiver.url, "secret": SECRET})).status_code == 403
        r = await police.post("/api/webhooks", json={"url": receiver.url, "secret": SECRET})
        assert r.status_code == 201, r.text
        hook = r.json()
        assert "secret" not in hook and hook["agency"] == "police-hangzhou"

        handle = await start_task(client, settings, spec("police-hangzhou"))

        async def received() -> list[dict[str, Any]] | None:
            return receiver.events(handle.id) or None

        [assigned] = await eventually(received, timeout=30)
        assert assigned["event"] == "task.assigned" and assigned["case_number"]
        headers, body = next((h, b) for h, b in receiver.received if json.loads(b)["task_id"] == handle.id)
        assert verify(SECRET, body, headers[SIGNATURE_HEADER])
        assert headers["X-OM-Event"] == "task.assigned"

        # The first attempt met a 500: the log says so, and that the retry was delivered. The outbox records the
        # answer after the receiver has the event, so the log may lag the receiver by a moment.
        async def delivered() -> dict[str, Any] | None:
            log = (await police.get(f"/api/webhooks/{hook['id']}/deliveries")).json()
            [row] = [d for d in log if d["task_id"] == handle.id]
            return row if row["status"] != "pending" else None

        row = await eventually(delivered, timeout=30)
        assert row["status"] == "delivered" and row["attempts"] == 2 and row["last_status_code"] == 204

        await update(handle, JUDGE, CANCEL_TASK, Reasoned(reason="被执行人已履行"))

        async def cancelled() -> dict[str, Any] | None:
            return next((e for e in receiver.events(handle.id) if e["event"] == "task.cancelled"), None)

        event = await eventually(cancelled, timeout=30)
        assert event["reason"] == "被执行人已履行" and event["state"] == "cancelled"

        # Another agency neither sees nor deletes the webhook; its owner does.
        assert (await court.get(f"/api/webhooks/{hook['id']}/deliveries")).status_code == 404
        assert (await court.delete(f"/api/webhooks/{hook['id']}")).status_code == 404
        assert hook["id"] not in [h["id"] for h in (await court.get("/api/webhooks")).json()]
        assert (await police.delete(f"/api/webhooks/{hook['id']}")).status_code == 204
        assert hook["id"] not in [h["id"] for h in (await police.get("/api/webhooks")).json()]


async def test_sandbox_agency_works_its_inbox_when_notified(client: Client, settings: Settings, web: str):
    """The simulated agency subscribes: with its safety poll an hour away, a new task is still worked at
    once, because the signed event rang its doorbell."""
    async with await login(web, "police-hangzhou") as police:
        token = police.headers["Authorization"].removeprefix("Bearer ")
    stop = asyncio.Event()
    async with Doorbell().running() as doorbell:
        agent = asyncio.create_task(run_subscribed(web, "police-hangzhou", token, doorbell, stop, poll=3600))
        try:

            async def subscribed() -> bool:
                return "police-hangzhou" in doorbell.secrets and not agent.done()

            await eventually(subscribed)
            await asyncio.sleep(1)  # the agent's first look at its inbox is behind it
            handle = await start_task(client, settings, spec("police-hangzhou"))
            outcome = await asyncio.wait_for(handle.result(), timeout=60)
            assert outcome.state.value == "completed"
            assert doorbell.rung >= 1
        finally:
            stop.set()
            await asyncio.wait_for(agent, timeout=15)


# --- SSRF (issue 23, item 6) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://100.100.100.200/latest/meta-data",  # a cloud metadata address, in 100.64.0.0/10
        "http://100.64.0.1/x",
        "http://[2002:7f00:1::1]/x",  # 6to4 around 127.0.0.1
        "http://[64:ff9b::7f00:1]/x",  # NAT64 around 127.0.0.1
        "http://[2001:0:4136:e378::1]/x",  # Teredo
        "http://[::ffff:127.0.0.1]/x",
        "http://2130706433/x",  # 127.0.0.1 as one integer
        "http://0177.0.0.1/x",  # and in octal
        "http://0x7f.1/x",
        "http://169.254.169.254/latest",
        "http://[fd00::1]/x",
    ],
)
def test_production_refuses_every_non_global_address(url: str):
    assert url_problem(url, sandbox=False) is not None, url


def test_production_accepts_a_global_address():
    assert url_problem("https://93.184.215.14/hook", sandbox=False) is None


def test_the_sandbox_never_reaches_its_own_services(settings: Settings):
    own = settings.own_ports
    admin = f"http://2130706433:{settings.simulator_port}/_admin/reset-faults"  # the review's probe
    assert url_problem(admin, sandbox=True, forbidden_ports=own) is not None
    assert url_problem(f"http://127.0.0.1:{settings.web_port}/api/x", sandbox=True, forbidden_ports=own) is not None
    assert url_problem("http://127.0.0.1:9/_admin/x", sandbox=True, forbidden_ports=own) is not None
    assert url_problem("http://127.0.0.1:9/_Sandbox/sms", sandbox=True, forbidden_ports=own) is not None
    assert url_problem("http://127.0.0.1:9/hooks", sandbox=True, forbidden_ports=own) is None


async def test_the_agency_api_refuses_the_reviews_probe(settings: Settings, web: str):
    async with await login(web, "police-hangzhou") as police:
        url = f"http://2130706433:{settings.simulator_port}/_admin/reset-faults"
        r = await police.post("/api/webhooks", json={"url": url, "secret": SECRET})
        assert r.status_code == 422 and r.json()["code"] == "WEBHOOK_URL_REFUSED"


async def test_a_delivery_goes_to_the_address_checked_not_to_what_dns_says_later(receiver: Receiver):
    from net.outbound import Resolved, pinned_client

    port = receiver.server.server_port
    # A name that resolves nowhere: only the pinned address can have been connected to.
    target = Resolved(url=httpx.URL(f"http://rebound.invalid:{port}/om-events"), address="127.0.0.1")
    receiver.fail_first = False
    async with pinned_client(target, httpx.Timeout(5.0)) as http:
        r = await http.post(target.url, content=b'{"task_id":"t"}')
    assert r.status_code == 204
    [(headers, _)] = receiver.received
    assert headers["Host"] == f"rebound.invalid:{port}", "the Host header stays the URL's"


async def test_the_delivery_log_does_not_tell_one_connection_error_from_another(
    client: Client, settings: Settings, web: str
):
    # A closed port, and one that accepts and hangs up at once: the log says the same of both.
    closed = free_port()
    hangup = socket.socket()
    hangup.bind(("127.0.0.1", 0))
    hangup.listen()

    def slam() -> None:
        while True:
            try:
                conn, _ = hangup.accept()
            except OSError:
                return
            conn.close()

    threading.Thread(target=slam, daemon=True).start()
    urls = [f"http://127.0.0.1:{closed}/x", f"http://127.0.0.1:{hangup.getsockname()[1]}/x"]
    async with await login(web, "police-hangzhou") as police:
        hooks = []
        for url in urls:
            r = await police.post("/api/webhooks", json={"url": url, "secret": SECRET})
            assert r.status_code == 201, r.text
            hooks.append(r.json()["id"])
        try:
            handle = await start_task(client, settings, spec("police-hangzhou"))

            async def errors() -> list[str] | None:
                found = []
                for hook in hooks:
                    log = (await police.get(f"/api/webhooks/{hook}/deliveries")).json()
                    found += [d["last_error"] for d in log if d["task_id"] == handle.id and d["last_error"]]
                return found if len(found) == 2 else None

            first, second = await eventually(errors, timeout=30)
            assert first == second == "no answer from the receiver"
        finally:
            hangup.close()
            for hook in hooks:
                await police.delete(f"/api/webhooks/{hook}")
