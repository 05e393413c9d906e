"""Mass payout (涉众案款发放) of 170,000 payees end to end, beside a bare-Temporal run of the same shape.

Timed: the payee list's intake (CSV parse, every row checked, encrypted store), the workflow (list and
balance checks, two judges' release, 170 batch child workflows paying through the simulated bank's batch
transfer, a sliding window), and the reconciliation of every payee against the bank's statement. The
worker runs as its own process, so its peak memory (VmHWM) is its own. The baseline runs the same number
of child workflows and activities, as no-ops, on the same server.

Run: ``python -m bench.mass_payout [payees] [--batch N] [--window N] [--per-request N]`` (or ``make
bench``). Targets: ≤ 60 s, ≥ 3,000 payees/s, ≤ 1 GiB; a million payees (issue 15): ≤ 120 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from stdnum import luhn
from stdnum.cn import ric
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.worker import Worker

from bench.baseline import BareFanOut, BareInput, bare_noop
from bench.baseline_payout import BareBatch, BarePayout, bare_payout_noop
from bench.harness import REPO, Stack, embedded_stack
from config.settings import Settings
from domain.actors import Actor, Role
from domain.legal_time import TimeScale
from domain.payees import payees_csv
from domain.payout import PayeeListRef
from runtime.temporal import scenario_search_attributes
from security.identity import acting_as
from store.blobs import BlobStore
from web.payout_routes import intake_payee_csv
from workflows.foundation.messages import DECIDE_UPDATE, STATUS_QUERY
from workflows.foundation.models import DecisionInput, ScenarioStatus
from workflows.foundation.scenario import ScenarioContext
from workflows.mass_payout.models import (
    APPROVE,
    NAME,
    MassPayoutInput,
    MassPayoutRequest,
    MassPayoutResult,
    PayoutTuning,
)
from workflows.mass_payout.workflow import MassPayout

PAYEES = 170_000
JUDGES = (Actor(user_id="bench-judge", role=Role.JUDGE), Actor(user_id="bench-judge-2", role=Role.JUDGE))
# Batches of 5,000 payees in one bank request each: a batch's fixed cost (a child workflow, its activity,
# its report) is paid 200 times for a million payees rather than 500 (docs/performance.md).
TUNING = PayoutTuning(batch_size=5000, window=8, items_per_request=5000)
REGIONS = ("110105", "310101", "110101", "330106", "330102", "320102")


def payee_rows(n: int) -> list[tuple[int, str, str, str, str, str, int]]:
    """``n`` distinct, valid payees averaging ¥10,000 (seed 002: ¥1.7 bn to 170,000 parties)."""
    rows = []
    for i in range(n):
        day, seq = divmod(i, 1000)
        body = f"{REGIONS[day % 6]}{1986 + day % 20}{day % 12 + 1:02d}{day % 28 + 1:02d}{seq:03d}"
        account = f"62{i:012d}0000"
        rows.append(
            (
                i + 2,
                f"收款人{i:06d}",
                "person",
                body + ric.calc_check_digit(body + "0"),
                "中国工商银行杭州分行",
                account + luhn.calc_check_digit(account),
                500_000 + (i * 7919) % 1_000_001,
            )
        )
    return rows


def _worker_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "OM_TEMPORAL_ADDRESS": settings.temporal_address,
        "OM_TASK_QUEUE": settings.task_queue,
        "OM_PARTNERS_FILE": str(settings.partners_file),
        "OM_SIMULATOR_PORT": str(settings.simulator_port),
        "OM_PUBLIC_BASE_URL": settings.public_base_url,
        "OM_CODEC_KEYS_JSON": settings.codec_keys.model_dump_json(),
        "OM_VAR_DIR": str(settings.var_dir),
        "OM_LOG_LEVEL": "WARNING",
    }


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident set (VmHWM) from /proc, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _decide_when_ready(handle: WorkflowHandle[Any, Any], judge: Actor) -> None:
    while True:
        try:
            with acting_as(judge):
                await handle.execute_update(DECIDE_UPDATE, DecisionInput(decision=APPROVE, reason="bench"))
            return
        except WorkflowUpdateFailedError:
            await asyncio.sleep(0.05)  # still checking the list and the balance


async def _run_ours(stack: Stack, data: bytes, count: int, tuning: PayoutTuning) -> dict[str, Any]:
    settings = stack.settings
    proc = subprocess.Popen(
        [sys.executable, "-m", "workers"],
        cwd=REPO,
        env=_worker_env(settings),
        stdout=(settings.var_dir / "bench-worker.log").open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        await asyncio.sleep(3)  # the worker connects and warms up (not timed)
        cpu = {"worker": _cpu(proc.pid), **stack.cpu_seconds()}
        started = time.perf_counter()
        intake = await asyncio.to_thread(intake_payee_csv, BlobStore.for_settings(settings), data)
        assert intake.accepted is not None, intake.errors[:3]
        intake_s = time.perf_counter() - started
        ref = PayeeListRef.model_validate(intake.accepted.model_dump(include={"sha256", "count", "total_fen"}))
        request = MassPayoutRequest(
            case_number=f"(2026)浙01执{uuid.uuid4().int % 10_000}号",
            court="杭州市中级人民法院",
            payee_list=ref,
            case_account="33050161672700000001",
            bank="bank-icbc",
        )
        wid = f"bench-payout-{uuid.uuid4().hex[:12]}"
        ctx = ScenarioContext(
            workflow_id=wid,
            partners=[p.ref() for p in settings.partners()],
            time_scale=TimeScale(),
            callback_base_url=settings.public_base_url,
        )
        with acting_as(JUDGES[0]):
            handle = await stack.client.start_workflow(
                MassPayout.run,
                MassPayoutInput(request=request, context=ctx, tuning=tuning),
                id=wid,
                task_queue=settings.task_queue,
                search_attributes=scenario_search_attributes(request.case_number, NAME, "running", request.court),
            )
        for judge in JUDGES:
            await _decide_when_ready(handle, judge)
        paying_from = time.perf_counter()
        cpu_paying = {"worker": _cpu(proc.pid), **stack.cpu_seconds()}
        cpu_reconciling: dict[str, float] | None = None
        reconciling_from = None
        result_task = asyncio.ensure_future(handle.result())
        while not result_task.done():
            with acting_as(JUDGES[0]):
                st = await handle.query(STATUS_QUERY, result_type=ScenarioStatus)
            if st.status == "reconciling" and reconciling_from is None:
                reconciling_from = time.perf_counter()
                cpu_reconciling = {"worker": _cpu(proc.pid), **stack.cpu_seconds()}
            await asyncio.wait([result_task], timeout=0.25)
        result = MassPayoutResult.model_validate(result_task.result())
        finished = time.perf_counter()
        cpu_end = {"worker": _cpu(proc.pid), **stack.cpu_seconds()}
        peak = peak_rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)
    rec = result.reconciliation
    assert result.status == "completed" and rec is not None and rec.balanced, result
    assert rec.paid_count == count and rec.bank_paid_fen == rec.released_fen == ref.total_fen
    history = await stack.client.get_workflow_handle(wid).fetch_history()
    return {
        "seconds": finished - started,
        "intake_s": intake_s,
        "payment_s": (reconciling_from or finished) - paying_from,
        "reconcile_s": finished - (reconciling_from or finished),
        "peak_worker_mib": peak,
        "total_fen": ref.total_fen,
        "runs": result.runs,
        "last_run_events": len(history.events),
        # CPU seconds each process spent in each phase (the bench process runs the intake).
        "cpu": {
            "intake": _spent(cpu, cpu_paying),
            "payment": _spent(cpu_paying, cpu_reconciling or cpu_end),
            "reconciliation": _spent(cpu_reconciling or cpu_end, cpu_end),
        },
    }


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: round(after[name] - before[name], 1) for name in before}


# --- the bare-Temporal baseline: the same child workflows and activities, doing nothing -----------------


async def _run_baseline(client: Client, batches: int, window: int) -> float:
    async with Worker(
        client,
        task_queue="bench-bare-payout",
        workflows=[BarePayout, BareBatch],
        activities=[bare_payout_noop],
        max_concurrent_activities=200,
        max_concurrent_workflow_tasks=50,
    ):
        started = time.perf_counter()
        await client.execute_workflow(
            BarePayout.run,
            [batches, window],
            id=f"bench-bare-payout-{uuid.uuid4().hex[:8]}",
            task_queue="bench-bare-payout",
        )
        return time.perf_counter() - started


async def _bare_activities_per_second(client: Client, n: int = 2000) -> float:
    """The same server's rate for plain activities, to price a one-activity-per-payee design."""
    async with Worker(
        client,
        task_queue="bench-bare-rate",
        workflows=[BareFanOut],
        activities=[bare_noop],
        max_concurrent_activities=200,
        max_concurrent_workflow_tasks=50,
    ):
        started = time.perf_counter()
        await asyncio.gather(
            *(
                client.execute_workflow(
                    BareFanOut.run,
                    BareInput(parallel=20, sequential=0),
                    id=f"bench-bare-rate-{uuid.uuid4().hex[:8]}",
                    task_queue="bench-bare-rate",
                )
                for _ in range(n // 20)
            )
        )
        return n / (time.perf_counter() - started)


async def run(count: int = PAYEES, tuning: PayoutTuning = TUNING) -> dict[str, float]:
    rows = payee_rows(count)
    data = payees_csv(rows)
    del rows  # the bench process holds the CSV during the run, not a million row tuples as well
    total_fen = sum(500_000 + (i * 7919) % 1_000_001 for i in range(count))
    batches = -(-count // tuning.batch_size)
    async with embedded_stack() as stack:
        async with httpx.AsyncClient(base_url=stack.simulator_url, timeout=30) as http:
            seed = {"account": "33050161672700000001", "balance_fen": total_fen}
            (await http.put("/partners/bank-icbc/_admin/case-accounts", json=seed)).raise_for_status()
        ours = await _run_ours(stack, data, count, tuning)
        print(f"  ours: {json.dumps(ours)}", flush=True)
        bare_s = await _run_baseline(stack.plain_client, batches, tuning.window)
        rate = await _bare_activities_per_second(stack.plain_client)
    per_s = count / ours["seconds"]
    activities = batches + 3
    size = tuning.batch_size
    print(
        f"mass-payout bench: {count:,} payees, ¥{ours['total_fen'] / 100:,.2f}, {batches} batches of {size}, "
        f"window {tuning.window}, {tuning.items_per_request} items a request"
    )
    print(
        f"  end to end {ours['seconds']:6.1f} s  ({per_s:,.0f} payees/s): intake {ours['intake_s']:.1f} s, "
        f"payment {ours['payment_s']:.1f} s, reconciliation {ours['reconcile_s']:.1f} s"
    )
    mib, events = ours["peak_worker_mib"], ours["last_run_events"]
    print(f"  peak worker memory {mib:.0f} MiB; payout runs {ours['runs']}, last run {events} events")
    for phase, used in ours["cpu"].items():
        print(f"  CPU seconds in {phase}: " + ", ".join(f"{name} {s:.1f}" for name, s in used.items()))
    print(f"  bare Temporal, same shape ({batches} children, {activities} activities, no work): {bare_s:.1f} s")
    print(f"  ratio to bare: {ours['seconds'] / bare_s:.1f}x the bare run's time")
    print(f"  one bare activity per payee at {rate:.0f} activities/s would take {count / rate:,.0f} s")
    print("  targets: <= 60 s, >= 3,000 payees/s, worker <= 1024 MiB")
    return {
        "seconds": ours["seconds"],
        "payees_per_second": per_s,
        "intake_seconds": ours["intake_s"],
        "payment_seconds": ours["payment_s"],
        "reconcile_seconds": ours["reconcile_s"],
        "peak_worker_mib": ours["peak_worker_mib"],
        "bare_seconds": bare_s,
        "ratio_to_bare": ours["seconds"] / bare_s,
        "bare_activities_per_second": rate,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.mass_payout")
    parser.add_argument("payees", type=int, nargs="?", default=PAYEES)
    parser.add_argument("--batch", type=int, default=TUNING.batch_size, help="payees per batch child workflow")
    parser.add_argument("--window", type=int, default=TUNING.window, help="batches paying at the same time")
    parser.add_argument("--per-request", type=int, default=TUNING.items_per_request, help="items per bank request")
    args = parser.parse_args()
    chosen = TUNING.model_copy(
        update={"batch_size": args.batch, "window": args.window, "items_per_request": args.per_request}
    )
    print(json.dumps(asyncio.run(run(args.payees, PayoutTuning.model_validate(chosen.model_dump()))), indent=2))
