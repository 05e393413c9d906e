"""The partner simulators over real HTTP: uvicorn on a loopback port in this process, state in a tmp dir.

What matters most is exactly-once: a repeated idempotency key replays the first answer (refusals too)
and the ledger shows one effect, also across a hang after the effect and a restart.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from stdnum import luhn
from stdnum.cn import ric, uscc

from adapters.sandbox.wire import InquiryCallback, InquiryResponse, MeasureResponse
from config.settings import sandbox_partners
from net.localnet import free_port
from simulators.demo_data import DEMO_SUBJECTS
from simulators.server import SimulatorServer

_serial = itertools.count(1)


def resident_id() -> str:
    """Unique within the session; each simulator here starts from an empty state dir."""
    n = next(_serial)
    body = f"33010619900{1 + n // 28_000 % 9}{1 + n // 1000 % 28:02d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def account() -> str:
    return f"6222{uuid.uuid4().int % 10**15:015d}"


def key() -> str:
    return f"wf-{uuid.uuid4().hex[:12]}/step"


def auth(partner_id: str, idempotency_key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer sandbox-{partner_id}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return headers


def freeze(reference: str, amount_fen: int | None) -> dict[str, Any]:
    return {
        "kind": "freeze",
        "asset_reference": reference,
        "amount_fen": amount_fen,
        "expires_on": "2027-06-30",
        "court": "杭州市上城区人民法院",
        "case_number": "(2026)浙0102执1号",
        "document_ref": "(2026)浙0102执1号之一",
    }


def seize(reference: str) -> dict[str, Any]:
    return {**freeze(reference, None), "kind": "seize", "expires_on": "2029-06-30"}


def deposit(partner_id: str, fen: int, reference: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "partner_id": partner_id,
        "kind": "deposit",
        "reference": reference or account(),
        "description": "活期存款",
        "available_fen": fen,
        **extra,
    }


def inquiry(id_number: str, name: str = "王某某", callback_url: str | None = None) -> dict[str, Any]:
    return {
        "request_id": f"wf-{uuid.uuid4().hex[:8]}::inquire/x",
        "subject": {"kind": "person", "name": name, "id_number": id_number},
        "callback_url": callback_url,
    }


class CallbackReceiver:
    """A tiny HTTP server standing in for our web app's callback route; it can fail the first calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.fail_next = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver._lock:
                    failing = receiver.fail_next > 0
                    if failing:
                        receiver.fail_next -= 1
                    else:
                        receiver.calls.append((self.path, dict(self.headers), body))
                self.send_response(503 if failing else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"accepted": true}')

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def for_request(self, request_id: str) -> list[tuple[str, dict[str, str], dict[str, Any]]]:
        with self._lock:
            return [c for c in self.calls if c[2].get("request_id") == request_id]

    async def wait_for(self, request_id: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.for_request(request_id)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.for_request(request_id))} callbacks for {request_id}, wanted {count}")
            await asyncio.sleep(0.02)
        return [c[2] for c in self.for_request(request_id)]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with SimulatorServer.start(tmp_path_factory.mktemp("simulators")) as server:
        yield server.base_url


@pytest.fixture(scope="module")
def receiver() -> Iterator[CallbackReceiver]:
    r = CallbackReceiver()
    yield r
    r.close()


@pytest.fixture
async def http(sim: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sim, timeout=10) as client:
        yield client
        # Knobs are process-wide: never let one test's faults leak into the next.
        (await client.post("/_admin/reset-faults")).raise_for_status()


async def seed(http: httpx.AsyncClient, assets: list[dict[str, Any]], id_number: str | None = None) -> str:
    id_number = id_number or resident_id()
    r = await http.post(
        "/_admin/subjects", json={"kind": "person", "name": "王某某", "id_number": id_number, "assets": assets}
    )
    assert r.status_code == 200, r.text
    return id_number


async def ledger(http: httpx.AsyncClient, partner_id: str, idempotency_key: str | None = None) -> list[dict[str, Any]]:
    r = await http.get(f"/partners/{partner_id}/_admin/ledger")
    r.raise_for_status()
    rows: list[dict[str, Any]] = r.json()
    return [row for row in rows if idempotency_key is None or row["idempotency_key"] == idempotency_key]


