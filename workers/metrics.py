"""The worker's Prometheus endpoint: the Temporal SDK's own metrics (task slots, poll and schedule
latencies, activity and workflow task failures, sticky cache) served by the SDK's Rust core on
``OM_WORKER_METRICS_PORT``. One Runtime per process, created before the client connects."""

from __future__ import annotations

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from config.settings import Settings


def worker_runtime(settings: Settings) -> Runtime | None:
    """A Runtime exporting Prometheus metrics on ``worker_metrics_port`` (0: None), listening on loopback in
    the sandbox (``Settings.metrics_bind_host``)."""
    if not settings.worker_metrics_port:
        return None
    host = settings.metrics_bind_host
    address = f"[{host}]" if ":" in host else host
    prometheus = PrometheusConfig(bind_address=f"{address}:{settings.worker_metrics_port}")
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))
