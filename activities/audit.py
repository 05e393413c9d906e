"""Archiving a workflow's audit trail (审计归档) into the shared database (``store``), so it outlives
Temporal's retention. A scenario workflow runs this activity as its last step::

    await workflow.execute_activity(
        ARCHIVE_AUDIT_TRAIL,
        ArchiveRequest(workflow_id=workflow.info().workflow_id),
        start_to_close_timeout=timedelta(seconds=60),
    )

The trail then lacks only the workflow's own closing event; the web completes the archive when it
first reads the closed workflow. Idempotent: an archive is replaced only by a longer trail.

Personal data is masked by the keys the worker's registered models mark (``domain.personal``): the
worker hands those models in, as the web does, so both derive the same trail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from temporalio import activity

if TYPE_CHECKING:
    from activities.resources import WorkerResources
    from store.db import Database

ARCHIVE_AUDIT_TRAIL = "archive_audit_trail"


class ArchiveRequest(BaseModel):
    workflow_id: str


class ArchiveResult(BaseModel):
    written: bool
    events: int
    head: str


class AuditActivities:
    """``personal_data``: the models (or workflow classes, or modules) whose marked fields are masked;
    see ``audit.redact.Redactor.for_models``."""

    @classmethod
    def from_resources(cls, r: WorkerResources) -> AuditActivities:
        return cls(r.database, r.personal_data)

    def __init__(self, db: Database, personal_data: Iterable[object]) -> None:
        # Imported here: workflows import this module for the name and request model, and must stay light.
        from audit.redact import Redactor

        self._db = db
        self._redact = Redactor.for_models(*personal_data)

    @activity.defn(name=ARCHIVE_AUDIT_TRAIL)
    async def archive_audit_trail(self, req: ArchiveRequest) -> ArchiveResult:
        from audit.archive import archive_trail
        from audit.derive import RunningRun, derive_trail

        info = activity.info()
        run_id, workflow_type = info.workflow_run_id, info.workflow_type
        # Run by the workflow itself, as its last step: it is running, and its run is this one — no describe.
        own = info.workflow_id == req.workflow_id
        running = RunningRun(run_id, workflow_type) if own and run_id and workflow_type else None
        trail = await derive_trail(activity.client(), req.workflow_id, self._redact, running)
        written = await self._db.run(archive_trail, self._db, trail)
        activity.logger.info("audit trail archived", extra={"events": len(trail.events), "written": written})
        return ArchiveResult(written=written, events=len(trail.events), head=trail.chain.head)

    def all(self) -> list[Callable[..., Any]]:
        return [self.archive_audit_trail]
