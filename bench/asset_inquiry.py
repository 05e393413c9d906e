"""Asset inquiries with 20 partners each, under load, beside a bare-Temporal run of the same shape.

Each inquiry: one fan-out activity asking all 20 partners at once, the judge's approval (an Update sent
once a query shows the report), 2 freezes and 2 deductions in sequence = 5 activities and 24 partner
requests, then the audit-trail archive. The baseline has the same shape — 1 no-op activity, the same
query-then-Update approval, 4 no-op activities — on the same server, in the same process.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import httpx
from stdnum.cn import ric
from temporalio.client import Client
from temporalio.worker import Worker

from bench.baseline import BareFanOut, BareInput, bare_noop
from bench.harness import Stack, embedded_stack
from core.identity import acting_as
from core.temporal import scenario_search_attributes
from domain.actors import Actor, Role
from domain.legal_time import TimeScale
from domain.parties import Party, PartyKind
from workers.main import build_worker
from workflows.asset_inquiry import APPROVE, SCENARIO, AssetInquiry, AssetInquiryInput, AssetInquiryRequest
from workflows.common import DECIDE_UPDATE, STATUS_QUERY, DecisionInput, ScenarioStatus
from workflows.scenario import ScenarioContext

JUDGE = Actor(user_id="bench-judge", role=Role.JUDGE)
PARTNERS = 20
BANKS = PARTNERS - 3  # + payment platform, real-estate registry, vehicle registry
ACTIVITIES_PER_RUN = 1 + 4
POLL_SECONDS = 0.2  # how often the bench's "judge" looks whether the report is ready
PARTNER_REQUESTS_PER_RUN = PARTNERS + 4


@dataclass
class Result:
    workflows: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.workflows / self.seconds


def _resident_id(i: int) -> str:
    body = f"110105199001{i // 1000 % 28 + 1:02d}{i % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


async def _seed(stack: Stack, debtors: list[Party]) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        for i, d in enumerate(debtors):
            assets = [
                {
                    "partner_id": "bank-icbc",
                    "kind": "deposit",
                    "reference": f"62220000{i:011d}",
                    "available_fen": 60_000,
                },
                {
                    "partner_id": "bank-ccb",
                    "kind": "deposit",
                    "reference": f"62270000{i:011d}",
                    "available_fen": 90_000,
                },
            ]
            r = await http.post(
                f"{stack.simulator_url}/_admin/subjects", json={**d.model_dump(mode="json"), "assets": assets}
            )
            r.raise_for_status()


async def _one_inquiry(client: Client, stack: Stack, debtor: Party, n: int) -> None:
    wid = f"bench-inquiry-{uuid.uuid4().hex[:12]}"
    request = AssetInquiryRequest(
        case_number=f"(2026)浙0102执{n}号",
        court="杭州市上城区人民法院",
        debtor=debtor,
        amount_owed_fen=100_000,
        execution_costs_fen=0,
    )
    ctx = ScenarioContext(
        workflow_id=wid,
        partners=[p.ref() for p in stack.settings.partners()],
        time_scale=TimeScale(),
        callback_base_url=stack.settings.public_base_url,
    )
    with acting_as(JUDGE):
        inp = SCENARIO.build_input(request, ctx)
        assert isinstance(inp, AssetInquiryInput)
        handle = await client.start_workflow(
            AssetInquiry.run,
            inp,
            id=wid,
            task_queue=stack.settings.task_queue,
            search_attributes=scenario_search_attributes(
                request.case_number, "asset-inquiry", "running", request.court
            ),
        )
        # The judge decides once the report is there, as in the UI: a query, not a stream of refused updates.
        while (await handle.query(STATUS_QUERY, result_type=ScenarioStatus)).status != "awaiting_decision":  # noqa: ASYNC110
            await asyncio.sleep(POLL_SECONDS)
        await handle.execute_update(DECIDE_UPDATE, DecisionInput(decision=APPROVE, reason="bench"))
    result = await handle.result()
    assert result.frozen_fen == 100_000 and result.deducted_fen == 100_000, result


async def _run_ours(stack: Stack, count: int, concurrency: int) -> Result:
    debtors = [Party(kind=PartyKind.PERSON, name=f"债务人{i}", id_number=_resident_id(i)) for i in range(count)]
    await _seed(stack, debtors)
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            await _one_inquiry(stack.client, stack, debtors[i], i)

    async with build_worker(stack.client, stack.settings):
        await _one_inquiry(stack.client, stack, debtors[0], 0)  # warm-up, not timed
        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(1, count)))
        return Result(count - 1, time.perf_counter() - started)


async def _run_baseline(stack: Stack, count: int, concurrency: int) -> Result:
    gate = asyncio.Semaphore(concurrency)
    client = stack.plain_client

    async def one() -> None:
        async with gate:
            handle = await client.start_workflow(
                BareFanOut.run,
                BareInput(parallel=1, sequential=4, await_approval=True),
                id=f"bench-bare-{uuid.uuid4().hex[:12]}",
                task_queue="bench-bare",
            )
            while not await handle.query(BareFanOut.is_ready):  # noqa: ASYNC110 — the judge's poll
                await asyncio.sleep(POLL_SECONDS)
            _ = await handle.execute_update(BareFanOut.approve)
            await handle.result()

    async with Worker(
        client,
        task_queue="bench-bare",
        workflows=[BareFanOut],
        activities=[bare_noop],
        max_concurrent_activities=200,
        max_concurrent_workflow_tasks=50,
    ):
        await one()
        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(count - 1)))
        return Result(count - 1, time.perf_counter() - started)


async def run(count: int = 201, concurrency: int = 40) -> dict[str, float]:
    async with embedded_stack(bank_count=BANKS) as stack:
        baseline = await _run_baseline(stack, count, concurrency)
        ours = await _run_ours(stack, count, concurrency)
    ratio = ours.per_second / baseline.per_second
    partner_rps = ours.per_second * PARTNER_REQUESTS_PER_RUN
    print(f"asset-inquiry bench: {ours.workflows} inquiries x {PARTNERS} partners, concurrency {concurrency}")
    print(
        f"  baseline (bare Temporal, {ACTIVITIES_PER_RUN} no-op activities): {baseline.per_second:7.2f} workflows/s, "
        f"{baseline.per_second * ACTIVITIES_PER_RUN:7.1f} activities/s"
    )
    print(f"  one-matter asset inquiry:  {ours.per_second:7.2f} workflows/s, {partner_rps:7.1f} partner requests/s")
    print(f"  ratio to baseline: {ratio:.0%}   (targets: >= 50% and >= 250 partner requests/s)")
    return {
        "baseline_wps": baseline.per_second,
        "ours_wps": ours.per_second,
        "ratio": ratio,
        "partner_rps": partner_rps,
    }


if __name__ == "__main__":
    asyncio.run(run())
