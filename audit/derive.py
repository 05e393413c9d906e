"""The trail derived from Temporal history (轨迹推导): who did what, when and why, in terms of the case.

Derivation reads the workflow's history (every run, and its child workflows such as agency tasks) with
the codec-enabled client, decodes the ``om-actor`` header on each start, signal and accepted update,
decodes the update and signal arguments for decisions and reasons, and pairs activity scheduled and
closed events into partner calls. Personal data is masked by the :class:`audit.redact.Redactor` the
caller hands in (built from its registered models) before anything leaves this module; free text is
scanned for long digit runs as a second net.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

from stdnum.cn import ric, uscc
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.converter import PayloadConverter
from temporalio.service import RPCError, RPCStatusCode

from audit.chain import seal
from audit.redact import Redactor, mask_text
from audit.trail import AuditEvent, AuditTrail, TrailHeader
from config.settings import Settings
from domain.actors import Actor
from domain.errors import NotFound
from domain.parties import UNREADABLE, mask
from runtime.logging import get_logger
from runtime.temporal import CASE_NUMBER, COURT, SCENARIO, STATUS
from security.identity import ACTOR_HEADER, SIGNATURE_HEADER, recorded_actor_problem, signer_of

log = get_logger(__name__)

# Bookkeeping, not acts: the deadline arithmetic and the archiving itself. The inbox projection
# (project_task) is turned into task state changes instead of partner calls.
INTERNAL_ACTIVITIES = frozenset({"compute_deadlines", "holiday_calendar", "archive_audit_trail"})
PROJECT_TASK = "project_task"
# How far the trail follows child workflows and continued-as-new runs.
MAX_CHILD_DEPTH = 3
MAX_CHILDREN = 400
MAX_RUNS = 50
FETCH_CONCURRENCY = 8

_PLAIN = PayloadConverter.default


class _Decoder:
    def __init__(self, client: Client) -> None:
        self._dc = client.data_converter
        self._signer = signer_of(client)

    async def values(self, payloads: Sequence[Payload]) -> list[Any]:
        if not payloads:
            return []
        try:
            return list(await self._dc.decode(list(payloads)))
        except Exception as exc:  # an undecodable payload (unknown key) must not hide the rest of the trail
            log.warning("audit: payload not decodable", error=type(exc).__name__)
            return [None for _ in payloads]

    async def first(self, payloads: Sequence[Payload]) -> Any:
        values = await self.values(payloads)
        return values[0] if values else None

    async def checked_actor(
        self, headers: Mapping[str, Payload], workflow_id: str, call: str, at: datetime
    ) -> tuple[Actor | None, dict[str, Any]]:
        """The actor of a start, signal or Update, if the web signed it; otherwise no actor, and the claim
        in the detail (``unverified_actor``): the trail never names someone on a forger's word."""
        actor = await self.actor(headers)
        if self._signer is None or (actor is None and SIGNATURE_HEADER not in headers):
            return actor, {}
        raw = await self.first([headers[ACTOR_HEADER]]) if ACTOR_HEADER in headers else None
        sig = await self.first([headers[SIGNATURE_HEADER]]) if SIGNATURE_HEADER in headers else None
        problem = recorded_actor_problem(self._signer, raw, sig, workflow_id, call, at)
        if problem is None:
            return actor, {}
        return None, {"unverified_actor": str(actor) if actor else "?", "unverified_because": problem}

    async def actor(self, headers: Mapping[str, Payload]) -> Actor | None:
        payload = headers.get(ACTOR_HEADER)
        if payload is None:
            return None
        try:
            value = await self.first([payload])
            return Actor.model_validate(value) if value is not None else None
        except Exception:  # a malformed header is shown as "unknown", not trusted
            return None


def _time(ev: HistoryEvent) -> datetime:
    return ev.event_time.ToDatetime(tzinfo=UTC)


