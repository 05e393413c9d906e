"""Issue 11, item 1: only the web's signed actors act. A plain Temporal client, an unsigned, forged,
expired or misdirected actor is refused by the workers before any handler or validator runs, and the
case stays as it was. Against the real dev server and a real worker."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio import converter, workflow
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    SignalWorkflowInput,
    StartWorkflowInput,
    StartWorkflowUpdateInput,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import HeaderCodecBehavior
from temporalio.exceptions import ApplicationError
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from audit.derive import derive_trail
from audit.redact import Redactor
from config.settings import CodecKeys, Settings
from domain.actors import Actor, Role
from domain.legal_time import LegalDuration, TimeUnit
from domain.parties import Party, PartyKind
from runtime.temporal import scenario_search_attributes
from security.codec import REFUSED, AesGcmCodec
from security.converter import PLAINTEXT_PAYLOAD, build_data_converter
from security.identity import (
    ACTOR_HEADER,
    ACTOR_UNVERIFIED,
    SIGNATURE_HEADER,
    ActorKeys,
    ActorSigner,
    ActorWorkerInterceptor,
    acting_as,
)
from tests.helpers import (
    AUDITOR,
    JUDGE,
    case_number,
    context,
    decide,
    eventually,
    refusal_code,
    resident_id,
    seed_subject,
    settled_history_length,
    start,
    status,
    wait_status,
)
from workflows.foundation.child_matters import AssetInquiryRequest
from workflows.foundation.messages import TASK_VIEW_QUERY
from workflows.registry import SCENARIOS

pytestmark = pytest.mark.usefixtures("stack")

MALLORY = {"user_id": "mallory", "role": "judge"}
REJECT = "reject-control"
HeaderMaker = Callable[[Mapping[str, Payload], str, str], Mapping[str, Payload]]


def _other_keys() -> ActorKeys:
    return ActorKeys(active="evil", keys={"evil": base64.urlsafe_b64encode(b"x" * 32).decode()})


class _Headers(Interceptor):
    """What an attacker's client does: puts whatever headers it likes on starts and Updates."""

    def __init__(self, make: HeaderMaker) -> None:
        self.make = make

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        make = self.make

        class _Out(OutboundInterceptor):
            async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
                input.headers = make(input.headers, input.id, f"start:{input.workflow}")
                return await super().start_workflow(input)

            async def start_workflow_update(self, input: StartWorkflowUpdateInput) -> Any:
                input.headers = make(input.headers, input.id, f"update:{input.update}")
                return await super().start_workflow_update(input)

            async def signal_workflow(self, input: SignalWorkflowInput) -> None:
                input.headers = make(input.headers, input.id, f"signal:{input.signal}")
                await super().signal_workflow(input)

        return _Out(next)


def _payload(value: Any) -> Payload:
    return converter.PayloadConverter.default.to_payload(value)


def unsigned(headers: Mapping[str, Payload], wf: str, call: str) -> Mapping[str, Payload]:
    return {**headers, ACTOR_HEADER: _payload(MALLORY)}


def signed_by(signer: ActorSigner, *, at: datetime | None = None, wf: str | None = None) -> HeaderMaker:
    def make(headers: Mapping[str, Payload], workflow_id: str, call: str) -> Mapping[str, Payload]:
        actor = Actor.model_validate(MALLORY)
        sig = signer.sign(actor, wf or workflow_id, call, at or datetime.now(UTC))
        return {**headers, ACTOR_HEADER: _payload(MALLORY), SIGNATURE_HEADER: _payload(sig)}

    return make


