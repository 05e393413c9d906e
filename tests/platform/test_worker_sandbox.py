"""The worker's sandbox (workers/workflow_sandbox.py) answers serialization-context questions without entering the
sandbox. A payload codec must see exactly the contexts it sees under the SDK's stock sandbox: if an SDK
upgrade changes the internals the shortcut relies on, this fails before production does."""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar, cast

import pytest
import temporalio.bridge.worker
from google.protobuf.message import Message
from temporalio import workflow
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.failure.v1 import Failure
from temporalio.bridge.proto.activity_result import ActivityResolution
from temporalio.bridge.proto.activity_result import Success as ActivitySuccess
from temporalio.bridge.proto.workflow_activation import (
    InitializeWorkflow,
    ResolveActivity,
    WorkflowActivation,
    WorkflowActivationJob,
)
from temporalio.bridge.proto.workflow_commands import CompleteWorkflowExecution, ScheduleActivity, WorkflowCommand
from temporalio.bridge.proto.workflow_completion import Success, WorkflowActivationCompletion
from temporalio.client import Client
from temporalio.converter import (
    ActivitySerializationContext,
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)
from temporalio.converter._extstore import _REFERENCE_MARKER_KEY
from temporalio.worker import Worker, WorkflowInstanceDetails, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox._runner import _fake_info

from config.settings import Settings
from tests.sandbox_probe import SandboxProbe, probe_echo
from workers import payload_passes
from workers.main import PASSTHROUGH_MODULES, sandbox_runner
from workers.workflow_sandbox import WorkflowSandbox, reads_serialization_context
from workflows.asset_inquiry import SCENARIO as ASSET_INQUIRY
from workflows.asset_inquiry.workflow import AssetInquiry

Seen = tuple[str, SerializationContext | None]
M = TypeVar("M", bound=Message)


class ContextRecordingCodec(PayloadCodec, WithSerializationContext):
    """Passes payloads through unchanged and notes the context of every call."""

    def __init__(
        self, seen: list[tuple[str, SerializationContext | None]], context: SerializationContext | None = None
    ):
        self.seen = seen
        self.context = context

    def with_context(self, context: SerializationContext) -> ContextRecordingCodec:
        return ContextRecordingCodec(self.seen, context)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        self.seen.append(("encode", self.context))
        return list(payloads)

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        self.seen.append(("decode", self.context))
        return list(payloads)


async def _contexts_seen(client: Client, runner: WorkflowRunner, queue: str) -> set[Seen]:
    seen: list[Seen] = []
    converter = dataclasses.replace(DataConverter.default, payload_codec=ContextRecordingCodec(seen))
    config = client.config()
    config["data_converter"] = converter
    config["interceptors"] = []  # no acting user here; the probe records nobody
    recording = Client(**config)
    async with Worker(
        recording, task_queue=queue, workflows=[SandboxProbe], activities=[probe_echo], workflow_runner=runner
    ):
        # A shortcut that breaks fails the workflow task, which Temporal retries forever: bound the wait.
        result = await recording.execute_workflow(
            SandboxProbe.run, "hello", id=queue, task_queue=queue, execution_timeout=timedelta(seconds=20)
        )
    assert result == "hello"
    return set(seen)


async def test_the_codec_sees_the_same_contexts_as_under_the_stock_sandbox(client: Client):
    stock = SandboxedWorkflowRunner(
        restrictions=SandboxedWorkflowRunner().restrictions.with_passthrough_modules(*PASSTHROUGH_MODULES)
    )
    ours = sandbox_runner()
    assert isinstance(ours, WorkflowSandbox)

    queue = f"sandbox-probe-{uuid.uuid4().hex[:8]}"  # the same for both: ids are part of the context
    with_stock = await _contexts_seen(client, stock, queue)
    with_ours = await _contexts_seen(client, ours, queue)

    assert with_ours == with_stock
    activity_contexts = [c for _, c in with_ours if isinstance(c, ActivitySerializationContext)]
    assert activity_contexts, "the activity's input and result are coded in the activity's context"
    assert all(c.activity_id == "echo-1" and c.activity_type == "probe_echo" for c in activity_contexts)
    assert any(isinstance(c, WorkflowSerializationContext) for _, c in with_ours)