def _search_attrs(fields: Mapping[str, Payload]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in (SCENARIO, CASE_NUMBER, COURT, STATUS):
        payload = fields.get(key.name)
        if payload is None:
            continue
        try:
            value = _PLAIN.from_payload(payload)
        except Exception:
            continue
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            out[key.name] = str(value)
    return out


def _reason_of(arg: Any) -> str | None:
    if isinstance(arg, str):
        return mask_text(arg) or None
    if isinstance(arg, Mapping):
        for k in ("reason", "note"):
            v = arg.get(k)
            if isinstance(v, str) and v.strip():
                return mask_text(v)
    return None


def _without(arg: Any, *keys: str) -> Any:
    if isinstance(arg, Mapping):
        return {k: v for k, v in arg.items() if k not in keys}
    return arg


def _looks_personal(value: str) -> bool:
    """An identity, credit-code or account number (not a partner's own reference such as a measure id)."""
    compact = value.replace(" ", "")
    if compact.isdigit() and len(compact) >= 9:
        return True
    # Both numbers are 18 characters once stdnum has dropped the separators it drops (spaces, and a credit
    # code's dashes) and the surrounding whitespace; its checks (~10 µs each, ~14 times a trail) are for those.
    # Outside ASCII stdnum first maps look-alike characters (a full-width dash), so those take its whole way.
    if compact.isascii() and len(compact.replace("-", "").strip()) != 18:
        return False
    try:
        return bool(ric.is_valid(compact)) or bool(uscc.is_valid(compact))
    except UNREADABLE:  # a value stdnum cannot read (its is_valid raises on some look-alikes) is no such number
        return False


def _reference_of(result: Any) -> str | None:
    """A partner's own reference for what it did (measure, deduction, request), or an issued document's id
    and SHA-256 (the chain so records every document: ``python -m audit verify-document``); an identity or
    account number in its place is masked."""
    if not isinstance(result, Mapping):
        return None
    refs = [
        f"{k}={mask(str(v)) if _looks_personal(str(v)) else str(v)}"
        for k, v in sorted(result.items())
        if (k.endswith("_id") or k == "sha256") and v and k != "partner_id"
    ]
    return ", ".join(refs) or None


def _partner_answers(result: Any) -> dict[str, Any]:
    """For calls that ask several partners at once: each partner's status and how many assets it named."""
    items = result if isinstance(result, list) else [result]
    out: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("partner_id"), str):
            continue
        nested = item.get("answer")
        answer: Mapping[str, Any] = nested if isinstance(nested, Mapping) else item
        entry: dict[str, Any] = {"status": item.get("status") or answer.get("outcome")}
        assets = answer.get("assets")
        if isinstance(assets, list):
            entry["assets"] = len(assets)
        reason = item.get("reason") or answer.get("reason_code")
        if reason:
            entry["reason"] = mask_text(str(reason))
        out[item["partner_id"]] = entry
    return out if isinstance(result, list) else {}


def _failure_code(ev: HistoryEvent, attr: str) -> str:
    failure = getattr(ev, attr).failure
    info = failure.application_failure_info
    if failure.HasField("application_failure_info") and info.type:
        return info.type
    if failure.HasField("timeout_failure_info"):
        return "TIMEOUT"
    if failure.HasField("canceled_failure_info"):
        return "CANCELED"
    return "FAILED"


@dataclass
class _Run:
    workflow_id: str
    run_id: str = ""
    workflow_type: str = ""
    started_at: datetime | None = None
    continued_from: str | None = None
    search: dict[str, str] = field(default_factory=dict)  # as the run started
    latest: dict[str, str] = field(default_factory=dict)  # as its upserts left them
    events: list[AuditEvent] = field(default_factory=list)
    children: list[tuple[str, str]] = field(default_factory=list)  # (workflow id, run id)


