"""The audit trail's shape: a header naming the workflow and case, events in order, and the hash
chain that links them (``audit.chain``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from domain.actors import Actor

FORMAT = "one-matter-audit/1"
CANONICALIZATION = "JSON, keys sorted, separators (',', ':'), UTF-8, no ASCII escaping"

Source = Literal["live", "archive"]


class AuditEvent(BaseModel):
    """One act in the case: who (user, role, agency; and Temporal's client identity), when, what,
    why, with which partner and reference, and how it ended."""

    index: int
    at: datetime
    workflow_id: str = Field(description="the workflow (or child workflow, e.g. an agency task) it happened in")
    event_id: int = Field(description="the Temporal history event it was derived from")
    category: str = Field(
        description="start, signal, update, activity, task, child, status, cancel, close; "
        "incident or refund (recorded by the web)"
    )
    action: str
    actor: Actor | None = None
    identity: str | None = Field(default=None, description="Temporal's client identity (process@host)")
    reason: str | None = None
    partner: str | None = None
    reference: str | None = None
    outcome: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


class TrailHeader(BaseModel):
    format: str = FORMAT
    workflow_id: str
    run_id: str
    workflow_type: str
    scenario: str | None = None
    case_number: str | None = None
    court: str | None = None
    status: str | None = None
    temporal_status: str | None = None
    started_at: datetime | None = None
    closed_at: datetime | None = None
    runs: list[str] = Field(default_factory=list, description="run ids covered, oldest first")
    children: list[str] = Field(default_factory=list, description="child workflows whose events are included")


class ChainInfo(BaseModel):
    algorithm: str = "sha256"
    canonicalization: str = CANONICALIZATION
    genesis: str
    head: str


class AuditTrail(BaseModel):
    header: TrailHeader
    events: list[AuditEvent]
    chain: ChainInfo
    source: Source = "live"