async def test_a_worker_whose_converter_takes_no_context_computes_none(client: Client, worker: Worker):
    """Ours takes none (security/converter.py), so the worker's runner computes no context: the SDK codes with
    its context-free converter, which every context gives for ours. A converter with a part that takes a
    context (the recording codec above, an encoding converter) keeps them all, as the test above checks."""
    assert not reads_serialization_context(client.data_converter)
    runner = worker.config()["workflow_runner"]
    assert isinstance(runner, WorkflowSandbox) and runner.context_free
    recording = dataclasses.replace(DataConverter.default, payload_codec=ContextRecordingCodec([]))
    assert reads_serialization_context(recording)

    class ContextConverter(CompositePayloadConverter):
        def __init__(self) -> None:
            super().__init__(*DefaultPayloadConverter.default_encoding_payload_converters, _ContextJSON())

    class OwnContextConverter(CompositePayloadConverter):
        def __init__(self) -> None:
            super().__init__(*DefaultPayloadConverter.default_encoding_payload_converters)

        def with_context(self, context: SerializationContext) -> OwnContextConverter:
            return OwnContextConverter()

    for converter_class in (ContextConverter, OwnContextConverter):
        assert reads_serialization_context(
            dataclasses.replace(DataConverter.default, payload_converter_class=converter_class)
        ), converter_class

    probe = _details(workflow._Definition.must_from_class(SandboxProbe))
    assert sandbox_runner(context_free=True).create_instance(probe).get_serialization_context(None) is None
    with_context = sandbox_runner().create_instance(probe).get_serialization_context(None)
    assert isinstance(with_context, WorkflowSerializationContext)


class _ContextJSON(JSONPlainPayloadConverter, WithSerializationContext):
    def with_context(self, context: SerializationContext) -> _ContextJSON:
        return self


def test_the_sdks_payload_passes_are_the_ones_folded_into_one_walk():
    """workers/payload_passes.py folds the SDK's three walks of an activation (and of a completion) into one
    when nothing is stored externally, by the SDK's own steps in the SDK's order. An SDK upgrade that changes
    these functions fails here: fold what they do then, or drop the fold."""
    for sdk_function, digest in (
        (payload_passes.SDK_DECODE_ACTIVATION, "f48cb3360af5ebef1b1a2084e863b36e8bed152ae8537af5a1dc2fbc226d2734"),
        (payload_passes.SDK_ENCODE_COMPLETION, "a1d916feb9231adbc638289e6476c20383bfdff7aad7125dfd95bfc8af6c042e"),
    ):
        assert hashlib.sha256(inspect.getsource(sdk_function).encode()).hexdigest() == digest, sdk_function


async def test_one_walk_codes_an_activation_and_a_completion_as_the_sdks_three(client: Client, worker: Worker):
    """The same payloads (decoded by our encrypting converter; encoded by a deterministic codec, so the
    bytes compare), the same refusal of a stored reference, and the worker walks once."""
    assert temporalio.bridge.worker.decode_activation is payload_passes.decode_activation
    assert temporalio.bridge.worker.encode_completion is payload_passes.encode_completion
    ours = client.data_converter
    assert ours.external_storage is None
    encrypted = await ours.encode(["an argument", {"a": 1}, "a result"])
    activation = WorkflowActivation(
        run_id="run",
        jobs=[
            WorkflowActivationJob(
                initialize_workflow=InitializeWorkflow(
                    workflow_type="W", arguments=encrypted[:2], headers={"om-actor": encrypted[0]}
                )
            ),
            WorkflowActivationJob(
                resolve_activity=ResolveActivity(
                    seq=1, result=ActivityResolution(completed=ActivitySuccess(result=encrypted[2]))
                )
            ),
        ],
    )
    by_sdk, by_ours = await _coded_both_ways(
        activation, ours, payload_passes.SDK_DECODE_ACTIVATION, payload_passes.decode_activation
    )
    assert by_ours == by_sdk and by_ours != activation
    assert ours.payload_converter.from_payloads([by_ours.jobs[1].resolve_activity.result.completed.result]) == [
        "a result"
    ]

    reversing = dataclasses.replace(DataConverter.default, payload_codec=_ReversingCodec())
    plain = DataConverter.default.payload_converter.to_payloads(["an argument", "a result"])
    completion = WorkflowActivationCompletion(
        run_id="run",
        successful=Success(
            commands=[
                WorkflowCommand(
                    schedule_activity=ScheduleActivity(
                        seq=1, activity_id="1", activity_type="a", arguments=plain[:1], headers={"h": plain[0]}
                    )
                ),
                WorkflowCommand(complete_workflow_execution=CompleteWorkflowExecution(result=plain[1])),
            ]
        ),
    )
    enc_sdk, enc_ours = await _coded_both_ways(
        completion, reversing, payload_passes.SDK_ENCODE_COMPLETION, payload_passes.encode_completion
    )
    assert enc_ours == enc_sdk and enc_ours != completion

    marked = Payload()
    marked.CopyFrom(encrypted[2])
    marked.metadata[_REFERENCE_MARKER_KEY] = b"true"
    for decode in (payload_passes.SDK_DECODE_ACTIVATION, payload_passes.decode_activation):
        stored = WorkflowActivation(
            jobs=[
                WorkflowActivationJob(
                    resolve_activity=ResolveActivity(
                        seq=1, result=ActivityResolution(completed=ActivitySuccess(result=marked))
                    )
                )
            ]
        )
        with pytest.raises(RuntimeError, match="TMPRL1105"):
            await decode(stored, ours, True, 8)


