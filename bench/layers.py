"""What the trust and interceptor layers cost one asset inquiry, in CPU, measured in this process.

``python -m bench layers``. Each piece runs alone a few thousand times under ``time.process_time`` (CPU
time: steadier than wall time on a shared machine) with the asset inquiry's real inputs:

- signing (web/bench client, ``security.identity``): the start, each status query, the approval's Update;
- verifying (worker, in the workflow): the start, the Update (its validator with the arguments, its handler
  without), each query;
- the activity interceptors: the actor forwarded onto each of the 6 activities and read back in the
  activity, and the deterministic-failure classifier around each;
- the workflow sandbox: creating a run's instance of the asset inquiry, with the workflow code shared (the
  worker's default) and re-imported for the run (the full guard the tests run under);
- tracing, when on: one span made and ended, scrubbed (``runtime.tracing.scrub_span``) and OTLP-encoded, times
  the ~45 spans of an inquiry (the SDK interceptors' header work is not in it: see docs/performance.md).

The per-inquiry figure multiplies by what one inquiry does (``QUERIES`` status queries, the bench's median).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from stdnum.cn import ric
from temporalio import workflow
from temporalio.api.common.v1 import Payload

from activities.common import deterministic_failures_not_retried
from domain.actors import Actor, Role
from domain.legal_time import TimeScale
from domain.parties import Party, PartyKind
from domain.partners import PartnerCategory, PartnerEndpoint
from runtime.tracing import scrub_span
from security.identity import (
    ACTOR_HEADER,
    SIGNATURE_HEADER,
    ActorKeys,
    ActorSigner,
    _decode,
    _read,
    _with_actor,
    _with_signed_actor,
)
from workers.main import sandbox_runner
from workflows.asset_inquiry import SCENARIO
from workflows.asset_inquiry.models import APPROVE
from workflows.asset_inquiry.workflow import AssetInquiry
from workflows.foundation.child_matters import AssetInquiryRequest
from workflows.foundation.models import DecisionInput
from workflows.foundation.scenario import ScenarioContext

JUDGE = Actor(user_id="bench-judge", role=Role.JUDGE, courts=("杭州市上城区人民法院",))
QUERIES = 6  # status queries per inquiry before the judge decides: a bound (the asset_inquiry bench counts ~2)
ACTIVITIES = 6
SPANS = 45  # client start, queries, update; workflow run, tasks; 6 activities; 24 partner requests
SPAN_ATTRIBUTES: dict[str, str | int] = {  # a partner request's span, as the httpx instrumentation writes it
    "http.request.method": "POST",
    "url.full": "http://127.0.0.1:8100/partners/bank-icbc/inquiries",
    "server.address": "127.0.0.1",
    "server.port": 8100,
    "http.response.status_code": 200,
    "temporalWorkflowID": "bench-inquiry-0",
    "temporalActivityID": "inquire/bank-icbc",
}
KEYS = ActorKeys(active="k1", keys={"k1": "c2FuZGJveC1hY3Rvci1rZXktMDAwMDAwMDAwMDAwMDAwMDAwMDA="})


def _resident_id() -> str:
    body = "11010519900101001"
    return body + ric.calc_check_digit(body + "0")


def _start_input() -> Any:
    partners = [
        PartnerEndpoint(
            id=f"bank-{i:02d}", category=PartnerCategory.BANK, name=f"银行{i}", base_url="http://127.0.0.1:1/"
        ).ref()
        for i in range(20)
    ]
    request = AssetInquiryRequest(
        case_number="(2026)浙0102执1号",
        court="杭州市上城区人民法院",
        debtor=Party(kind=PartyKind.PERSON, name="债务人", id_number=_resident_id()),
        amount_owed_fen=100_000,
        execution_costs_fen=0,
    )
    ctx = ScenarioContext(
        workflow_id="bench-inquiry-0", partners=partners, time_scale=TimeScale(), callback_base_url="http://x"
    )
    return SCENARIO.build_input(request, ctx)


def cpu_us(fn: Callable[[], object], n: int = 3000) -> float:
    """CPU microseconds per call of ``fn``, the best of three runs of ``n``."""
    fn()
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - start) / n)
    return best * 1e6


def _verify(signer: ActorSigner, headers: Mapping[str, Payload], call: str, call_id: str | None, args: Any) -> None:
    """What the worker's workflow interceptor does with a call's headers (``_ActorWorkflowInbound._verified``)."""
    raw, signature = _read(headers, ACTOR_HEADER), _read(headers, SIGNATURE_HEADER)
    Actor.model_validate(raw)
    why = signer.verify(raw, signature, "bench-inquiry-0", call, datetime.now(UTC), call_id, args)
    assert why is None, why


def measure() -> dict[str, float]:
    """CPU µs per operation."""
    signer = ActorSigner(KEYS)
    start = _start_input()
    decision = DecisionInput(decision=APPROVE, reason="bench")
    now = datetime.now(UTC)
    start_call, update_call, query_call = "start:AssetInquiry", "update:decide", "query:get_status"
    signed_start = _with_signed_actor({}, signer, JUDGE, "bench-inquiry-0", start_call, now, None, "", [start])
    signed_update = _with_signed_actor({}, signer, JUDGE, "bench-inquiry-0", update_call, now, None, "u1", [decision])
    signed_query = _with_signed_actor({}, signer, JUDGE, "bench-inquiry-0", query_call, now)
    forwarded = _with_actor({}, JUDGE)

    def activity_in() -> None:
        _decode(forwarded)
        with deterministic_failures_not_retried():
            pass

    spans: list[ReadableSpan] = []

    class Keep(SpanExporter):
        def export(self, batch: Sequence[ReadableSpan]) -> SpanExportResult:
            spans.extend(batch)
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(Keep()))
    tracer = provider.get_tracer("bench")

    def span() -> None:
        with tracer.start_as_current_span("POST", attributes=SPAN_ATTRIBUTES):
            pass

    span()
    return {
        "span made and ended": cpu_us(span),
        "span scrubbed": cpu_us(lambda: scrub_span(spans[0])),
        "span OTLP-encoded (in a batch of 512)": cpu_us(
            lambda: encode_spans((spans * 512)[:512]).SerializeToString(), n=20
        )
        / 512,
        "sign start": cpu_us(
            lambda: _with_signed_actor({}, signer, JUDGE, "bench-inquiry-0", start_call, now, None, "", [start])
        ),
        "sign update": cpu_us(
            lambda: _with_signed_actor({}, signer, JUDGE, "bench-inquiry-0", update_call, now, None, "u1", [decision])
        ),
        "sign query": cpu_us(lambda: _with_signed_actor({}, signer, JUDGE, "bench-inquiry-0", query_call, now)),
        "verify start": cpu_us(lambda: _verify(signer, signed_start, start_call, "", [start])),
        "verify update (validator)": cpu_us(lambda: _verify(signer, signed_update, update_call, "u1", [decision])),
        "verify update (handler)": cpu_us(lambda: _verify(signer, signed_update, update_call, "u1", None)),
        "verify query": cpu_us(lambda: _verify(signer, signed_query, query_call, None, None)),
        "activity out (forward actor)": cpu_us(lambda: _with_actor({}, JUDGE)),
        "activity in (actor + failures)": cpu_us(activity_in),
    }


def per_inquiry(us: Mapping[str, float]) -> dict[str, float]:
    """CPU ms per inquiry, by layer."""
    return {
        "signing": (us["sign start"] + us["sign update"] + QUERIES * us["sign query"]) / 1000,
        "verifying": (
            us["verify start"]
            + us["verify update (validator)"]
            + us["verify update (handler)"]
            + QUERIES * us["verify query"]
        )
        / 1000,
        "activity interceptors": ACTIVITIES
        * (us["activity out (forward actor)"] + us["activity in (actor + failures)"])
        / 1000,
    }


def tracing_per_inquiry(us: Mapping[str, float]) -> float:
    """CPU ms of an inquiry's spans when tracing is on (made, scrubbed, encoded)."""
    return (
        SPANS * (us["span made and ended"] + us["span scrubbed"] + us["span OTLP-encoded (in a batch of 512)"]) / 1000
    )


