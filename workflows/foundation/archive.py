"""The last step of every scenario: its audit trail goes into the archive, outliving Temporal's
retention (the web tops it up with the closing events the first time it reads the closed workflow)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

from activities.audit import ARCHIVE_AUDIT_TRAIL, ArchiveRequest
from workflows.foundation import retries


async def archive_audit_trail() -> None:
    await workflow.execute_activity(
        ARCHIVE_AUDIT_TRAIL,
        ArchiveRequest(workflow_id=workflow.info().workflow_id),
        start_to_close_timeout=timedelta(seconds=60),
        retry_policy=retries.ARCHIVE,
    )
