"""Parties online (当事人): real-name registration, login by phone and one-time code, and their own cases.
A party's token opens these routes and no staff route (web/deps.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request, UploadFile
from fastapi.responses import Response

from security.webhook_signature import SIGNATURE_HEADER
from web.api.common import errors
from web.deps import Party, State, TemporalClient, till
from web.deps import party_desk as desk
from web.guard import PAYMENT_NOTICE_PATH
from web.services import (
    party_accounts,
    party_applications,
    party_closure,
    party_payments,
    party_requests,
    party_space,
)
from web.services.party_accounts import CodeRequest, CodeSent, PartyLogin, PartyToken, Registration
from web.services.party_agents import Appointment
from web.services.party_applications import ApplicationView, FileStored, OnlineApplication
from web.services.party_payments import NoticeAck, PaymentIn, PaymentView
from web.services.party_requests import Consent, NewPartyRequest, ReconsiderationIn
from web.services.party_space import MyCase, PartyCase
from web.services.tasks import MAX_ATTACHMENT_BYTES
from workflows.case.models import PartyRequest, ReportSanction
from workflows.periodic_reinquiry.models import ClosureConsent, ConsentRecord

router = APIRouter(tags=["parties"])


@router.post("/parties/register", status_code=202, response_model=CodeSent, responses=errors(422, 429, 503))
async def register(body: Registration, state: State) -> CodeSent:
    """实名注册: name, ID number (checksum checked) and phone; a one-time code goes to the phone by SMS.
    An organisation registers through its legal representative, with its credit code."""
    return await party_accounts.register(desk(state), body)


@router.post("/parties/code", status_code=202, response_model=CodeSent, responses=errors(422, 429, 503))
async def request_code(body: CodeRequest, state: State) -> CodeSent:
    """A login code by SMS to a registered phone (rate-limited per phone)."""
    return await party_accounts.request_code(desk(state), body)


@router.post("/parties/login", response_model=PartyToken, responses=errors(401, 422))
async def login(body: PartyLogin, state: State) -> PartyToken:
    """Phone and code in, a session bearer token out."""
    ttl = timedelta(hours=state.settings.token_ttl_hours)
    return await party_accounts.login(desk(state), body, ttl)


@router.get("/my/cases", response_model=list[MyCase], responses=errors(401, 403))
async def my_cases(actor: Party, state: State, client: TemporalClient) -> list[MyCase]:
    """The cases that name this party (their ID number, or their organisation's credit code), and no other."""
    return await party_space.my_cases(desk(state), client, actor)


@router.post("/my/files", status_code=201, response_model=FileStored, responses=errors(401, 403, 413, 422))
async def upload_file(file: UploadFile, actor: Party, state: State) -> FileStored:
    """A party's file (the title as a PDF, a photo of a lead): encrypted, named by its SHA-256."""
    data = await file.read(MAX_ATTACHMENT_BYTES + 1)
    store = party_applications.party_file_store(state.settings)
    return await party_applications.store_file(state.db, store, actor, data)


@router.post("/my/applications", status_code=201, response_model=ApplicationView, responses=errors(401, 403, 422))
async def apply(body: OnlineApplication, actor: Party, state: State) -> ApplicationView:
    """申请执行: the application, with the title's PDF uploaded first; the filing clerk dockets it (a case
    number) or refuses it with reasons within 7 days."""
    return await party_applications.submit(desk(state), actor, body)


@router.get("/my/applications", response_model=list[ApplicationView], responses=errors(401, 403))
async def my_applications(actor: Party, state: State) -> list[ApplicationView]:
    return await party_applications.my_applications(desk(state), actor)


@router.get("/my/cases/{case_id}", response_model=PartyCase, responses=errors(401, 403, 404))
async def my_case(case_id: str, actor: Party, state: State, client: TemporalClient) -> PartyCase:
    """The case's space: parties (the other side's names only), the claim and what is recovered, the measures
    in force, the term, and the nodes of the case as they happen (执行流程公开)."""
    return await party_space.case_space(desk(state), client, actor, case_id, till(state), state.case_pages)


@router.post(
    "/my/cases/{case_id}/requests", status_code=201, response_model=PartyRequest, responses=errors(401, 403, 404, 422)
)
async def file_request(
    case_id: str, body: NewPartyRequest, actor: Party, state: State, client: TemporalClient
) -> PartyRequest:
    """A message to the judge, a lead, a property report, an objection, a 失信 request or correction: on
    record in the case, answered by the judge within its period (``answer_due_on``)."""
    return await party_requests.file_request(desk(state), client, actor, case_id, body)


CaseId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/my/agencies", status_code=201, response_model=PartyRequest, responses=errors(401, 403, 404, 422))
async def appoint(body: Appointment, actor: Party, state: State, client: TemporalClient) -> PartyRequest:
    """委托代理: a lawyer files the power of attorney (a PDF uploaded first) for a party of the case it names;
    the judge confirms it, and only then does the agent see the case and act for that side."""
    return await party_requests.file_agency(desk(state), client, actor, body)


@router.post(
    "/my/cases/{case_id}/requests/{request_id}/consent",
    response_model=PartyRequest,
    responses=errors(401, 403, 404, 409, 422),
)
async def consent(
    case_id: CaseId, request_id: str, body: Consent, actor: Party, state: State, client: TemporalClient
) -> PartyRequest:
    """The applicant agrees (or not) to the debtor's instalments; the judge then records the settlement."""
    return await party_requests.consent(desk(state), client, actor, case_id, request_id, body)


@router.post(
    "/my/cases/{case_id}/closure-consent",
    response_model=ConsentRecord,
    responses=errors(401, 403, 404, 409, 422),
)
async def closure_consent(
    case_id: CaseId, body: ClosureConsent, actor: Party, state: State, client: TemporalClient
) -> ConsentRecord:
    """签字确认终本 (民诉法解释第五百一十七条): the applicant agrees (or not, with reasons) to the current procedure's
    closure the judge proposes; kept with who, when and the statement's hash. Refused while no closure awaits
    (``NO_CLOSURE_PENDING``, or ``WRONG_STATE`` once ruled), for the debtor (``APPLICANT_ONLY``)."""
    return await party_closure.consent(desk(state), client, actor, case_id, body)


@router.post(
    "/my/cases/{case_id}/payments", status_code=201, response_model=PaymentView, responses=errors(401, 403, 404, 422)
)
async def pay(
    case_id: CaseId, body: PaymentIn, request: Request, actor: Party, state: State, client: TemporalClient
) -> PaymentView:
    """网上缴费: an order to pay this case's account; send the payer's browser to ``pay_url``. The platform
    sends them back to the case space, which credits the payment to this case."""
    back = str(request.base_url) + f"p/cases/{case_id}/paid?order={{order_id}}"
    return await party_payments.open_order(till(state), client, actor, case_id, body, back)


@router.post(
    "/my/cases/{case_id}/payments/{order_id}/confirm",
    response_model=PaymentView,
    responses=errors(401, 403, 404, 409, 503),
)
async def confirm_payment(
    case_id: CaseId, order_id: str, actor: Party, state: State, client: TemporalClient
) -> PaymentView:
    """Reads the order at the platform; paid, it is credited to the order's own case (once)."""
    return await party_payments.confirm(till(state), client, actor, case_id, order_id)


@router.post(
    PAYMENT_NOTICE_PATH.removeprefix("/api"),
    response_model=NoticeAck,
    responses=errors(401, 404, 409, 422, 429, 503),
    # The body is the platform's protocol's (sandbox-v1: simulators/cashier.py), signed X-OM-Signature.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "title": "PaymentNotice"}}},
        }
    },
)
async def payment_notice(request: Request, state: State, client: TemporalClient) -> NoticeAck:
    """支付结果通知: the payment platform's server reports a paid order (signed; each signature once). The
    payment is credited to the order's case as on the payer's return — or, the case ended, a refund item."""
    remote = request.client.host if request.client else ""
    signature = request.headers.get(SIGNATURE_HEADER, "")
    return await party_payments.notice(till(state), client, await request.body(), signature, remote)


