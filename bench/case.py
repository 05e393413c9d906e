"""The enforcement case at scale: 10,000 open cases on the embedded server, how long a matter's effect
takes to show on its case (p95 target < 1 s), and a case's history after 100 matters.

Cases are filed through the web's own filing service (number sequence, register row, party index, the
case's workflow), with a worker in this process. The latency is measured under those open cases: an
effect signalled as a matter sends it (``MATTER_EFFECT_SIGNAL``), until the case's status query shows it.
The history is one case taking the effects of 100 matters (a freeze placed, money deducted, the matter
ended — 300 signals), under its default continue-as-new limit.

``python -m bench case``; ``OM_BENCH_CASES`` sets the number of open cases (default 10,000).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from stdnum.cn import ric
from temporalio.service import RPCError

from bench.harness import embedded_stack
from domain.actors import SYSTEM_ACTOR, Actor, Role
from security.identity import acting_as
from store.cases import CaseStore
from store.db import Database
from web.accounts import create_user
from web.services import cases
from web.services.cases import FilingRequest
from workers.main import running_worker
from workflows.case.models import CASE_STATUS_QUERY, CaseView
from workflows.foundation.case_link import MATTER_EFFECT_SIGNAL, EffectKind, MatterEffect, RecoverySource, RegisterKind

COURT = "杭州市上城区人民法院"
CASES = int(os.environ.get("OM_BENCH_CASES", "10000"))
CONCURRENCY = 40
LATENCY_SAMPLES = 50
MATTERS = 100


def _id(i: int) -> str:
    body = f"1101051990{i // 28_000 % 12 + 1:02d}{i // 1000 % 28 + 1:02d}{i % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _application(i: int) -> FilingRequest:
    return FilingRequest.model_validate(
        {
            "court": COURT,
            "judge": "bench-judge",
            "applicants": [{"kind": "person", "name": f"申请人{i}", "id_number": _id(i + 100_000)}],
            "debtors": [{"kind": "person", "name": f"被执行人{i}", "id_number": _id(i)}],
            "title": {
                "document_number": f"(2026)浙0102民初{i}号",
                "issuer": COURT,
                "effective_on": "2026-09-01",
                "performance_due_on": "2026-09-30",
            },
            "claim": {"principal_fen": 10_000_000 + i, "interest_fen": 0, "costs_fen": 0},
        }
    )


def _effect(case_wf: str, matter: str, kind: EffectKind, step: str, **fields: Any) -> MatterEffect:
    return MatterEffect(
        effect_id=f"{matter}:{step}",
        matter_workflow_id=matter,
        scenario="asset-inquiry",
        kind=kind,
        occurred_at=datetime.now(UTC),
        **fields,
    )


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(count: int = CASES) -> dict[str, float]:
    async with embedded_stack() as stack:
        settings, client = stack.settings, stack.client
        db = Database(settings.web_database_url)
        db.upgrade()
        with db.session() as s:
            create_user(s, "bench-judge", "bench-password-1", Role.JUDGE, known_agencies=(), courts=(COURT,))
        clerk = Actor(user_id="bench-clerk", role=Role.FILING_CLERK, courts=(COURT,))
        async with running_worker(client, settings):
            gate = asyncio.Semaphore(CONCURRENCY)
            filed: list[cases.Filed] = []

            async def one(i: int) -> None:
                async with gate:
                    filed.append(await cases.file_case(client, settings, db, clerk, _application(i)))

            started = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(count)))
            took = time.perf_counter() - started
            print(f"case bench: {count} cases filed in {took:.1f} s ({count / took:.1f} cases/s)")
            # Open = each case's first run has projected its term into the register (the worker's backlog done).
            store = CaseStore(db)
            while True:
                projected = sum(1 for r in store.list((COURT,), limit=count + 10) if r.term_due_on is not None)
                if projected >= count:
                    break
                await asyncio.sleep(1)
            took = time.perf_counter() - started
            print(f"  all {count} open and projected after {took:.1f} s")
            cpu = stack.cpu_seconds()
            print("  CPU seconds: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in cpu.items()))

            latencies: list[float] = []
            for n, case in enumerate(filed[:: max(1, len(filed) // LATENCY_SAMPLES)][:LATENCY_SAMPLES]):
                handle = client.get_workflow_handle(case.workflow_id)
                sent = time.perf_counter()
                with acting_as(SYSTEM_ACTOR):
                    await handle.signal(
                        MATTER_EFFECT_SIGNAL,
                        _effect(
                            case.workflow_id,
                            f"bench-matter-{n}",
                            EffectKind.MONEY_RECOVERED,
                            "deduct",
                            amount_fen=1_000,
                            source=RecoverySource.DEDUCTION,
                        ),
                    )
                while True:
                    try:
                        view = await handle.query(CASE_STATUS_QUERY, result_type=CaseView)
                    except RPCError:  # the query timed out behind other work: it counts in the latency
                        continue
                    if view.ledger.recovered_fen == 1_000:
                        break
                    await asyncio.sleep(0.01)
                latencies.append(time.perf_counter() - sent)
            p50, p95 = statistics.median(latencies), _p(latencies, 0.95)
            print(
                f"  effect → case (query shows it), {len(latencies)} samples: p50 {p50 * 1000:.0f} ms, "
                f"p95 {p95 * 1000:.0f} ms (target p95 < 1000 ms)"
            )

            case = filed[0]
            handle = client.get_workflow_handle(case.workflow_id)
            for m in range(MATTERS):
                matter = f"bench-history-matter-{m}"
                with acting_as(SYSTEM_ACTOR):
                    await handle.signal(
                        MATTER_EFFECT_SIGNAL,
                        _effect(
                            case.workflow_id,
                            matter,
                            EffectKind.MEASURE_PLACED,
                            "freeze",
                            measure_key="bank:1",
                            register_kind=RegisterKind.FREEZE,
                            amount_fen=5_000,
                        ),
                    )
                    await handle.signal(
                        MATTER_EFFECT_SIGNAL,
                        _effect(
                            case.workflow_id,
                            matter,
                            EffectKind.MONEY_RECOVERED,
                            "deduct",
                            amount_fen=100,
                            source=RecoverySource.DEDUCTION,
                        ),
                    )
                    await handle.signal(
                        MATTER_EFFECT_SIGNAL,
                        _effect(case.workflow_id, matter, EffectKind.MATTER_ENDED, "ended", status="completed"),
                    )
            while True:
                view = await handle.query(CASE_STATUS_QUERY, result_type=CaseView)
                if sum(1 for m in view.matters if m.status == "completed") >= MATTERS:
                    break
                await asyncio.sleep(0.1)
            history = await handle.fetch_history()
            size = len(history.to_json())
            print(
                f"  one case after {MATTERS} matters (300 effects): this run's history {view.history_length} "
                f"events, {size / 1024:.0f} KiB; runs {view.runs}; timeline {len(view.timeline)} entries, "
                f"{len(view.measures)} measures"
            )
    return {
        "cases": count,
        "cases_per_s": count / took,
        "p50_s": p50,
        "p95_s": p95,
        "history_events": view.history_length,
    }


if __name__ == "__main__":
    asyncio.run(run())
