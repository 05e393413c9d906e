"""The SDK's payload passes over a workflow activation and its completion, in one walk when the worker
stores no payload externally.

For every activation the SDK walks the whole message three times (``temporalio.bridge.worker``
``decode_activation``): storage references to decode, externally stored payloads to fetch (a task for each
payload), then the codec; and the completion three times the other way round. With no external storage the
first two steps of each change nothing but a refusal (a payload marked as a stored reference, TMPRL1105), so
here each payload sequence takes the same three steps, in the same order and by the SDK's own functions, in
one walk: the same payloads and the same refusal, for ~2 ms less CPU an asset inquiry on the worker's event
loop (docs/performance.md "loop-3"). A worker with external storage keeps the SDK's passes and their
concurrent fetches.

The SDK's worker calls these functions by their module attributes, which ``install`` replaces (private; the
SDK is pinned in constraints.txt and ``tests/platform/test_worker_sandbox.py`` fails if an upgrade changes the
passes folded here).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import temporalio.bridge.worker as sdk
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.converter import DataConverter
from temporalio.converter._extstore import StorageOperationMetrics
from temporalio.worker._command_aware_visitor import CommandAwarePayloadVisitor

SDK_DECODE_ACTIVATION = sdk.decode_activation
SDK_ENCODE_COMPLETION = sdk.encode_completion


async def decode_activation(
    activation: WorkflowActivation,
    data_converter: DataConverter,
    decode_headers: bool,
    storage_concurrency_limit: int,
) -> StorageOperationMetrics:
    if data_converter.external_storage is not None:
        return await SDK_DECODE_ACTIVATION(activation, data_converter, decode_headers, storage_concurrency_limit)
    dc = data_converter
    steps = (dc._decode_reference_payload_sequence, dc._external_retrieve_payload_sequence, dc._decode_payload_sequence)
    return await _walk_once(activation, decode_headers, steps)


async def encode_completion(
    completion: WorkflowActivationCompletion,
    data_converter: DataConverter,
    encode_headers: bool,
    storage_concurrency_limit: int,
) -> StorageOperationMetrics:
    if data_converter.external_storage is not None:
        return await SDK_ENCODE_COMPLETION(completion, data_converter, encode_headers, storage_concurrency_limit)
    dc = data_converter
    steps = (dc._encode_payload_sequence, dc._external_store_payload_sequence, dc._encode_reference_payload_sequence)
    return await _walk_once(completion, encode_headers, steps)


Step = Callable[[Sequence[Payload]], Awaitable[list[Payload]]]


async def _walk_once(message: Message, headers: bool, steps: Sequence[Step]) -> StorageOperationMetrics:
    async def each(payloads: Sequence[Payload]) -> list[Payload]:
        for step in steps:
            payloads = await step(payloads)
        return list(payloads)

    visitor = CommandAwarePayloadVisitor(skip_search_attributes=True, skip_headers=not headers)
    await visitor.visit(sdk._Visitor(each), message)
    return StorageOperationMetrics()  # nothing was fetched from or stored elsewhere


def install() -> None:
    """The SDK's workflow worker (every one in this process) walks a message once when it stores nothing
    externally. Idempotent."""
    sdk.decode_activation = decode_activation
    sdk.encode_completion = encode_completion