async def codec_client(settings: Settings, make: HeaderMaker) -> Client:
    """Has the codec key (say, a leaked one) but not the web's signing key."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=build_data_converter(settings.codec_keys),
        interceptors=[_Headers(make)],
        header_codec_behavior=HeaderCodecBehavior.CODEC,
    )


async def awaiting_decision(client: Client, settings: Settings, simulator: str) -> WorkflowHandle[Any, Any]:
    debtor = Party(kind=PartyKind.PERSON, name="王某某", id_number=resident_id())
    deposit = {"partner_id": "bank-icbc", "kind": "deposit", "reference": "6222000011112222333"}
    await seed_subject(simulator, debtor.model_dump(mode="json"), [{**deposit, "available_fen": 5_000_00}])
    req = AssetInquiryRequest(
        case_number=case_number(), court="杭州市上城区人民法院", debtor=debtor, amount_owed_fen=1_000_00
    )
    handle = await start(client, settings, "asset-inquiry", req)
    await wait_status(handle, "awaiting_decision")
    return handle


def _update_events(history: Any) -> list[Any]:
    kinds = {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
    }
    return [e for e in history.events if e.event_type in kinds]


async def test_the_issue_attack_plain_client_forged_header_is_refused(
    client: Client, settings: Settings, simulator: str
):
    """The reproduction from issue 11: no codec, a forged ``om-actor`` header, the ``decide`` Update."""
    handle = await awaiting_decision(client, settings, simulator)
    before = await settled_history_length(handle)
    plain = await Client.connect(
        settings.temporal_address, namespace=settings.temporal_namespace, interceptors=[_Headers(unsigned)]
    )
    with pytest.raises(Exception):  # noqa: B017 - refused; the plain client cannot even read why (encrypted)
        await plain.get_workflow_handle(handle.id).execute_update(
            "decide", {"decision": REJECT, "reason": "mallory says so", "payload": {}}
        )
    history = await handle.fetch_history()
    assert len(history.events) == before and _update_events(history) == [], "the case must stay untouched"
    assert (await status(handle)).status == "awaiting_decision"
    # The real judge still decides.
    await decide(handle, REJECT, reason="申请人撤回查控申请")
    assert (await handle.result()).status == "rejected"


@pytest.mark.parametrize(
    "attack",
    ["unsigned", "wrong-key", "expired", "other-workflow"],
)
async def test_unsigned_forged_expired_or_misdirected_actor_is_refused_without_trace(
    client: Client, settings: Settings, simulator: str, attack: str
):
    handle = await awaiting_decision(client, settings, simulator)
    before = await settled_history_length(handle)
    real = settings.actor_signer()
    make = {
        "unsigned": unsigned,
        "wrong-key": signed_by(ActorSigner(_other_keys())),
        # Signed with the web's own key, but two hours ago: a captured header replayed later.
        "expired": signed_by(real, at=datetime.now(UTC) - timedelta(hours=2)),
        # Signed with the web's key for another workflow: a header copied from another case.
        "other-workflow": signed_by(real, wf="asset-inquiry-someone-else"),
    }[attack]
    forger = await codec_client(settings, make)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await forger.get_workflow_handle(handle.id).execute_update(
            "decide", {"decision": REJECT, "reason": "mallory says so", "payload": {}}
        )
    assert refusal_code(err.value) == ACTOR_UNVERIFIED
    history = await handle.fetch_history()
    assert len(history.events) == before and _update_events(history) == []
    assert (await status(handle)).status == "awaiting_decision"
    # The web's signature is accepted: the same decision as the judge goes through.
    await decide(handle, REJECT, reason="申请人撤回查控申请")
    assert (await handle.result()).status == "rejected"


async def test_a_start_with_an_unsigned_actor_fails_without_running(client: Client, settings: Settings):
    forger = await codec_client(settings, unsigned)
    s = SCENARIOS["asset-inquiry"]
    wid = f"asset-inquiry-forged-{uuid.uuid4().hex[:10]}"
    debtor = Party(kind=PartyKind.PERSON, name="王某某", id_number=resident_id())
    req = AssetInquiryRequest(
        case_number=case_number(), court="杭州市上城区人民法院", debtor=debtor, amount_owed_fen=1_00
    )
    handle = await forger.start_workflow(
        s.workflow.run,  # type: ignore[attr-defined]
        s.build_input(req, context(settings, wid)),
        id=wid,
        task_queue=settings.task_queue,
        search_attributes=scenario_search_attributes(req.case_number, "asset-inquiry", "running", req.court),
    )
    with pytest.raises(WorkflowFailureError) as err:
        await client.get_workflow_handle(handle.id).result()
    cause = err.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == ACTOR_UNVERIFIED
    history = await client.get_workflow_handle(handle.id).fetch_history()
    scheduled = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    assert scheduled == [], "the workflow's code must not run: no partner was asked"


@pytest.mark.parametrize("attack", ["unsigned", "wrong-key"])
async def test_a_forged_signal_is_dropped(client: Client, settings: Settings, simulator: str, attack: str):
    """A forged ``cancel-task`` to an open agency task: the signal is recorded by Temporal but never handled;
    the task stays open. (Signals between our own workflows are signed by the worker: the mass payout and
    cross-region tests exercise them.)"""
    from tests.scenarios.cross_region_seizure.test_cross_region_seizure import new_request

    handle = await start(client, settings, "cross-region-seizure", await new_request(simulator))
    task = client.get_workflow_handle(f"{handle.id}:task:accept")

    async def task_open() -> bool:
        with acting_as(AUDITOR):
            view = await task.query(TASK_VIEW_QUERY)
        return bool(view["state"] == "open")

    await eventually(task_open)
    make = unsigned if attack == "unsigned" else signed_by(ActorSigner(_other_keys()))
    forger = await codec_client(settings, make)
    await forger.get_workflow_handle(task.id).signal("cancel-task", "mallory cancels the task")
    history = await eventually(lambda: _signaled(task))
    await asyncio.sleep(1.0)  # the worker has had the signal in a task by now
    assert await task_open(), "a forged signal must not cancel the task"
    assert len(history) == 1
    # The same signal, signed by the web, is handled: the refusal above was the signature's doing.
    with acting_as(JUDGE):
        await task.signal("cancel-task", "案件已结")

    async def task_cancelled() -> bool:
        with acting_as(AUDITOR):
            return bool((await task.query(TASK_VIEW_QUERY))["state"] == "cancelled")

    await eventually(task_cancelled)
    # The audit trail names no one on a forger's word: the dropped signal is shown without an actor.
    trail = await derive_trail(client, task.id, Redactor({}))
    forged, signed = [e for e in trail.events if e.action == "signal:cancel-task"]
    assert forged.actor is None and forged.detail["unverified_actor"].startswith("mallory")
    assert signed.actor is not None and signed.actor.user_id == "judge" and "unverified_actor" not in signed.detail


async def _signaled(handle: WorkflowHandle[Any, Any]) -> list[Any]:
    history = await handle.fetch_history()
    return [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED]


async def test_the_judge_signed_by_the_web_still_starts_and_decides(client: Client, settings: Settings, simulator: str):
    handle = await awaiting_decision(client, settings, simulator)  # started through the signing client
    await decide(handle, REJECT, reason="申请人撤回查控申请", actor=JUDGE)
    assert (await handle.result()).status == "rejected"


# --- without a server: the signature itself, rotation, and the strict codec ----------------------------


def _keys(**keys: bytes) -> dict[str, str]:
    return {k: base64.urlsafe_b64encode(v).decode() for k, v in keys.items()}


def test_rotation_keeps_old_signatures_verifiable_and_binds_every_claim():
    old = ActorSigner(ActorKeys(active="k1", keys=_keys(k1=b"1" * 32)))
    rotated = ActorSigner(ActorKeys(active="k2", keys=_keys(k1=b"1" * 32, k2=b"2" * 32)))
    actor = Actor(user_id="judge", role=Role.JUDGE)
    raw = actor.model_dump(mode="json")
    now = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    sig = old.sign(actor, "wf-1", "update:decide", now)
    assert rotated.verify(raw, sig, "wf-1", "update:decide", now + timedelta(minutes=5)) is None
    assert rotated.sign(actor, "wf-1", "update:decide", now)["kid"] == "k2"
    # Every claim is bound: another role, workflow, call, or a time past expiry is refused.
    assert rotated.verify({**raw, "role": "admin"}, sig, "wf-1", "update:decide", now) == "signature does not match"
    assert rotated.verify(raw, sig, "wf-2", "update:decide", now) == "signature does not match"
    assert rotated.verify(raw, sig, "wf-1", "signal:cancel", now) == "signature does not match"
    assert rotated.verify(raw, sig, "wf-1", "update:decide", now + timedelta(hours=2)) == "signature expired"
    assert rotated.verify(raw, {**sig, "exp": sig["exp"] + 86400}, "wf-1", "update:decide", now) is not None
    dropped = ActorSigner(ActorKeys(active="k2", keys=_keys(k2=b"2" * 32)))
    assert dropped.verify(raw, sig, "wf-1", "update:decide", now) == "unknown signing key 'k1'"


async def test_strict_codec_turns_plaintext_into_a_refusal():
    codec = AesGcmCodec({"k": b"k" * 32}, "k")
    plain = _payload({"decision": REJECT})
    [decoded] = await codec.decode([plain])
    assert decoded.metadata["encoding"] == REFUSED and decoded.data == b""
    dc = build_data_converter(CodecKeys(active="k", keys={"k": base64.urlsafe_b64encode(b"k" * 32).decode()}))
    with pytest.raises(ApplicationError) as err:
        dc.payload_converter.from_payloads([decoded])
    assert err.value.type == PLAINTEXT_PAYLOAD and err.value.non_retryable
    # Encrypted payloads still round-trip; tests may opt out of strictness.
    [roundtrip] = await codec.decode(await codec.encode([plain]))
    assert roundtrip == plain
    lenient = AesGcmCodec({"k": b"k" * 32}, "k", require_encryption=False)
    assert (await lenient.decode([plain]))[0] == plain


# --- issue 23, item 1: a signature binds the call ---------------------------------------------------------


class _CopiedHeaders(Interceptor):
    """The attacker of issue 23: puts headers copied from history on its own Update (new id, new args)."""

    def __init__(self, headers: Mapping[str, Payload]) -> None:
        self.headers = headers

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        copied = self.headers

        class _Out(OutboundInterceptor):
            async def start_workflow_update(self, input: StartWorkflowUpdateInput) -> Any:
                input.headers = {**input.headers, **copied}
                return await super().start_workflow_update(input)

            async def signal_workflow(self, input: SignalWorkflowInput) -> None:
                input.headers = {**input.headers, **copied}
                await super().signal_workflow(input)

        return _Out(next)


async def test_an_update_header_copied_from_history_does_not_carry_a_new_update(client: Client, settings: Settings):
    """The review's reproduction: the judge extends a task; the attacker copies that Update's encrypted
    header from history and sends an ``extend`` of its own, with a new Update id and new arguments. It is
    refused (the signature names the judge's Update id and arguments) and the due date stays."""
    from tests.scenarios.agency_task.test_agency_tasks import _with_action, spec, start_task, update, view
    from workflows.foundation.messages import EXTEND_TASK
    from workflows.foundation.task_models import Extension

    handle = await start_task(client, settings, spec())
    await eventually(lambda: view(handle))
    judge = Actor(user_id="judge", role=Role.JUDGE, courts=("嘉兴市中级人民法院",))
    same = Extension(extra=LegalDuration(amount=1, unit=TimeUnit.WORKING_DAY), reason="交警申请延期")
    await update(handle, judge, EXTEND_TASK, same)
    extended = await eventually(lambda: _with_action(handle, "extended"))
    history = await handle.fetch_history()
    [accepted] = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED]
    header = accepted.workflow_execution_update_accepted_event_attributes.accepted_request.input.header.fields
    copied = {name: header[name] for name in (ACTOR_HEADER, SIGNATURE_HEADER)}  # as recorded: encrypted
    # Headers copied byte for byte (no codec on them), arguments of the attacker's choosing.
    attacker = await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=build_data_converter(settings.codec_keys),
        interceptors=[_CopiedHeaders(copied)],
    )
    bigger = {"extra": {"amount": 300, "unit": "working_day"}, "reason": "mallory 的理由"}
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await attacker.get_workflow_handle(handle.id).execute_update(EXTEND_TASK, bigger, id=f"mallory-{uuid.uuid4()}")
    assert refusal_code(err.value) == ACTOR_UNVERIFIED
    # The same arguments under a new id are refused too: the id is signed.
    with pytest.raises(WorkflowUpdateFailedError):
        await attacker.get_workflow_handle(handle.id).execute_update(EXTEND_TASK, same, id=f"mallory-{uuid.uuid4()}")
    after = await view(handle)
    assert after.deadline.due_at == extended.deadline.due_at and "mallory" not in str(after.history)


