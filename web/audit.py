"""The audit trail (审计轨迹): who did what, when and why, in terms of the case, derived from Temporal
history — and its tamper-evident export.

Derivation reads the workflow's history (every run, and its child workflows such as agency tasks) with
the codec-enabled client, decodes the ``om-actor`` header on each start, signal and accepted update,
decodes the update and signal arguments for decisions and reasons, and pairs activity scheduled and
closed events into partner calls. Identity and account numbers are masked (``domain.parties.mask``)
before anything leaves this module; free text is scanned for long digit runs as a second net.

Export: each event's ``hash`` is SHA-256 over the previous hash and the canonical JSON of the event
(keys sorted, no spaces, UTF-8; without its ``prev_hash`` and ``hash``). The first ``prev_hash`` is the
genesis: SHA-256 of the canonical header. The server signs ``{format, genesis, head, events}`` with its
Ed25519 key; the public key travels in the file and is served at ``GET /api/audit/public-key`` so a
verifier can pin it. ``python -m web.audit_cli verify FILE`` checks all of it offline.

Trails of closed workflows are archived in the web's database (``audit_archive``), by the
``archive_audit_trail`` activity a workflow runs last and by the web when it first sees a closed
workflow, so they outlive Temporal's retention.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column
from stdnum.cn import ric, uscc
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.converter import PayloadConverter
from temporalio.service import RPCError, RPCStatusCode

from core.identity import ACTOR_HEADER
from core.logging import get_logger
from core.settings import Settings
from core.temporal import CASE_NUMBER, COURT, SCENARIO, STATUS
from domain.actors import Actor
from domain.errors import Conflict, NotFound
from domain.parties import mask
from web.api.common import errors
from web.db import Base, Database, UTCDateTime, utcnow
from web.deps import Reader, State, TemporalClient

log = get_logger(__name__)

FORMAT = "one-matter-audit/1"
CANONICALIZATION = "JSON, keys sorted, separators (',', ':'), UTF-8, no ASCII escaping"
GENESIS_PREFIX = b"one-matter-audit/1 genesis\n"

# Bookkeeping, not acts: the deadline arithmetic and the archiving itself. The inbox projection
# (project_task) is turned into task state changes instead of partner calls.
INTERNAL_ACTIVITIES = frozenset({"compute_deadlines", "archive_audit_trail"})
PROJECT_TASK = "project_task"
# How far the trail follows child workflows and continued-as-new runs.
MAX_CHILD_DEPTH = 3
MAX_CHILDREN = 400
MAX_RUNS = 50
FETCH_CONCURRENCY = 8

Source = Literal["live", "archive"]


# --- masking ------------------------------------------------------------------------------------------

# Values under these keys are identity, account or vehicle numbers: only their last 4 characters show.
NUMBER_KEYS = frozenset(
    {
        "id_number",
        "account",
        "account_no",
        "account_number",
        "bank_account",
        "to_account",
        "from_account",
        "case_account",
        "payee_account",
        "asset_reference",
        "reference",
        "card_number",
        "vin",
        "plate",
        "phone",
        "mobile",
    }
)
# Values under these keys are names of people or organisations: only the last character shows.
NAME_KEYS = frozenset({"name", "owner", "holder", "payee", "payee_name", "debtor_name", "buyer_name", "tenant"})
# A second net for free text: 9+ digit runs (accounts, ID numbers) and 18-character credit codes.
_NUMBER_RUN = re.compile(r"\d{9,}[\dXx]?|(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")


def mask_text(text: str) -> str:
    return _NUMBER_RUN.sub(lambda m: mask(m.group(0)), text)


def redact(value: Any, key: str | None = None) -> Any:
    """A copy of ``value`` fit for an audit trail: numbers and names under known keys masked, long
    digit runs in any string masked."""
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, key) for v in value]
    if isinstance(value, str):
        if key in NUMBER_KEYS:
            return mask(value)
        if key in NAME_KEYS:
            return mask(value, keep=1)
        return mask_text(value)
    return value


# --- the trail ----------------------------------------------------------------------------------------


class AuditEvent(BaseModel):
    """One act in the case: who (user, role, agency; and Temporal's client identity), when, what,
    why, with which partner and reference, and how it ended."""

    index: int
    at: datetime
    workflow_id: str = Field(description="the workflow (or child workflow, e.g. an agency task) it happened in")
    event_id: int = Field(description="the Temporal history event it was derived from")
    category: str = Field(description="start, signal, update, activity, task, child, status, cancel or close")
    action: str
    actor: Actor | None = None
    identity: str | None = Field(default=None, description="Temporal's client identity (process@host)")
    reason: str | None = None
    partner: str | None = None
    reference: str | None = None
    outcome: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


class TrailHeader(BaseModel):
    format: str = FORMAT
    workflow_id: str
    run_id: str
    workflow_type: str
    scenario: str | None = None
    case_number: str | None = None
    court: str | None = None
    status: str | None = None
    temporal_status: str | None = None
    started_at: datetime | None = None
    closed_at: datetime | None = None
    runs: list[str] = Field(default_factory=list, description="run ids covered, oldest first")
    children: list[str] = Field(default_factory=list, description="child workflows whose events are included")


class ChainInfo(BaseModel):
    algorithm: str = "sha256"
    canonicalization: str = CANONICALIZATION
    genesis: str
    head: str


class AuditTrail(BaseModel):
    header: TrailHeader
    events: list[AuditEvent]
    chain: ChainInfo
    source: Source = "live"


# --- hash chain -----------------------------------------------------------------------------------------


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def genesis_hash(header: Mapping[str, Any]) -> str:
    return hashlib.sha256(GENESIS_PREFIX + canonical(header)).hexdigest()


def event_hash(prev: str, event: Mapping[str, Any]) -> str:
    body = {k: v for k, v in event.items() if k not in ("prev_hash", "hash")}
    return hashlib.sha256(prev.encode() + b"\n" + canonical(body)).hexdigest()


def seal(header: TrailHeader, events: Sequence[AuditEvent], source: Source = "live") -> AuditTrail:
    """Numbers the events and links them into the hash chain."""
    genesis = genesis_hash(header.model_dump(mode="json"))
    prev = genesis
    sealed: list[AuditEvent] = []
    for i, ev in enumerate(events):
        ev = ev.model_copy(update={"index": i, "prev_hash": prev, "hash": ""})
        digest = event_hash(prev, ev.model_dump(mode="json"))
        sealed.append(ev.model_copy(update={"hash": digest}))
        prev = digest
    return AuditTrail(header=header, events=sealed, chain=ChainInfo(genesis=genesis, head=prev), source=source)


# --- signing ----------------------------------------------------------------------------------------------

SIGNING_KEY_FILE = "audit-signing-key.pem"


def _parse_private_key(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the audit signing key is not an Ed25519 key")
        return key
    seed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(seed) != 32:
        raise ValueError("the audit signing key must be 32 bytes (urlsafe base64) or a PEM Ed25519 key")
    return Ed25519PrivateKey.from_private_bytes(seed)


def load_signing_key(settings: Settings) -> Ed25519PrivateKey:
    """From ``OM_AUDIT_SIGNING_KEY``; in the sandbox, var/audit-signing-key.pem (created on first use)."""
    if settings.audit_signing_key:
        return _parse_private_key(settings.audit_signing_key)
    if not settings.sandbox:
        raise RuntimeError("OM_AUDIT_SIGNING_KEY is required in the production profile")
    path = settings.var_dir / SIGNING_KEY_FILE
    if not path.exists():
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first; use theirs
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
    return _parse_private_key(path.read_text())


def public_key_b64(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(public_b64: str) -> str:
    """A short fingerprint people can compare: SHA-256 of the raw public key, first 16 hex digits."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]


def signed_message(doc: Mapping[str, Any]) -> bytes:
    chain = doc["chain"]
    return canonical(
        {
            "format": doc["header"]["format"],
            "genesis": chain["genesis"],
            "head": chain["head"],
            "events": len(doc["events"]),
        }
    )


def build_export(trail: AuditTrail, key: Ed25519PrivateKey, temporal_ui_url: str | None = None) -> dict[str, Any]:
    """The signed, self-contained export. Refuses a trail whose own chain does not hold (e.g. an
    archive row edited in the database): signing it would launder the edit."""
    doc: dict[str, Any] = trail.model_dump(mode="json")
    problem = check_chain(doc)
    if problem is not None:
        raise Conflict("AUDIT_CHAIN_BROKEN", f"the stored trail fails its own hash chain: {problem.message}")
    public = public_key_b64(key.public_key())
    doc["generated_at"] = utcnow().isoformat()
    if temporal_ui_url:
        doc["temporal_ui_url"] = temporal_ui_url
    doc["signature"] = {
        "algorithm": "ed25519",
        "public_key": public,
        "key_id": key_id(public),
        "signed": "canonical JSON of {format, genesis, head, events (count)}",
        "value": base64.b64encode(key.sign(signed_message(doc))).decode(),
    }
    return doc


def export_bytes(doc: Mapping[str, Any]) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode()


# --- verification (used by the CLI, offline) -----------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    message: str
    index: int | None = None
    action: str | None = None


def check_chain(doc: Mapping[str, Any]) -> Problem | None:
    """The first place where the file's content and its hash chain disagree, or None."""
    try:
        header, events, chain = doc["header"], doc["events"], doc["chain"]
    except (KeyError, TypeError):
        return Problem("not an audit export: header, events or chain missing")
    if not isinstance(events, list) or not isinstance(header, dict) or not isinstance(chain, dict):
        return Problem("not an audit export: malformed header, events or chain")
    if header.get("format") != FORMAT:
        return Problem(f"unknown format {header.get('format')!r} (expected {FORMAT})")
    if genesis_hash(header) != chain.get("genesis"):
        return Problem("the header (workflow, case, status) has been altered: it no longer matches the chain's genesis")
    prev = chain["genesis"]
    for position, ev in enumerate(events):
        if not isinstance(ev, dict):
            return Problem(f"event {position} is not an object", position)
        action = str(ev.get("action"))
        if ev.get("index") != position:
            return Problem(
                f"event {position} ({action}) is out of place: it says index {ev.get('index')}", position, action
            )
        if ev.get("prev_hash") != prev:
            return Problem(
                f"event {position} ({action}) does not follow event {position - 1}: "
                "an event was removed, inserted or reordered",
                position,
                action,
            )
        digest = event_hash(prev, ev)
        if digest != ev.get("hash"):
            return Problem(
                f"event {position} ({action}) has been altered: its content does not match its hash", position, action
            )
        prev = digest
    if prev != chain.get("head"):
        return Problem("the chain's head does not match the last event: events were removed from the end")
    return None


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str
    key_id: str | None = None
    events: int = 0
    problem: Problem | None = None


def verify_export(doc: Mapping[str, Any], pinned_public_key: str | None = None) -> Verdict:
    """Checks the hash chain, then the signature (against ``pinned_public_key`` if given, else the
    key in the file — whose fingerprint the verifier should compare with the court's published one)."""
    problem = check_chain(doc)
    if problem is not None:
        return Verdict(False, problem.message, problem=problem)
    sig = doc.get("signature")
    if not isinstance(sig, dict) or sig.get("algorithm") != "ed25519":
        return Verdict(False, "no Ed25519 signature in the file")
    embedded = str(sig.get("public_key", ""))
    if pinned_public_key is not None and pinned_public_key.strip() != embedded:
        return Verdict(False, "bad signature: the file is signed with a different key than the pinned one")
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(embedded))
        public.verify(base64.b64decode(str(sig.get("value", ""))), signed_message(doc))
    except (InvalidSignature, ValueError):
        return Verdict(False, "bad signature: the chain's head, genesis or event count is not what the server signed")
    kid = key_id(embedded)
    n = len(doc["events"])
    return Verdict(True, f"OK: {n} events, hash chain intact, signed by key {kid}", key_id=kid, events=n)


