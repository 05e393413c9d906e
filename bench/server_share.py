"""Where the Temporal server's CPU per asset inquiry goes: ``python -m bench server_share`` (not in ``make bench``).

The asset inquiry costs the server more CPU than the bare baseline of the same shape (the same workflow tasks,
activities, Update and queries). This bench measures the server's CPU per workflow for the baseline, for the
baseline with each of the inquiry's features for the server switched on (``bench/featured.py``), and for the
inquiry itself, in one stack, the variants alternating round by round (the order reversed every other round) so
that a machine slowing down slows them alike. What it prints per variant is the median over rounds of the
Temporal process's CPU per workflow, and the median of its paired difference from the baseline's in the same round.

Variants (``OM_BENCH_VARIANTS``, comma-separated; default all):

- ``bare``: the baseline (``bench.baseline.BareFanOut``);
- ``bare_slow``: the baseline again, but only ``OM_BENCH_SLOW_IN_FLIGHT`` (3) runs in flight, so that it runs at about
  the rate ``busy_worker`` and the inquiry do: the same history and calls at a lower rate (docs/performance.md
  "server-busy": the server's CPU per workflow rises as its rate falls);
- ``search_attributes``: the baseline started with the scenario's four search attributes, as every inquiry is;
- ``upserts``: the inquiry's three search-attribute upserts (OmStatus twice, OmDeciders);
- ``payloads``: the inquiry's payload sizes (start 2.7 KB, fan-out result 3.8 KB, 4 x 0.5 KB in and out);
- ``archive_reads``: the last activity reads the whole history, as the audit archive does;
- ``content``: all four above;
- ``busy_worker``: none of them, but each run holds the worker's event loop for ``OM_BENCH_BUSY_MS`` (115) ms —
  about what our worker spends per inquiry beyond the bare worker — so the server serves a saturated worker;
- ``inquiry``: the asset inquiry itself (documents, partners, codec, signed actors).

``OM_BENCH_RUNS`` (40) workflows per variant and round, ``OM_BENCH_ROUNDS`` (3), ``OM_BENCH_IN_FLIGHT`` (20). The
workers run in this process, as ``OM_BENCH_WORKERS=0`` in ``bench/asset_inquiry.py``.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from statistics import median

from temporalio.client import Client
from temporalio.worker import Worker

from bench.asset_inquiry import (
    BANKS,
    POLL_SECONDS,
    _in_flight,
    _one_bare,
    _one_inquiry,
    _resident_id,
    _seed,
)
from bench.baseline import bare_worker
from bench.featured import FEATURED_TASK_QUEUE, FeaturedFanOut, Features, featured_input, featured_step
from bench.harness import Stack, embedded_stack
from domain.parties import Party, PartyKind
from runtime.temporal import scenario_search_attributes
from workers.main import running_worker

RUNS = int(os.environ.get("OM_BENCH_RUNS", "40"))
ROUNDS = int(os.environ.get("OM_BENCH_ROUNDS", "3"))
IN_FLIGHT = int(os.environ.get("OM_BENCH_IN_FLIGHT", "20"))
BUSY_MS = float(os.environ.get("OM_BENCH_BUSY_MS", "115"))
SLOW_IN_FLIGHT = int(os.environ.get("OM_BENCH_SLOW_IN_FLIGHT", "3"))

PAYLOADS = Features(start_bytes=2_700, fan_out_bytes=3_800, step_bytes=500)
# name: (features, started with the scenario's search attributes); None for the baseline and the inquiry.
FEATURED: dict[str, tuple[Features, bool]] = {
    "search_attributes": (Features(), True),
    "upserts": (Features(upserts=True), False),
    "payloads": (PAYLOADS, False),
    "archive_reads": (Features(archive_reads=True), False),
    "content": (PAYLOADS.model_copy(update={"upserts": True, "archive_reads": True}), True),
    "busy_worker": (Features(busy_ms=BUSY_MS), False),
}
VARIANTS = ("bare", "bare_slow", *FEATURED, "inquiry")


async def _one_featured(client: Client, features: Features, search_attributes: bool) -> int:
    attributes = (
        scenario_search_attributes("(2026)浙0102执1号", "asset-inquiry", "running", "杭州市上城区人民法院")
        if search_attributes
        else None
    )
    handle = await client.start_workflow(
        FeaturedFanOut.run,
        featured_input(features),
        id=f"bench-featured-{uuid.uuid4().hex[:12]}",
        task_queue=FEATURED_TASK_QUEUE,
        search_attributes=attributes,
    )
    looks = 1
    while not await handle.query(FeaturedFanOut.is_ready):
        await asyncio.sleep(POLL_SECONDS)
        looks += 1
    _ = await handle.execute_update(FeaturedFanOut.approve)
    await handle.result()
    return looks


def _jobs(stack: Stack, variant: str, debtors: list[tuple[int, Party]]) -> list[Callable[[], Awaitable[int]]]:
    if variant in ("bare", "bare_slow"):
        return [partial(_one_bare, stack.plain_client) for _ in range(RUNS)]
    if variant == "inquiry":
        return [partial(_one_inquiry, stack.client, stack, debtor, n) for n, debtor in debtors]
    features, attributes = FEATURED[variant]
    return [partial(_one_featured, stack.plain_client, features, attributes) for _ in range(RUNS)]


async def run(rounds: int = ROUNDS) -> dict[str, float]:
    chosen = [v for v in os.environ.get("OM_BENCH_VARIANTS", ",".join(VARIANTS)).split(",") if v]
    unknown = sorted(set(chosen) - set(VARIANTS))
    if unknown:
        raise SystemExit(f"OM_BENCH_VARIANTS: unknown {unknown}; known: {', '.join(VARIANTS)}")
    if "bare" not in chosen:
        chosen.insert(0, "bare")  # the differences are from it
    temporal_ms: dict[str, list[float]] = {v: [] for v in chosen}
    async with embedded_stack(bank_count=BANKS) as stack:
        people = [
            Party(kind=PartyKind.PERSON, name=f"债务人{i}", id_number=_resident_id(i)) for i in range(1 + rounds * RUNS)
        ]
        await _seed(stack, people)
        print(f"server-share bench: {rounds} rounds of {RUNS} runs a variant, {IN_FLIGHT} in flight; Temporal's CPU")
        featured = Worker(
            stack.plain_client,
            task_queue=FEATURED_TASK_QUEUE,
            workflows=[FeaturedFanOut],
            activities=[featured_step],
            max_concurrent_activities=200,
            max_concurrent_workflow_tasks=50,
        )
        async with bare_worker(stack.plain_client), running_worker(stack.client, stack.settings), featured:
            await _one_bare(stack.plain_client)  # warm-ups, not timed
            await _one_inquiry(stack.client, stack, people[0], 0)
            await _one_featured(stack.plain_client, featured_input(Features()), True)
            for r in range(rounds):
                debtors = [(n, people[n]) for n in range(1 + r * RUNS, 1 + (r + 1) * RUNS)]
                line = []
                for variant in chosen if r % 2 == 0 else reversed(chosen):
                    before, started = stack.cpu_seconds()["temporal"], time.perf_counter()
                    in_flight = SLOW_IN_FLIGHT if variant == "bare_slow" else IN_FLIGHT
                    await _in_flight(in_flight, _jobs(stack, variant, debtors))
                    ms = (stack.cpu_seconds()["temporal"] - before) * 1000 / RUNS
                    temporal_ms[variant].append(ms)
                    line.append(f"{variant} {ms:.0f} ({RUNS / (time.perf_counter() - started):.1f}/s)")
                print(f"  round {r + 1}, ms per workflow (workflows/s): " + ", ".join(line))
    bare = temporal_ms["bare"]
    result: dict[str, float] = {}
    for variant, values in temporal_ms.items():
        delta = median(v - b for v, b in zip(values, bare, strict=True))
        result[variant] = median(values)
        print(f"  {variant:18s} median {median(values):6.1f} ms; paired difference from bare {delta:+6.1f} ms")
    return result


if __name__ == "__main__":
    asyncio.run(run())