def test_a_signature_binds_the_call_id_and_the_arguments():
    signer = ActorSigner(ActorKeys(active="k1", keys=_keys(k1=b"1" * 32)))
    actor = Actor(user_id="judge", role=Role.JUDGE)
    raw = actor.model_dump(mode="json")
    now = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    args = [{"reason": "交警申请延期", "extra": {"amount": 1, "unit": "working_day"}}]
    sig = signer.sign(actor, "wf-1", "update:extend", now, call_id="u-1", args=args)
    assert signer.verify(raw, sig, "wf-1", "update:extend", now, "u-1", args) is None
    assert signer.verify(raw, sig, "wf-1", "update:extend", now, "u-2", args) == "signature is for another call"
    other = [{**args[0], "reason": "mallory"}]
    assert signer.verify(raw, sig, "wf-1", "update:extend", now, "u-1", other) == "signature is for other arguments"
    assert signer.verify(raw, {**sig, "id": "u-2"}, "wf-1", "update:extend", now) == "signature does not match"
    # A signature of the first form is good only if it was issued before the cut-over.
    from security.identity import CALL_BOUND_SIGNATURES_FROM

    def first_form(at: datetime) -> dict[str, Any]:
        import hashlib
        import hmac
        import json

        iat = int(at.timestamp())
        body = {"actor": raw, "kid": "k1", "wf": "wf-1", "call": "update:extend", "iat": iat, "exp": iat + 3600}
        mac = hmac.new(b"1" * 32, json.dumps(body, sort_keys=True, separators=(",", ":")).encode(), hashlib.sha256)
        return {"kid": "k1", "iat": iat, "exp": iat + 3600, "sig": base64.urlsafe_b64encode(mac.digest()).decode()}

    before = CALL_BOUND_SIGNATURES_FROM - timedelta(minutes=10)
    assert signer.verify(raw, first_form(before), "wf-1", "update:extend", before, "u-9", args) is None
    after = CALL_BOUND_SIGNATURES_FROM + timedelta(minutes=10)
    assert signer.verify(raw, first_form(after), "wf-1", "update:extend", after) == "signature does not bind the call"


