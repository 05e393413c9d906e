"""What the API and the UI show of a scenario workflow (a list row, one case's page, a page of the list)
and what they take to narrow the list, decide or cancel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.actors import Actor
from domain.errors import ErrorDetail
from workflows.foundation.models import PendingDecision, TimelineEntry


class WorkflowSummary(BaseModel):
    workflow_id: str
    scenario: str | None = None
    case_number: str | None = None
    court: str | None = None
    started_by: str | None = Field(default=None, description="user id of who started the case (OmStartedBy)")
    status: str | None = Field(default=None, description="the scenario's own status word (OmStatus)")
    temporal_status: str | None = Field(default=None, description="RUNNING, COMPLETED, FAILED, ...")
    started_at: datetime | None = None
    closed_at: datetime | None = None


class IncidentView(BaseModel):
    """An incident as the court sees it."""

    workflow_id: str
    run_id: str
    court: str
    kind: str = Field(description="terminated, reset or canceled — done outside the web")
    case_number: str | None = Field(default=None, description="the case's 案号, as the web's register has it")
    happened_at: datetime
    found_at: datetime
    caller: str = Field(description="what Temporal recorded of the caller: its client identity and reason")


class WorkflowDetail(WorkflowSummary):
    run_id: str | None = None
    workflow_type: str | None = None
    task_queue: str | None = None
    history_length: int = 0
    live: bool = Field(description="whether status, summary and timeline came from the workflow's status query")
    summary: dict[str, Any] = Field(default_factory=dict)
    pending_decisions: list[PendingDecision] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    result: Any = None
    failure: ErrorDetail | None = None
    incidents: list[IncidentView] = Field(
        default_factory=list,
        description="a cancel, terminate or reset done outside the web (web/services/incidents.py)",
    )


class WorkflowPage(BaseModel):
    """One page of the list; ``next_page_token`` (opaque, URL-safe) fetches the next, if there is one."""

    items: list[WorkflowSummary]
    next_page_token: str | None = None


class ListFilter(BaseModel):
    """What the list may be narrowed by: the Om* search attributes and Temporal's own status."""

    case_number: str | None = None
    scenario: str | None = None
    status: str | None = None
    temporal_status: str | None = None
    started_by: str | None = Field(default=None, description="user id of who started it (a judge's own cases)")


class DecisionBody(BaseModel):
    """``reason`` (理由) plus the decision's own fields, which the workflow validates."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{"reason": "经审查, 依法冻结被执行人存款", "deduct": True}]},
    )

    reason: str = Field(default="", max_length=2000)


class CancelBody(BaseModel):
    """Why the case ends here (终止理由): recorded, encrypted, with the judge's identity."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "申请执行人撤回执行申请"}]})

    reason: str = Field(min_length=1, max_length=2000)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a reason is required")
        return value


class CancelRequested(BaseModel):
    """The cancellation was requested; the workflow stops as soon as its worker takes it."""

    workflow_id: str
    requested_at: datetime
    by: Actor
