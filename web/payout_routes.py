"""Mass payout (涉众案款发放) files: uploading a payee list, its error report, the reconciliation report.

``POST /api/payouts/lists`` checks every row of the CSV and stores an accepted list, encrypted, in the
blob store; the answer ``{sha256, count, total_fen}`` is what the ``mass-payout`` scenario's
``payee_list`` takes. A rejected list answers 422 with the errors and a link to the full error report.
The list may hold a million rows: the file is spooled to disk as it arrives and checked and stored a piece
at a time (web/services/payouts.py, where the rules live; the body limit is in web/limits.py).
Mount with ``app.include_router(web.payout_routes.router)`` (the paths carry their ``/api`` prefix).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse

from web.api.common import errors
from web.deps import Judge, Reader, State, TemporalClient
from web.errors import ValidationErrorBody
from web.services import payouts
from web.services.payouts import AcceptedList, RejectedList, intake_payee_csv

__all__ = ["intake_payee_csv", "router"]  # intake_payee_csv: for the payout bench and tests, as before

router = APIRouter(tags=["payouts"])

_CSV = "text/csv; charset=utf-8"
_SHA256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the uploaded file")]


@router.post(
    "/api/payouts/lists",
    status_code=201,
    response_model=AcceptedList,
    responses={
        **errors(401, 403),
        # Rows that failed the checks, or a request that is not an upload at all (the common 422).
        422: {"model": RejectedList | ValidationErrorBody, "description": "rows failed the checks, or the request"},
    },
)
async def upload_payee_list(
    actor: Judge,
    state: State,
    file: Annotated[
        UploadFile, File(description="CSV: 姓名, 身份证号/统一社会信用代码, 开户行, 账号, 金额 (UTF-8 or GBK)")
    ],
    balance_fen: Annotated[int | None, Form(ge=0, description="the case account balance, to check the total")] = None,
) -> AcceptedList | JSONResponse:
    """A judge uploads the payee list of a mass payout (up to 1,000,000 rows); every row is checked."""
    outcome = await payouts.upload_list(payouts.blob_store(state), actor, file.file, balance_fen)
    if isinstance(outcome, RejectedList):
        return JSONResponse(outcome.model_dump(), status_code=422)
    return outcome


@router.get(
    "/api/payouts/lists/{sha256}/errors.csv",
    response_class=Response,
    responses={**errors(401, 403, 404), 200: {"content": {"text/csv": {}}, "description": "the error report"}},
)
async def payee_list_errors(sha256: _SHA256, actor: Reader, state: State) -> Response:
    """The full error report of a rejected upload: row, column, rule, message (no cell values)."""
    pieces = await payouts.error_report(payouts.blob_store(state), actor, sha256)
    # Starlette iterates a plain iterator in its thread pool: the pieces are decrypted there.
    return StreamingResponse(pieces, media_type=_CSV, headers=_attachment(f"payee-list-errors-{sha256[:12]}.csv"))


@router.get(
    "/api/workflows/{workflow_id}/reconciliation.csv",
    response_class=Response,
    responses={**errors(401, 403, 404, 409), 200: {"content": {"text/csv": {}}, "description": "per-payee report"}},
)
async def reconciliation_report(workflow_id: str, actor: Reader, state: State, client: TemporalClient) -> Response:
    """对账报告 of a finished mass payout: every payee against the bank's statement, then the totals."""
    data = await payouts.reconciliation_report(payouts.blob_store(state), client, state.db, actor, workflow_id)
    return _csv(data, f"reconciliation-{workflow_id}.csv")


def _csv(data: bytes, filename: str) -> Response:
    return Response(content=data, media_type=_CSV, headers=_attachment(filename))


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