# EventType's values as plain ints: protobuf's enum wrapper resolves every name it is asked for by a lookup,
# and a trail's reading asks ~250 times.
_E = SimpleNamespace(**{name: EventType.Value(name) for name in EventType.keys()})
_ACTIVITY_CLOSED = {
    _E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity_task_completed_event_attributes",
    _E.EVENT_TYPE_ACTIVITY_TASK_FAILED: "activity_task_failed_event_attributes",
    _E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: "activity_task_timed_out_event_attributes",
    _E.EVENT_TYPE_ACTIVITY_TASK_CANCELED: "activity_task_canceled_event_attributes",
}
_CHILD_CLOSED = {
    _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED: "child_workflow_execution_completed_event_attributes",
    _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED: "child_workflow_execution_failed_event_attributes",
    _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED: "child_workflow_execution_canceled_event_attributes",
    _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED: "child_workflow_execution_terminated_event_attributes",
    _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT: "child_workflow_execution_timed_out_event_attributes",
}
_START_DETAIL_KEYS = ("request", "spec", "measure")
_TASK_VIEW_KEYS = ("state", "mark", "overdue", "escalated")
_ACTIVITY_DETAIL_KEYS = ("step", "kind", "amount_fen", "expires_on", "document_ref", "case_number")


@dataclass
class _Scheduled:
    event: HistoryEvent
    name: str
    input: Any
    actor: Actor | None


