"""The worker's Prometheus endpoint: the Temporal SDK's own metrics (task slots, poll and schedule
latencies, activity and workflow task failures, sticky cache) served by the SDK's Rust core on
``OM_WORKER_METRICS_PORT``. One Runtime per process, created before the client connects."""

from __future__ import annotations

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from core.settings import Settings


def worker_runtime(settings: Settings, host: str = "0.0.0.0") -> Runtime | None:
    """A Runtime exporting Prometheus metrics on ``host:worker_metrics_port``, or None when it is 0."""
    if not settings.worker_metrics_port:
        return None
    prometheus = PrometheusConfig(bind_address=f"{host}:{settings.worker_metrics_port}")
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))