@router.get("/my/cases/{case_id}/files/{sha256}", responses=errors(401, 403, 404))
async def case_file(case_id: CaseId, sha256: str, actor: Party, state: State, client: TemporalClient) -> Response:
    """A photo of a node the judge pushed, or the party's own upload."""
    content_type, data = await party_space.case_file(desk(state), state.settings, client, actor, case_id, sha256)
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, no-store"})


@router.get("/my/cases/{case_id}/documents/{document_id}", responses=errors(401, 403, 404))
async def served_document(
    case_id: CaseId, document_id: str, actor: Party, state: State, client: TemporalClient
) -> Response:
    """A sealed document issued to the party's side (listed in the case space), as its PDF."""
    pdf = await party_space.served_pdf(desk(state), state.settings, client, actor, case_id, document_id)
    headers = {"Cache-Control": "private, no-store", "Content-Disposition": f'attachment; filename="{document_id}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.post(
    "/my/cases/{case_id}/sanctions/{sanction_id}/reconsideration",
    response_model=ReportSanction,
    responses=errors(401, 403, 404, 409, 422),
)
async def apply_reconsideration(
    case_id: CaseId,
    sanction_id: Annotated[str, Path(min_length=1, max_length=80)],
    body: ReconsiderationIn,
    actor: Party,
    state: State,
    client: TemporalClient,
) -> ReportSanction:
    """复议: against a fine or detention (罚款/拘留决定书), once, within 3 days of receiving the decision, to the
    higher court; the sanction is not suspended meanwhile (民事诉讼法第一百一十九条). Refused after the period
    (``RECONSIDERATION_PERIOD_PASSED``) or a second time (``RECONSIDERATION_EXISTS``)."""
    return await party_requests.apply_reconsideration(desk(state), client, actor, case_id, sanction_id, body)
