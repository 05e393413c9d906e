"""The agency inbox under load: 10,000 open tasks across 50 agencies, 20 concurrent clients listing
their own open tasks (GET /api/tasks?status=open). Target: p95 < 300 ms per request.

The baseline is the same clients calling an authenticated no-op (GET /api/me) on the same server, so
the ratio shows what the inbox query itself costs on top of the web's fixed per-request work.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from domain.actors import Role
from domain.calendar import Deadline
from domain.legal_time import LegalDuration, TimeUnit
from domain.tasks import DueRule, SlaMark, TaskSpec, TaskState, TaskView
from net.localnet import free_port, wait_http
from store.tasks import InboxTask
from web.accounts import create_user, issue_token
from web.db import Database

AGENCIES = 50
TASKS = 10_000
CLIENTS = 20
REQUESTS_PER_CLIENT = 50
REPO = Path(__file__).resolve().parent.parent


def _seed(db: Database) -> list[str]:
    """Tasks and one API token per agency, written in bulk (the benchmark is about reading)."""
    now = datetime.now(UTC)
    rule = DueRule(due=LegalDuration(amount=5, unit=TimeUnit.WORKING_DAY))
    tokens: list[str] = []
    with db.session() as s:
        for a in range(AGENCIES):
            user = create_user(
                s,
                f"bench-agency-{a:02d}",
                "bench-password-1",
                Role.AGENCY,
                f"bench-agency-{a:02d}",
                known_agencies={f"bench-agency-{a:02d}"},
            )
            tokens.append(issue_token(s, user, "api", None, "bench")[0])
        rows = []
        for i in range(TASKS):
            agency = f"bench-agency-{i % AGENCIES:02d}"
            due = now + timedelta(hours=i % 500)
            view = TaskView(
                task_id=f"bench-wf-{i}:task:locate",
                workflow_id=f"bench-wf-{i}",
                version=1,
                spec=TaskSpec(
                    task_type="cross-region-seizure.police",
                    agency=agency,
                    case_number=f"(2026)浙0102执{i}号",
                    court="杭州市上城区人民法院",
                    title="查控并扣押车辆",
                    result_type="vehicle-seizure-report",
                    rule=rule,
                ),
                state=TaskState.OPEN,
                mark=SlaMark.GREEN,
                escalated=False,
                assigned_at=now,
                deadline=Deadline(due_at=due, provisional=False, unit=TimeUnit.WORKING_DAY),
            )
            rows.append(
                InboxTask(
                    task_id=view.task_id,
                    workflow_id=view.workflow_id,
                    agency=agency,
                    case_number=view.spec.case_number,
                    task_type=view.spec.task_type,
                    result_type=view.spec.result_type,
                    title=view.spec.title,
                    state="open",
                    mark="green",
                    overdue=False,
                    escalated=False,
                    provisional=False,
                    due_at=due,
                    assigned_at=now,
                    version=1,
                    view_json=view.model_dump_json(),
                    updated_at=now,
                )
            )
        s.add_all(rows)
    return tokens


async def _load(base: str, tokens: list[str], path: str) -> list[float]:
    latencies: list[float] = []

    async def client(n: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
            for _ in range(REQUESTS_PER_CLIENT):
                started = time.perf_counter()
                r = await http.get(path)
                latencies.append(time.perf_counter() - started)
                r.raise_for_status()

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    return latencies


def _p(latencies: list[float], q: int) -> float:
    return statistics.quantiles(latencies, n=100)[q - 1] * 1000


async def run() -> dict[str, float]:
    var = Path(tempfile.mkdtemp(prefix="om-bench-inbox-"))
    url = f"sqlite:///{var / 'web.db'}"
    db = Database(url)
    db.upgrade()
    tokens = _seed(db)
    db.dispose()
    port = free_port()
    env = {
        **os.environ,
        "OM_VAR_DIR": str(var),
        "OM_DATABASE_URL": url,
        "OM_WEB_PORT": str(port),
        "OM_PROFILE": "sandbox",
        "OM_WEB_WORKERS": "2",
        "OM_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "OM_LOG_LEVEL": "WARNING",
    }
    log = (var / "web.log").open("w")
    web = subprocess.Popen([sys.executable, "-m", "web"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/openapi.json", timeout=90)
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {tokens[0]}"}) as http:
            listed = len((await http.get("/api/tasks?status=open")).json())
        await _load(base, tokens, "/api/me")  # warm-up
        started = time.perf_counter()
        baseline = await _load(base, tokens, "/api/me")
        baseline_s = time.perf_counter() - started
        started = time.perf_counter()
        inbox = await _load(base, tokens, "/api/tasks?status=open")
        inbox_s = time.perf_counter() - started
    finally:
        web.terminate()
        web.wait(15)
        log.close()
    n = CLIENTS * REQUESTS_PER_CLIENT
    result = {
        "p50_ms": _p(inbox, 50),
        "p95_ms": _p(inbox, 95),
        "p99_ms": _p(inbox, 99),
        "rps": n / inbox_s,
        "baseline_p95_ms": _p(baseline, 95),
        "baseline_rps": n / baseline_s,
    }
    print(
        f"inbox bench: {TASKS} open tasks, {AGENCIES} agencies ({listed} tasks per list), "
        f"{CLIENTS} clients, {n} requests"
    )
    print(
        f"  baseline GET /api/me:           p95 {result['baseline_p95_ms']:6.1f} ms, "
        f"{result['baseline_rps']:6.1f} req/s"
    )
    print(
        f"  GET /api/tasks?status=open:     p50 {result['p50_ms']:6.1f} ms, p95 {result['p95_ms']:6.1f} ms, "
        f"p99 {result['p99_ms']:6.1f} ms, {result['rps']:6.1f} req/s"
    )
    print(f"  ratio to baseline throughput: {result['rps'] / result['baseline_rps']:.0%}   (target: p95 < 300 ms)")
    return result


if __name__ == "__main__":
    asyncio.run(run())
