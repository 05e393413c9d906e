"""Asset inquiries with 20 partners each, under load, beside a bare-Temporal run of the same shape.

Each inquiry: one fan-out activity asking all 20 partners at once, the judge's approval (an Update sent
once a query shows the report), the approval's ruling (执行裁定书, sealed), 2 freezes and 2 deductions in
sequence, then the audit-trail archive = 7 activities and 24 partner requests, 3 sealed documents: each
freeze carries its bank's 冻结、扣划 协助执行通知书, which the deduction names (until 2026-12-07's sixth
session: no ruling, and a notice for each freeze and each deduction, 4 documents in 6 activities). The
baseline has the same shape — 1 no-op activity, the same query-then-Update approval, 6 no-op activities —
on the same server, in the same process. Rounds of the two alternate and the median ratio is reported,
with where each side's CPU went.

The CPU each side spends per workflow (all processes: Temporal, simulators, this one) is the figure a
loaded machine does not distort much: while both sides keep the cores busy, the throughput ratio tends to
the inverse ratio of CPU per workflow, which the bench prints as the "CPU ratio". It also prints the CPU
this process's threads spent issuing documents (``DocumentOffice.issue_sealed``: number, render, seal,
store), per inquiry and per document, and how many cores this process kept busy: at 1.00 it is the bound (the
worker's Python runs one thread at a time), and the wall ratio stays below the CPU ratio.

``OM_BENCH_INQUIRIES`` (default 200), ``OM_BENCH_ROUNDS`` (3) and ``OM_BENCH_IN_FLIGHT`` (40) size a run.

``OM_BENCH_WORKERS=N`` (default 2) runs the workers as production does (docker-compose, Kubernetes): N ``python -m
workers`` processes for ours and N ``python -m bench.baseline`` processes for the baseline, each with its own
interpreter lock, apart from this process's driver. 0 puts both workers inside this process beside the driver, as
every figure in docs/performance.md before 2026-12-07 07:00 UTC was measured. Both sides change the same way; each
process's CPU is printed (``worker1`` …, ``bare1`` …), the documents' share only when they run in this process. Why 2:
once a document cost ~10 ms, one worker process sat at 0.90 of a core at 40 in flight — its interpreter lock the
bound, not the machine — and two cost no more CPU an inquiry (docs/performance.md "Quiet machine at the end of
2026-12-07's third session"; earlier, with documents at 25 ms, a second process cost more than it freed:
"worker-loop").
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import partial, wraps
from statistics import median
from typing import Any

import httpx
from stdnum.cn import ric
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from activities.documents import DocumentOffice
from bench.baseline import BARE_TASK_QUEUE, BareFanOut, BareInput, bare_worker
from bench.harness import REPO, Stack, embedded_stack
from domain.actors import Actor, Role
from domain.legal_time import TimeScale
from domain.parties import Party, PartyKind
from net.localnet import free_port, wait_http
from runtime.process import freeze_startup_objects
from runtime.temporal import scenario_search_attributes
from security.identity import acting_as
from workers.main import running_worker
from workflows.asset_inquiry import SCENARIO
from workflows.asset_inquiry.models import APPROVE
from workflows.asset_inquiry.workflow import AssetInquiry
from workflows.foundation.child_matters import AssetInquiryInput, AssetInquiryRequest
from workflows.foundation.messages import DECIDE_UPDATE, STATUS_QUERY
from workflows.foundation.models import DecisionInput, ScenarioStatus
from workflows.foundation.scenario import ScenarioContext

JUDGE = Actor(user_id="bench-judge", role=Role.JUDGE)
PARTNERS = 20
BANKS = PARTNERS - 3  # + payment platform, real-estate registry, vehicle registry
ACTIVITIES_PER_RUN = 1 + 6  # the fan-out; the ruling, 2 freezes, 2 deductions and the audit archive
POLL_SECONDS = 0.2  # how often the bench's "judge" looks whether the report is ready
PARTNER_REQUESTS_PER_RUN = PARTNERS + 4


ROUNDS = int(os.environ.get("OM_BENCH_ROUNDS", "3"))  # baseline and ours alternate: a machine slowing slows both
INQUIRIES = int(os.environ.get("OM_BENCH_INQUIRIES", "200"))
IN_FLIGHT = int(os.environ.get("OM_BENCH_IN_FLIGHT", "40"))
WORKER_PROCESSES = int(os.environ.get("OM_BENCH_WORKERS", "2"))  # 0: both workers in this process


@dataclass
class DocumentCpu:
    """CPU seconds the worker's threads spent in ``DocumentOffice.issue_sealed``, and how many documents."""

    seconds: float = 0.0
    documents: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float) -> None:
        with self._lock:
            self.seconds += seconds
            self.documents += 1