async def available(http: httpx.AsyncClient, partner_id: str, reference: str) -> int:
    r = await http.get(f"/partners/{partner_id}/_admin/assets")
    [row] = [a for a in r.json() if a["reference"] == reference]
    return int(row["available_fen"])


async def test_healthz_and_admin_need_no_token(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).status_code == 200
    partners = (await http.get("/_admin/partners")).json()
    assert {"bank-icbc", "payment-alipay", "realestate-registry", "vehicle-registry"} <= {p["id"] for p in partners}


async def test_partner_routes_need_that_partners_token(http: httpx.AsyncClient) -> None:
    body = inquiry(resident_id())
    for headers in ({}, {"Authorization": "Bearer wrong"}, auth("bank-ccb")):
        r = await http.post("/partners/bank-icbc/inquiries", json=body, headers=headers)
        assert r.status_code == 401
        assert r.json()["code"] == "UNAUTHORIZED"
    r = await http.post("/partners/bank-icbc/measures", json=freeze(account(), 1), headers={"Idempotency-Key": key()})
    assert r.status_code == 401, "authentication comes before anything else"
    r = await http.post("/partners/bank-nowhere/inquiries", json=body, headers=auth("bank-nowhere"))
    assert (r.status_code, r.json()["code"]) == (404, "UNKNOWN_PARTNER")


async def test_inquiry_returns_the_partners_assets_of_the_subject(http: httpx.AsyncClient) -> None:
    icbc, ccb = account(), account()
    house = f"330106004003GB{uuid.uuid4().int % 10**5:05d}F00020501"
    id_number = await seed(
        http,
        [
            deposit("bank-icbc", 12_345_00, icbc),
            deposit("bank-ccb", 500_00, ccb),
            {"partner_id": "realestate-registry", "kind": "real_estate", "reference": house, "description": "某路1号"},
        ],
    )
    r = await http.post(
        "/partners/bank-icbc/inquiries", json=inquiry(id_number, name="王某"), headers=auth("bank-icbc")
    )
    assert r.status_code == 200
    answer = InquiryResponse.model_validate_json(r.content)
    assert answer.status == "answered"
    assert [(a.kind.value, a.reference, a.available_fen) for a in answer.assets] == [("deposit", icbc, 12_345_00)]

    r = await http.post(
        "/partners/realestate-registry/inquiries", json=inquiry(id_number), headers=auth("realestate-registry")
    )
    [found] = InquiryResponse.model_validate_json(r.content).assets
    assert (found.kind.value, found.reference, found.description, found.available_fen) == (
        "real_estate",
        house,
        "某路1号",
        None,
    )

    r = await http.post("/partners/bank-abc/inquiries", json=inquiry(id_number), headers=auth("bank-abc"))
    assert r.status_code == 200 and r.json()["assets"] == [], "nothing there is an answer, not an error"

    # Seeding again by reference updates the asset instead of adding a second one.
    await seed(http, [deposit("bank-icbc", 99_00, icbc)], id_number)
    r = await http.post("/partners/bank-icbc/inquiries", json=inquiry(id_number), headers=auth("bank-icbc"))
    assert [a["available_fen"] for a in r.json()["assets"]] == [99_00]


async def test_seeding_refuses_an_asset_its_partner_cannot_hold(http: httpx.AsyncClient) -> None:
    r = await http.post(
        "/_admin/subjects",
        json={
            "kind": "person",
            "name": "王某某",
            "id_number": resident_id(),
            "assets": [{"partner_id": "bank-icbc", "kind": "vehicle", "reference": "浙A·12345"}],
        },
    )
    assert (r.status_code, r.json()["code"]) == (422, "VALIDATION_FAILED")
    r = await http.post(
        "/_admin/subjects", json={"kind": "person", "name": "王某某", "id_number": "330106199001010000"}
    )
    assert (r.status_code, r.json()["code"]) == (422, "VALIDATION_FAILED"), "an invalid ID number is refused"


