"""Simulated agencies that work through the same inbox API a person would use: the receiving court,
the traffic police and the auction car station. Each polls its own tasks, claims them and completes
them with a scripted result (the station uploads photos first). Run: ``python -m simulators.task_agents``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import struct
import zlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from config.settings import get_settings
from runtime.logging import configure_logging, get_logger
from simulators.case_account import reference
from simulators.refusal_agents import REFUSAL_INBOXES, REFUSAL_SCRIPTS

log = get_logger(__name__)


def _png(seed: str) -> bytes:
    """A tiny but real PNG (one coloured pixel): what a station's camera would upload."""
    colour = hashlib.sha256(seed.encode()).digest()[:3]
    raw = b"\x00" + colour

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def _accept(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    return {"result": {"accepted": True, "reference": f"委托{task['task_id'][-6:]}"}}


async def _seize(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    return {
        "result": {
            "flagged_in_registry": True,
            "located_at": "杭州市拱墅区某停车场",
            "seized_at": _now(),
            "registry_seizure_ref": f"JG{task['task_id'][-8:]}",
        }
    }


async def _custody(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    hashes = []
    for side in ("front", "rear"):
        files = {"file": (f"{side}.png", _png(task["task_id"] + side), "image/png")}
        r = await http.post(f"/api/tasks/{task['task_id']}/attachments", files=files)
        r.raise_for_status()
        hashes.append(r.json()["sha256"])
    result = {
        "station": "拱墅区拍辅车辆停放站",
        "received_at": _now(),
        "odometer_km": 86_000,
        "condition": "外观完好，钥匙一把",
        "photo_hashes": hashes,
    }
    return {"result": result, "attachments": hashes}


async def _confirm(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    return {"result": {"confirmed": True, "remarks": "扣押及保管情况属实"}}


async def _tax_review(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    return {"result": {"arrears": [], "remarks": "无欠税"}}


async def _occupancy(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    return {"result": {"occupant": "vacant", "leases": [], "remarks": "现场无人居住"}}


async def _title_transfer(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    result = {
        "certificate_no": f"浙(2026)杭州市不动产权第{task['task_id'][-7:]}号",
        "registered_at": _now(),
        "seizures_released": True,
        "mortgages_cancelled": True,
    }
    return {"result": result}


# Where the sandbox bank keeps its case accounts (simulators/case_account.py): the simulators' base URL and
# each bank's token there. main() sets it from the settings; a test sets it to its own simulator.
CASE_ACCOUNTS: dict[str, Any] = {"url": None, "tokens": {}}


async def _unnoticed_credits(task: dict[str, Any]) -> list[dict[str, Any]]:
    """Payments into the case account of the task's case that the bank has not yet noticed to the court."""
    if not CASE_ACCOUNTS["url"]:
        return []
    bank = task["agency"]
    token = CASE_ACCOUNTS["tokens"].get(bank, f"sandbox-{bank}")
    async with httpx.AsyncClient(base_url=CASE_ACCOUNTS["url"], headers={"Authorization": f"Bearer {token}"}) as sim:
        r = await sim.get(f"/partners/{bank}/case-accounts/credits", params={"case_number": task["case_number"]})
        r.raise_for_status()
        credits: list[dict[str, Any]] = r.json()
        return credits


async def _credit_notice(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    """The case-account bank notices what arrived for the case (到账通知), and marks it noticed."""
    credits = await _unnoticed_credits(task)
    bank = task["agency"]
    token = CASE_ACCOUNTS["tokens"].get(bank, f"sandbox-{bank}")
    async with httpx.AsyncClient(base_url=CASE_ACCOUNTS["url"], headers={"Authorization": f"Bearer {token}"}) as sim:
        marked = {"ids": [c["id"] for c in credits], "task_id": task["task_id"]}
        (await sim.post(f"/partners/{bank}/case-accounts/credits/noticed", json=marked)).raise_for_status()
    result = {
        "amount_fen": sum(c["amount_fen"] for c in credits),
        "received_on": max(c["received_on"] for c in credits),
        "bank_reference": ",".join(reference(c["id"]) for c in credits)[:64],
    }
    return {"result": result}


async def _credit_arrived(http: httpx.AsyncClient, task: dict[str, Any]) -> bool:
    return bool(await _unnoticed_credits(task))


async def _dishonest_notice(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    measures = "已纳入信用惩戒" if task["task_type"].endswith("entry-notice") else "已解除信用惩戒"
    return {"result": {"recorded": True, "reference": f"ZX{task['task_id'][-8:]}", "measures": measures}}


async def _restriction_notice(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    return {"result": {"applied": True, "reference": f"XF{task['task_id'][-8:]}", "remarks": "已在订票系统设置"}}


SCRIPTS: dict[str, Callable[[httpx.AsyncClient, dict[str, Any]], Any]] = {
    "acknowledgement": _accept,
    "vehicle-seizure-report": _seize,
    "custody-record": _custody,
    "court-confirmation": _confirm,
    "tax-review": _tax_review,
    "occupancy-survey": _occupancy,
    "title-transfer": _title_transfer,
    **REFUSAL_SCRIPTS,
    "case-account-credit": _credit_notice,
    "dishonest-notice-receipt": _dishonest_notice,
    "restriction-notice-receipt": _restriction_notice,
}


# Tasks an agency answers only once something happened outside the inbox (a payment arrived): not claimed
# before. Keyed by result type like SCRIPTS.
READY: dict[str, Callable[[httpx.AsyncClient, dict[str, Any]], Awaitable[bool]]] = {
    "case-account-credit": _credit_arrived,
}


async def _claimed_by_me(http: httpx.AsyncClient, task: dict[str, Any]) -> bool:
    me = await http.get("/api/me")
    detail = await http.get(f"/api/tasks/{task['task_id']}")
    if me.status_code != 200 or detail.status_code != 200:
        return False
    return bool(detail.json()["task"].get("claimed_by") == me.json()["user_id"])


async def work_once(http: httpx.AsyncClient, agency: str) -> int:
    """Claims and completes every open task of this agency; returns how many it completed."""
    r = await http.get("/api/tasks", params={"status": "open"})
    r.raise_for_status()
    done = 0
    for task in r.json():
        script = SCRIPTS.get(task["result_type"])
        if script is None:
            continue
        ready = READY.get(task["result_type"])
        if ready is not None and not await ready(http, task):
            continue
        if task["state"] == "claimed":
            # Claimed but not completed: finished now if this agent claimed it and never learnt so (the
            # claim's answer was lost: a timeout while a worker or Temporal restarted) — otherwise it
            # would stay claimed for ever, as only open tasks are claimed. Another clerk's is theirs.
            if not await _claimed_by_me(http, task):
                continue
        else:
            claim = await http.post(f"/api/tasks/{task['task_id']}/claim")
            if claim.status_code >= 400:
                continue  # someone else took it, or it was cancelled meanwhile
        body = await script(http, task)
        complete = await http.post(f"/api/tasks/{task['task_id']}/complete", json=body)
        if complete.status_code < 400:
            done += 1
            log.info("task completed", agency=agency, task=task["task_id"], task_type=task["task_type"])
        else:
            log.warning("completion refused", agency=agency, status=complete.status_code, body=complete.text[:200])
    return done


async def run_agency(base_url: str, agency: str, token: str, interval: float, stop: asyncio.Event) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10) as http:
        while not stop.is_set():
            try:
                await work_once(http, agency)
            except httpx.HTTPError as exc:
                log.warning("inbox not reachable", agency=agency, error=type(exc).__name__)
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass


# The sandbox agencies a person would otherwise have to play; payee corrections and appraisals are left
# to the demo's users on purpose (a clerk fixes an account, an appraiser sets a price).
AGENCIES = (
    "court-gongshu",
    "police-hangzhou",
    "station-gongshu",
    "tax-hangzhou",
    "survey-zhuji",
    "realestate-registry",
    "bank-icbc",  # the case-account bank: notices settlement payments
    "court-credit",  # lifts 失信/限消 once a settlement is performed
    "credit-pboc",
    "market-regulation",
    "airlines-caac",
    "railway-12306",
    "hotels-zhejiang",
    # 限消规定 Art. 6: bans (五)(七)(八) are told to the vehicle registry, education and financial authorities
    "vehicle-registry",
    "education-zhejiang",
    "finance-zhejiang",
)
# The referral's departments too (simulators/refusal_agents.py); one poller per inbox.
INBOXES = tuple(dict.fromkeys((*AGENCIES, *REFUSAL_INBOXES)))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between inbox polls")
    args = parser.parse_args()
    settings = get_settings()
    configure_logging(settings.log_level, component="inbox-agents")
    tokens = {a.id: a.token for a in settings.agencies()}
    CASE_ACCOUNTS.update(url=settings.simulator_base_url, tokens={p.id: p.token for p in settings.partners()})
    stop = asyncio.Event()
    base = f"http://{settings.web_host}:{settings.web_port}"
    await asyncio.gather(*(run_agency(base, a, tokens[a], args.interval, stop) for a in INBOXES if a in tokens))


if __name__ == "__main__":
    asyncio.run(main())