@contextmanager
def counting_documents() -> Iterator[DocumentCpu]:
    """Counts the thread CPU of every document this process issues (each runs in one worker thread)."""
    issue = DocumentOffice.issue_sealed
    spent = DocumentCpu()

    @wraps(issue)
    def counted(self: DocumentOffice, *args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return issue(self, *args, **kwargs)
        finally:
            spent.add(time.thread_time() - started)

    DocumentOffice.issue_sealed = counted  # type: ignore[method-assign]
    try:
        yield spent
    finally:
        DocumentOffice.issue_sealed = issue  # type: ignore[method-assign]


@dataclass
class Result:
    workflows: int
    seconds: float
    cpu_ms: dict[str, float]  # CPU milliseconds per workflow, by process
    looks: float  # status queries per workflow before the judge decided
    documents: int = 0  # documents issued
    document_cpu_ms: float = 0.0  # CPU milliseconds per workflow spent issuing them (in the bench process)

    @property
    def per_second(self) -> float:
        return self.workflows / self.seconds

    @property
    def cpu_total_ms(self) -> float:
        return sum(self.cpu_ms.values())

    def cores(self, process: str) -> float:
        """How many cores ``process`` kept busy on average: at 1.0 the bench process (the worker's Python,
        one thread at a time under the GIL) is the bound, whatever the other core does."""
        return self.cpu_ms.get(process, 0.0) * self.per_second / 1000

    def cpu_line(self) -> str:
        parts = ", ".join(f"{name} {ms:.0f}" for name, ms in self.cpu_ms.items())
        line = f"CPU ms per workflow: {parts} (total {self.cpu_total_ms:.0f}); {self.looks:.1f} queries"
        ours = (name for name in self.cpu_ms if name not in ("temporal", "simulators"))
        busy = ", ".join(f"{name} {self.cores(name):.2f}" for name in ours)
        line += f"; cores busy: {busy}"
        if self.documents:
            per_document = self.document_cpu_ms * self.workflows / self.documents
            line += (
                f"; documents {self.document_cpu_ms:.0f} ms of it "
                f"({self.documents / self.workflows:.0f} a workflow, {per_document:.1f} ms each)"
            )
        return line


async def _timed(stack: Stack, count: int, batch: Awaitable[int], documents: DocumentCpu | None = None) -> Result:
    before, started = stack.cpu_seconds(), time.perf_counter()
    docs_before = (documents.seconds, documents.documents) if documents else (0.0, 0)
    looks = await batch
    seconds, after = time.perf_counter() - started, stack.cpu_seconds()
    result = Result(count, seconds, {k: (after[k] - before[k]) * 1000 / count for k in after}, looks / count)
    if documents:
        result.documents = documents.documents - docs_before[1]
        result.document_cpu_ms = (documents.seconds - docs_before[0]) * 1000 / count
    return result


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


async def _one_inquiry(client: Client, stack: Stack, debtor: Party, n: int) -> int:
    """One inquiry, start to finish; returns how many times the judge looked before deciding."""
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
        partners=stack.partner_refs,
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
            # As the web starts it (web/services/scenarios.py): the judge's "my cases" finds it by its starter.
            search_attributes=scenario_search_attributes(
                request.case_number, "asset-inquiry", "running", request.court, started_by=JUDGE.user_id
            ),
        )
        # The judge decides once the report is there, as in the UI: a query, not a stream of refused updates.
        looks = 1
        while (await handle.query(STATUS_QUERY, result_type=ScenarioStatus)).status != "awaiting_decision":
            await asyncio.sleep(POLL_SECONDS)
            looks += 1
        await handle.execute_update(DECIDE_UPDATE, DecisionInput(decision=APPROVE, reason="bench"))
    result = await handle.result()
    assert result.frozen_fen == 100_000 and result.deducted_fen == 100_000, result
    return looks


async def _one_bare(client: Client) -> int:
    handle = await client.start_workflow(
        BareFanOut.run,
        BareInput(parallel=1, sequential=ACTIVITIES_PER_RUN - 1, await_approval=True),
        id=f"bench-bare-{uuid.uuid4().hex[:12]}",
        task_queue=BARE_TASK_QUEUE,
    )
    looks = 1
    while not await handle.query(BareFanOut.is_ready):  # the judge's poll
        await asyncio.sleep(POLL_SECONDS)
        looks += 1
    _ = await handle.execute_update(BareFanOut.approve)
    await handle.result()
    return looks


