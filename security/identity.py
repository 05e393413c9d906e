"""Carries the acting user on every Temporal call, in a header, from the web's client to workflows,
children and activities — so a workflow can record who did what without trusting its arguments.

The web signs what it attaches (HMAC-SHA256 over the actor, the workflow id, the call, the Update's id or
a signal's nonce, a digest of the arguments, issued-at, expiry and a key id); the workers verify before
any handler or validator runs (docs/security.md). A signature is good once: Temporal runs an Update id
once per run, and the workflow remembers the signal nonces and Update ids it took, across continue-as-new
(``_Taken``; issue 23, item 1):

- an Update with an unsigned, forged or expired actor is refused in the validator phase (no history event);
- a signal with one is dropped (logged) — the signal event stays in history, the handler never runs;
- a start with one fails the workflow (``ACTOR_UNVERIFIED``) before the workflow's code runs.

Verification is deterministic on replay: it uses the time Temporal recorded (``workflow.now()``, or the
start event's time for starts), never the wall clock, and keys are only ever added (rotation keeps the old
ones for as long as histories signed with them live).

Client side: ``with acting_as(actor): await client.start_workflow(...)``.
Workflow side: ``current_actor()`` inside a run, signal, update (and its validator) or query.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python
from temporalio import activity, client, converter, workflow
from temporalio.api.common.v1 import Payload
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ContinueAsNewInput,
    ExecuteActivityInput,
    ExecuteWorkflowInput,
    HandleQueryInput,
    HandleSignalInput,
    HandleUpdateInput,
    Interceptor,
    SignalChildWorkflowInput,
    SignalExternalWorkflowInput,
    StartActivityInput,
    StartChildWorkflowInput,
    StartLocalActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from domain.actors import SYSTEM_ACTOR, Actor

ACTOR_HEADER = "om-actor"
SIGNATURE_HEADER = "om-actor-sig"
# The signed ids a workflow took, handed to the run after a continue-as-new (see _Taken).
TAKEN_HEADER = "om-taken"
ACTOR_UNVERIFIED = "ACTOR_UNVERIFIED"

# Histories recorded before actors were signed (the committed test histories of 2026-11-22) carry an
# unsigned actor; calls Temporal recorded before this instant are accepted unsigned so they still replay.
# Safe: the time compared is the server's record of the event, which no caller chooses.
SIGNED_ACTORS_REQUIRED_FROM = datetime(2026, 11, 29, tzinfo=UTC)
# Signatures of the first form (actor, workflow, call and times only) were bearer tokens for their lifetime:
# copied from history onto a new Update with new arguments, they passed (issue 23). They are accepted only
# if issued before this instant (the signature's own issued-at, which the MAC covers), so histories
# recorded under them replay; every signature issued since binds the call's id and its arguments.
CALL_BOUND_SIGNATURES_FROM = datetime(2026, 12, 7, tzinfo=UTC)
SIGNATURE_VERSION = 2
# Issued-at may lie slightly ahead of the server's clock (the web's clock runs ahead a little).
CLOCK_SKEW = timedelta(minutes=2)

_actor: ContextVar[Actor | None] = ContextVar("om_actor", default=None)


class MissingActorError(Exception):
    """A call reached Temporal without an acting user; we refuse rather than record an anonymous act."""


class ActorKeys(BaseModel):
    """HMAC-SHA256 keys by key id; ``active`` signs, all of them verify (so keys rotate: add a new one,
    make it active, and keep the old one while histories signed with it live)."""

    active: str
    keys: dict[str, str]  # key id -> urlsafe base64 of at least 32 bytes

    def key_bytes(self) -> dict[str, bytes]:
        out = {kid: base64.urlsafe_b64decode(v) for kid, v in self.keys.items()}
        if self.active not in out:
            raise ValueError(f"active actor key {self.active!r} is not among the configured keys")
        for kid, key in out.items():
            if len(key) < 32:
                raise ValueError(f"actor key {kid!r} must be at least 32 bytes")
        return out


@dataclass(frozen=True)
class Claims:
    """What a signature covers besides the actor: where (workflow id), what (the call, which one, with
    which arguments), and when. ``call_id`` and ``args`` are None in a signature of the first form."""

    workflow_id: str
    call: str  # "start:<workflow type>", "signal:<name>", "update:<name>" or "query:<name>"
    issued_at: datetime
    expires_at: datetime
    call_id: str | None = None  # the Update's id, a signal's nonce; "" for starts and queries
    args: str | None = None  # args_digest of the call's arguments


def _canonical(value: Any) -> Any:
    """The arguments as the handler reads them, in one spelling: models without their defaults (a field
    added later with a default leaves old calls' digests as they were), keys sorted by json.dumps."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return to_jsonable_python(value)


def args_digest(args: Sequence[Any]) -> str:
    """SHA-256 of the call's arguments (canonical JSON). Signed by the web, compared by the worker with
    the arguments it decoded: a signature copied onto other arguments does not verify."""
    body = json.dumps([_canonical(a) for a in args], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


class ActorSigner:
    """Signs and verifies actor headers. The web and the workers hold the same keys (settings)."""

    def __init__(self, keys: ActorKeys, ttl: timedelta = timedelta(hours=1)) -> None:
        self._keys = keys.key_bytes()
        self._active = keys.active
        self.ttl = ttl

    @staticmethod
    def _message(actor: Mapping[str, Any], kid: str, claims: Claims) -> bytes:
        body: dict[str, Any] = {
            "actor": actor,
            "kid": kid,
            "wf": claims.workflow_id,
            "call": claims.call,
            "iat": int(claims.issued_at.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
        }
        if claims.call_id is not None:
            body |= {"v": SIGNATURE_VERSION, "id": claims.call_id, "args": claims.args}
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def sign(
        self,
        actor: Actor,
        workflow_id: str,
        call: str,
        now: datetime,
        ttl: timedelta | None = None,
        call_id: str = "",
        args: Sequence[Any] = (),
    ) -> dict[str, Any]:
        """Signs the call ``call`` with id ``call_id`` (an Update's id, a signal's nonce) and ``args``."""
        claims = Claims(workflow_id, call, now, now + (ttl or self.ttl), call_id, args_digest(args))
        actor_json = actor.model_dump(mode="json")
        mac = hmac.new(self._keys[self._active], self._message(actor_json, self._active, claims), hashlib.sha256)
        return {
            "v": SIGNATURE_VERSION,
            "kid": self._active,
            "iat": int(claims.issued_at.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
            "id": call_id,
            "args": claims.args,
            "sig": base64.urlsafe_b64encode(mac.digest()).decode(),
        }

    def verify(
        self,
        actor_json: Mapping[str, Any],
        signature: Mapping[str, Any],
        workflow_id: str,
        call: str,
        at: datetime,
        call_id: str | None = None,
        args: Sequence[Any] | None = None,
    ) -> str | None:
        """None when the signature is good for this workflow, call and time — and, given them, for this
        call id and these arguments; otherwise why not. A signature of the first form (no call id) is
        good only if issued before CALL_BOUND_SIGNATURES_FROM."""
        try:
            kid = str(signature["kid"])
            iat = datetime.fromtimestamp(int(signature["iat"]), UTC)
            exp = datetime.fromtimestamp(int(signature["exp"]), UTC)
            given = base64.urlsafe_b64decode(str(signature["sig"]))
            bound = signature.get("v") == SIGNATURE_VERSION
            signed_id = str(signature["id"]) if bound else None
            signed_args = str(signature["args"]) if bound else None
        except (KeyError, TypeError, ValueError, OverflowError, AttributeError):
            return "malformed signature"
        key = self._keys.get(kid)
        if key is None:
            return f"unknown signing key {kid!r}"
        claims = Claims(workflow_id, call, iat, exp, signed_id, signed_args)
        expected = hmac.new(key, self._message(actor_json, kid, claims), hashlib.sha256)
        if not hmac.compare_digest(expected.digest(), given):
            return "signature does not match"
        if not bound and iat >= CALL_BOUND_SIGNATURES_FROM:
            return "signature does not bind the call"
        if bound and call_id is not None and signed_id != call_id:
            return "signature is for another call"
        if bound and args is not None and signed_args != args_digest(args):
            return "signature is for other arguments"
        if at + CLOCK_SKEW < iat:
            return "signed in the future"
        if at > exp:
            return "signature expired"
        return None


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def current_actor() -> Actor:
    actor = _actor.get()
    if actor is None:
        raise MissingActorError("no acting user on this call")
    return actor


def current_actor_or_none() -> Actor | None:
    return _actor.get()


_PAYLOADS = converter.PayloadConverter.default


def _encode(value: Any) -> Payload:
    return _PAYLOADS.to_payload(value)


def _read(headers: Mapping[str, Payload], name: str) -> Any:
    """The header's JSON value; None if absent or unreadable (e.g. a plaintext payload a strict codec
    refused, see security/codec.py)."""
    payload = headers.get(name)
    if payload is None:
        return None
    try:
        return _PAYLOADS.from_payload(payload)
    except Exception:  # any undecodable header counts as absent; the caller refuses an absent actor
        return None


def _decode(headers: Mapping[str, Payload]) -> Actor | None:
    raw = _read(headers, ACTOR_HEADER)
    if raw is None:
        return None
    try:
        return Actor.model_validate(raw)
    except ValidationError:
        return None


def _with_actor(headers: Mapping[str, Payload], actor: Actor | None) -> Mapping[str, Payload]:
    """Forwards the actor unsigned: children and activities trust their parent workflow, which checked."""
    if actor is None:
        return headers
    return {**headers, ACTOR_HEADER: _encode(actor.model_dump(mode="json"))}


def _with_signed_actor(
    headers: Mapping[str, Payload],
    signer: ActorSigner,
    actor: Actor,
    workflow_id: str,
    call: str,
    now: datetime,
    ttl: timedelta | None = None,
    call_id: str = "",
    args: Sequence[Any] = (),
) -> Mapping[str, Payload]:
    sig = signer.sign(actor, workflow_id, call, now, ttl, call_id, args)
    return {**headers, ACTOR_HEADER: _encode(actor.model_dump(mode="json")), SIGNATURE_HEADER: _encode(sig)}


# --- client -------------------------------------------------------------------------------------------


class ActorClientInterceptor(client.Interceptor):
    """Signs the acting user onto every start, signal and Update this client sends."""

    def __init__(self, signer: ActorSigner) -> None:
        self.signer = signer

    def intercept_client(self, next: client.OutboundInterceptor) -> client.OutboundInterceptor:
        return _ActorClientOutbound(next, self.signer)


class _ActorClientOutbound(client.OutboundInterceptor):
    def __init__(self, next: client.OutboundInterceptor, signer: ActorSigner) -> None:
        super().__init__(next)
        self._signer = signer

    def _sign(
        self, headers: Mapping[str, Payload], workflow_id: str, call: str, call_id: str, args: Sequence[Any]
    ) -> Mapping[str, Payload]:
        return _with_signed_actor(
            headers, self._signer, current_actor(), workflow_id, call, datetime.now(UTC), None, call_id, args
        )

    async def start_workflow(self, input: client.StartWorkflowInput) -> client.WorkflowHandle[Any, Any]:
        input.headers = self._sign(input.headers, input.id, f"start:{input.workflow}", "", input.args)
        return await super().start_workflow(input)

    async def signal_workflow(self, input: client.SignalWorkflowInput) -> None:
        # A fresh nonce: the workflow takes each signed signal once.
        nonce = str(uuid.uuid4())
        input.headers = self._sign(input.headers, input.id, f"signal:{input.signal}", nonce, input.args)
        await super().signal_workflow(input)

    async def start_workflow_update(self, input: client.StartWorkflowUpdateInput) -> client.WorkflowUpdateHandle[Any]:
        # The Update's id is signed, so it is chosen here (Temporal runs one id once).
        input.update_id = input.update_id or str(uuid.uuid4())
        input.headers = self._sign(input.headers, input.id, f"update:{input.update}", input.update_id, input.args)
        return await super().start_workflow_update(input)

    async def start_update_with_start_workflow(
        self, input: client.StartWorkflowUpdateWithStartInput
    ) -> client.WorkflowUpdateHandle[Any]:
        start, update = input.start_workflow_input, input.update_workflow_input
        update.update_id = update.update_id or str(uuid.uuid4())
        start.headers = self._sign(start.headers, start.id, f"start:{start.workflow}", "", start.args)
        update.headers = self._sign(update.headers, start.id, f"update:{update.update}", update.update_id, update.args)
        return await super().start_update_with_start_workflow(input)

    async def query_workflow(self, input: client.QueryWorkflowInput) -> Any:
        # Queries change nothing, so an anonymous one is allowed; the web checks access before it asks.
        actor = current_actor_or_none()
        if actor is not None:
            input.headers = _with_signed_actor(
                input.headers, self._signer, actor, input.id, f"query:{input.query}", datetime.now(UTC)
            )
        return await super().query_workflow(input)


# --- worker -------------------------------------------------------------------------------------------


class ActorWorkerInterceptor(Interceptor):
    """Verifies signed actors on the way in; forwards them to children and activities on the way out.

    ``internal_ttl`` bounds the signatures workflows put on the signals they send each other: such a signal
    may wait in history while workers are down, so it lives longer than a person's call.
    """

    def __init__(self, signer: ActorSigner, internal_ttl: timedelta = timedelta(days=7)) -> None:
        self.signer = signer
        self.internal_ttl = internal_ttl

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ActorActivityInbound(next)

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        signer, internal_ttl = self.signer, self.internal_ttl

        class _Inbound(_ActorWorkflowInbound):
            _signer = signer
            _internal_ttl = internal_ttl

        return _Inbound


class _ActorActivityInbound(ActivityInboundInterceptor):
    """Activities are scheduled only by our workflows, which verified the actor they forward."""

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        actor = _decode(input.headers)
        token = _actor.set(actor)
        try:
            return await super().execute_activity(input)
        finally:
            _actor.reset(token)


def _unverified(reason: str) -> ApplicationError:
    return ApplicationError(
        f"the acting user is not signed by the web ({reason}); the call is refused",
        type=ACTOR_UNVERIFIED,
        non_retryable=True,
    )


class _Taken:
    """The signed ids (signal nonces, Update ids) a workflow took, each until its signature expires: a
    signature is good once. Kept across continue-as-new in the new run's ``TAKEN_HEADER`` (its start event,
    so replay rebuilds the same set: the carried ids, then the same calls in the same order)."""

    def __init__(self) -> None:
        self._expiry: dict[str, int] = {}  # id -> the signature's expiry, epoch seconds

    def live(self, at: datetime) -> dict[str, int]:
        now = int(at.timestamp())
        self._expiry = {i: exp for i, exp in self._expiry.items() if exp >= now}
        return dict(self._expiry)

    def known(self, call_id: str) -> bool:
        return call_id in self._expiry

    def take(self, call_id: str, expires: int, at: datetime) -> bool:
        """False if ``call_id`` was taken already; else it is taken now."""
        if call_id in self.live(at):
            return False
        self._expiry[call_id] = expires
        return True

    def carry(self, carried: Any) -> None:
        if isinstance(carried, dict):
            self._expiry.update({str(i): int(exp) for i, exp in carried.items() if isinstance(exp, int)})


class _ActorWorkflowInbound(WorkflowInboundInterceptor):
    _signer: ActorSigner
    _internal_ttl: timedelta

    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        self._taken = _Taken()
        super().init(_ActorWorkflowOutbound(outbound, self._signer, self._internal_ttl, self._taken))

    def _verified(
        self,
        headers: Mapping[str, Payload],
        call: str,
        at: datetime,
        call_id: str | None = None,
        args: Sequence[Any] | None = None,
    ) -> Actor | None:
        """The actor of a call, or ApplicationError(ACTOR_UNVERIFIED). Deterministic: ``at`` is a time
        Temporal recorded, and the keys never shrink while histories that use them live. ``call_id`` and
        ``args``, when given, must be the ones signed."""
        raw_actor = _read(headers, ACTOR_HEADER)
        signature = _read(headers, SIGNATURE_HEADER)
        if signature is None and at < SIGNED_ACTORS_REQUIRED_FROM:
            # Recorded before signatures existed (see SIGNED_ACTORS_REQUIRED_FROM): taken as it was then,
            # including workflow-to-workflow signals, which carried no actor at all.
            return _decode(headers)
        if not isinstance(raw_actor, dict):
            raise _unverified("no actor")
        try:
            actor = Actor.model_validate(raw_actor)
        except ValidationError:
            raise _unverified("malformed actor") from None
        if signature is None:
            raise _unverified("unsigned")
        if not isinstance(signature, dict):
            raise _unverified("malformed signature")
        why = self._signer.verify(raw_actor, signature, workflow.info().workflow_id, call, at, call_id, args)
        if why is not None:
            raise _unverified(why)
        return actor

    def _once(self, headers: Mapping[str, Payload], at: datetime, what: str) -> None:
        """Refuses a call whose signed id (a signal's nonce, an Update's id) this workflow already took, in
        this run or an earlier one (a signature copied from history), and remembers it until it expires."""
        signature = _read(headers, SIGNATURE_HEADER)
        if not isinstance(signature, dict) or signature.get("v") != SIGNATURE_VERSION:
            return  # the first form (accepted only as issued before the cut-over) has no id
        if not self._taken.take(str(signature.get("id", "")), int(signature.get("exp", 0)), at):
            raise _unverified(f"{what} already taken")

    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        info = workflow.info()
        if info.continued_run_id is not None:
            # What the previous run took and is still signed for: a signal copied from its history is
            # refused here too (the outbound interceptor put them on the continue-as-new command).
            self._taken.carry(_read(input.headers, TAKEN_HEADER))
        if info.parent is not None or info.continued_run_id is not None:
            # Only our own workflows start children or continue as new (no client can set these fields);
            # they forward the actor they verified, whose signature may have expired since.
            _actor.set(_decode(input.headers))
        else:
            # The start event's time, not the first task's: a start waiting for workers stays valid.
            _actor.set(
                self._verified(input.headers, f"start:{info.workflow_type}", info.workflow_start_time, "", input.args)
            )
        return await super().execute_workflow(input)

    async def handle_signal(self, input: HandleSignalInput) -> None:
        try:
            actor = self._verified(input.headers, f"signal:{input.signal}", workflow.now(), None, input.args)
            self._once(input.headers, workflow.now(), "signal")
        except ApplicationError as refused:
            # Failing the task would jam the workflow on a forged signal; dropping it is deterministic.
            workflow.logger.warning("signal refused", extra={"signal": input.signal, "reason": refused.message})
            return
        token = _actor.set(actor)
        try:
            await super().handle_signal(input)
        finally:
            _actor.reset(token)

    async def handle_query(self, input: HandleQueryInput) -> Any:
        # Queries change nothing; an unverifiable actor is treated as anonymous. No expiry here: a
        # query's "now" is the last task's time, which may be long past.
        actor: Actor | None = None
        raw_actor, signature = _read(input.headers, ACTOR_HEADER), _read(input.headers, SIGNATURE_HEADER)
        if isinstance(raw_actor, dict) and isinstance(signature, dict):
            why = self._signer.verify(
                raw_actor, signature, workflow.info().workflow_id, f"query:{input.query}", _signed_at(signature)
            )
            actor = _decode(input.headers) if why is None else None
        token = _actor.set(actor)
        try:
            return await super().handle_query(input)
        finally:
            _actor.reset(token)

    def handle_update_validator(self, input: HandleUpdateInput) -> None:
        # Raising here rejects the Update before it is accepted: nothing reaches history.
        token = _actor.set(
            self._verified(input.headers, f"update:{input.update}", workflow.now(), input.id, input.args)
        )
        if self._taken.known(input.id):
            # Temporal runs an Update id once per run; an earlier run's id is refused here.
            raise _unverified("update already taken")
        try:
            super().handle_update_validator(input)
        finally:
            _actor.reset(token)

    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        # Checked again (same task, same time, so the same answer): an Update without a validator is
        # refused here too, though then the refusal is recorded as the Update's failure. The arguments are
        # compared in the validator only, which replay does not run: a model that gains a field later must
        # not turn an accepted Update of an old history into a refused one.
        token = _actor.set(self._verified(input.headers, f"update:{input.update}", workflow.now(), input.id))
        # Remembered for the runs after a continue-as-new (within this run Temporal runs an id once).
        self._once(input.headers, workflow.now(), "update")
        try:
            return await super().handle_update_handler(input)
        finally:
            _actor.reset(token)


def _signed_at(signature: Mapping[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(int(signature["iat"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return datetime.max.replace(tzinfo=UTC)


class _ActorWorkflowOutbound(WorkflowOutboundInterceptor):
    """Children and activities act on behalf of whoever caused them (the starter, or an update's sender).
    Signals to other workflows are signed by the worker, on behalf of the same actor (or the system)."""

    def __init__(
        self, next: WorkflowOutboundInterceptor, signer: ActorSigner, internal_ttl: timedelta, taken: _Taken
    ) -> None:
        super().__init__(next)
        self._signer = signer
        self._internal_ttl = internal_ttl
        self._taken = taken
        self._sent = 0

    def continue_as_new(self, input: ContinueAsNewInput) -> NoReturn:
        input.headers = {**input.headers, TAKEN_HEADER: _encode(self._taken.live(workflow.now()))}
        super().continue_as_new(input)

    def start_activity(self, input: StartActivityInput) -> workflow.ActivityHandle[Any]:
        input.headers = _with_actor(input.headers, _actor.get())
        return super().start_activity(input)

    def start_local_activity(self, input: StartLocalActivityInput) -> workflow.ActivityHandle[Any]:
        input.headers = _with_actor(input.headers, _actor.get())
        return super().start_local_activity(input)

    async def start_child_workflow(self, input: StartChildWorkflowInput) -> workflow.ChildWorkflowHandle[Any, Any]:
        input.headers = _with_actor(input.headers, _actor.get())
        return await super().start_child_workflow(input)

    def _signed(
        self, headers: Mapping[str, Payload], workflow_id: str, signal: str, args: Sequence[Any]
    ) -> Mapping[str, Payload]:
        actor = _actor.get() or SYSTEM_ACTOR
        # Unique per run and the same on replay, without drawing on the workflow's random numbers (an
        # extra draw would shift every later one, and recorded histories would no longer replay).
        self._sent += 1
        nonce = f"{workflow.info().run_id}/{self._sent}"
        return _with_signed_actor(
            headers,
            self._signer,
            actor,
            workflow_id,
            f"signal:{signal}",
            workflow.now(),
            self._internal_ttl,
            nonce,
            args,
        )

    async def signal_child_workflow(self, input: SignalChildWorkflowInput) -> None:
        input.headers = self._signed(input.headers, input.child_workflow_id, input.signal, input.args)
        await super().signal_child_workflow(input)

    async def signal_external_workflow(self, input: SignalExternalWorkflowInput) -> None:
        input.headers = self._signed(input.headers, input.workflow_id, input.signal, input.args)
        await super().signal_external_workflow(input)


def signer_of(c: client.Client) -> ActorSigner | None:
    """The signer a client was connected with (runtime.temporal.connect adds it), for code that reads history."""
    for interceptor in c.config().get("interceptors", ()):
        if isinstance(interceptor, ActorClientInterceptor):
            return interceptor.signer
    return None


def recorded_actor_problem(
    signer: ActorSigner, raw_actor: Any, signature: Any, workflow_id: str, call: str, at: datetime
) -> str | None:
    """Why the actor a history event records was not signed by the web (None when it was, or when the
    event predates signatures). For readers of history, e.g. the audit trail: an unhandled or dropped
    signal stays in history with whatever actor its sender claimed."""
    if signature is None and at < SIGNED_ACTORS_REQUIRED_FROM:
        return None
    if not isinstance(raw_actor, dict):
        return "no actor"
    if not isinstance(signature, dict):
        return "unsigned"
    return signer.verify(raw_actor, signature, workflow_id, call, at)


def activity_actor() -> Actor | None:
    """Inside an activity: who the workflow was acting for when it scheduled this activity."""
    if not activity.in_activity():
        return None
    return _actor.get()
