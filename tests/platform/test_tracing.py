"""Tracing end to end (runtime/tracing.py): a judge's decision in the web is one trace down to the bank's
freeze call, through the Temporal client, the workflow and the activity; and no span carries personal
data. Real Temporal, real simulators; a traced web app, client and worker of the test's own, spans kept
in memory."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from config.settings import Settings
from runtime.logging import configure_logging
from runtime.temporal import connect
from runtime.tracing import Tracing, scrub_span, tracing_for
from tests.helpers import HISTORY_FILES as FILES
from tests.helpers import account_number, case_number, ledger, replayer, resident_id, seed_subject
from web.app import create_app
from workers.main import running_worker
from workflows.asset_inquiry.models import APPROVE

pytestmark = pytest.mark.usefixtures("stack")

START = "/api/scenarios/asset-inquiry/workflows"
DECIDE = "POST /api/workflows/{workflow_id}/decisions/{decision}"  # the decision route's span


@dataclass
class Traced:
    http: httpx.AsyncClient
    spans: InMemorySpanExporter
    client: Client


@pytest.fixture
async def traced(settings: Settings) -> AsyncIterator[Traced]:
    """The web app, a Temporal client and a worker on their own task queue, all traced into memory."""
    spans = InMemorySpanExporter()
    tracing = Tracing.exporting(spans, "one-matter-test", batch=False)
    own = settings.model_copy(update={"task_queue": f"traced-{uuid.uuid4().hex[:8]}"})
    client = await connect(own, tracing=tracing)
    app = create_app(own, client, tracing)
    async with (
        app.router.lifespan_context(app),
        running_worker(client, own, tracing=tracing),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web", timeout=30) as http,
    ):
        r = await http.post("/api/auth/token", data={"username": "judge", "password": "judge"})
        assert r.status_code == 200, r.text
        http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        yield Traced(http, spans, client)
    tracing.shutdown()


async def wait_detail(http: httpx.AsyncClient, wid: str, wanted: str, timeout: float = 60) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        r = await http.get(f"/api/workflows/{wid}")
        assert r.status_code == 200, r.text
        detail: dict[str, Any] = r.json()
        if detail["status"] == wanted:
            return detail
        assert asyncio.get_running_loop().time() < deadline, f"status stayed {detail['status']!r}"
        await asyncio.sleep(0.1)


def ancestry(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[ReadableSpan]:
    """The span and its parents up to the root of its trace, as far as they were recorded."""
    chain = [span]
    while chain[-1].parent is not None and chain[-1].parent.span_id in by_id:
        chain.append(by_id[chain[-1].parent.span_id])
    return chain


def every_text(span: ReadableSpan) -> str:
    """Everything a span would put on the wire, as text."""
    parts: list[Any] = [span.name, dict(span.attributes or {}), span.status.description]
    parts += [(e.name, dict(e.attributes or {})) for e in span.events]
    parts += [dict(link.attributes or {}) for link in span.links]
    return json.dumps(parts, ensure_ascii=False, default=str)


async def test_a_decision_is_one_trace_to_the_banks_freeze_call(
    traced: Traced, simulator: str, settings: Settings
) -> None:
    id_number, account, name = resident_id(), account_number(), "赵某某"
    debtor = {"kind": "person", "name": name, "id_number": id_number}
    deposit = {"partner_id": "bank-icbc", "kind": "deposit", "reference": account, "available_fen": 900_000_00}
    await seed_subject(simulator, debtor, [deposit])
    body = {"case_number": case_number(), "court": "杭州市上城区人民法院", "debtor": debtor}
    r = await traced.http.post(START, json={**body, "amount_owed_fen": 500_000_00, "execution_costs_fen": 0})
    assert r.status_code == 201, r.text
    wid = r.json()["workflow_id"]
    await wait_detail(traced.http, wid, "awaiting_decision")
    # A search by ID number puts it in the query string; no span may keep it.
    r = await traced.http.get("/api/workflows", params={"party": id_number})
    assert r.status_code == 200, r.text

    r = await traced.http.post(f"/api/workflows/{wid}/decisions/{APPROVE}", json={"reason": "依法冻结"})
    assert r.status_code == 200, r.text
    await wait_detail(traced.http, wid, "completed")
    assert any(row["operation"] == "freeze" for row in await ledger(simulator, "bank-icbc"))

    spans = traced.spans.get_finished_spans()
    by_id = {s.context.span_id: s for s in spans}
    decision = next(s for s in spans if s.kind is SpanKind.SERVER and s.name == DECIDE)
    freeze_calls = [
        s
        for s in spans
        if s.kind is SpanKind.CLIENT
        and str((s.attributes or {}).get("url.full", (s.attributes or {}).get("http.url", ""))).endswith(
            "/partners/bank-icbc/measures"
        )
    ]
    assert freeze_calls, "the bank's freeze call was not traced"
    chain = ancestry(freeze_calls[0], by_id)
    assert chain[-1] is decision, [s.name for s in chain]
    assert {s.context.trace_id for s in chain} == {decision.context.trace_id}
    names = [s.name.split(":")[0] for s in reversed(chain)]
    # web request → Temporal client (the decision's update) → workflow (schedules the activity) →
    # worker (runs it) → the partner's HTTP call.
    assert names[:4] == [DECIDE, "StartWorkflowUpdate", "StartActivity", "RunActivity"]
    assert chain[0].kind is SpanKind.CLIENT and chain[0].name == "POST"

    # No personal data in any span the test produced: not the ID number, the account, the name, nor any
    # query string; and no credential from a header (the judge's session token, the bank's token).
    secrets = [traced.http.headers["Authorization"].split()[-1], *(p.token for p in settings.partners() if p.token)]
    for span in spans:
        text = every_text(span)
        assert id_number not in text and account not in text and name not in text, text
        assert not [s for s in secrets if s in text], text
        for key in ("url.full", "http.url", "http.target"):
            assert "?" not in str((span.attributes or {}).get(key, "")), span.attributes
        assert "url.query" not in (span.attributes or {})

    # The traced history replays on a worker with tracing and on one without (tracing turned off later).
    history = await traced.client.get_workflow_handle(wid).fetch_history()
    for plain_or_traced in (replayer(), traced_replayer()):
        result = await plain_or_traced.replay_workflow(history, raise_on_replay_failure=True)
        assert result.replay_failure is None


def traced_replayer() -> Replayer:
    """The replay test's replayer with the tracing interceptors in front, as a traced worker has them."""
    return replayer(before=Tracing.exporting(InMemorySpanExporter(), "one-matter-test", batch=False).interceptors())