async def test_freeze_takes_at_most_what_is_asked_and_available(http: httpx.AsyncClient) -> None:
    ref = account()
    await seed(http, [deposit("bank-icbc", 100_00, ref)])
    frozen = []
    for asked in (30_00, 500_00, 10_00):
        r = await http.post("/partners/bank-icbc/measures", json=freeze(ref, asked), headers=auth("bank-icbc", key()))
        assert r.status_code == 200, r.text
        m = MeasureResponse.model_validate_json(r.content)
        assert m.status.value == "active" and m.rank is None
        frozen.append(m.amount_fen)
    assert frozen == [30_00, 70_00, 0]
    assert await available(http, "bank-icbc", ref) == 0


async def test_repeated_key_replays_the_first_answer_with_one_effect(http: httpx.AsyncClient) -> None:
    ref, k = account(), key()
    await seed(http, [deposit("bank-ccb", 80_00, ref)])
    first = await http.post("/partners/bank-ccb/measures", json=freeze(ref, 50_00), headers=auth("bank-ccb", k))
    assert first.status_code == 200
    repeats = await asyncio.gather(
        *(
            http.post("/partners/bank-ccb/measures", json=freeze(ref, 50_00), headers=auth("bank-ccb", k))
            for _ in range(5)
        )
    )
    assert all(r.status_code == 200 and r.content == first.content for r in repeats)
    assert all(r.headers["Idempotent-Replayed"] == "true" for r in repeats)
    rows = await ledger(http, "bank-ccb", k)
    assert [(row["operation"], row["amount_fen"]) for row in rows] == [("freeze", 50_00)]
    assert await available(http, "bank-ccb", ref) == 30_00


async def test_concurrent_first_calls_with_one_key_have_one_effect(http: httpx.AsyncClient) -> None:
    ref, k = account(), key()
    await seed(http, [deposit("bank-abc", 80_00, ref)])
    answers = await asyncio.gather(
        *(
            http.post("/partners/bank-abc/measures", json=freeze(ref, 20_00), headers=auth("bank-abc", k))
            for _ in range(8)
        )
    )
    assert len({a.content for a in answers}) == 1
    assert len(await ledger(http, "bank-abc", k)) == 1
    assert await available(http, "bank-abc", ref) == 60_00


async def test_a_refusal_is_replayed_for_its_key(http: httpx.AsyncClient) -> None:
    ref, k = account(), key()
    first = await http.post("/partners/bank-boc/measures", json=freeze(ref, 10_00), headers=auth("bank-boc", k))
    assert (first.status_code, first.json()["code"]) == (404, "ASSET_NOT_FOUND")
    await seed(http, [deposit("bank-boc", 90_00, ref)])  # the asset exists now, but the key was answered
    again = await http.post("/partners/bank-boc/measures", json=freeze(ref, 10_00), headers=auth("bank-boc", k))
    assert (again.status_code, again.content) == (404, first.content)
    assert await ledger(http, "bank-boc", k) == []
    fresh = await http.post("/partners/bank-boc/measures", json=freeze(ref, 10_00), headers=auth("bank-boc", key()))
    assert fresh.status_code == 200 and fresh.json()["amount_fen"] == 10_00


async def test_closed_account_is_refused_and_nothing_changes(http: httpx.AsyncClient) -> None:
    ref, k = account(), key()
    await seed(http, [deposit("bank-zjrcu", 40_00, ref)])
    (await http.post(f"/partners/bank-zjrcu/_admin/accounts/{ref}/close")).raise_for_status()
    r = await http.post("/partners/bank-zjrcu/measures", json=freeze(ref, 10_00), headers=auth("bank-zjrcu", k))
    assert r.status_code == 409
    assert r.json()["code"] == "ACCOUNT_CLOSED"
    assert await ledger(http, "bank-zjrcu", k) == []
    assert await available(http, "bank-zjrcu", ref) == 40_00
    r = await http.post("/partners/bank-zjrcu/inquiries", json=inquiry(resident_id()), headers=auth("bank-zjrcu"))
    assert r.status_code == 200
    missing = await http.post(f"/partners/bank-zjrcu/_admin/accounts/{account()}/close")
    assert (missing.status_code, missing.json()["code"]) == (404, "ASSET_NOT_FOUND")


