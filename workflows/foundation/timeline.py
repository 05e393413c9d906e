"""Who acts, and the record of what they did: the timeline every workflow keeps, and the refusals its
validators raise."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from domain.actors import SYSTEM_ACTOR, Actor, Role
from security.identity import current_actor_or_none
from workflows.foundation.models import Incident, TimelineEntry


def refuse(code: str, message: str) -> ApplicationError:
    """A validator's refusal: non-retryable, with a machine-readable type. Leaves no trace in history."""
    return ApplicationError(message, type=code, non_retryable=True)


def refusal_from(exc: ValidationError, code: str, prefix: str = "") -> ApplicationError:
    """The first problem pydantic found, as a refusal that names the field and the rule."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "payload"
    return refuse(code, f"{prefix}{field}: {first['msg']}")


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
        self.incidents: list[Incident] = []

    def record(
        self, action: str, reason: str | None = None, actor: Actor | None = None, **detail: Any
    ) -> TimelineEntry:
        entry = TimelineEntry(
            at=workflow.now(), actor=actor or acting_user(), action=action, reason=reason, detail=detail
        )
        self.entries.append(entry)
        workflow.logger.info(action, extra={"action": action, "actor": str(entry.actor)})
        return entry

    def decided_by(self, decision: str) -> str:
        """The user who took the latest ``decision`` (the desk records each with its actor)."""
        entry = next(e for e in reversed(self.entries) if e.detail.get("decision") == decision)
        return entry.actor.user_id

    def incident(self, step: str, exc: ActivityError) -> Incident:
        """A step failed for good (its error is not retryable): recorded for the judge to act on."""
        cause = exc.cause
        message = cause.message if isinstance(cause, ApplicationError) else str(exc)
        incident = Incident(at=workflow.now(), step=step, code=failure_code(exc), message=message)
        self.incidents.append(incident)
        self.record("incident", reason=message, actor=SYSTEM_ACTOR, step=step, code=incident.code)
        return incident