async def test_recorded_histories_replay_with_tracing_on() -> None:
    """Histories recorded before tracing (without its headers) replay on a traced worker."""
    traced = traced_replayer()
    for path in FILES:
        record = json.loads(path.read_text())
        history = WorkflowHistory.from_json(record["workflow_id"], record["history"])
        result = await traced.replay_workflow(history, raise_on_replay_failure=True)
        assert result.replay_failure is None, path.name


def test_nothing_is_traced_without_an_endpoint() -> None:
    assert tracing_for("", "one-matter-web") is None


def test_the_scrubber_cleans_what_a_span_would_carry() -> None:
    """What the end-to-end test cannot provoke (an exception text, a key the logs redact) is scrubbed too."""
    spans = InMemorySpanExporter()
    tracing = Tracing.exporting(spans, "one-matter-test", batch=False)
    with tracing.tracer.start_as_current_span("GET 330106199001010012", attributes={"debtor.name": "张三"}) as span:
        span.set_attribute("url.full", "http://bank/partners/x?account=6222021234567890128")
        span.set_attribute("url.query", "account=6222021234567890128")
        span.add_event("exception", {"exception.message": "no account 6222021234567890128"})
        span.set_status(Status(StatusCode.ERROR, "debtor 33010619900101001X not found"))
    (out,) = spans.get_finished_spans()
    text = every_text(out)
    assert "6222021234567890128" not in text and "33010619900101001X" not in text and "张三" not in text, text
    assert out.attributes == {"debtor.name": "[redacted]", "url.full": "http://bank/partners/x"}
    assert out.status.description == "debtor [redacted] not found"
    # Ids, parents and times are kept: the scrubbed span is the same span.
    again = scrub_span(out)
    assert (again.context, again.parent, again.start_time, again.end_time) == (
        out.context,
        out.parent,
        out.start_time,
        out.end_time,
    )
    tracing.shutdown()


def test_log_lines_carry_the_trace_id(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    configure_logging("INFO")
    tracing = Tracing.exporting(InMemorySpanExporter(), "one-matter-test", batch=False)
    with tracing.tracer.start_as_current_span("work") as span:
        logging.getLogger("one-matter.test").warning("inside a span")
    logging.getLogger("one-matter.test").warning("outside any span")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    inside = next(line for line in lines if line["event"] == "inside a span")
    outside = next(line for line in lines if line["event"] == "outside any span")
    assert inside["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert "trace_id" not in outside
    tracing.shutdown()