async def test_seizure_rank_is_first_only_without_an_earlier_seizure(http: httpx.AsyncClient) -> None:
    house = f"330102002005GB{uuid.uuid4().int % 10**5:05d}F00010302"
    plate = f"浙A·{uuid.uuid4().hex[:5].upper()}"
    await seed(
        http,
        [
            {"partner_id": "realestate-registry", "kind": "real_estate", "reference": house, "description": "某苑1幢"},
            {"partner_id": "vehicle-registry", "kind": "vehicle", "reference": plate, "existing_seizures": 1},
        ],
    )

    async def register(partner: str, ref: str) -> dict[str, Any]:
        r = await http.post(f"/partners/{partner}/measures", json=seize(ref), headers=auth(partner, key()))
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    first = await register("realestate-registry", house)
    assert (first["rank"], first["amount_fen"], first["status"]) == ("first", 0, "active")
    assert (await register("realestate-registry", house))["rank"] == "queued"
    assert (await register("vehicle-registry", plate))["rank"] == "queued", "another court seized it already"
    wrong = await http.post(
        "/partners/realestate-registry/measures", json=freeze(house, 1), headers=auth("realestate-registry", key())
    )
    assert (wrong.status_code, wrong.json()["code"]) == (409, "MEASURE_KIND_MISMATCH")


async def test_deduction_moves_frozen_funds_and_empties_the_freeze(http: httpx.AsyncClient) -> None:
    ref = account()
    await seed(http, [deposit("payment-alipay", 100_00, ref, kind="payment_balance")])
    p = "payment-alipay"
    m = (await http.post(f"/partners/{p}/measures", json=freeze(ref, 100_00), headers=auth(p, key()))).json()

    def deduction(amount: int) -> dict[str, Any]:
        return {
            "measure_id": m["measure_id"],
            "amount_fen": amount,
            "to_account": "33001616735059000001",
            "case_number": "(2026)浙0102执1号",
            "document_ref": "扣划通知书1号",
        }

    part = await http.post(f"/partners/{p}/deductions", json=deduction(40_00), headers=auth(p, key()))
    assert part.status_code == 200
    assert part.json()["amount_fen"] == 40_00 and part.json()["status"] == "completed"
    too_much = await http.post(f"/partners/{p}/deductions", json=deduction(70_00), headers=auth(p, key()))
    assert (too_much.status_code, too_much.json()["code"]) == (409, "AMOUNT_EXCEEDS_FROZEN")
    rest = await http.post(f"/partners/{p}/deductions", json=deduction(60_00), headers=auth(p, key()))
    assert rest.status_code == 200
    measures = (await http.get(f"/partners/{p}/_admin/measures")).json()
    [state] = [x for x in measures if x["measure_id"] == m["measure_id"]]
    assert (state["status"], state["held_fen"], state["frozen_fen"]) == ("deducted", 0, 100_00)
    again = await http.post(f"/partners/{p}/deductions", json=deduction(1), headers=auth(p, key()))
    assert (again.status_code, again.json()["code"]) == (409, "MEASURE_NOT_ACTIVE")
    moved = [
        d for d in (await http.get(f"/partners/{p}/_admin/deductions")).json() if d["measure_id"] == m["measure_id"]
    ]
    assert sum(d["amount_fen"] for d in moved) == 100_00
    assert {d["to_account"] for d in moved} == {"33001616735059000001"}
    ops = [(r["operation"], r["amount_fen"]) for r in await ledger(http, p) if r["measure_id"] == m["measure_id"]]
    assert ops == [("freeze", 100_00), ("deduct", 40_00), ("deduct", 60_00)]
    bad = await http.post(f"/partners/{p}/deductions", json=deduction(0), headers=auth(p, key()))
    assert (bad.status_code, bad.json()["code"]) == (422, "VALIDATION_FAILED")


