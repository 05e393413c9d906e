"""Parties online (当事人): real-name registration, login by phone and one-time code, and their own cases.
A party's token opens these routes and no staff route (web/deps.py)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, UploadFile

from web.api.common import errors
from web.deps import Party, State, TemporalClient
from web.deps import party_desk as desk
from web.services import party_accounts, party_applications, party_requests, party_space
from web.services.party_accounts import CodeRequest, CodeSent, PartyLogin, PartyToken, Registration
from web.services.party_applications import ApplicationView, FileStored, OnlineApplication
from web.services.party_requests import NewPartyRequest
from web.services.party_space import MyCase, PartyCase
from web.services.tasks import MAX_ATTACHMENT_BYTES
from workflows.case.models import PartyRequest

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
    return await party_space.case_space(desk(state), client, actor, case_id)


@router.post(
    "/my/cases/{case_id}/requests", status_code=201, response_model=PartyRequest, responses=errors(401, 403, 404, 422)
)
async def file_request(
    case_id: str, body: NewPartyRequest, actor: Party, state: State, client: TemporalClient
) -> PartyRequest:
    """A message to the judge, a lead, a property report, an objection, a 失信 request or correction: on
    record in the case, answered by the judge within its period (``answer_due_on``)."""
    return await party_requests.file_request(desk(state), client, actor, case_id, body)
