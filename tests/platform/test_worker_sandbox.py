"""The worker's sandbox (workers/workflow_sandbox.py) answers serialization-context questions without entering the
sandbox. A payload codec must see exactly the contexts it sees under the SDK's stock sandbox: if an SDK
upgrade changes the internals the shortcut relies on, this fails before production does."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import timedelta

from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.converter import (
    ActivitySerializationContext,
    DataConverter,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)
from temporalio.worker import Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from tests.sandbox_probe import SandboxProbe, probe_echo
from workers.main import PASSTHROUGH_MODULES, sandbox_runner
from workers.workflow_sandbox import WorkflowSandbox

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
