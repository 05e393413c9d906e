"""The worker's sandbox (workers/workflow_sandbox.py) answers serialization-context questions without entering the
sandbox. A payload codec must see exactly the contexts it sees under the SDK's stock sandbox: if an SDK
upgrade changes the internals the shortcut relies on, this fails before production does."""

from __future__ import annotations

import dataclasses
import sys
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import cast

from temporalio import workflow
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.failure.v1 import Failure
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
from temporalio.worker import Worker, WorkflowInstanceDetails, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox._runner import _fake_info

from config.settings import Settings
from tests.sandbox_probe import SandboxProbe, probe_echo
from workers.main import PASSTHROUGH_MODULES, sandbox_runner
from workers.workflow_sandbox import WorkflowSandbox, reads_serialization_context
from workflows.asset_inquiry import SCENARIO as ASSET_INQUIRY
from workflows.asset_inquiry.workflow import AssetInquiry

Seen = tuple[str, SerializationContext | None]


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
