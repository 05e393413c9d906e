"""Prometheus metrics: the web's GET /metrics (latency histograms by route, open agency tasks by agency
and SLA colour, shared across uvicorn processes) and the worker's Temporal SDK metrics."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient
from temporalio.client import Client

from config.settings import Settings
from net.localnet import free_port, wait_http
from runtime.temporal import connect
from store.db import Database
from store.tasks import InboxTask
from tests.helpers import login
from workers.main import running_worker
from workers.metrics import worker_runtime

REPO = Path(__file__).resolve().parents[2]


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text format, or None if absent."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[: line.rfind("}")])) if "{" in line else {}
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def add_task(db: Database, task_id: str, agency: str, state: str, mark: str) -> None:
    now = datetime.now(UTC)
    with db.session() as s:
        s.add(
            InboxTask(
                task_id=task_id,
                workflow_id=f"wf-{task_id}",
                agency=agency,
                case_number="(2026)浙0105执1号",
                task_type="metrics-test",
                result_type="acknowledgement",
                title="metrics test",
                state=state,
                mark=mark,
                due_at=now + timedelta(days=5),
                assigned_at=now,
                version=1,
                view_json="{}",
            )
        )


async def test_web_metrics_show_request_latency_and_open_tasks_by_sla_colour(web: str, settings: Settings) -> None:
    db = Database(settings.web_database_url)
    agency = "metrics-test-agency"
    try:
        add_task(db, "m-1", agency, "open", "green")
        add_task(db, "m-2", agency, "claimed", "green")
        add_task(db, "m-3", agency, "open", "red")
        add_task(db, "m-4", agency, "completed", "yellow")  # closed: not counted
    finally:
        db.dispose()
    async with httpx.AsyncClient(base_url=web) as http:
        before = sample((await http.get("/metrics")).text, "om_http_request_duration_seconds_count", route="/healthz")
        for _ in range(3):
            assert (await http.get("/healthz")).status_code == 200
        await http.get("/api/workflows/raw-id-in-path")  # 401: no token
        # Refused by the guard before any route: timed all the same.
        assert (await http.post("/api/workflows/raw-id-in-path/cancel")).status_code == 401
        judge = await login(web, "judge")
        async with judge:
            assert (await judge.get("/api/workflows/raw-id-in-path")).status_code == 404
        r = await http.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    count = sample(text, "om_http_request_duration_seconds_count", method="GET", route="/healthz", status="200")
    assert count is not None and count - (before or 0) == 3
    assert sample(text, "om_http_request_duration_seconds_bucket", route="/healthz", le="+Inf") is not None
    assert sample(text, "om_agency_tasks_open", agency=agency, sla="green") == 2
    assert sample(text, "om_agency_tasks_open", agency=agency, sla="red") == 1
    assert sample(text, "om_agency_tasks_open", agency=agency, sla="yellow") == 0
    # Every configured agency shows its three colours, tasks or not.
    assert sample(text, "om_agency_tasks_open", agency="police-hangzhou", sla="yellow") is not None
    # A raw path never becomes a label (a workflow id in it would make one series per case).
    assert "raw-id-in-path" not in text
    assert sample(text, "om_http_request_duration_seconds_count", route="/api/workflows/{workflow_id}", status="401")
    assert sample(text, "om_http_request_duration_seconds_count", route="/api/workflows/{workflow_id}", status="404")
    assert sample(text, "om_http_request_duration_seconds_count", method="POST", route="<unmatched>", status="401")


def test_metrics_token_is_required_when_set(settings: Settings, client: Client) -> None:
    from web.app import create_app

    app = create_app(settings.model_copy(update={"metrics_token": "scrape-secret"}), client=client)
    with TestClient(app) as http:
        refused = http.get("/metrics")
        assert refused.status_code == 401
        assert refused.json()["code"] == "METRICS_TOKEN_REQUIRED"
        assert http.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = http.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
        assert ok.status_code == 200 and "om_agency_tasks_open" in ok.text


def test_several_web_processes_answer_one_scrape_for_all(
    settings: Settings, temporal_env: object, tmp_path: Path
) -> None:
    """Two uvicorn processes: whichever answers, the histogram counts every request both served."""
    port = free_port()
    env = {
        **os.environ,
        "OM_VAR_DIR": str(tmp_path),
        "OM_WEB_PORT": str(port),
        "OM_WEB_WORKERS": "2",
        "OM_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "OM_TEMPORAL_ADDRESS": settings.temporal_address,
        "OM_CODEC_KEYS_JSON": settings.codec_keys_json,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = (tmp_path / "web.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "web"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz", timeout=90)
        # Fresh connections, so the kernel spreads them over both processes.
        for _ in range(20):
            assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
        counts = {
            sample(
                httpx.get(f"{base}/metrics", timeout=5).text,
                "om_http_request_duration_seconds_count",
                route="/healthz",
                status="200",
            )
            for _ in range(6)
        }
        # wait_http's own probes come on top of the 20; every scrape sees the same total.
        assert len(counts) == 1
        (total,) = counts
        assert total is not None and total >= 20
        assert (tmp_path / "metrics-web").is_dir() and any((tmp_path / "metrics-web").iterdir())
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()


@pytest.mark.usefixtures("simulator")
async def test_worker_serves_temporal_sdk_metrics(settings: Settings, temporal_env: object) -> None:
    port = free_port()
    runtime = worker_runtime(settings.model_copy(update={"worker_metrics_port": port}))
    assert runtime is not None
    assert worker_runtime(settings) is None  # 0 = off
    client = await connect(settings, runtime=runtime)
    async with running_worker(client, settings, adapters=None):
        async with httpx.AsyncClient() as http:
            for _ in range(50):
                text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
                if "temporal_worker_task_slots_available" in text:
                    break
                await asyncio.sleep(0.2)
    assert "temporal_worker_task_slots_available" in text
    assert 'task_queue="' + settings.task_queue + '"' in text
