"""The workflow sandbox the worker runs every workflow in: Temporal's own, with one shortcut.

With a payload codec configured, the SDK asks the running workflow for the serialization context of
every payload it encodes or decodes (several times per payload: codec, external storage). The stock
sandbox answers each question by compiling and executing a snippet inside the sandbox, with its
import hooks applied and removed around it: measured at ~9 ms of CPU per asset inquiry, more than the
workflow code itself (docs/performance.md). The answer is a pure function of SDK-owned state (workflow
info and pending commands) that imports nothing, so this runner asks the sandboxed SDK object directly.
Workflow code still runs, imports and is restricted exactly as in the stock sandbox.

It reaches into ``temporalio.worker.workflow_sandbox._runner`` (private); the SDK is pinned in
constraints.txt and ``tests/platform/test_worker_sandbox.py`` fails if an upgrade changes what it relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from temporalio.converter import SerializationContext
from temporalio.converter._extstore import StorageDriverStoreContext
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker._command_aware_visitor import CommandInfo
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox._runner import _Instance

_IN_SANDBOX = "__temporal_in_sandbox"  # where the stock sandbox keeps its in-sandbox object


class _DirectContextInstance(_Instance):
    def get_serialization_context(self, command_info: CommandInfo | None) -> SerializationContext | None:
        return self._in_sandbox().get_serialization_context(command_info)

    def get_external_store_context(self, command_info: CommandInfo | None) -> StorageDriverStoreContext:
        return self._in_sandbox().get_external_store_context(command_info)

    def _in_sandbox(self) -> Any:
        return self.globals_and_locals[_IN_SANDBOX]


@dataclass(frozen=True)
class WorkflowSandbox(SandboxedWorkflowRunner):
    """``SandboxedWorkflowRunner`` whose instances answer serialization-context questions directly."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _DirectContextInstance(det, self.runner_class, self.restrictions)