@asynccontextmanager
async def _workers(stack: Stack, processes: int) -> AsyncIterator[None]:
    """Both sides' workers: in this process (``processes`` 0), or ``processes`` of each as processes of their own,
    their CPU counted by process like the server's."""
    if not processes:
        async with bare_worker(stack.plain_client), running_worker(stack.client, stack.settings, tracing=stack.tracing):
            freeze_startup_objects()  # as each worker process does once it serves (workers/main.py, bench/baseline.py)
            yield
        return
    log = (stack.settings.var_dir / "bench-workers.log").open("w")
    started: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for i in range(1, processes + 1):
            health = free_port()
            env = {**stack.process_env(), "OM_WORKER_HEALTH_PORT": str(health)}
            started[f"worker{i}"] = subprocess.Popen(
                [sys.executable, "-m", "workers"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            wait_http(f"http://127.0.0.1:{health}/readyz", timeout=300)
            started[f"bare{i}"] = subprocess.Popen(
                [sys.executable, "-m", "bench.baseline", stack.settings.temporal_address],
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        await _polled_by(stack.plain_client, BARE_TASK_QUEUE, processes)
        stack.processes.update(started)  # counted with the server's and the simulators' CPU from here on
        yield
    finally:
        for name, process in started.items():
            process.terminate()
            process.wait(30)
            stack.processes.pop(name, None)
        log.close()


async def _polled_by(client: Client, task_queue: str, pollers: int) -> None:
    """Waits until ``pollers`` workers poll ``task_queue`` for workflow tasks."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    for _ in range(600):
        if len((await client.workflow_service.describe_task_queue(request)).pollers) >= pollers:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{pollers} workers did not poll {task_queue}")


async def _in_flight(concurrency: int, jobs: Sequence[Callable[[], Awaitable[int]]]) -> int:
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Callable[[], Awaitable[int]]) -> int:
        async with gate:
            return await job()

    return sum(await asyncio.gather(*(one(j) for j in jobs)))


async def run(
    count: int = INQUIRIES, concurrency: int = IN_FLIGHT, rounds: int = ROUNDS, processes: int = WORKER_PROCESSES
) -> dict[str, float]:
    async with embedded_stack(bank_count=BANKS) as stack:
        debtors = [
            Party(kind=PartyKind.PERSON, name=f"债务人{i}", id_number=_resident_id(i))
            for i in range(1 + rounds * count)
        ]
        await _seed(stack, debtors)
        where = f"{processes} worker processes a side" if processes else "both workers in the bench process"
        shape = f"{rounds} rounds of {count} inquiries x {PARTNERS} partners, {concurrency} in flight; {where}"
        print(f"asset-inquiry bench: {shape}")
        baselines: list[Result] = []
        ours: list[Result] = []
        with counting_documents() as counted:
            async with _workers(stack, processes):
                documents = None if processes else counted
                await _one_bare(stack.plain_client)  # warm-ups, not timed
                await _one_inquiry(stack.client, stack, debtors[0], 0)
                for r in range(rounds):
                    bare_jobs = [partial(_one_bare, stack.plain_client) for _ in range(count)]
                    baselines.append(await _timed(stack, count, _in_flight(concurrency, bare_jobs)))
                    batch = range(1 + r * count, 1 + (r + 1) * count)
                    our_jobs = [partial(_one_inquiry, stack.client, stack, debtors[i], i) for i in batch]
                    ours.append(await _timed(stack, count, _in_flight(concurrency, our_jobs), documents))
                    b, o = baselines[-1], ours[-1]
                    print(
                        f"  round {r + 1}: baseline {b.per_second:6.2f} wf/s, ours {o.per_second:6.2f} wf/s = "
                        f"{o.per_second / b.per_second:4.0%}, {o.per_second * PARTNER_REQUESTS_PER_RUN:5.0f} "
                        f"partner req/s; CPU ratio {b.cpu_total_ms / o.cpu_total_ms:4.0%}"
                    )
                    print(f"    baseline {b.cpu_line()}")
                    print(f"    ours     {o.cpu_line()}")
    ratio = median(o.per_second / b.per_second for b, o in zip(baselines, ours, strict=True))
    cpu_ratio = median(b.cpu_total_ms / o.cpu_total_ms for b, o in zip(baselines, ours, strict=True))
    baseline_wps = median(b.per_second for b in baselines)
    ours_wps = median(o.per_second for o in ours)
    partner_rps = ours_wps * PARTNER_REQUESTS_PER_RUN
    print(
        f"  median: baseline (bare Temporal, {ACTIVITIES_PER_RUN} no-op activities) {baseline_wps:.2f} wf/s; "
        f"asset inquiry {ours_wps:.2f} wf/s, {partner_rps:.0f} partner requests/s; ratio {ratio:.0%}; "
        f"CPU per workflow baseline {median(b.cpu_total_ms for b in baselines):.0f} ms, "
        f"ours {median(o.cpu_total_ms for o in ours):.0f} ms (CPU ratio {cpu_ratio:.0%})"
    )
    print("  targets: ratio >= 50% with the documents (issue 25), >= 60% (issue 21); >= 250 partner requests/s")
    return {
        "baseline_wps": baseline_wps,
        "ours_wps": ours_wps,
        "ratio": ratio,
        "cpu_ratio": cpu_ratio,
        "partner_rps": partner_rps,
    }


if __name__ == "__main__":
    asyncio.run(run())
