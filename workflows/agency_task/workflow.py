"""One agency task (协助事项) as a child workflow: the agency claims and completes it through Updates
whose validators refuse the wrong agency, the wrong state or an invalid result without a trace in
history; the judge reassigns, extends or cancels with a reason; yellow, red and escalation fire on
durable timers in legal time. Every transition is recorded (who, when, why) and projected to the inbox."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.tasks import DeadlineRequest, TaskActivities
    from domain.actors import SYSTEM_ACTOR, Actor, Role
    from domain.calendar import Deadline
    from domain.legal_time import LegalDuration, TimeUnit
    from domain.task_results import validate_result
    from domain.tasks import SlaMark, TaskSpec, TaskState, TaskTransition, TaskView, extension_problem
    from workflows.foundation import retries
    from workflows.foundation.clock import compute_deadlines, load_calendar
    from workflows.foundation.messages import (
        AGENCY_TASK_WORKFLOW,
        CANCEL_TASK,
        CANCEL_TASK_SIGNAL,
        CLAIM_TASK,
        COMPLETE_TASK,
        EXTEND_TASK,
        REASSIGN_TASK,
        RECOMPUTE_TASK_DEADLINE,
        REJECT_TASK,
        RELEASE_TASK,
        TASK_VIEW_QUERY,
    )
    from workflows.foundation.task_models import (
        AgencyTaskInput,
        Completion,
        Extension,
        Reasoned,
        Reassignment,
        TaskOutcome,
    )
    from workflows.foundation.timeline import acting_user, refusal_from, refuse, require_role

# Changes that reschedule the task; also the action names recorded on its history.
REASSIGNED, EXTENDED, RECOMPUTED = "reassigned", "extended", "deadline_recomputed"
RECHECKED = "deadline_rechecked"
PROVISIONAL_RECHECK = LegalDuration(amount=7, unit=TimeUnit.CALENDAR_DAY)
# Why a task closed with its case, as its agency reads it.
CASE_ENDED = "案件已办结、终止或撤销, 本事项无需继续办理 / the case has ended: nothing is left to do for it"


@workflow.defn(name=AGENCY_TASK_WORKFLOW)
class AgencyTask:
    def __init__(self) -> None:
        self.view: TaskView | None = None
        self.yellow_at: datetime | None = None
        self.red_at: datetime | None = None
        # Changes the run loop has yet to act on, in arrival order: (action, reason, detail).
        self.pending: list[tuple[str, str | None, dict[str, Any]]] = []
        self.finished = False
        self.completed_by: Actor | None = None
        self.final_reason: str | None = None
        # A parent's cancellation that arrived before the task had set itself up (its calendar is an
        # activity away from its view in a run its parent gave none): acted on as soon as the view exists.
        self.cancelled_early: str | None = None

    @workflow.run
    async def run(self, inp: AgencyTaskInput) -> TaskOutcome:
        await load_calendar(inp.calendar)
        assigned_at = inp.clock.legal_now(workflow.now())
        info = workflow.info()
        deadline = await self._compute_marks(assigned_at, inp.spec)
        self.view = TaskView(
            task_id=info.workflow_id,
            workflow_id=info.parent.workflow_id if info.parent else info.workflow_id,
            version=0,
            spec=inp.spec,
            state=TaskState.OPEN,
            mark=SlaMark.GREEN,
            escalated=False,
            assigned_at=assigned_at,
            deadline=deadline,
        )
        self._record_scheduled("assigned", reason=None)
        if self.cancelled_early is not None:
            self._cancel(self.cancelled_early)
        await self._project()
        try:
            while not self.view.state.is_final:
                await self._wait_for_change_or_mark(inp)
        except asyncio.CancelledError:
            # The case that asked for the task has ended (its parent close policy asks its open tasks
            # to close): the agency sees why, and nothing stays open in its inbox.
            if not self.view.state.is_final:
                self._cancel(CASE_ENDED, actor=SYSTEM_ACTOR)
        await self._project()
        return TaskOutcome(
            task_id=self.view.task_id,
            state=self.view.state,
            agency=self.view.spec.agency,
            result=self.view.result,
            attachments=self.view.attachments,
            completed_by=self.completed_by,
            reason=self.final_reason,
        )

    # --- time ---------------------------------------------------------------------------------------

    async def _compute_marks(self, start: datetime, spec: TaskSpec, fresh: bool = False) -> Deadline:
        """The deadline and the yellow and red marks, in legal time from ``start``; ``fresh``: on the
        calendar as it stands now (a recheck, a recompute asked for), not the run's copy."""
        rule = spec.rule
        deadline, yellow, red = await compute_deadlines(
            DeadlineRequest(start=start, durations=[rule.due, rule.yellow_after, rule.red_after]), fresh
        )
        self.yellow_at, self.red_at = yellow.due_at, red.due_at
        return deadline

    async def _schedule(self, action: str, reason: str | None, detail: dict[str, Any] | None = None) -> None:
        """Recomputes the deadline and marks after a change and records the transition."""
        assert self.view is not None
        fresh = action in (RECOMPUTED, RECHECKED)
        self.view.deadline = await self._compute_marks(self.view.assigned_at, self.view.spec, fresh)
        self._record_scheduled(action, reason, detail or {})
        await self._project()

    def _record_scheduled(self, action: str, reason: str | None, detail: dict[str, Any] | None = None) -> None:
        assert self.view is not None
        detail = detail or {}
        self._record(
            action,
            reason,
            due_at=self.view.deadline.due_at.isoformat(),
            provisional=self.view.deadline.provisional,
            **detail,
        )

    async def _wait_for_change_or_mark(self, inp: AgencyTaskInput) -> None:
        assert self.view is not None and self.yellow_at and self.red_at
        now = inp.clock.legal_now(workflow.now())
        upcoming = [t for t in (self.yellow_at, self.red_at, self.view.deadline.due_at) if t > now]
        recheck_at = now + timedelta(days=PROVISIONAL_RECHECK.amount) if self.view.deadline.provisional else None
        if recheck_at:
            upcoming.append(recheck_at)
        delay = inp.clock.real_delay_until(min(upcoming), workflow.now()) if upcoming else None
        # An update may have arrived while we were busy (projecting, computing): it is still pending.
        try:
            await workflow.wait_condition(lambda: bool(self.pending) or self.finished, timeout=delay)
        except TimeoutError:
            pass
        if self.finished:
            return
        if self.pending:
            changes, self.pending = self.pending, []
            for action, reason, detail in changes:
                if action == REASSIGNED:
                    self.view.assigned_at = inp.clock.legal_now(workflow.now())
                    self.view.mark, self.view.overdue, self.view.escalated = SlaMark.GREEN, False, False
                await self._schedule(action, reason, detail)
            return
        now = inp.clock.legal_now(workflow.now())
        if recheck_at and now >= recheck_at:
            await self._schedule(RECHECKED, reason=None)
        await self._apply_marks(now)

    async def _apply_marks(self, now: datetime) -> None:
        """Applies every mark whose time has come, in the order of their times (a late wake-up may
        find several due at once; the record still reads in legal order)."""
        assert self.view is not None and self.yellow_at and self.red_at
        marks = sorted([(self.yellow_at, "yellow"), (self.red_at, "red"), (self.view.deadline.due_at, "overdue")])
        changed = False
        for at, mark in marks:
            if at > now:
                break
            if mark == "overdue" and not self.view.overdue:
                self.view.overdue = True
                self._record("overdue", None, due_at=at.isoformat())
            elif mark == "yellow" and self.view.mark is SlaMark.GREEN:
                self.view.mark = SlaMark.YELLOW
                self._record("turned_yellow", None)
            elif mark == "red" and self.view.mark is not SlaMark.RED:
                self.view.mark = SlaMark.RED
                self._record("turned_red", None)
                self.view.escalated = True
                self._record("escalated", None, to_role=self.view.spec.rule.supervising_role)
            else:
                continue
            changed = True
        if changed:
            await self._project()

    # --- agency updates -------------------------------------------------------------------------------

    @workflow.update(name=CLAIM_TASK)
    async def claim(self) -> TaskView:
        assert self.view is not None
        self.view.state = TaskState.CLAIMED
        self.view.claimed_by = acting_user().user_id
        self._record("claimed", None)
        await self._project()
        return self.view

    @claim.validator
    def _validate_claim(self) -> None:
        self._require_agency()
        self._require_state(TaskState.OPEN)

    @workflow.update(name=RELEASE_TASK)
    async def release(self, body: Reasoned) -> TaskView:
        """The clerk hands the task back (退回待签收): open again for any clerk of the agency. A new
        handler only: histories recorded before it never call it, so they replay unchanged."""
        assert self.view is not None
        previous = self.view.claimed_by
        self.view.state, self.view.claimed_by = TaskState.OPEN, None
        self._record("released", body.reason, previous_assignee=previous)
        await self._project()
        return self.view

    @release.validator
    def _validate_release(self, body: Reasoned) -> None:
        self._require_agency()
        self._require_state(TaskState.CLAIMED)

    @workflow.update(name=COMPLETE_TASK)
    async def complete(self, completion: Completion) -> TaskView:
        assert self.view is not None
        self.view.result = validate_result(self.view.spec.result_type, completion.result)
        self.view.attachments = completion.attachments
        self.view.state = TaskState.COMPLETED
        self.completed_by = acting_user()
        self._record("completed", completion.note or None, attachments=completion.attachments)
        self.finished = True
        return self.view

    @complete.validator
    def _validate_complete(self, completion: Completion) -> None:
        actor = self._require_agency()
        self._require_state(TaskState.OPEN, TaskState.CLAIMED)
        view = self._ready_view()
        if view.spec.not_by is not None and actor.user_id == view.spec.not_by:
            raise refuse(
                "FOUR_EYES_REQUIRED", "另一人复核: the user who made the change may not confirm it / 须由他人复核"
            )
        try:
            validate_result(view.spec.result_type, completion.result)
        except ValidationError as exc:
            raise refusal_from(exc, "INVALID_RESULT", "result.") from None

    @workflow.update(name=REJECT_TASK)
    async def reject(self, body: Reasoned) -> TaskView:
        assert self.view is not None
        self.view.state = TaskState.REJECTED
        self.final_reason = body.reason
        self.completed_by = acting_user()
        self._record("rejected", body.reason)
        self.finished = True
        return self.view

    @reject.validator
    def _validate_reject(self, body: Reasoned) -> None:
        self._require_agency()
        self._require_state(TaskState.OPEN, TaskState.CLAIMED)

    # --- the judge's updates --------------------------------------------------------------------------

    @workflow.update(name=REASSIGN_TASK)
    async def reassign(self, body: Reassignment) -> TaskView:
        assert self.view is not None
        previous = self.view.spec.agency
        self.view.spec = self.view.spec.model_copy(update={"agency": body.agency})
        self.view.state, self.view.claimed_by = TaskState.OPEN, None
        self.pending.append((REASSIGNED, body.reason, {"previous_agency": previous, "agency": body.agency}))
        return self.view

    @reassign.validator
    def _validate_reassign(self, body: Reassignment) -> None:
        require_role(Role.JUDGE, Role.SUPERVISOR)  # 执行指挥中心 reassigns across its courts
        self._require_state(TaskState.OPEN, TaskState.CLAIMED)
        if body.agency == self._ready_view().spec.agency:
            raise refuse("SAME_AGENCY", "the task is already assigned to that agency")

    @workflow.update(name=EXTEND_TASK)
    async def extend(self, body: Extension) -> TaskView:
        assert self.view is not None
        rule = self.view.spec.rule
        due = rule.due.model_copy(update={"amount": rule.due.amount + body.extra.amount})
        self.view.spec = self.view.spec.model_copy(update={"rule": rule.model_copy(update={"due": due})})
        self.pending.append((EXTENDED, body.reason, {"extra": str(body.extra)}))
        return self.view

    @extend.validator
    def _validate_extend(self, body: Extension) -> None:
        require_role(Role.JUDGE)
        self._require_state(TaskState.OPEN, TaskState.CLAIMED)
        problem = extension_problem(self._ready_view().spec.rule.due, body.extra)
        if problem:
            raise refuse("INVALID_EXTENSION", problem)

    @workflow.update(name=CANCEL_TASK)
    async def cancel(self, body: Reasoned) -> TaskView:
        assert self.view is not None
        self.completed_by = acting_user()
        self._cancel(body.reason)
        return self.view

    @cancel.validator
    def _validate_cancel(self, body: Reasoned) -> None:
        require_role(Role.JUDGE)
        self._require_state(TaskState.OPEN, TaskState.CLAIMED)

    @workflow.signal(name=CANCEL_TASK_SIGNAL)
    def cancel_by_parent(self, reason: str) -> None:
        """The workflow that asked for the task no longer needs it (e.g. the debtor paid)."""
        if self.view is None:
            self.cancelled_early = reason
            return
        if not self.view.state.is_final:
            self._cancel(reason)

    @workflow.update(name=RECOMPUTE_TASK_DEADLINE)
    async def recompute(self) -> TaskView:
        assert self.view is not None
        self.pending.append((RECOMPUTED, None, {}))
        return self.view

    @recompute.validator
    def _validate_recompute(self) -> None:
        require_role(Role.ADMIN, Role.SYSTEM, Role.JUDGE)
        self._require_state(TaskState.OPEN, TaskState.CLAIMED)

    @workflow.query(name=TASK_VIEW_QUERY)
    def get_view(self) -> TaskView:
        return self._ready_view()

    # --- helpers ------------------------------------------------------------------------------------

    def _cancel(self, reason: str, actor: Actor | None = None) -> None:
        assert self.view is not None
        self.view.state = TaskState.CANCELLED
        self.final_reason = reason
        self._record("cancelled", reason, actor=actor)
        self.finished = True

    def _ready_view(self) -> TaskView:
        """The task's view, once the task has set itself up (its deadline is a local activity away from
        the start): a call that arrives before is refused in words, never by a failed assertion."""
        if self.view is None:
            raise refuse("TASK_NOT_READY", "任务正在建立, 请稍后再试 / the task is being set up; try again in a moment")
        return self.view

    def _require_agency(self) -> Actor:
        view = self._ready_view()
        actor = require_role(Role.AGENCY)
        if actor.agency != view.spec.agency:
            # Same words as an unknown task: an agency learns nothing about others' tasks.
            raise refuse("TASK_NOT_FOUND", "no such task for your agency")
        return actor

    def _require_state(self, *states: TaskState) -> None:
        view = self._ready_view()
        if view.state not in states:
            raise refuse("WRONG_STATE", f"the task is {view.state.value}")

    def _record(self, action: str, reason: str | None, actor: Actor | None = None, **detail: Any) -> None:
        assert self.view is not None
        self.view.history.append(
            TaskTransition(at=workflow.now(), actor=actor or acting_user(), action=action, reason=reason, detail=detail)
        )
        self.view.version += 1

    async def _project(self) -> None:
        assert self.view is not None
        await workflow.execute_activity_method(
            TaskActivities.project_task,
            self.view,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=retries.QUICK,
        )
