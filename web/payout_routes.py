"""Mass payout (涉众案款发放) files: uploading a payee list, its error report, the reconciliation report.

``POST /api/payouts/lists`` checks every row of the CSV and stores an accepted list, encrypted, in the
blob store; the answer ``{sha256, count, total_fen}`` is what the ``mass-payout`` scenario's
``payee_list`` takes. A rejected list answers 422 with the errors and a link to the full error report.
Mount with ``app.include_router(web.payout_routes.router)`` (the paths carry their ``/api`` prefix).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from temporalio.client import WorkflowExecutionStatus

from core.blobstore import BlobError, BlobStore, sha256_hex
from core.logging import get_logger
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.payees import MAX_ROWS, PayeeError, error_report_csv, parse_payees
from domain.payout import PayeeListRef
from web.api.common import errors
from web.api.workflows import describe_or_404
from web.deps import Judge, Reader, State, TemporalClient

log = get_logger(__name__)
router = APIRouter(tags=["payouts"])

MAX_UPLOAD_BYTES = 64 * 1024 * 1024  # 200,000 rows are about 20 MB
ERRORS_SHOWN = 100
ERROR_REPORTS = "payee-list-errors"
LIST_CHUNK_ROWS = 2000
_CSV = "text/csv; charset=utf-8"
_SHA256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the uploaded file")]


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


def _store(state: Any) -> BlobStore:
    """One store per app (its decrypted-chunk cache is worth keeping)."""
    store: BlobStore | None = getattr(state, "payout_blobs", None)
    if store is None:
        store = BlobStore.for_settings(state.settings)
        state.payout_blobs = store
    return store


@router.post(
    "/api/payouts/lists",
    status_code=201,
    response_model=AcceptedList,
    responses={**errors(401, 403), 422: {"model": RejectedList, "description": "rows failed the checks"}},
)
async def upload_payee_list(
    actor: Judge,
    state: State,
    file: Annotated[
        UploadFile, File(description="CSV: 姓名, 身份证号/统一社会信用代码, 开户行, 账号, 金额 (UTF-8 or GBK)")
    ],
    balance_fen: Annotated[int | None, Form(ge=0, description="the case account balance, to check the total")] = None,
) -> AcceptedList | JSONResponse:
    """A judge uploads the payee list of a mass payout (up to 200,000 rows); every row is checked."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed("FILE_TOO_LARGE", f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB", "file")
    intake = await run_in_threadpool(intake_payee_csv, _store(state), data, balance_fen)
    if intake.accepted is not None:
        log.info("payee list accepted", by=actor.user_id, count=intake.accepted.count, sha256=intake.accepted.sha256)
        return intake.accepted
    log.info("payee list rejected", by=actor.user_id, errors=len(intake.errors), source=intake.source_sha256)
    body = RejectedList(
        message=f"{len(intake.errors)} problem(s) in the payee list; nothing was stored",
        source_sha256=intake.source_sha256,
        error_count=len(intake.errors),
        errors=[RowError(**e._asdict()) for e in intake.errors[:ERRORS_SHOWN]],
        error_report=intake.report_url,
    )
    return JSONResponse(body.model_dump(), status_code=422)


@router.get(
    "/api/payouts/lists/{sha256}/errors.csv",
    response_class=Response,
    responses={**errors(401, 403, 404), 200: {"content": {"text/csv": {}}, "description": "the error report"}},
)
async def payee_list_errors(sha256: _SHA256, _: Reader, state: State) -> Response:
    """The full error report of a rejected upload: row, column, rule, message (no cell values)."""
    store = _store(state)
    digest = store.get_ref(ERROR_REPORTS, sha256)
    if digest is None:
        raise NotFound("ERROR_REPORT_NOT_FOUND", "no rejected upload with this hash", "sha256")
    data = await run_in_threadpool(store.get, digest)
    return _csv(data, f"payee-list-errors-{sha256[:12]}.csv")


@router.get(
    "/api/workflows/{workflow_id}/reconciliation.csv",
    response_class=Response,
    responses={**errors(401, 403, 404, 409), 200: {"content": {"text/csv": {}}, "description": "per-payee report"}},
)
async def reconciliation_report(workflow_id: str, _: Reader, state: State, client: TemporalClient) -> Response:
    """对账报告 of a finished mass payout: every payee against the bank's statement, then the totals."""
    handle = client.get_workflow_handle(workflow_id)
    desc = await describe_or_404(handle)
    if desc.workflow_type != "MassPayout":
        raise NotFound("NOT_A_PAYOUT", "this workflow is not a mass payout", "workflow_id")
    if desc.status is not WorkflowExecutionStatus.COMPLETED:
        status = desc.status.name if desc.status else "UNKNOWN"
        raise Conflict("NOT_RECONCILED", f"the payout has not finished (Temporal status {status})")
    result = await handle.result()
    summary = result.get("reconciliation") if isinstance(result, dict) else None
    if not summary:
        raise Conflict("NOT_RECONCILED", f"the payout ended without paying ({result.get('status')})")
    try:
        data = await run_in_threadpool(_store(state).get, summary["report_sha256"])
    except BlobError as exc:
        raise NotFound("REPORT_UNAVAILABLE", str(exc)) from None
    return _csv(data, f"reconciliation-{workflow_id}.csv")


def _csv(data: bytes, filename: str) -> Response:
    return Response(
        content=data, media_type=_CSV, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