@workflow.defn(name="om-test-counter")
class _Counter:
    """A workflow that counts the signals it takes: enough to see a signal taken once."""

    def __init__(self) -> None:
        self.count = 0
        self.done = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done)
        return self.count

    @workflow.signal(name="bump")
    def bump(self, by: int) -> None:
        self.count += by

    @workflow.signal(name="finish")
    def finish(self) -> None:
        self.done = True

    @workflow.query(name="count")
    def current(self) -> int:
        return self.count


async def test_a_signal_signature_is_good_once(client: Client, settings: Settings):
    """A signal's header copied from history onto the same signal, with the same arguments, is dropped: the
    workflow remembers the signed nonce. A new signal the web signs is taken."""
    queue = f"om-test-once-{uuid.uuid4().hex[:8]}"
    judge = Actor(user_id="judge", role=Role.JUDGE, courts=("杭州市上城区人民法院",))
    async with Worker(
        client,
        task_queue=queue,
        workflows=[_Counter],
        interceptors=[ActorWorkerInterceptor(settings.actor_signer())],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        with acting_as(judge):
            handle = await client.start_workflow(
                _Counter.run, id=f"om-test-counter-{uuid.uuid4().hex[:8]}", task_queue=queue
            )
            await handle.signal(_Counter.bump, 1)
        await eventually(lambda: _equals(handle, 1))
        history = await handle.fetch_history()
        [sent] = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED]
        header = sent.workflow_execution_signaled_event_attributes.header.fields
        copied = {name: header[name] for name in (ACTOR_HEADER, SIGNATURE_HEADER)}
        attacker = await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=build_data_converter(settings.codec_keys),
            interceptors=[_CopiedHeaders(copied)],
        )
        await attacker.get_workflow_handle(handle.id).signal("bump", 1)
        with acting_as(judge):
            await handle.signal(_Counter.bump, 10)
            await handle.signal(_Counter.finish)
        assert await handle.result() == 11, "the copy was dropped, the web's next signal taken"