async def test_renew_and_release_give_frozen_funds_back(http: httpx.AsyncClient) -> None:
    ref = account()
    await seed(http, [deposit("bank-icbc", 80_00, ref)])
    m = (
        await http.post("/partners/bank-icbc/measures", json=freeze(ref, 50_00), headers=auth("bank-icbc", key()))
    ).json()
    mid = m["measure_id"]
    renewed = await http.post(
        f"/partners/bank-icbc/measures/{mid}/renew",
        json={"expires_on": "2028-06-30", "document_ref": "续冻1号"},
        headers=auth("bank-icbc", key()),
    )
    assert renewed.status_code == 200
    assert (renewed.json()["expires_on"], renewed.json()["amount_fen"]) == ("2028-06-30", 50_00)
    assert await available(http, "bank-icbc", ref) == 30_00
    release = {"reason": "被执行人已履行", "document_ref": "解冻1号"}
    released = await http.post(
        f"/partners/bank-icbc/measures/{mid}/release", json=release, headers=auth("bank-icbc", key())
    )
    assert released.json()["status"] == "released"
    assert await available(http, "bank-icbc", ref) == 80_00
    late = await http.post(
        f"/partners/bank-icbc/measures/{mid}/renew",
        json={"expires_on": "2029-06-30", "document_ref": "续冻2号"},
        headers=auth("bank-icbc", key()),
    )
    assert (late.status_code, late.json()["code"]) == (409, "MEASURE_NOT_ACTIVE")
    unknown = await http.post("/partners/bank-icbc/measures/F0/release", json=release, headers=auth("bank-icbc", key()))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "MEASURE_NOT_FOUND")
    ops = [(r["operation"], r["amount_fen"]) for r in await ledger(http, "bank-icbc") if r["measure_id"] == mid]
    assert ops == [("freeze", 50_00), ("renew", 50_00), ("release", 50_00)]