class _RunReader:
    """Turns one run's history into audit events (unsealed), noting its children and predecessor."""

    def __init__(self, dec: _Decoder, workflow_id: str, redact: Redactor) -> None:
        self.dec = dec
        self.redact = redact
        self.run = _Run(workflow_id)
        self.scheduled: dict[int, _Scheduled] = {}
        self.updates: dict[str, AuditEvent] = {}
        self.task_state: dict[str, Any] | None = None

    def add(self, ev: HistoryEvent, category: str, action: str, **kw: Any) -> AuditEvent:
        entry = AuditEvent(
            index=0,
            at=_time(ev),
            workflow_id=self.run.workflow_id,
            event_id=ev.event_id,
            category=category,
            action=action,
            **kw,
        )
        self.run.events.append(entry)
        return entry

    async def read(self, events: Sequence[HistoryEvent]) -> _Run:
        for ev in events:
            t = ev.event_type
            if t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                await self._started(ev)
            elif t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
                await self._signaled(ev)
            elif t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
                await self._update_accepted(ev)
            elif t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
                done = ev.workflow_execution_update_completed_event_attributes
                entry = self.updates.get(done.meta.update_id)
                if entry is not None:
                    entry.outcome = "failed" if done.outcome.HasField("failure") else "completed"
            elif t == _E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                await self._activity_scheduled(ev)
            elif t in _ACTIVITY_CLOSED:
                await self._activity_closed(ev, _ACTIVITY_CLOSED[t])
            elif t == _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
                child = ev.child_workflow_execution_started_event_attributes.workflow_execution
                self.run.children.append((child.workflow_id, child.run_id))
            elif t in _CHILD_CLOSED:
                attr = _CHILD_CLOSED[t]
                closed = getattr(ev, attr)
                kind = attr.removeprefix("child_workflow_execution_").removesuffix("_event_attributes")
                detail = {"child": closed.workflow_execution.workflow_id, "workflow_type": closed.workflow_type.name}
                self.add(ev, "child", f"child_{kind}", outcome=kind, detail=detail)
            elif t == _E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
                upsert = ev.upsert_workflow_search_attributes_event_attributes
                attrs = _search_attrs(upsert.search_attributes.indexed_fields)
                self.run.latest.update(attrs)
                if STATUS.name in attrs:
                    self.add(ev, "status", "status_changed", detail={"status": attrs[STATUS.name]})
            else:
                await self._closing(ev)
        # Calls still under way: shown as pending, at the time they were scheduled.
        for sched in self.scheduled.values():
            self._activity(sched.event, sched, "pending", None, None)
        return self.run

    async def _started(self, ev: HistoryEvent) -> None:
        a = ev.workflow_execution_started_event_attributes
        run = self.run
        run.run_id = a.original_execution_run_id
        run.workflow_type = a.workflow_type.name
        run.started_at = _time(ev)
        run.continued_from = a.continued_execution_run_id or None
        run.search = _search_attrs(a.search_attributes.indexed_fields)
        run.latest = dict(run.search)
        inp = await self.dec.first(a.input.payloads)
        detail: dict[str, Any] = {"workflow_type": a.workflow_type.name, **run.search}
        if a.parent_workflow_execution.workflow_id:
            detail["parent"] = a.parent_workflow_execution.workflow_id
        if isinstance(inp, Mapping):
            detail.update({k: self.redact(inp[k]) for k in _START_DETAIL_KEYS if k in inp})
        action = "continued_as_new_run_started" if run.continued_from else "workflow_started"
        if a.parent_workflow_execution.workflow_id or run.continued_from:
            actor = await self.dec.actor(a.header.fields)  # forwarded by our own workflow, which checked it
        else:
            call = f"start:{a.workflow_type.name}"
            actor, unverified = await self.dec.checked_actor(a.header.fields, run.workflow_id, call, _time(ev))
            detail.update(unverified)
        self.add(ev, "start", action, actor=actor, identity=a.identity or None, detail=detail)

    async def _signaled(self, ev: HistoryEvent) -> None:
        a = ev.workflow_execution_signaled_event_attributes
        arg = await self.dec.first(a.input.payloads)
        detail = {} if arg is None or isinstance(arg, str) else {"args": self.redact(_without(arg, "reason", "note"))}
        call = f"signal:{a.signal_name}"
        actor, unverified = await self.dec.checked_actor(a.header.fields, self.run.workflow_id, call, _time(ev))
        detail.update(unverified)
        self.add(
            ev,
            "signal",
            call,
            actor=actor,
            identity=a.identity or None,
            reason=_reason_of(arg),
            detail=detail,
        )

    async def _update_accepted(self, ev: HistoryEvent) -> None:
        req = ev.workflow_execution_update_accepted_event_attributes.accepted_request
        arg = await self.dec.first(req.input.args.payloads)
        name = req.input.name
        action, detail = name, {"update_id": req.meta.update_id}
        if isinstance(arg, Mapping) and name == "decide":
            # The judge's decisions: the decision's name is the act, its payload the detail.
            action = f"decide:{arg.get('decision')}"
            if arg.get("payload"):
                detail["payload"] = self.redact(arg["payload"])
        elif arg is not None and not isinstance(arg, str):
            body = self.redact(_without(arg, "reason", "note"))
            if body:
                detail["args"] = body
        call = f"update:{name}"
        actor, unverified = await self.dec.checked_actor(req.input.header.fields, self.run.workflow_id, call, _time(ev))
        detail.update(unverified)
        self.updates[req.meta.update_id] = self.add(
            ev,
            "update",
            action,
            actor=actor,
            identity=req.meta.identity or None,
            reason=_reason_of(arg),
            outcome="accepted",
            detail=detail,
        )

    async def _activity_scheduled(self, ev: HistoryEvent) -> None:
        a = ev.activity_task_scheduled_event_attributes
        name = a.activity_type.name
        if name in INTERNAL_ACTIVITIES:
            return
        inp = await self.dec.first(a.input.payloads)
        if name == PROJECT_TASK:
            # The task's projection to the inbox: its state, SLA mark and escalation, as they change.
            if isinstance(inp, Mapping):
                state = {k: inp.get(k) for k in _TASK_VIEW_KEYS}
                if state != self.task_state:
                    self.task_state = state
                    agency = (inp.get("spec") or {}).get("agency")
                    due = (inp.get("deadline") or {}).get("due_at")
                    self.add(ev, "task", f"task_{state['state']}", partner=agency, detail={**state, "due_at": due})
            return
        self.scheduled[ev.event_id] = _Scheduled(ev, name, inp, await self.dec.actor(a.header.fields))

    async def _activity_closed(self, ev: HistoryEvent, attr: str) -> None:
        closed = getattr(ev, attr)
        sched = self.scheduled.pop(closed.scheduled_event_id, None)
        if sched is None:
            return
        reference, identity = None, None
        t = ev.event_type
        answers: dict[str, Any] = {}
        if t == _E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            result = await self.dec.first(closed.result.payloads)
            reference, answers = _reference_of(result), _partner_answers(result)
            identity, outcome = closed.identity or None, "completed"
        elif t == _E.EVENT_TYPE_ACTIVITY_TASK_FAILED:
            identity, outcome = closed.identity or None, f"failed:{_failure_code(ev, attr)}"
        elif t == _E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
            outcome = "timed_out"
        else:
            outcome = "cancelled"
        self._activity(ev, sched, outcome, reference, identity, answers)

    def _activity(
        self,
        ev: HistoryEvent,
        sched: _Scheduled,
        outcome: str,
        reference: str | None,
        identity: str | None,
        answers: dict[str, Any] | None = None,
    ) -> None:
        a = sched.event.activity_task_scheduled_event_attributes
        detail: dict[str, Any] = {"activity_id": a.activity_id, "scheduled_at": _time(sched.event).isoformat()}
        if answers:
            detail["partners"] = answers
        partner = None
        inp = sched.input
        if isinstance(inp, Mapping):
            partner = inp.get("partner_id") if isinstance(inp.get("partner_id"), str) else None
            detail.update({k: self.redact(inp[k], k) for k in _ACTIVITY_DETAIL_KEYS if inp.get(k) is not None})
        self.add(
            ev,
            "activity",
            sched.name,
            actor=sched.actor,
            identity=identity,
            partner=partner,
            reference=reference,
            outcome=outcome,
            detail=detail,
        )

    async def _closing(self, ev: HistoryEvent) -> None:
        t = ev.event_type
        if t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
            cancel = ev.workflow_execution_cancel_requested_event_attributes
            self.add(
                ev,
                "cancel",
                "cancel_requested",
                identity=cancel.identity or None,
                reason=mask_text(cancel.cause) or None,
            )
        elif t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
            term = ev.workflow_execution_terminated_event_attributes
            reason = mask_text(term.reason) or None
            self.add(
                ev, "close", "workflow_terminated", identity=term.identity or None, reason=reason, outcome="terminated"
            )
        elif t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            result = await self.dec.first(ev.workflow_execution_completed_event_attributes.result.payloads)
            detail = {}
            if isinstance(result, Mapping):
                detail = {k: result[k] for k in ("status", "state") if isinstance(result.get(k), str)}
            self.add(ev, "close", "workflow_completed", outcome="completed", detail=detail)
        elif t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
            code = _failure_code(ev, "workflow_execution_failed_event_attributes")
            self.add(ev, "close", "workflow_failed", outcome=f"failed:{code}")
        elif t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
            self.add(ev, "close", "workflow_cancelled", outcome="cancelled")
        elif t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
            self.add(ev, "close", "workflow_timed_out", outcome="timed_out")
        elif t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            self.add(ev, "close", "continued_as_new", outcome="continued_as_new")