async def _equals(handle: WorkflowHandle[Any, Any], count: int) -> bool:
    return bool(await handle.query("count") == count)


@workflow.defn(name="om-test-rolling-counter")
class _RollingCounter:
    """Counts signals and Updates, and continues as new on ``roll`` carrying the count."""

    @workflow.init
    def __init__(self, count: int = 0) -> None:
        self.count = count
        self.rolls = False
        self.done = False

    @workflow.run
    async def run(self, count: int = 0) -> int:
        await workflow.wait_condition(lambda: self.done or self.rolls)
        if self.rolls:
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(self.count)
        return self.count

    @workflow.signal(name="bump")
    def bump(self, by: int) -> None:
        self.count += by

    @workflow.update(name="add")
    def add(self, by: int) -> int:
        self.count += by
        return self.count

    @add.validator
    def _add_ok(self, by: int) -> None:
        if by < 0:
            raise ValueError("only up")

    @workflow.signal(name="roll")
    def roll(self) -> None:
        self.rolls = True

    @workflow.signal(name="finish")
    def finish(self) -> None:
        self.done = True

    @workflow.query(name="count")
    def current(self) -> int:
        return self.count


async def test_a_signature_copied_from_one_run_is_refused_in_the_next(client: Client, settings: Settings):
    """Issue 23, item 1 across continue-as-new: the judge's signal and Update are taken in the first run; the
    workflow continues as new; the attacker copies both headers from the first run's history (still within
    their TTL) and sends the same signal and the same Update (same id, same arguments) to the new run. Both
    are refused — the taken ids travel with the continue-as-new — and the web's next signal is taken."""
    queue = f"om-test-roll-{uuid.uuid4().hex[:8]}"
    judge = Actor(user_id="judge", role=Role.JUDGE, courts=("杭州市上城区人民法院",))
    async with Worker(
        client,
        task_queue=queue,
        workflows=[_RollingCounter],
        interceptors=[ActorWorkerInterceptor(settings.actor_signer())],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        update_id = f"judge-add-{uuid.uuid4().hex[:8]}"
        with acting_as(judge):
            handle = await client.start_workflow(
                _RollingCounter.run, id=f"om-test-rolling-{uuid.uuid4().hex[:8]}", task_queue=queue
            )
            await handle.signal(_RollingCounter.bump, 1)
            assert await handle.execute_update(_RollingCounter.add, 100, id=update_id) == 101
        first_run = (await handle.describe()).run_id
        history = await handle.fetch_history()
        [sent] = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED]
        signal_header = sent.workflow_execution_signaled_event_attributes.header.fields
        [accepted] = [
            e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        ]
        update_header = (
            accepted.workflow_execution_update_accepted_event_attributes.accepted_request.input.header.fields
        )
        with acting_as(judge):
            await handle.signal(_RollingCounter.roll)
        latest = client.get_workflow_handle(handle.id)
        await eventually(lambda: _next_run(latest, first_run))
        await eventually(lambda: _equals(latest, 101))

        def attacker_with(header: Any) -> Any:
            copied = {name: header[name] for name in (ACTOR_HEADER, SIGNATURE_HEADER)}
            return Client.connect(
                settings.temporal_address,
                namespace=settings.temporal_namespace,
                data_converter=build_data_converter(settings.codec_keys),
                interceptors=[_CopiedHeaders(copied)],
            )

        signaller = await attacker_with(signal_header)
        await signaller.get_workflow_handle(handle.id).signal("bump", 1)
        updater = await attacker_with(update_header)
        with pytest.raises(WorkflowUpdateFailedError) as err:
            await updater.get_workflow_handle(handle.id).execute_update("add", 100, id=update_id, result_type=int)
        assert refusal_code(err.value) == ACTOR_UNVERIFIED
        with acting_as(judge):
            await latest.signal(_RollingCounter.bump, 10)
            await latest.signal(_RollingCounter.finish)
        assert await latest.result() == 111, "both copies refused in the new run, the web's next signal taken"


async def _next_run(handle: WorkflowHandle[Any, Any], first_run: str) -> bool:
    return (await handle.describe()).run_id != first_run
