"""What every scenario workflow shows and takes: its status, the judge's decisions, its timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from domain.actors import Actor


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
    roles: list[str] = Field(default_factory=lambda: ["judge"], description="the roles that may take it")


class DecisionInput(BaseModel):
    """Body of the ``decide`` Update. ``payload`` is validated against the pending decision's model."""

    decision: str = Field(min_length=1)
    reason: str = Field(default="", max_length=2000)
    payload: dict[str, Any] = Field(default_factory=dict)
    # The president's signature (院长签发) carries the signer's name as the court records it, which the document
    # prints: the web sets it from the acting user's account, never from the request. Absent in histories
    # recorded before names were carried (the document then prints the user id).
    signer_name: str | None = Field(default=None, min_length=1, max_length=200)


class DecisionOutcome(BaseModel):
    decision: str
    accepted_at: datetime
    by: Actor


class Incident(BaseModel):
    """A step that cannot go on by itself (a deterministic failure): shown to the judge on the case."""

    at: datetime
    step: str
    code: str
    message: str


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
    incidents: list[Incident] = Field(default_factory=list)
