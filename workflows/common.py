"""What every scenario workflow shares with the web: its status query, the judge's decisions as one
Update with a validator, and a timeline that records who did what, when and why."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.audit import ARCHIVE_AUDIT_TRAIL, ArchiveRequest
    from core.identity import current_actor_or_none
    from domain.actors import SYSTEM_ACTOR, Actor, Role

STATUS_QUERY = "status"
DECIDE_UPDATE = "decide"
PARTNER_ANSWER_UPDATE = "partner-answer"  # an asynchronous partner's answer, relayed by the web
# A judge's request to cancel the case, sent (with the judge's identity in its header and the reason in its
# encrypted payload) just before Temporal's own cancellation, whose record carries only the web's identity.
# No handler: the signal is there to be recorded in history, where the audit trail reads it.
CANCEL_REQUEST_SIGNAL = "om-cancel-requested"


class TimelineEntry(BaseModel):
    """One state change: who (user and role), when (workflow time), what, and on what grounds."""

    at: datetime
    actor: Actor
    action: str
    reason: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class PendingDecision(BaseModel):
    """A decision the law reserves for the judge, waiting; ``input_schema`` drives the UI form."""

    name: str
    title: str
    input_schema: dict[str, Any]
    since: datetime


class DecisionInput(BaseModel):
    """Body of the ``decide`` Update. ``payload`` is validated against the pending decision's model."""

    decision: str = Field(min_length=1)
    reason: str = Field(default="", max_length=2000)
    payload: dict[str, Any] = Field(default_factory=dict)


class DecisionOutcome(BaseModel):
    decision: str
    accepted_at: datetime
    by: Actor


class ScenarioStatus(BaseModel):
    """What ``GET /api/workflows/{id}`` shows. No personal data beyond what the judge may see."""

    scenario: str
    case_number: str
    court: str
    status: str
    summary: dict[str, Any] = Field(default_factory=dict)
    pending_decisions: list[PendingDecision] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    result: dict[str, Any] | None = None


@cache
def input_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema a pending decision's form is drawn from: built once per model, not on every
    status query (pydantic builds it afresh each call). Callers must not mutate it."""
    return model.model_json_schema()


def refuse(code: str, message: str) -> ApplicationError:
    """A validator's refusal: non-retryable, with a machine-readable type. Leaves no trace in history."""
    return ApplicationError(message, type=code, non_retryable=True)


async def archive_audit_trail() -> None:
    """The last step of a scenario: its audit trail goes into the web's archive, outliving Temporal's
    retention (the web tops it up with the closing events the first time it reads the closed workflow)."""
    await workflow.execute_activity(
        ARCHIVE_AUDIT_TRAIL,
        ArchiveRequest(workflow_id=workflow.info().workflow_id),
        start_to_close_timeout=timedelta(seconds=60),
        retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30)),
    )


def failure_code(exc: ActivityError) -> str:
    """The partner's reason code of a failed activity (e.g. ACCOUNT_CLOSED), or FAILED."""
    cause = exc.cause
    return cause.type if isinstance(cause, ApplicationError) and cause.type else "FAILED"


def acting_user() -> Actor:
    """The user behind the current run, signal or update; the system when a timer acts."""
    return current_actor_or_none() or SYSTEM_ACTOR


def require_role(*roles: Role) -> Actor:
    actor = current_actor_or_none()
    if actor is None:
        raise refuse("ACTOR_MISSING", "no acting user on this request")
    if actor.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise refuse("ROLE_FORBIDDEN", f"role {actor.role.value} may not do this (allowed: {allowed})")
    return actor


class Timeline:
    """Append-only record kept in workflow state; the audit trail is also derivable from history."""

    def __init__(self) -> None:
        self.entries: list[TimelineEntry] = []

    def record(
        self, action: str, reason: str | None = None, actor: Actor | None = None, **detail: Any
    ) -> TimelineEntry:
        entry = TimelineEntry(
            at=workflow.now(), actor=actor or acting_user(), action=action, reason=reason, detail=detail
        )
        self.entries.append(entry)
        workflow.logger.info(action, extra={"action": action, "actor": str(entry.actor)})
        return entry