def sandbox_instance_us() -> dict[str, float]:
    """CPU µs to create a run's sandboxed instance of the asset inquiry (call inside an event loop)."""
    defn = workflow._Definition.must_from_class(AssetInquiry)
    shared, guarded = sandbox_runner(strict=False), sandbox_runner(strict=True)
    return {
        "workflow code shared (the worker)": cpu_us(lambda: shared.prepare_workflow(defn), n=300),
        "re-imported per run (the full guard)": cpu_us(lambda: guarded.prepare_workflow(defn), n=30),
    }


async def run() -> dict[str, float]:
    print("a run's workflow sandbox, the asset inquiry's instance, CPU per run (this process):")
    for name, value in sandbox_instance_us().items():
        print(f"  {name:40s} {value:8.1f} µs")
    us = measure()
    print("trust and interceptor layers, CPU per operation (best of 3 × 3,000, this process):")
    for name, value in us.items():
        print(f"  {name:40s} {value:8.1f} µs")
    ms = per_inquiry(us)
    print(f"per asset inquiry (1 start, 1 update, {QUERIES} queries, {ACTIVITIES} activities):")
    for name, value in ms.items():
        print(f"  {name:40s} {value:8.2f} ms")
    print(f"  {'total':40s} {sum(ms.values()):8.2f} ms")
    print(f"  {'tracing, when on (' + str(SPANS) + ' spans)':40s} {tracing_per_inquiry(us):8.2f} ms")
    return ms
