"""A worker killed with SIGKILL in the middle of freezing, then restarted: the workflow completes and no
bank's ledger shows a second freeze — the idempotency keys carry the effect across the crash."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from config.settings import Settings
from domain.parties import Party, PartyKind
from tests.helpers import (
    account_number,
    case_number,
    decide,
    ledger,
    reset_faults,
    resident_id,
    seed_subject,
    set_faults,
    start,
    wait_status,
)
from workflows.asset_inquiry.models import APPROVE
from workflows.foundation.child_matters import AssetInquiryRequest, AssetInquiryResult

REPO = Path(__file__).resolve().parents[2]
QUEUE = "one-matter-crash-test"
BANKS = ("bank-icbc", "bank-ccb", "bank-abc", "bank-boc")


def spawn_worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OM_TEMPORAL_ADDRESS": settings.temporal_address,
        "OM_TASK_QUEUE": QUEUE,
        "OM_SIMULATOR_PORT": str(settings.simulator_port),
        "OM_PUBLIC_BASE_URL": settings.public_base_url,
        "OM_CODEC_KEYS_JSON": settings.codec_keys.model_dump_json(),
        "OM_ACTOR_KEYS_JSON": settings.actor_keys.model_dump_json(),
        "OM_VAR_DIR": str(settings.var_dir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "workers"], cwd=REPO, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


@pytest.mark.usefixtures("stack")
async def test_sigkill_mid_freeze_then_restart_freezes_exactly_once(client, settings: Settings, simulator: str):
    debtor = Party(kind=PartyKind.PERSON, name="赵某某", id_number=resident_id())
    assets = [
        {"partner_id": b, "kind": "deposit", "reference": account_number(), "available_fen": 40_000_00} for b in BANKS
    ]
    await seed_subject(simulator, debtor.model_dump(mode="json"), assets)
    log = settings.var_dir / "crash-worker.log"
    worker = spawn_worker(settings, log)
    try:
        request = AssetInquiryRequest(
            case_number=case_number(),
            court="嘉兴市中级人民法院",
            debtor=debtor,
            amount_owed_fen=150_000_00,
            execution_costs_fen=0,
        )
        handle = await start(
            client, settings, "asset-inquiry", request, task_queue=QUEUE, overrides={"measure_timeout_seconds": 4.0}
        )
        await wait_status(handle, "awaiting_decision", timeout=60)
        # Each freeze now takes a while, so the kill lands while a freeze is in flight.
        for bank in BANKS:
            await set_faults(simulator, bank, latency_ms_min=700, latency_ms_max=900)
        await decide(handle, APPROVE, deduct=False)

        async def freezes() -> int:
            rows = [r for b in BANKS for r in await ledger(simulator, b)]
            return sum(1 for r in rows if r["idempotency_key"].startswith(handle.id) and r["operation"] == "freeze")

        for _ in range(200):
            if await freezes() >= 1:
                break
            await asyncio.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        assert await freezes() < 4, "the kill should land before all freezes are done"

        worker = spawn_worker(settings, log)
        result: AssetInquiryResult = await asyncio.wait_for(handle.result(), timeout=120)
    finally:
        await reset_faults(simulator)
        worker.send_signal(signal.SIGTERM)
        worker.wait(15)

    assert result.frozen_fen == 150_000_00
    keys: Counter[str] = Counter()
    for bank in BANKS:
        for r in await ledger(simulator, bank):
            if r["idempotency_key"].startswith(handle.id) and r["operation"] == "freeze":
                keys[r["idempotency_key"]] += 1
    assert keys and all(n == 1 for n in keys.values()), f"a freeze happened twice: {keys}"
    assert len(keys) == 4  # 40k + 40k + 40k + 30k