async def _coded_both_ways(
    message: M, converter: DataConverter, sdk_pass: Callable[..., Awaitable[Any]], ours: Callable[..., Awaitable[Any]]
) -> tuple[M, M]:
    """Copies of ``message`` coded by the SDK's passes and by ours (headers too, as the worker codes them)."""
    by_sdk, by_ours = type(message)(), type(message)()
    by_sdk.CopyFrom(message)
    by_ours.CopyFrom(message)
    await sdk_pass(by_sdk, converter, True, 8)
    await ours(by_ours, converter, True, 8)
    return by_sdk, by_ours


class _ReversingCodec(PayloadCodec):
    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [Payload(metadata={"encoding": b"reversed"}, data=p.SerializeToString()[::-1]) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [Payload.FromString(p.data[::-1]) for p in payloads]


async def test_the_worker_reimports_the_workflow_code_per_run_unless_told_to_share_it(settings: Settings):
    """The worker by default (and the tests' worker, and the replayer) re-imports a procedure for every run, so
    the sandbox's restricted ``datetime``/``random``/``os`` are what workflow code sees, and a direct clock read
    fails (Settings.workflow_sandbox_strict); shared (``strict=False``), every run uses the one imported class."""
    defn = workflow._Definition.must_from_class(AssetInquiry)

    def workflow_class(runner: WorkflowSandbox) -> type:
        instance = runner.create_instance(_details(defn))
        return cast(type, instance.globals_and_locals["__temporal_workflow_class"])  # type: ignore[attr-defined]

    assert Settings(_env_file=None).workflow_sandbox_strict
    assert workflow_class(sandbox_runner(strict=False)) is AssetInquiry
    assert settings.workflow_sandbox_strict
    guarded = workflow_class(sandbox_runner())
    assert guarded is not AssetInquiry and guarded.__qualname__ == AssetInquiry.__qualname__
    assert workflow_class(sandbox_runner()) is not guarded, "a fresh import for every run"


async def test_a_guarded_run_reimports_its_own_module_and_not_its_package_siblings():
    """The strict sandbox executes a run's package ``__init__`` afresh before its module: the asset inquiry's
    builds ``SCENARIO`` on first access, so a run of the inquiry re-imports neither the measure-term watcher
    nor ``from_case``, and a watcher's run not the inquiry (docs/performance.md, "loop-2")."""
    for wf in ASSET_INQUIRY.workflows:
        instance = sandbox_runner().create_instance(_details(workflow._Definition.must_from_class(wf)))
        modules = instance.importer.new_modules  # type: ignore[attr-defined]
        fresh = {n for n, m in modules.items() if n.startswith(ASSET_INQUIRY.package) and m is not sys.modules.get(n)}
        assert fresh == {ASSET_INQUIRY.package, wf.__module__}, wf.__name__
        assert getattr(modules[wf.__module__], wf.__name__) is not wf, "the guard still re-imports the run's own code"


def _details(defn: workflow._Definition) -> WorkflowInstanceDetails:
    """What the SDK's own ``prepare_workflow`` builds to create an instance outside any run."""
    return WorkflowInstanceDetails(
        payload_converter_factory=DataConverter.default._new_payload_converter,
        failure_converter_class=DataConverter.default.failure_converter_class,
        interceptor_classes=[],
        defn=defn,
        info=_fake_info,
        randomness_seed=-1,
        extern_functions={},
        disable_eager_activity_execution=False,
        worker_level_failure_exception_types=[],
        patch_activation_callback=None,
        last_completion_result=Payloads(),
        last_failure=Failure(),
    )
