"""The archive store (审计归档): sealed trails of closed workflows, kept in the shared database
(``store.audit_archive``) by the ``archive_audit_trail`` activity a workflow runs last and by the web when it
first sees a closed workflow, so they outlive Temporal's retention. Idempotent: an archived trail is
replaced only by a longer one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from temporalio.client import Client

from audit.derive import derive_trail, is_closed
from audit.redact import Redactor
from audit.trail import AuditTrail
from domain.errors import NotFound
from store.audit_archive import ArchivedTrail
from store.db import Database, utcnow


def archive_trail(db: Database, trail: AuditTrail) -> bool:
    """Keeps ``trail`` unless the archive already holds this one or a longer one. True if written."""
    h = trail.header
    with db.session() as s:
        row = s.get(ArchivedTrail, h.workflow_id, with_for_update=True)
        if row is not None and (row.head_hash == trail.chain.head or row.event_count > len(trail.events)):
            return False
        if row is None:
            row = ArchivedTrail(workflow_id=h.workflow_id)
            s.add(row)
        row.run_id = h.run_id
        row.workflow_type = h.workflow_type
        row.scenario = h.scenario
        row.case_number = h.case_number
        row.court = h.court
        row.status = h.status
        row.temporal_status = h.temporal_status
        row.started_at = h.started_at
        row.closed_at = h.closed_at
        row.event_count = len(trail.events)
        row.head_hash = trail.chain.head
        row.trail_json = trail.model_copy(update={"source": "archive"}).model_dump_json()
        row.archived_at = utcnow()
    return True


def load_archived(db: Database, workflow_id: str) -> AuditTrail | None:
    with db.session() as s:
        row = s.get(ArchivedTrail, workflow_id)
        if row is None:
            return None
        return AuditTrail.model_validate_json(row.trail_json).model_copy(update={"source": "archive"})


@dataclass(frozen=True)
class ArchiveRow:
    workflow_id: str
    scenario: str | None
    case_number: str | None
    court: str | None
    status: str | None
    temporal_status: str | None
    started_at: datetime | None
    closed_at: datetime | None
    event_count: int


def search_archive(
    db: Database,
    case_number: str | None = None,
    scenario: str | None = None,
    status: str | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    limit: int = 100,
    courts: tuple[str, ...] | None = None,
) -> list[ArchiveRow]:
    """``courts``: only trails of these courts (a reader's); None: every court."""
    q = select(ArchivedTrail)
    if courts is not None:
        q = q.where(ArchivedTrail.court.in_(courts))
    if case_number:
        q = q.where(ArchivedTrail.case_number == case_number)
    if scenario:
        q = q.where(ArchivedTrail.scenario == scenario)
    if status:
        q = q.where(ArchivedTrail.status == status)
    if started_from:
        q = q.where(ArchivedTrail.started_at >= started_from)
    if started_to:
        q = q.where(ArchivedTrail.started_at < started_to)
    q = q.order_by(ArchivedTrail.started_at.desc()).limit(limit)
    with db.session() as s:
        return [
            ArchiveRow(
                r.workflow_id,
                r.scenario,
                r.case_number,
                r.court,
                r.status,
                r.temporal_status,
                r.started_at,
                r.closed_at,
                r.event_count,
            )
            for r in s.scalars(q)
        ]


async def trail_for(db: Database, client: Client, workflow_id: str, redact: Redactor) -> AuditTrail:
    """Live from Temporal when it still has the workflow (archiving it on first sight once closed),
    else from the archive. Auditors read both alike."""
    try:
        trail = await derive_trail(client, workflow_id, redact)
    except NotFound:
        archived = await db.run(load_archived, db, workflow_id)
        if archived is None:
            raise
        return archived
    if is_closed(trail):
        await db.run(archive_trail, db, trail)
    return trail
