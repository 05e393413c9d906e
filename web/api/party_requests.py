"""The judge answers what the parties filed in their case space (a lead, an objection, a message …): with
reasons, within the request's period. The requests themselves are in ``GET /api/cases/{case_id}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, UploadFile
from fastapi.responses import Response

from web.api.common import errors
from web.deps import Judge, Reader, State, TemporalClient, party_desk, till
from web.services import party_judge, party_payments, party_requests
from web.services.party_applications import FileStored
from web.services.party_judge import NodeIn
from web.services.party_payments import RefundIn
from web.services.party_requests import Answer, HigherCourtDecision, RefusedReport
from web.services.payment_refunds import RefundItem
from web.services.tasks import MAX_ATTACHMENT_BYTES
from workflows.case.models import PartyRequest, PushedNode, ReconsiderationDecided, ReportSanction

router = APIRouter(tags=["cases"])


@router.post(
    "/cases/{case_id}/party-requests/{request_id}/answer",
    response_model=PartyRequest,
    responses=errors(401, 403, 404, 409, 422, 503),
)
async def answer(
    case_id: Annotated[str, Path(min_length=1, max_length=64)],
    request_id: Annotated[str, Path(min_length=1, max_length=80)],
    body: Answer,
    actor: Judge,
    state: State,
    client: TemporalClient,
) -> PartyRequest:
    """答复当事人: a lead verified (``verify``) starts an asset inquiry from the case; other answers are on record."""
    return await party_requests.answer_request(
        client, state.settings, state.partners, state.db, actor, case_id, request_id, body
    )


@router.post(
    "/cases/{case_id}/node-files", status_code=201, response_model=FileStored, responses=errors(401, 403, 404, 413, 422)
)
async def upload_node_file(
    case_id: Annotated[str, Path(min_length=1, max_length=64)], file: UploadFile, actor: Judge, state: State
) -> FileStored:
    """A photo for a node (JPEG, PNG or PDF), encrypted; name it in the node by its SHA-256."""
    data = await file.read(MAX_ATTACHMENT_BYTES + 1)
    return await party_judge.upload(state.db, state.settings, actor, case_id, data)


@router.post(
    "/cases/{case_id}/node-videos",
    status_code=201,
    response_model=FileStored,
    responses=errors(401, 403, 404, 413, 422),
)
async def upload_node_video(
    case_id: Annotated[str, Path(min_length=1, max_length=64)], file: UploadFile, actor: Judge, state: State
) -> FileStored:
    """A short video for a node (MP4, MOV or WebM, at most 30 MB), encrypted; name it in the node by its SHA-256."""
    head = await file.read(party_judge.VIDEO_HEAD_BYTES)

    async def rest() -> bytes:
        return await file.read(party_judge.MAX_VIDEO_BYTES - len(head) + 1)

    return await party_judge.upload_video(state.db, state.settings, actor, case_id, head, rest)


@router.post("/cases/{case_id}/nodes", status_code=201, response_model=PushedNode, responses=errors(401, 403, 404, 422))
async def push_node(
    case_id: Annotated[str, Path(min_length=1, max_length=64)],
    body: NodeIn,
    actor: Judge,
    state: State,
    client: TemporalClient,
) -> PushedNode:
    """执行节点: pushed to the parties' space with its photos and location; each party gets an SMS notice."""
    return await party_judge.push(party_desk(state), client, actor, case_id, body)


@router.get("/cases/{case_id}/party-files/{sha256}", responses=errors(401, 403, 404))
async def party_file(
    case_id: Annotated[str, Path(min_length=1, max_length=64)],
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
    actor: Reader,
    state: State,
    client: TemporalClient,
) -> Response:
    """A file a party attached to a request of the case: a lead's photo, a power of attorney to confirm."""
    content_type, data = await party_judge.party_file(client, state.db, state.settings, actor, case_id, sha256)
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, no-store"})


@router.post(
    "/cases/{case_id}/report-sanctions",
    status_code=201,
    response_model=ReportSanction,
    responses=errors(401, 403, 404, 409, 422),
)
async def sanction_refused_report(
    case_id: Annotated[str, Path(min_length=1, max_length=64)],
    body: RefusedReport,
    actor: Judge,
    state: State,
    client: TemporalClient,
) -> ReportSanction:
    """拒绝报告: the debtor filed no report within the order's period; the judge's sanction (罚款/拘留/失信),
    checked against the caps and given its basis, on record and shown to the debtor."""
    return await party_requests.sanction_refused_report(
        client, state.settings, state.partners, state.db, actor, case_id, body
    )


@router.post(
    "/cases/{case_id}/payments/{order_id}/refund",
    response_model=RefundItem,
    responses=errors(401, 403, 404, 409, 422, 503),
)
async def refund_payment(
    case_id: Annotated[str, Path(min_length=1, max_length=64)],
    order_id: Annotated[str, Path(min_length=4, max_length=80)],
    body: RefundIn,
    actor: Judge,
    state: State,
    client: TemporalClient,
) -> RefundItem:
    """退款: a payment made after the case ended (listed in the case's ``payment_refunds``) paid back to the
    payer through the platform, once; who decided, when and why are recorded."""
    return await party_payments.refund(till(state), client, actor, case_id, order_id, body)


@router.post(
    "/cases/{case_id}/report-sanctions/{sanction_id}/reconsideration",
    response_model=ReportSanction,
    responses=errors(401, 403, 404, 409, 422),
)
async def record_reconsideration(
    case_id: Annotated[str, Path(min_length=1, max_length=64)],
    sanction_id: Annotated[str, Path(min_length=1, max_length=80)],
    body: HigherCourtDecision,
    actor: Judge,
    state: State,
    client: TemporalClient,
) -> ReportSanction:
    """上一级法院的复议决定: the higher court's decision on the debtor's reconsideration (维持/撤销/变更), recorded
    with its reference and whether it came within 5 days (民诉法解释第一百八十五条)."""
    decided = ReconsiderationDecided(sanction_id=sanction_id, **body.model_dump())
    return await party_requests.record_reconsideration(client, state.db, actor, case_id, decided)
