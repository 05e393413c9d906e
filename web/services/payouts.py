"""Mass payout (涉众案款发放) files: checking and storing a payee list, its error report, and the
reconciliation report of a finished payout.

An accepted list is stored encrypted in the blob store; ``{sha256, count, total_fen}`` is what the
``mass-payout`` scenario's ``payee_list`` takes. The blocking parts run in a thread.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowExecutionStatus

from core.blobstore import BlobError, BlobStore, sha256_hex
from core.logging import get_logger
from domain.actors import Actor
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.payees import MAX_ROWS, PayeeError, error_report_csv, parse_payees
from domain.payout import PayeeListRef
from web.services.access import READERS, STARTERS, require_role
from web.services.workflows import visible_case

log = get_logger(__name__)

MAX_UPLOAD_BYTES = 64 * 1024 * 1024  # 200,000 rows are about 20 MB
ERRORS_SHOWN = 100
ERROR_REPORTS = "payee-list-errors"
LIST_CHUNK_ROWS = 2000
PAYOUT_WORKFLOW_TYPE = "MassPayout"


class AcceptedList(PayeeListRef):
    """Pass ``{sha256, count, total_fen}`` as the scenario's ``payee_list``."""

    source_sha256: str = Field(description="SHA-256 of the uploaded file")
    encoding: str


class RowError(BaseModel):
    row: int | None
    column: str
    rule: str
    message: str


class RejectedList(BaseModel):
    code: str = "PAYEE_LIST_REJECTED"
    message: str
    field: str = "file"
    source_sha256: str
    error_count: int
    errors: list[RowError] = Field(description=f"the first {ERRORS_SHOWN}; all of them in the error report")
    error_report: str = Field(description="URL of the full error report (CSV)")


@dataclass
class Intake:
    source_sha256: str
    encoding: str
    accepted: AcceptedList | None
    errors: list[PayeeError]
    report_url: str = ""


def intake_payee_csv(store: BlobStore, data: bytes, balance_fen: int | None = None) -> Intake:
    """Checks a payee CSV and stores it (accepted: the list; rejected: its error report). Blocking."""
    source = sha256_hex(data)
    check = parse_payees(data, balance_fen=balance_fen, max_rows=MAX_ROWS)
    if not check.accepted:
        digest = store.put(error_report_csv(check.errors))
        store.set_ref(ERROR_REPORTS, source, digest)
        return Intake(source, check.encoding, None, check.errors, f"/api/payouts/lists/{source}/errors.csv")
    total = check.total_fen
    digest = store.put_records(
        check.payees,
        chunk_rows=LIST_CHUNK_ROWS,
        meta={"kind": "payee-list", "total_fen": total, "source_sha256": source, "encoding": check.encoding},
    )
    accepted = AcceptedList(
        sha256=digest, count=len(check.payees), total_fen=total, source_sha256=source, encoding=check.encoding
    )
    return Intake(source, check.encoding, accepted, [])


def blob_store(state: Any) -> BlobStore:
    """One store per app (its decrypted-chunk cache is worth keeping), kept on the app's shared state."""
    store: BlobStore | None = getattr(state, "payout_blobs", None)
    if store is None:
        store = BlobStore.for_settings(state.settings)
        state.payout_blobs = store
    return store


async def upload_list(
    store: BlobStore, actor: Actor, data: bytes, balance_fen: int | None
) -> AcceptedList | RejectedList:
    """A judge's payee list (up to 200,000 rows), every row checked; nothing is stored for a rejected list
    but its error report. ``data`` may be one byte over the limit, which is how a caller says so."""
    require_role(actor, *STARTERS)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed("FILE_TOO_LARGE", f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB", "file")
    intake = await asyncio.to_thread(intake_payee_csv, store, data, balance_fen)
    if intake.accepted is not None:
        log.info("payee list accepted", by=actor.user_id, count=intake.accepted.count, sha256=intake.accepted.sha256)
        return intake.accepted
    log.info("payee list rejected", by=actor.user_id, errors=len(intake.errors), source=intake.source_sha256)
    return RejectedList(
        message=f"{len(intake.errors)} problem(s) in the payee list; nothing was stored",
        source_sha256=intake.source_sha256,
        error_count=len(intake.errors),
        errors=[RowError(**e._asdict()) for e in intake.errors[:ERRORS_SHOWN]],
        error_report=intake.report_url,
    )


async def error_report(store: BlobStore, actor: Actor, source_sha256: str) -> bytes:
    """The full error report of a rejected upload: row, column, rule, message (no cell values)."""
    require_role(actor, *READERS)
    digest = store.get_ref(ERROR_REPORTS, source_sha256)
    if digest is None:
        raise NotFound("ERROR_REPORT_NOT_FOUND", "no rejected upload with this hash", "sha256")
    data: bytes = await asyncio.to_thread(store.get, digest)
    return data


async def reconciliation_report(store: BlobStore, client: Client, actor: Actor, workflow_id: str) -> bytes:
    """对账报告 of a finished mass payout: every payee against the bank's statement, then the totals."""
    desc = await visible_case(client, actor, workflow_id)  # of the actor's courts, or 404
    handle = client.get_workflow_handle(workflow_id)
    if desc.workflow_type != PAYOUT_WORKFLOW_TYPE:
        raise NotFound("NOT_A_PAYOUT", "this workflow is not a mass payout", "workflow_id")
    if desc.status is not WorkflowExecutionStatus.COMPLETED:
        status = desc.status.name if desc.status else "UNKNOWN"
        raise Conflict("NOT_RECONCILED", f"the payout has not finished (Temporal status {status})")
    result = await handle.result()
    summary = result.get("reconciliation") if isinstance(result, dict) else None
    if not summary:
        ended = result.get("status") if isinstance(result, dict) else None
        raise Conflict("NOT_RECONCILED", f"the payout ended without paying ({ended})")
    try:
        data: bytes = await asyncio.to_thread(store.get, summary["report_sha256"])
    except BlobError as exc:
        raise NotFound("REPORT_UNAVAILABLE", str(exc)) from None
    return data
