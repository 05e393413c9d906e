"""Assigning an agency task (协助事项) from a scenario: one child workflow per task, one id shape
(``<workflow id>:task:<step>``), its assignment and its end on the parent's timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from domain.actors import SYSTEM_ACTOR
from domain.legal_time import LegalClock
from domain.tasks import TaskSpec
from workflows.foundation.clock import calendar_data
from workflows.foundation.messages import AGENCY_TASK_WORKFLOW, CANCEL_TASK_SIGNAL
from workflows.foundation.task_models import AgencyTaskInput, TaskOutcome
from workflows.foundation.timeline import Timeline


def task_id(step: str) -> str:
    """The id of the task this workflow assigns for ``step``; unique per workflow and step, so a
    retried start can never create a second task."""
    return f"{workflow.info().workflow_id}:task:{step}"


async def start_agency_task(
    step: str, spec: TaskSpec, clock: LegalClock, timeline: Timeline, **detail: Any
) -> workflow.ChildWorkflowHandle[object, TaskOutcome]:
    """Starts the task and records the assignment; the caller awaits the handle (or cancels it)."""
    tid = task_id(step)
    # A case that ends (completed, stopped, cancelled, terminated) asks its open tasks to close, each with
    # a reason its agency reads (before, the server terminated them silently and they stayed open in the
    # agency's inbox). No patch marker: the parent close policy is not part of replay's command matching
    # (every history recorded with the old policy replays, tests/structure/test_replay.py), and a `patched` call here
    # proved fragile — tasks started from concurrent coroutines could reach it during replay before the
    # marker's workflow task was notified, and a query then failed with a nondeterminism error.
    policy = workflow.ParentClosePolicy.REQUEST_CANCEL
    handle: workflow.ChildWorkflowHandle[object, TaskOutcome] = await workflow.start_child_workflow(
        AGENCY_TASK_WORKFLOW,
        AgencyTaskInput(spec=spec, clock=clock, calendar=calendar_data()),
        id=tid,
        result_type=TaskOutcome,
        parent_close_policy=policy,
    )
    timeline.record("task_assigned", task=tid, agency=spec.agency, **detail)
    return handle


async def run_agency_task(
    step: str,
    spec: TaskSpec,
    clock: LegalClock,
    timeline: Timeline,
    cancel_when: Callable[[], str | None] | None = None,
    **detail: Any,
) -> TaskOutcome:
    """Assigns the task and waits for its end. ``cancel_when`` returns a reason once the parent no
    longer needs the task (e.g. the debtor paid); the task is then cancelled with that reason."""
    handle = await start_agency_task(step, spec, clock, timeline, **detail)
    if cancel_when is not None:
        await workflow.wait_condition(lambda: handle.done() or cancel_when() is not None)
        reason = cancel_when()
        if reason is not None and not handle.done():
            try:
                await handle.signal(CANCEL_TASK_SIGNAL, reason)
            except ApplicationError:
                # The agency answered first: the task had ended when the signal came. Its answer stands;
                # a failed cancellation must not fail the case.
                workflow.logger.info("task ended before its cancellation", extra={"task": handle.id})
    outcome = await handle
    # Who ended the task: the agency's clerk who completed or rejected it, the judge who cancelled it.
    by = outcome.completed_by or SYSTEM_ACTOR
    timeline.record(f"task_{outcome.state.value}", outcome.reason, by, task=handle.id, agency=outcome.agency)
    return outcome
