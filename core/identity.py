"""Carries the acting user on every Temporal call, in a header, from the web's client to workflows,
children and activities — so a workflow can record who did what without trusting its arguments.

Client side: ``with acting_as(actor): await client.start_workflow(...)``.
Workflow side: ``current_actor()`` inside a run, signal, update (and its validator) or query.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from temporalio import activity, client, converter, workflow
from temporalio.api.common.v1 import Payload
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    ExecuteWorkflowInput,
    HandleQueryInput,
    HandleSignalInput,
    HandleUpdateInput,
    Interceptor,
    StartActivityInput,
    StartChildWorkflowInput,
    StartLocalActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from domain.actors import Actor

ACTOR_HEADER = "om-actor"

_actor: ContextVar[Actor | None] = ContextVar("om_actor", default=None)


class MissingActorError(Exception):
    """A call reached Temporal without an acting user; we refuse rather than record an anonymous act."""


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


def _encode(actor: Actor) -> Payload:
    return converter.PayloadConverter.default.to_payload(actor.model_dump(mode="json"))


def _decode(headers: Mapping[str, Payload]) -> Actor | None:
    payload = headers.get(ACTOR_HEADER)
    if payload is None:
        return None
    return Actor.model_validate(converter.PayloadConverter.default.from_payload(payload))


def _with_actor(headers: Mapping[str, Payload], actor: Actor | None) -> Mapping[str, Payload]:
    if actor is None:
        return headers
    return {**headers, ACTOR_HEADER: _encode(actor)}


# --- client -------------------------------------------------------------------------------------------


class ActorClientInterceptor(client.Interceptor):
    def intercept_client(self, next: client.OutboundInterceptor) -> client.OutboundInterceptor:
        return _ActorClientOutbound(next)


class _ActorClientOutbound(client.OutboundInterceptor):
    async def start_workflow(self, input: client.StartWorkflowInput) -> client.WorkflowHandle[Any, Any]:
        input.headers = _with_actor(input.headers, current_actor())
        return await super().start_workflow(input)

    async def signal_workflow(self, input: client.SignalWorkflowInput) -> None:
        input.headers = _with_actor(input.headers, current_actor())
        await super().signal_workflow(input)

    async def start_workflow_update(self, input: client.StartWorkflowUpdateInput) -> client.WorkflowUpdateHandle[Any]:
        input.headers = _with_actor(input.headers, current_actor())
        return await super().start_workflow_update(input)

    async def start_update_with_start_workflow(
        self, input: client.StartWorkflowUpdateWithStartInput
    ) -> client.WorkflowUpdateHandle[Any]:
        actor = current_actor()
        input.start_workflow_input.headers = _with_actor(input.start_workflow_input.headers, actor)
        input.update_workflow_input.headers = _with_actor(input.update_workflow_input.headers, actor)
        return await super().start_update_with_start_workflow(input)

    async def query_workflow(self, input: client.QueryWorkflowInput) -> Any:
        # Queries change nothing, so an anonymous one is allowed; the web checks access before it asks.
        input.headers = _with_actor(input.headers, current_actor_or_none())
        return await super().query_workflow(input)


# --- worker -------------------------------------------------------------------------------------------


class ActorWorkerInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ActorActivityInbound(next)

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        return _ActorWorkflowInbound


class _ActorActivityInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        actor = _decode(input.headers)
        token = _actor.set(actor)
        try:
            return await super().execute_activity(input)
        finally:
            _actor.reset(token)


class _ActorWorkflowInbound(WorkflowInboundInterceptor):
    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        super().init(_ActorWorkflowOutbound(outbound))

    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        _actor.set(_decode(input.headers))
        return await super().execute_workflow(input)

    async def handle_signal(self, input: HandleSignalInput) -> None:
        token = _actor.set(_decode(input.headers))
        try:
            await super().handle_signal(input)
        finally:
            _actor.reset(token)

    async def handle_query(self, input: HandleQueryInput) -> Any:
        token = _actor.set(_decode(input.headers))
        try:
            return await super().handle_query(input)
        finally:
            _actor.reset(token)

    def handle_update_validator(self, input: HandleUpdateInput) -> None:
        token = _actor.set(_decode(input.headers))
        try:
            super().handle_update_validator(input)
        finally:
            _actor.reset(token)

    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        token = _actor.set(_decode(input.headers))
        try:
            return await super().handle_update_handler(input)
        finally:
            _actor.reset(token)


class _ActorWorkflowOutbound(WorkflowOutboundInterceptor):
    """Children and activities act on behalf of whoever caused them (the starter, or an update's sender)."""

    def start_activity(self, input: StartActivityInput) -> workflow.ActivityHandle[Any]:
        input.headers = _with_actor(input.headers, _actor.get())
        return super().start_activity(input)

    def start_local_activity(self, input: StartLocalActivityInput) -> workflow.ActivityHandle[Any]:
        input.headers = _with_actor(input.headers, _actor.get())
        return super().start_local_activity(input)

    async def start_child_workflow(self, input: StartChildWorkflowInput) -> workflow.ChildWorkflowHandle[Any, Any]:
        input.headers = _with_actor(input.headers, _actor.get())
        return await super().start_child_workflow(input)


def activity_actor() -> Actor | None:
    """Inside an activity: who the workflow was acting for when it scheduled this activity."""
    if not activity.in_activity():
        return None
    return _actor.get()
