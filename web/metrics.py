"""``GET /metrics`` for Prometheus: request latency of the web (by route template, never by raw path,
which may carry a workflow id) and the open agency tasks by agency and SLA colour (绿/黄/红灯), read from
the inbox projection at scrape time.

With several uvicorn processes (``OM_WEB_WORKERS`` > 1) each writes its samples into a shared
directory (prometheus_client's multiprocess mode, set up by :func:`prepare_multiprocess` before the
processes start) and any one of them answers the scrape for all. ``OM_METRICS_TOKEN``, when set, is the
bearer token Prometheus must send; the figures are counts, never personal data.
"""

from __future__ import annotations

import hmac
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.types import Scope

from config.settings import Settings
from domain.tasks import SlaMark
from store.db import Database
from store.tasks import OPEN_STATES, InboxTask
from web.deps import AppState
from web.errors import Unauthorized

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# This process's own metrics; in multiprocess mode the samples go to files and these collectors only
# record (the scrape reads every process's files).
HTTP_REGISTRY = CollectorRegistry(auto_describe=True)
if MULTIPROC_ENV not in os.environ:
    ProcessCollector(registry=HTTP_REGISTRY)
    PlatformCollector(registry=HTTP_REGISTRY)
    GCCollector(registry=HTTP_REGISTRY)

REQUEST_SECONDS = Histogram(
    "om_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status code.",
    ("method", "route", "status"),
    # From a cached page (ms) to a decision that waits for the workflow's update (seconds).
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=HTTP_REGISTRY,
)

UNMATCHED = "<unmatched>"


def _route_of(scope: Scope) -> str:
    # The template of the matched route. A route included under a prefix (/api) knows only its own
    # template, so the prefix is the part of the request path before where that template matches.
    route = scope.get("route")
    template, regex = getattr(route, "path", None), getattr(route, "path_regex", None)
    if not isinstance(template, str) or regex is None:
        root = scope.get("root_path") or ""  # mounted apps (static files): their prefix only
        return f"{root}/*" if root else UNMATCHED
    path: str = scope.get("path", "")
    for i, char in enumerate(path):
        if char == "/" and regex.match(path[i:]):
            return path[:i] + template
    return template


def observe_request(scope: Scope, status: int, seconds: float) -> None:
    """A request's sample for the latency histogram (the request log times it: web/request_log.py)."""
    REQUEST_SECONDS.labels(scope.get("method", ""), _route_of(scope), str(status)).observe(seconds)


def count_open_tasks(db: Database) -> dict[tuple[str, str], int]:
    """Open (open or claimed) agency tasks by (agency, mark): one grouped query on the projection."""
    q = (
        select(InboxTask.agency, InboxTask.mark, func.count())
        .where(InboxTask.state.in_(OPEN_STATES))
        .group_by(InboxTask.agency, InboxTask.mark)
    )
    with db.session() as s:
        return {(agency, mark): int(n) for agency, mark, n in s.execute(q)}


class _OpenTasks(Collector):
    """A snapshot taken for one scrape; every agency shows all three colours (0 included) so a
    dashboard's series don't appear and vanish."""

    def __init__(self, counts: dict[tuple[str, str], int], agencies: Iterable[str]) -> None:
        self.counts = counts
        self.agencies = sorted({*agencies, *(a for a, _ in counts)})

    def collect(self) -> Iterable[Metric]:
        gauge = GaugeMetricFamily(
            "om_agency_tasks_open",
            "Open agency tasks (open or claimed) by agency and SLA colour: green, yellow (7 days), red (14 days).",
            labels=("agency", "sla"),
        )
        for agency in self.agencies:
            for mark in SlaMark:
                gauge.add_metric((agency, mark.value), self.counts.get((agency, mark.value), 0))
        yield gauge


def exposition(counts: dict[tuple[str, str], int], agencies: Iterable[str]) -> bytes:
    if MULTIPROC_ENV in os.environ:
        http = CollectorRegistry()
        multiprocess.MultiProcessCollector(http)
        body = generate_latest(http)
    else:
        body = generate_latest(HTTP_REGISTRY)
    tasks = CollectorRegistry()
    tasks.register(_OpenTasks(counts, agencies))
    return body + generate_latest(tasks)


def install(app: FastAPI) -> None:
    @app.get("/metrics", tags=["health"], response_class=Response, include_in_schema=True)
    async def metrics(request: Request) -> Response:
        """Prometheus text format: request latency histograms and open agency tasks by SLA colour."""
        state: AppState = request.app.state.om
        token = state.settings.metrics_token
        if not token and not state.settings.sandbox:
            # Open only in the sandbox: production's metrics name agencies and their backlog.
            raise Unauthorized("METRICS_TOKEN_REQUIRED", "set OM_METRICS_TOKEN: metrics are closed without it")
        if token:
            sent = request.headers.get("authorization", "")
            if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
                raise Unauthorized("METRICS_TOKEN_REQUIRED", "a valid metrics bearer token is required")
        counts = await state.db.run(count_open_tasks, state.db)
        agencies = [a.id for a in state.settings.agencies()]
        return Response(exposition(counts, agencies), media_type=CONTENT_TYPE_LATEST)


def prepare_multiprocess(settings: Settings) -> None:
    """Before uvicorn starts several processes: a fresh shared directory for their samples (what a
    previous run left would be counted again). One process needs none."""
    if settings.web_workers <= 1 or MULTIPROC_ENV in os.environ:
        return
    directory = Path(settings.var_dir) / "metrics-web"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(directory)
