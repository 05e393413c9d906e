"""OpenTelemetry tracing: one trace from a click in the web, through Temporal, the workflow and its
activity, to the partner's HTTP call.

The pieces are the stock ones: the Temporal SDK's ``TracingInterceptor`` (client and worker; its workflow
part runs in the sandbox, passed through like the rest of ``opentelemetry``), FastAPI's instrumentation
for the web's requests and httpx's for the partner calls. Spans go out by OTLP/HTTP when
``OM_OTLP_ENDPOINT`` is set; without it nothing is instrumented and nothing is exported.

Two things are ours:

- :class:`CausalTraceInterceptor`. The SDK parents everything a workflow schedules on the request that
  *started* it; an update or a signal only gets a span linked to its sender. So a judge's decision (an
  update) and the freeze it causes would sit in two traces. This interceptor makes the activities and
  child workflows a workflow schedules after an update or a signal children of that update's or signal's
  caller, so the decision's trace goes on to the bank's freeze call. It reads only headers recorded in the
  history and changes only span parents, never a command, so replay and determinism are untouched.
- :class:`ScrubbingSpanExporter`. Spans carry no personal data: every string in a span (name, attributes,
  events, status) goes through the log scrubber (``runtime.logging``), query strings are dropped from URLs,
  and keys the logs redact are redacted here too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
import opentelemetry.context
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Link, Status
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes, AttributeValue
from temporalio import client as temporal_client
from temporalio import worker as temporal_worker
from temporalio.api.common.v1 import Payload
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.converter import PayloadConverter

from runtime.logging import SENSITIVE_KEYS, scrub_text

# Where the SDK's interceptor carries the trace context in Temporal headers (TracingInterceptor.header_key).
TRACE_HEADER = "_tracer-data"
_REDACTED = "[redacted]"
# Attributes holding a URL or a request target: their query string can carry anything a form sent.
_URL_KEYS = frozenset({"url.full", "http.url", "http.target", "url.path"})
_DROPPED_KEYS = frozenset({"url.query"})
# How the SDK's interceptor writes the context into that header (its default propagator, W3C).
_PROPAGATOR = CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()])
# The web's probes and scrapes are not worth a trace each.
EXCLUDED_WEB_URLS = "healthz,livez,metrics"


def _scrub_value(key: str, value: AttributeValue) -> AttributeValue:
    if key.rsplit(".", 1)[-1] in SENSITIVE_KEYS:
        return _REDACTED
    if isinstance(value, str):
        if key in _URL_KEYS:
            value = value.split("?", 1)[0]
        return scrub_text(value)
    if isinstance(value, Sequence) and not isinstance(value, bytes | str):
        return [scrub_text(v) if isinstance(v, str) else v for v in value]
    return value


def scrub_attributes(attributes: Attributes) -> dict[str, AttributeValue]:
    return {k: _scrub_value(k, v) for k, v in (attributes or {}).items() if k not in _DROPPED_KEYS}


def scrub_span(span: ReadableSpan) -> ReadableSpan:
    """The span as it may leave the process: the same ids, times and parents, its text scrubbed."""
    status = span.status
    if status.description:
        status = Status(status.status_code, scrub_text(status.description))
    return ReadableSpan(
        name=scrub_text(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=scrub_attributes(span.attributes),
        events=[Event(e.name, scrub_attributes(e.attributes), e.timestamp) for e in span.events],
        links=[Link(link.context, scrub_attributes(link.attributes)) for link in span.links],
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class ScrubbingSpanExporter(SpanExporter):
    """Scrubs every span (:func:`scrub_span`) before the exporter it wraps sees it."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([scrub_span(s) for s in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


def _carrier(headers: Mapping[str, Payload]) -> dict[str, str] | None:
    payload = headers.get(TRACE_HEADER)
    if payload is None:
        return None
    carrier = PayloadConverter.default.from_payloads([payload])[0]
    return carrier if isinstance(carrier, dict) and carrier else None


