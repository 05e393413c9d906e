"""Parties act in their case space (DOMAIN §19.2–19.3): the applicant sends leads and asks for a 失信 entry,
the debtor reports property and asks to correct an entry, either objects or leaves the judge a message.
Each goes to the case as a request with its period to answer (domain/party_requests.py), on record in the
case's history; the judge answers with reasons. Verifying a lead starts an asset inquiry from the case.

Who a party is in a case comes from the party index (the case's own parties), never from what they send.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from pydantic import BaseModel, Field
from sqlalchemy import select
from temporalio.client import Client

from config.settings import Settings
from domain.actors import Actor, Role
from domain.errors import NotFound, OneMatterError, ValidationFailed
from domain.partners import PartnerEndpoint
from domain.party_requests import RULES, PartyRequestKind, PartySide, answer_due, sides_of
from store.cases import CaseRegisterEntry, CaseStore
from web.db import Database, PartyFile, User, utcnow
from web.errors import GatewayTimeout
from web.services import cases
from web.services.access import require_role
from web.services.party_accounts import PartyDesk, party_digests
from web.services.party_space import roles_in
from web.services.workflows import execute_update_as
from workflows.case.models import (
    ANSWER_PARTY_REQUEST_UPDATE,
    FILE_PARTY_REQUEST_UPDATE,
    PartyAnswer,
    PartyFiling,
    PartyRequest,
)

LEAD_INQUIRY = "asset-inquiry"  # what verifying a lead starts (财产调查规定 Art 2: the court checks it)


class NewPartyRequest(BaseModel):
    kind: PartyRequestKind
    text: str = Field(min_length=1, max_length=4000, description="内容")
    attachments: list[str] = Field(default_factory=list, max_length=10, description="已上传文件的 SHA-256")


class Answer(BaseModel):
    answer: str = Field(min_length=1, max_length=32, description="答复: 如 verify / decline, upheld / dismissed")
    reason: str = Field(min_length=1, max_length=2000, description="理由或答复内容")


def _closed(case_id: str) -> OneMatterError:
    return ValidationFailed("CASE_CLOSED", f"案件 {case_id} 已结案 / the case is closed", "case_id")


async def _send(client: Client, actor: Actor, entry: CaseRegisterEntry, name: str, arg: BaseModel) -> PartyRequest:
    async def closed() -> OneMatterError:
        return _closed(entry.case_id)

    answered: PartyRequest = await execute_update_as(
        client,
        actor,
        entry.workflow_id,
        name,
        arg,
        closed=closed,
        timeout=GatewayTimeout("CASE_TIMEOUT", "案件未及时应答 / the case did not answer in time"),
        result_type=PartyRequest,
    )
    return answered


def _own_files(db: Database, username: str, digests: list[str]) -> set[str]:
    rows = db.rows(
        select(PartyFile.sha256)
        .join(User, User.id == PartyFile.user_id)
        .where(User.username == username, PartyFile.sha256.in_(digests))
    )
    return {r.sha256 for r in rows}


def side_of(roles: Sequence[str], kind: PartyRequestKind) -> PartySide:
    """The party's side in the case for this kind of request; a party named on both sides files as the side
    the request belongs to."""
    allowed = sides_of(roles) & RULES[kind].filers
    if not allowed:
        raise ValidationFailed(
            "NOT_THE_FILER", f"kind: {RULES[kind].title}不由您这一方提出 / not filed by your side", "kind"
        )
    return min(allowed)


async def file_request(
    desk: PartyDesk, client: Client, actor: Actor, case_id: str, body: NewPartyRequest
) -> PartyRequest:
    entry = await desk.db.run(CaseStore(desk.db).get, case_id)
    roles = await desk.db.run(roles_in, desk.db, entry.workflow_id, await party_digests(desk, actor)) if entry else []
    if entry is None or not roles:
        raise NotFound("CASE_NOT_FOUND", "没有这个案件 / no such case", "case_id")
    if body.attachments:
        own = await desk.db.run(_own_files, desk.db, actor.user_id, body.attachments)
        if missing := [a for a in body.attachments if a not in own]:
            raise ValidationFailed(
                "ATTACHMENT_NOT_YOURS",
                f"attachments: 请先上传这些文件 / upload first: {', '.join(missing)}",
                "attachments",
            )
    filing = PartyFiling(
        request_id=f"pr-{utcnow():%Y%m%d}-{secrets.token_hex(6)}",
        kind=body.kind,
        side=side_of(roles, body.kind),
        text=body.text,
        attachments=body.attachments,
        answer_due_on=answer_due(body.kind, utcnow()),
    )
    return await _send(client, actor, entry, FILE_PARTY_REQUEST_UPDATE, filing)


async def answer_request(
    client: Client,
    settings: Settings,
    partners: Sequence[PartnerEndpoint],
    db: Database,
    actor: Actor,
    case_id: str,
    request_id: str,
    body: Answer,
) -> PartyRequest:
    """The judge's answer. A lead verified starts an asset inquiry from the case; its id is on the answer."""
    require_role(actor, Role.JUDGE)
    entry = await cases.visible_entry(db, actor, case_id)
    view = await cases.case_view(client, entry)
    request = next((r for r in view.party_requests if r.request_id == request_id), None)
    if request is None:
        raise NotFound("REQUEST_NOT_FOUND", f"没有这项申请 {request_id} / no such request", "request_id")
    matter = None
    if request.kind is PartyRequestKind.LEAD and body.answer == "verify" and request.answer is None:
        started = await cases.start_matter(
            client, settings, partners, db, actor, case_id, LEAD_INQUIRY, {}, idempotency_key=f"lead:{request_id}"
        )
        matter = started.workflow_id
    answer = PartyAnswer(request_id=request_id, answer=body.answer, reason=body.reason, matter_workflow_id=matter)
    return await _send(client, actor, entry, ANSWER_PARTY_REQUEST_UPDATE, answer)