async def test_requests_are_checked_before_anything_happens(http: httpx.AsyncClient) -> None:
    ref = account()
    r = await http.post("/partners/bank-icbc/measures", json=freeze(ref, 1), headers=auth("bank-icbc"))
    assert (r.status_code, r.json()["code"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")
    r = await http.post("/partners/bank-icbc/measures", json={"kind": "freeze"}, headers=auth("bank-icbc", key()))
    assert r.status_code == 422
    assert set(r.json()) == {"code", "message"} and r.json()["code"] == "VALIDATION_FAILED"
    assert "asset_reference" in r.json()["message"]
    r = await http.post("/partners/bank-icbc/inquiries", content=b"{not json", headers=auth("bank-icbc"))
    assert (r.status_code, r.json()["code"]) == (422, "VALIDATION_FAILED")


async def test_fail_next_n_answers_503_without_effect(http: httpx.AsyncClient) -> None:
    ref, k = account(), key()
    await seed(http, [deposit("bank-ccb", 10_00, ref)])
    (await http.put("/partners/bank-ccb/_admin/faults", json={"fail_next_n": 2})).raise_for_status()
    assert (await http.get("/partners/bank-ccb/_admin/faults")).json()["fail_next_n"] == 2
    for _ in range(2):
        r = await http.post("/partners/bank-ccb/measures", json=freeze(ref, 10_00), headers=auth("bank-ccb", k))
        assert (r.status_code, r.json()["code"]) == (503, "UNAVAILABLE")
    assert await ledger(http, "bank-ccb", k) == [], "a 5xx is not stored: the call never happened"
    r = await http.post("/partners/bank-ccb/measures", json=freeze(ref, 10_00), headers=auth("bank-ccb", k))
    assert r.status_code == 200 and "Idempotent-Replayed" not in r.headers
    assert len(await ledger(http, "bank-ccb", k)) == 1
    assert (await http.get("/partners/bank-ccb/_admin/faults")).json()["fail_next_n"] == 0

    (await http.put("/partners/bank-ccb/_admin/faults", json={"error_rate": 1.0})).raise_for_status()
    r = await http.post("/partners/bank-ccb/inquiries", json=inquiry(resident_id()), headers=auth("bank-ccb"))
    assert r.status_code == 503
    bad = await http.put("/partners/bank-ccb/_admin/faults", json={"error_rate": 2})
    assert (bad.status_code, bad.json()["code"]) == (422, "VALIDATION_FAILED")
    typo = await http.put("/partners/bank-ccb/_admin/faults", json={"fail_next": 1})
    assert typo.status_code == 422, "an unknown knob is an error, not silently ignored"


async def test_latency_knob_delays_answers(http: httpx.AsyncClient) -> None:
    (
        await http.put("/partners/bank-abc/_admin/faults", json={"latency_ms_min": 150, "latency_ms_max": 200})
    ).raise_for_status()
    started = time.monotonic()
    r = await http.post("/partners/bank-abc/inquiries", json=inquiry(resident_id()), headers=auth("bank-abc"))
    assert r.status_code == 200 and time.monotonic() - started >= 0.15


async def test_hang_after_effect_then_retry_gets_the_stored_answer(http: httpx.AsyncClient) -> None:
    ref, k = account(), key()
    await seed(http, [deposit("bank-boc", 60_00, ref)])
    knobs = {"hang_next_n": 1, "timeout_seconds": 1.0, "timeout_after_effect": True}
    (await http.put("/partners/bank-boc/_admin/faults", json=knobs)).raise_for_status()
    with pytest.raises(httpx.ReadTimeout):
        await http.post(
            "/partners/bank-boc/measures", json=freeze(ref, 60_00), headers=auth("bank-boc", k), timeout=0.3
        )
    retry = await http.post("/partners/bank-boc/measures", json=freeze(ref, 60_00), headers=auth("bank-boc", k))
    assert retry.status_code == 200 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["amount_fen"] == 60_00
    assert len(await ledger(http, "bank-boc", k)) == 1

    # A hang before the effect: the partner did nothing, and says so with a 504 once it wakes up.
    k2 = key()
    knobs = {"timeout_rate": 1.0, "timeout_seconds": 0.2}
    (await http.put("/partners/bank-boc/_admin/faults", json=knobs)).raise_for_status()
    r = await http.post("/partners/bank-boc/measures", json=freeze(ref, 1), headers=auth("bank-boc", k2))
    assert (r.status_code, r.json()["code"]) == (504, "TIMEOUT")
    assert await ledger(http, "bank-boc", k2) == []


async def test_async_mode_answers_by_callback_and_may_repeat_it(
    http: httpx.AsyncClient, receiver: CallbackReceiver
) -> None:
    ref = account()
    id_number = await seed(http, [deposit("bank-abc", 80_000_00, ref)])
    knobs = {"async_mode": True, "answer_delay_seconds": 0.2, "duplicate_callback_rate": 1.0}
    (await http.put("/partners/bank-abc/_admin/faults", json=knobs)).raise_for_status()
    body = inquiry(id_number, callback_url=f"{receiver.url}/api/partners/bank-abc/callbacks/inquiry")
    started = time.monotonic()
    r = await http.post("/partners/bank-abc/inquiries", json=body, headers=auth("bank-abc"))
    assert r.status_code == 202
    assert r.json() == {"request_id": body["request_id"], "status": "accepted", "assets": []}

    callbacks = await receiver.wait_for(body["request_id"], 2)
    assert time.monotonic() - started >= 0.2, "the answer comes after the configured delay"
    assert callbacks[0] == callbacks[1], "a duplicate is the same callback again"
    cb = InquiryCallback.model_validate(callbacks[0])
    assert (cb.partner_id, cb.status) == ("bank-abc", "answered")
    assert [(a.reference, a.available_fen) for a in cb.assets] == [(ref, 80_000_00)]
    path, headers, _ = receiver.for_request(body["request_id"])[0]
    assert path == "/api/partners/bank-abc/callbacks/inquiry"
    assert headers["Authorization"] == "Bearer sandbox-bank-abc"

    # Our client retried the inquiry after a lost 202: accepted again, not answered twice more.
    again = await http.post("/partners/bank-abc/inquiries", json=body, headers=auth("bank-abc"))
    assert again.status_code == 202
    await asyncio.sleep(0.5)
    assert len(receiver.for_request(body["request_id"])) == 2


async def test_callback_delivery_is_retried_when_the_receiver_fails(
    http: httpx.AsyncClient, receiver: CallbackReceiver
) -> None:
    id_number = await seed(http, [deposit("bank-icbc", 1_00)])
    (await http.put("/partners/bank-icbc/_admin/faults", json={"async_mode": True})).raise_for_status()
    receiver.fail_next = 2
    body = inquiry(id_number, callback_url=f"{receiver.url}/cb")
    assert (await http.post("/partners/bank-icbc/inquiries", json=body, headers=auth("bank-icbc"))).status_code == 202
    [cb] = await receiver.wait_for(body["request_id"], 1)
    assert cb["status"] == "answered"
    # The delivery is recorded right after the receiver answered; give the simulator a moment.
    for _ in range(100):
        outbox = [
            c
            for c in (await http.get("/partners/bank-icbc/_admin/callbacks")).json()
            if c["request_id"] == body["request_id"]
        ]
        if outbox[0]["state"] != "pending":
            break
        await asyncio.sleep(0.05)
    assert [(c["state"], c["attempts"]) for c in outbox] == [("delivered", 3)]


async def test_never_answer_accepts_and_stays_silent(http: httpx.AsyncClient, receiver: CallbackReceiver) -> None:
    id_number = await seed(http, [deposit("bank-zjrcu", 1_00)])
    knobs = {"async_mode": True, "never_answer": True}
    (await http.put("/partners/bank-zjrcu/_admin/faults", json=knobs)).raise_for_status()
    body = inquiry(id_number, callback_url=f"{receiver.url}/cb")
    r = await http.post("/partners/bank-zjrcu/inquiries", json=body, headers=auth("bank-zjrcu"))
    assert (r.status_code, r.json()["status"]) == (202, "accepted")
    await asyncio.sleep(0.5)
    assert receiver.for_request(body["request_id"]) == []


async def test_state_survives_a_restart(tmp_path: Path, receiver: CallbackReceiver) -> None:
    ref, k = account(), key()
    with SimulatorServer.start(tmp_path) as first:
        async with httpx.AsyncClient(base_url=first.base_url) as http:
            id_number = await seed(http, [deposit("bank-icbc", 70_00, ref)])
            answer = await http.post(
                "/partners/bank-icbc/measures", json=freeze(ref, 20_00), headers=auth("bank-icbc", k)
            )
            assert answer.status_code == 200
            # An asynchronous answer still in the outbox when the simulator stops.
            knobs = {"async_mode": True, "answer_delay_seconds": 1.0}
            (await http.put("/partners/bank-icbc/_admin/faults", json=knobs)).raise_for_status()
            body = inquiry(id_number, callback_url=f"{receiver.url}/cb")
            assert (
                await http.post("/partners/bank-icbc/inquiries", json=body, headers=auth("bank-icbc"))
            ).status_code == 202
    assert receiver.for_request(body["request_id"]) == []

    with SimulatorServer.start(tmp_path) as second:
        async with httpx.AsyncClient(base_url=second.base_url) as http:
            again = await http.post(
                "/partners/bank-icbc/measures", json=freeze(ref, 20_00), headers=auth("bank-icbc", k)
            )
            assert (again.status_code, again.content) == (200, answer.content)
            assert len(await ledger(http, "bank-icbc", k)) == 1
            assert await available(http, "bank-icbc", ref) == 50_00
            assert (await http.get("/partners/bank-icbc/_admin/faults")).json()["async_mode"] is False
            [cb] = await receiver.wait_for(body["request_id"], 1)
            assert cb["assets"][0]["reference"] == ref


async def test_demo_data_is_valid_and_seeded_once(tmp_path: Path) -> None:
    for s in DEMO_SUBJECTS:
        assert (ric if s.kind.value == "person" else uscc).is_valid(s.id_number), s.name
        for a in s.assets:
            if a.kind.value == "deposit":
                assert luhn.is_valid(a.reference), a.reference
    readme = (Path(__file__).resolve().parents[2] / "simulators" / "README.md").read_text()
    assert all(f"| {s.name} | {s.id_number} |" in readme for s in DEMO_SUBJECTS), "README lists the demo debtors"
    zhang = DEMO_SUBJECTS[0]
    with SimulatorServer.start(tmp_path, seed_demo_data=True) as server:
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            r = await http.post(
                "/partners/bank-icbc/inquiries", json=inquiry(zhang.id_number), headers=auth("bank-icbc")
            )
            [found] = r.json()["assets"]
            icbc = next(a for a in zhang.assets if a.partner_id == "bank-icbc")
            assert (found["reference"], found["available_fen"]) == (icbc.reference, icbc.available_fen)
            m = await http.post(
                "/partners/bank-icbc/measures", json=freeze(icbc.reference, 1_00), headers=auth("bank-icbc", key())
            )
            assert m.status_code == 200
            names = {d["name"] for d in (await http.get("/_admin/demo-subjects")).json()}
            assert {"张三", "杭州某某贸易有限公司"} <= names
    with SimulatorServer.start(tmp_path, seed_demo_data=True) as server:
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            # A second start does not reseed: the freeze made before the restart still holds its funds.
            assert await available(http, "bank-icbc", icbc.reference) == (icbc.available_fen or 0) - 1_00


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def _hammer(host: str, port: int, requests: list[bytes], connections: int) -> None:
    """A bare keep-alive HTTP/1.1 client: it measures the server, not a heavyweight client library."""
    queue = iter(requests)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        for request in queue:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200"), head
            length = next(int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))
            await reader.readexactly(length)
        writer.close()
        await writer.wait_closed()

    await asyncio.gather(*(connection() for _ in range(connections)))


def _post(path: str, partner_id: str, body: dict[str, Any], idempotency_key: str | None = None) -> bytes:
    payload = json.dumps(body).encode()
    extra = f"Idempotency-Key: {idempotency_key}\r\n" if idempotency_key else ""
    head = (
        f"POST /partners/{partner_id}/{path} HTTP/1.1\r\nHost: sim\r\nAuthorization: Bearer sandbox-{partner_id}\r\n"
        f"{extra}Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the server's CPU time from /proc")
async def test_command_line_server_handles_300_simple_calls_per_second(tmp_path: Path) -> None:
    """``python -m simulators`` with a partners file; a mix of inquiries and freezes across partners.

    The rate is judged by the server's own CPU time per call, so a busy machine (other test runs) does
    not make the test flaky; the wall-clock rate is reported alongside.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    partners = [p for p in sandbox_partners(base, bank_count=3) if p.category.value in ("bank", "payment")]
    partners_file = tmp_path / "partners.json"
    partners_file.write_text(json.dumps([p.model_dump(mode="json") for p in partners]))
    command = [sys.executable, "-m", "simulators", "--port", str(port), "--state-dir", str(tmp_path / "state")]
    proc = subprocess.Popen(
        [*command, "--partners-file", str(partners_file), "--no-demo-data"],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            for _ in range(300):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            assert [p["id"] for p in (await http.get("/_admin/partners")).json()] == [p.id for p in partners]
            refs = {p.id: account() for p in partners}
            kinds = {"bank": "deposit", "payment": "payment_balance"}
            id_number = await seed(
                http,
                [deposit(p.id, 10**12, refs[p.id], kind=kinds[p.category.value]) for p in partners],
            )
        n = 1500
        requests = [
            _post("measures", p.id, freeze(refs[p.id], 1), key())
            if i % 3 == 0
            else _post("inquiries", p.id, inquiry(id_number))
            for i in range(n)
            for p in [partners[i % len(partners)]]
        ]
        cpu_before, started = _cpu_seconds(proc.pid), time.perf_counter()
        await _hammer("127.0.0.1", port, requests, connections=16)
        wall, cpu = time.perf_counter() - started, _cpu_seconds(proc.pid) - cpu_before
        print(f"{n} calls: {n / wall:.0f}/s wall clock, {n / cpu:.0f}/s per CPU second of the server")
        assert n / cpu >= 300, f"the server spends {1000 * cpu / n:.2f} ms of CPU per call"
    finally:
        proc.terminate()
        assert proc.wait(10) == 0 or proc.returncode == -15