class _CausalInbound(temporal_worker.WorkflowInboundInterceptor):
    """Remembers the trace context of the last update or signal that reached the workflow."""

    def __init__(self, next: temporal_worker.WorkflowInboundInterceptor) -> None:
        super().__init__(next)
        self.cause: dict[str, str] | None = None

    def init(self, outbound: temporal_worker.WorkflowOutboundInterceptor) -> None:
        super().init(_CausalOutbound(outbound, self))

    async def handle_signal(self, input: temporal_worker.HandleSignalInput) -> None:
        self.cause = _carrier(input.headers) or self.cause
        await super().handle_signal(input)

    async def handle_update_handler(self, input: temporal_worker.HandleUpdateInput) -> Any:
        # The handler, not the validator: a refused update causes nothing.
        self.cause = _carrier(input.headers) or self.cause
        return await super().handle_update_handler(input)

    @contextmanager
    def caused(self) -> Iterator[None]:
        if self.cause is None:
            yield
            return
        token = opentelemetry.context.attach(_PROPAGATOR.extract(self.cause))
        try:
            yield
        finally:
            opentelemetry.context.detach(token)


class _CausalOutbound(temporal_worker.WorkflowOutboundInterceptor):
    """Wraps the SDK's tracing outbound interceptor: what it schedules is traced under the last cause."""

    def __init__(self, next: temporal_worker.WorkflowOutboundInterceptor, inbound: _CausalInbound) -> None:
        super().__init__(next)
        self.inbound = inbound

    def start_activity(self, input: temporal_worker.StartActivityInput) -> Any:
        with self.inbound.caused():
            return super().start_activity(input)

    def start_local_activity(self, input: temporal_worker.StartLocalActivityInput) -> Any:
        with self.inbound.caused():
            return super().start_local_activity(input)

    async def start_child_workflow(self, input: temporal_worker.StartChildWorkflowInput) -> Any:
        with self.inbound.caused():
            return await super().start_child_workflow(input)


class CausalTraceInterceptor(temporal_client.Interceptor, temporal_worker.Interceptor):
    """Worker side only (a client interceptor so a worker picks it up from its client, after the SDK's
    ``TracingInterceptor``: its outbound part must wrap the SDK's, which it does when it comes later)."""

    def workflow_interceptor_class(
        self, input: temporal_worker.WorkflowInterceptorClassInput
    ) -> type[temporal_worker.WorkflowInboundInterceptor]:
        return _CausalInbound


class Tracing:
    """One process's tracing: a tracer provider, and what each part of the process instruments with it."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider
        self.tracer = provider.get_tracer("one-matter")

    @classmethod
    def exporting(cls, exporter: SpanExporter, service: str, batch: bool = True) -> Tracing:
        """Spans of ``service`` scrubbed, then handed to ``exporter`` (in batches off the hot path, or one by
        one when ``batch`` is false: tests read an in-memory exporter right after a request)."""
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor

        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        scrubbed = ScrubbingSpanExporter(exporter)
        provider.add_span_processor(BatchSpanProcessor(scrubbed) if batch else SimpleSpanProcessor(scrubbed))
        return cls(provider)

    def interceptors(self) -> list[TracingInterceptor | CausalTraceInterceptor]:
        """First in a client's interceptors (a worker on the client takes them too): the trace header is set
        before anything signs the call, and the causal part comes after the SDK's."""
        return [TracingInterceptor(self.tracer), CausalTraceInterceptor()]

    def instrument_app(self, app: Any) -> None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=self.provider,
            excluded_urls=EXCLUDED_WEB_URLS,
            # One span per request, not one more per ASGI message.
            exclude_spans=["receive", "send"],
        )

    def wrap_transport(self, transport: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        from opentelemetry.instrumentation.httpx import AsyncOpenTelemetryTransport

        traced: httpx.AsyncBaseTransport = AsyncOpenTelemetryTransport(transport, tracer_provider=self.provider)
        return traced

    def shutdown(self) -> None:
        self.provider.shutdown()


@functools.cache
def _otlp_tracing(endpoint: str, service: str) -> Tracing:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return Tracing.exporting(OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces"), service)


def tracing_for(otlp_endpoint: str, service: str) -> Tracing | None:
    """The process's tracing when an OTLP endpoint is configured (one per process and service), else None."""
    return _otlp_tracing(otlp_endpoint, service) if otlp_endpoint else None
