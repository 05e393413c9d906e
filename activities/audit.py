"""Archiving a workflow's audit trail (审计归档) into the web's database, so it outlives Temporal's
retention. A scenario workflow runs this activity as its last step::

    await workflow.execute_activity(
        ARCHIVE_AUDIT_TRAIL,
        ArchiveRequest(workflow_id=workflow.info().workflow_id),
        start_to_close_timeout=timedelta(seconds=60),
    )

The trail then lacks only the workflow's own closing event; the web completes the archive when it
first reads the closed workflow. Idempotent: an archive is replaced only by a longer trail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from temporalio import activity

if TYPE_CHECKING:
    from web.db import Database

ARCHIVE_AUDIT_TRAIL = "archive_audit_trail"


class ArchiveRequest(BaseModel):
    workflow_id: str


class ArchiveResult(BaseModel):
    written: bool
    events: int
    head: str


class AuditActivities:
    def __init__(self, db: Database) -> None:
        self._db = db

    @activity.defn(name=ARCHIVE_AUDIT_TRAIL)
    async def archive_audit_trail(self, req: ArchiveRequest) -> ArchiveResult:
        # Imported here: workflows import this module for the name and request model, and must stay light.
        from web.audit import archive_trail, derive_trail

        trail = await derive_trail(activity.client(), req.workflow_id)
        written = await self._db.run(archive_trail, self._db, trail)
        activity.logger.info("audit trail archived", extra={"events": len(trail.events), "written": written})
        return ArchiveResult(written=written, events=len(trail.events), head=trail.chain.head)

    def all(self) -> list[Callable[..., Any]]:
        return [self.archive_audit_trail]