async def _fetch_events(client: Client, workflow_id: str, run_id: str | None) -> list[HistoryEvent]:
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    return list(history.events)


async def _derive_workflow(
    client: Client, dec: _Decoder, workflow_id: str, run_id: str | None, redact: Redactor
) -> list[_Run]:
    """Every run of one workflow id, oldest first, following continue-as-new backwards."""
    runs: list[_Run] = []
    current: str | None = run_id
    while len(runs) < MAX_RUNS:
        run = await _RunReader(dec, workflow_id, redact).read(await _fetch_events(client, workflow_id, current))
        runs.append(run)
        if not run.continued_from:
            break
        current = run.continued_from
    runs.reverse()
    return runs


def _order(events: list[AuditEvent]) -> list[AuditEvent]:
    # Stable: events at the same instant keep their history order, parent before child.
    return sorted(events, key=lambda e: e.at)


@dataclass(frozen=True)
class RunningRun:
    """The run that asks for its own trail while it runs (the archive activity, its last step): what
    ``describe`` would say of it is known without asking Temporal — its id and type from the activity's
    info, running, not closed, and its search attributes as its own history left them."""

    run_id: str
    workflow_type: str


@dataclass(frozen=True)
class _Described:
    """What the trail's header takes from ``describe``."""

    run_id: str | None
    workflow_type: str | None
    search: dict[str, str]
    temporal_status: str | None
    closed_at: datetime | None