# --- derivation from history -------------------------------------------------------------------------------

_PLAIN = PayloadConverter.default


class _Decoder:
    def __init__(self, client: Client) -> None:
        self._dc = client.data_converter

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
    return (compact.isdigit() and len(compact) >= 9) or bool(ric.is_valid(compact)) or bool(uscc.is_valid(compact))


def _reference_of(result: Any) -> str | None:
    """A partner's own reference for what it did (measure, deduction, request); an identity or account
    number in its place is masked."""
    if not isinstance(result, Mapping):
        return None
    refs = [
        f"{k}={mask(str(v)) if _looks_personal(str(v)) else str(v)}"
        for k, v in sorted(result.items())
        if k.endswith("_id") and v and k != "partner_id"
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
    search: dict[str, str] = field(default_factory=dict)
    events: list[AuditEvent] = field(default_factory=list)
    children: list[tuple[str, str]] = field(default_factory=list)  # (workflow id, run id)


_E = EventType
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

    def __init__(self, dec: _Decoder, workflow_id: str) -> None:
        self.dec = dec
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
        inp = await self.dec.first(a.input.payloads)
        detail: dict[str, Any] = {"workflow_type": a.workflow_type.name, **run.search}
        if a.parent_workflow_execution.workflow_id:
            detail["parent"] = a.parent_workflow_execution.workflow_id
        if isinstance(inp, Mapping):
            detail.update({k: redact(inp[k]) for k in _START_DETAIL_KEYS if k in inp})
        action = "continued_as_new_run_started" if run.continued_from else "workflow_started"
        actor = await self.dec.actor(a.header.fields)
        self.add(ev, "start", action, actor=actor, identity=a.identity or None, detail=detail)

    async def _signaled(self, ev: HistoryEvent) -> None:
        a = ev.workflow_execution_signaled_event_attributes
        arg = await self.dec.first(a.input.payloads)
        detail = {} if arg is None or isinstance(arg, str) else {"args": redact(_without(arg, "reason", "note"))}
        self.add(
            ev,
            "signal",
            f"signal:{a.signal_name}",
            actor=await self.dec.actor(a.header.fields),
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
                detail["payload"] = redact(arg["payload"])
        elif arg is not None and not isinstance(arg, str):
            body = redact(_without(arg, "reason", "note"))
            if body:
                detail["args"] = body
        self.updates[req.meta.update_id] = self.add(
            ev,
            "update",
            action,
            actor=await self.dec.actor(req.input.header.fields),
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
            outcome = "canceled"
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
            detail.update({k: redact(inp[k], k) for k in _ACTIVITY_DETAIL_KEYS if inp.get(k) is not None})
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
            self.add(ev, "close", "workflow_canceled", outcome="canceled")
        elif t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
            self.add(ev, "close", "workflow_timed_out", outcome="timed_out")
        elif t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            self.add(ev, "close", "continued_as_new", outcome="continued_as_new")


async def _fetch_events(client: Client, workflow_id: str, run_id: str | None) -> list[HistoryEvent]:
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    return list(history.events)


async def _derive_workflow(client: Client, dec: _Decoder, workflow_id: str, run_id: str | None) -> list[_Run]:
    """Every run of one workflow id, oldest first, following continue-as-new backwards."""
    runs: list[_Run] = []
    current: str | None = run_id
    while len(runs) < MAX_RUNS:
        run = await _RunReader(dec, workflow_id).read(await _fetch_events(client, workflow_id, current))
        runs.append(run)
        if not run.continued_from:
            break
        current = run.continued_from
    runs.reverse()
    return runs


def _order(events: list[AuditEvent]) -> list[AuditEvent]:
    # Stable: events at the same instant keep their history order, parent before child.
    return sorted(events, key=lambda e: e.at)


async def derive_trail(client: Client, workflow_id: str) -> AuditTrail:
    """The live trail of ``workflow_id`` (all runs, and its children's), sealed into a hash chain.
    Raises NotFound when Temporal no longer has the workflow."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        desc = await handle.describe()
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise NotFound("WORKFLOW_NOT_FOUND", f"no workflow {workflow_id!r}", "workflow_id") from None
        raise
    dec = _Decoder(client)
    runs = await _derive_workflow(client, dec, workflow_id, desc.run_id)
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
                return await _derive_workflow(client, dec, wid, rid)
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
    attrs = desc.typed_search_attributes
    header = TrailHeader(
        workflow_id=workflow_id,
        run_id=desc.run_id or runs[-1].run_id,
        workflow_type=desc.workflow_type or first.workflow_type,
        scenario=attrs.get(SCENARIO) or first.search.get(SCENARIO.name),
        case_number=attrs.get(CASE_NUMBER) or first.search.get(CASE_NUMBER.name),
        court=attrs.get(COURT) or first.search.get(COURT.name),
        status=attrs.get(STATUS),
        temporal_status=desc.status.name if desc.status else None,
        started_at=first.started_at,
        closed_at=desc.close_time,
        runs=[r.run_id for r in runs],
        children=children,
    )
    return seal(header, _order(events))


def is_closed(trail: AuditTrail) -> bool:
    return trail.header.temporal_status not in (None, WorkflowExecutionStatus.RUNNING.name)


# --- the archive ------------------------------------------------------------------------------------------


class ArchivedTrail(Base):
    """A sealed trail kept after its workflow closed, so it outlives Temporal's retention."""

    __tablename__ = "audit_archive"

    workflow_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64))
    workflow_type: Mapped[str] = mapped_column(String(100))
    scenario: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    case_number: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    court: Mapped[str | None] = mapped_column(String(100), default=None)
    status: Mapped[str | None] = mapped_column(String(64), default=None)
    temporal_status: Mapped[str | None] = mapped_column(String(32), default=None)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    event_count: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    trail_json: Mapped[str] = mapped_column(Text)
    archived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def archive_trail(db: Database, trail: AuditTrail) -> bool:
    """Keeps ``trail`` unless the archive already holds this one or a longer one. True if written."""
    h = trail.header
    with db.session() as s:
        row = s.get(ArchivedTrail, h.workflow_id, with_for_update=True)
        if row is not None and (row.head_hash == trail.chain.head or row.event_count > len(trail.events)):
            return False
        if row is None:
            row = ArchivedTrail(workflow_id=h.workflow_id)
            s.add(row)
        row.run_id = h.run_id
        row.workflow_type = h.workflow_type
        row.scenario = h.scenario
        row.case_number = h.case_number
        row.court = h.court
        row.status = h.status
        row.temporal_status = h.temporal_status
        row.started_at = h.started_at
        row.closed_at = h.closed_at
        row.event_count = len(trail.events)
        row.head_hash = trail.chain.head
        row.trail_json = trail.model_copy(update={"source": "archive"}).model_dump_json()
        row.archived_at = utcnow()
    return True


def load_archived(db: Database, workflow_id: str) -> AuditTrail | None:
    with db.session() as s:
        row = s.get(ArchivedTrail, workflow_id)
        if row is None:
            return None
        return AuditTrail.model_validate_json(row.trail_json).model_copy(update={"source": "archive"})


@dataclass(frozen=True)
class ArchiveRow:
    workflow_id: str
    scenario: str | None
    case_number: str | None
    court: str | None
    status: str | None
    temporal_status: str | None
    started_at: datetime | None
    closed_at: datetime | None
    event_count: int


def search_archive(
    db: Database,
    case_number: str | None = None,
    scenario: str | None = None,
    status: str | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    limit: int = 100,
) -> list[ArchiveRow]:
    q = select(ArchivedTrail)
    if case_number:
        q = q.where(ArchivedTrail.case_number == case_number)
    if scenario:
        q = q.where(ArchivedTrail.scenario == scenario)
    if status:
        q = q.where(ArchivedTrail.status == status)
    if started_from:
        q = q.where(ArchivedTrail.started_at >= started_from)
    if started_to:
        q = q.where(ArchivedTrail.started_at < started_to)
    q = q.order_by(ArchivedTrail.started_at.desc()).limit(limit)
    with db.session() as s:
        return [
            ArchiveRow(
                r.workflow_id,
                r.scenario,
                r.case_number,
                r.court,
                r.status,
                r.temporal_status,
                r.started_at,
                r.closed_at,
                r.event_count,
            )
            for r in s.scalars(q)
        ]


async def trail_for(db: Database, client: Client, workflow_id: str) -> AuditTrail:
    """Live from Temporal when it still has the workflow (archiving it on first sight once closed),
    else from the archive. Auditors read both alike."""
    try:
        trail = await derive_trail(client, workflow_id)
    except NotFound:
        archived = await db.run(load_archived, db, workflow_id)
        if archived is None:
            raise
        return archived
    if is_closed(trail):
        await db.run(archive_trail, db, trail)
    return trail


# --- HTTP API -----------------------------------------------------------------------------------------------

router = APIRouter(prefix="/api", tags=["audit"])


class PublicKeyOut(BaseModel):
    algorithm: str = "ed25519"
    public_key: str = Field(description="raw 32-byte Ed25519 public key, standard base64")
    key_id: str = Field(description="first 16 hex digits of SHA-256 over the raw key")
    pem: str


def temporal_ui_link(settings: Settings, workflow_id: str, run_id: str | None = None) -> str:
    """The workflow's raw history in Temporal's UI (which needs the run id to open one)."""
    base = settings.temporal_ui_url.rstrip("/")
    link = f"{base}/namespaces/{quote(settings.temporal_namespace)}/workflows/{quote(workflow_id, safe='')}"
    return f"{link}/{quote(run_id, safe='')}/history" if run_id else link


@router.get("/audit/public-key", response_model=PublicKeyOut)
async def audit_public_key(state: State) -> PublicKeyOut:
    """The key audit exports are signed with; pin it (or its ``key_id``) when verifying offline."""
    key = load_signing_key(state.settings).public_key()
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    b64 = public_key_b64(key)
    return PublicKeyOut(public_key=b64, key_id=key_id(b64), pem=pem)


@router.get("/workflows/{workflow_id}/audit", response_model=AuditTrail, responses=errors(401, 403, 404, 503))
async def get_audit_trail(
    request: Request,
    workflow_id: Annotated[str, Path(max_length=200)],
    _: Reader,
    state: State,
    client: TemporalClient,
) -> AuditTrail:
    """Who did what, when and why — derived from the workflow's Temporal history (and its agency tasks'),
    or from the archive once Temporal no longer has it. Numbers are masked."""
    request.state.workflow_id = workflow_id
    return await trail_for(state.db, client, workflow_id)


@router.get(
    "/workflows/{workflow_id}/audit/export",
    responses={200: {"description": "the signed export (application/json)"}, **errors(401, 403, 404, 409, 503)},
)
async def export_audit_trail(
    request: Request,
    workflow_id: Annotated[str, Path(max_length=200)],
    _: Reader,
    state: State,
    client: TemporalClient,
) -> Response:
    """The trail as a signed file with a hash chain; verify it with ``python -m web.audit_cli verify FILE``."""
    request.state.workflow_id = workflow_id
    trail = await trail_for(state.db, client, workflow_id)
    doc = build_export(
        trail, load_signing_key(state.settings), temporal_ui_link(state.settings, workflow_id, trail.header.run_id)
    )
    filename = "audit-" + re.sub(r"[^A-Za-z0-9._-]", "_", workflow_id) + ".json"
    return Response(
        export_bytes(doc),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
