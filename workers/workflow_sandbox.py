"""The workflow sandbox the worker runs every workflow in: Temporal's own, with one shortcut.

With a payload codec configured, the SDK asks the running workflow for the serialization context of
every payload it encodes or decodes (several times per payload: codec, external storage). The stock
sandbox answers each question by compiling and executing a snippet inside the sandbox, with its
import hooks applied and removed around it: measured at ~9 ms of CPU per asset inquiry, more than the
workflow code itself (docs/performance.md). The answer is a pure function of SDK-owned state (workflow
info and pending commands) that imports nothing, so this runner asks the sandboxed SDK object directly.
Workflow code still runs, imports and is restricted exactly as in the stock sandbox.

A context only matters to a part of the data converter that takes one (``WithSerializationContext``); ours has
none (security/converter.py), so when the worker says so (``context_free``) none is computed: the SDK then codes
every payload with its context-free converter, the very object any context would have given it. Asking the
workflow instance for one cost ~0.4 ms of CPU an asset inquiry, and the SDK's comparison and re-derivation of
the converter with it as much again (docs/performance.md "loop-3").

It reaches into ``temporalio.worker.workflow_sandbox._runner`` (private); the SDK is pinned in
constraints.txt and ``tests/platform/test_worker_sandbox.py`` fails if an upgrade changes what it relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    SerializationContext,
    WithSerializationContext,
)
from temporalio.converter._extstore import StorageDriverStoreContext
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker._command_aware_visitor import CommandInfo
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox._runner import _Instance

_IN_SANDBOX = "__temporal_in_sandbox"  # where the stock sandbox keeps its in-sandbox object
_COMPOSITE_WITH_CONTEXT = CompositePayloadConverter.with_context


def reads_serialization_context(converter: DataConverter) -> bool:
    """Whether any part of ``converter`` takes a serialization context: its encoding converters, its codec,
    its failure converter or its external storage."""
    payload = converter.payload_converter_class()
    parts: list[object] = [payload]
    if isinstance(payload, CompositePayloadConverter) and type(payload).with_context is _COMPOSITE_WITH_CONTEXT:
        parts = list(payload.converters.values())  # the SDK's composite takes one only through these
    parts += [converter.payload_codec, converter.failure_converter, converter.external_storage]
    return any(isinstance(part, WithSerializationContext) for part in parts)


class _DirectContextInstance(_Instance):
    context_free = False  # the runner's word that its worker's data converter takes no context

    def get_serialization_context(self, command_info: CommandInfo | None) -> SerializationContext | None:
        if self.context_free:
            return None
        return self._in_sandbox().get_serialization_context(command_info)

    def get_external_store_context(self, command_info: CommandInfo | None) -> StorageDriverStoreContext:
        return self._in_sandbox().get_external_store_context(command_info)

    def _in_sandbox(self) -> Any:
        return self.globals_and_locals[_IN_SANDBOX]


@dataclass(frozen=True)
class WorkflowSandbox(SandboxedWorkflowRunner):
    """``SandboxedWorkflowRunner`` whose instances answer serialization-context questions directly, or, for a
    worker whose data converter takes none (``context_free``, see ``reads_serialization_context``), not at all."""

    context_free: bool = False

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        instance = _DirectContextInstance(det, self.runner_class, self.restrictions)
        instance.context_free = self.context_free
        return instance