async def _describe(client: Client, workflow_id: str) -> _Described:
    try:
        desc = await client.get_workflow_handle(workflow_id).describe()
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise NotFound("WORKFLOW_NOT_FOUND", f"no workflow {workflow_id!r}", "workflow_id") from None
        raise
    attrs = desc.typed_search_attributes
    search = {
        key.name: value for key in (SCENARIO, CASE_NUMBER, COURT, STATUS) if (value := attrs.get(key)) is not None
    }
    status = desc.status.name if desc.status else None
    return _Described(desc.run_id, desc.workflow_type, search, status, desc.close_time)


def _as_described(running: RunningRun, current: _Run) -> _Described:
    """What a describe says of the running run, from its own history."""
    return _Described(running.run_id, running.workflow_type, current.latest, WorkflowExecutionStatus.RUNNING.name, None)


async def derive_trail(
    client: Client, workflow_id: str, redact: Redactor, running: RunningRun | None = None
) -> AuditTrail:
    """The live trail of ``workflow_id`` (all runs, and its children's), sealed into a hash chain, with
    personal data masked by ``redact``. Raises NotFound when Temporal no longer has the workflow.
    ``running``: the caller is the workflow's own current run, so it is not described (one call less to
    Temporal on every scenario's last step); the trail is the one a describe would give."""
    described = await _describe(client, workflow_id) if running is None else None
    dec = _Decoder(client)
    run_id = running.run_id if running is not None else described.run_id if described is not None else None
    runs = await _derive_workflow(client, dec, workflow_id, run_id, redact)
    events = [e for r in runs for e in r.events]

    # Children (agency tasks, term watchers), breadth first, a few at a time.
    seen: set[str] = set()
    frontier = [c for r in runs for c in r.children]
    children: list[str] = []
    depth = 0
    sem = asyncio.Semaphore(FETCH_CONCURRENCY)

    async def child_runs(wid: str, rid: str) -> list[_Run]:
        async with sem:
            try:
                return await _derive_workflow(client, dec, wid, rid, redact)
            except RPCError as exc:
                if exc.status is RPCStatusCode.NOT_FOUND:
                    return []  # past retention: the parent's own events still show the child's end
                raise

    while frontier and depth < MAX_CHILD_DEPTH and len(seen) < MAX_CHILDREN:
        batch = [(w, r) for w, r in frontier if w not in seen][: MAX_CHILDREN - len(seen)]
        seen.update(w for w, _ in batch)
        results = await asyncio.gather(*(child_runs(w, r) for w, r in batch))
        frontier = []
        for (wid, _), child in zip(batch, results, strict=True):
            children.append(wid)
            for r in child:
                events.extend(r.events)
                frontier.extend(r.children)
        depth += 1

    first = runs[0]
    if running is not None:
        described = _as_described(running, runs[-1])
    assert described is not None
    attrs = described.search
    header = TrailHeader(
        workflow_id=workflow_id,
        run_id=described.run_id or runs[-1].run_id,
        workflow_type=described.workflow_type or first.workflow_type,
        scenario=attrs.get(SCENARIO.name) or first.search.get(SCENARIO.name),
        case_number=attrs.get(CASE_NUMBER.name) or first.search.get(CASE_NUMBER.name),
        court=attrs.get(COURT.name) or first.search.get(COURT.name),
        status=attrs.get(STATUS.name),
        temporal_status=described.temporal_status,
        started_at=first.started_at,
        closed_at=described.closed_at,
        runs=[r.run_id for r in runs],
        children=children,
    )
    return seal(header, _order(events))


def is_closed(trail: AuditTrail) -> bool:
    return trail.header.temporal_status not in (None, WorkflowExecutionStatus.RUNNING.name)


def temporal_ui_link(settings: Settings, workflow_id: str, run_id: str | None = None) -> str:
    """The workflow's raw history in Temporal's UI (which needs the run id to open one)."""
    base = settings.temporal_ui_url.rstrip("/")
    link = f"{base}/namespaces/{quote(settings.temporal_namespace)}/workflows/{quote(workflow_id, safe='')}"
    return f"{link}/{quote(run_id, safe='')}/history" if run_id else link
