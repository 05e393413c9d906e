"""The court's documents as the judge's side sees them (文书): a case's or a workflow's documents with
their service, the sealed PDF, a receipt recorded by the clerk. Courts are tenants: a document of another
court does not exist for the reader.

Who reads: the court's staff (judges, approvers, supervisors, auditors, admins of the court). Parties read
the documents served on them in their case space (issue 24), not here.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated

from pydantic import BaseModel, Field

from activities.documents import DocumentOffice
from config.settings import Settings
from documents.pki import CourtKeys
from domain.actors import Actor, Role
from domain.documents import IssuedDocument, ServiceMethod
from domain.errors import NotFound, OneMatterError
from store.blobs import BlobStore
from store.cases import CaseStore
from store.db import Database
from store.documents import DocumentStore, ServiceRecord
from web.services.access import READERS, require_role

Recipient = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9-]{1,59}$",
        description="who received it, by role (applicant, debtor, third-party) or agency id — never a name",
    ),
]


class ServedView(BaseModel):
    recipient: str
    method: str
    served_at: datetime
    recorded_by: str
    receipt_document_id: str | None = None


class DocumentView(BaseModel):
    """One document in a list: ``kind`` is its Chinese title (e.g. 协助执行通知书)."""

    document_id: str
    kind: str
    number: str
    sha256: str
    issued_at: datetime
    template_version: str
    president: bool
    refers_to: str | None = None
    addressed_to: list[str] = Field(default_factory=list, description="whom it is served on: roles or agency ids")
    served: list[ServedView]


class ServiceReceipt(BaseModel):
    """A receipt the clerk records (送达回证): paper service, or a service confirmed outside the system."""

    recipient: Recipient
    method: ServiceMethod
    served_at: datetime = Field(description="the date on the receipt (for an announcement: its publication)")
    address: str = Field(default="", max_length=200, description="送达地址 as on the receipt")


def _view(doc: IssuedDocument, served: list[ServiceRecord]) -> DocumentView:
    return DocumentView(
        document_id=doc.document_id,
        kind=doc.title,
        number=doc.number,
        sha256=doc.sha256,
        issued_at=doc.issued_at,
        template_version=doc.template_version,
        president=doc.president,
        refers_to=doc.refers_to,
        addressed_to=doc.addressed_to,
        served=[ServedView(**r.__dict__) for r in served],
    )


def _reaches(doc: IssuedDocument, agency: str, store: DocumentStore) -> bool:
    """Whether the document is an assisting body's to read: addressed to it, or served on it (the copy of a
    ruling that came with its notice)."""
    return agency in doc.addressed_to or agency in store.served_on(doc.document_id)


def _not_found(document_id: str) -> NotFound:
    return NotFound("DOCUMENT_NOT_FOUND", f"文书不存在: {document_id}", "document_id")


async def list_documents(
    db: Database,
    actor: Actor,
    *,
    workflow_id: str | None = None,
    case_number: str | None = None,
    court: str | None = None,
) -> list[DocumentView]:
    """The documents of one workflow, or of one case (its number at its court), the reader's courts only."""
    require_role(actor, *READERS)
    rows = await db.run(lambda: DocumentStore(db).listing(workflow_id=workflow_id, case_number=case_number))
    return [_view(d, served) for d, served in rows if actor.in_court(d.court) and (court is None or d.court == court)]


async def case_documents(db: Database, actor: Actor, case_id: str) -> list[DocumentView]:
    """Every document issued under the case's number at its court: the case's own and its matters'."""
    case = await db.run(CaseStore(db).get, case_id)
    if case is None or not actor.in_court(case.court):
        raise NotFound("CASE_NOT_FOUND", f"no case {case_id!r}", "case_id")
    return await list_documents(db, actor, case_number=case.case_number, court=case.court)


async def read_pdf(db: Database, settings: Settings, actor: Actor, document_id: str) -> tuple[IssuedDocument, bytes]:
    """The sealed PDF: for the court's staff, and for an assisting body (an agency) the documents addressed
    to it or served on it — the notice it acts on, which it checks (pdfsig, audit verify-document) before acting,
    and the copy of the ruling that notice cites."""
    if actor.role is not Role.AGENCY:
        require_role(actor, *READERS)
    doc = await db.run(DocumentStore(db).get, document_id)
    if actor.role is Role.AGENCY:
        if doc is None or actor.agency is None or not await db.run(_reaches, doc, actor.agency, DocumentStore(db)):
            raise _not_found(document_id)  # another body's document does not exist for this one
    elif doc is None or not actor.in_court(doc.court):
        raise _not_found(document_id)
    return doc, await db.run(BlobStore.for_settings(settings).get, doc.sha256)


async def record_receipt(
    db: Database, settings: Settings, actor: Actor, document_id: str, receipt: ServiceReceipt
) -> DocumentView:
    """The clerk records a receipt; a 送达回证 is issued for it and the service date set (the first receipt per
    recipient counts). Periods that run from service start there (domain.documents.period_end_from_service)."""
    from web.services.access import STARTERS

    require_role(actor, *STARTERS)
    doc = await db.run(DocumentStore(db).get, document_id)
    if doc is None or not actor.in_court(doc.court):
        raise _not_found(document_id)
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    office = office_for(settings, db)
    try:
        served = await db.run(
            lambda: office.record_service(
                document_id, receipt.recipient, receipt.method, receipt.served_at, str(actor), receipt.address
            )
        )
    except TimestampRequestError:
        # The receipt (送达回证) is sealed with its timestamp or not issued; nothing was recorded: try again.
        raise TsaUnavailable("TSA_UNAVAILABLE", "时间戳服务暂不可用, 送达回证未出具, 送达未记录: 请稍后重试") from None
    return _view(doc, served)


class TsaUnavailable(OneMatterError):
    status = 503


@cache
def _offices() -> dict[str, DocumentOffice]:
    return {}


def office_for(settings: Settings, db: Database) -> DocumentOffice:
    """One document office per web process and database (a renderer and the courts' seals are kept)."""
    from documents.timestamps import tsa_client  # pyHanko: loaded when the web first needs a document

    offices = _offices()
    office = offices.get(db.url)
    if office is None:
        keys = CourtKeys(settings.document_pki_path, sandbox=settings.sandbox)
        office = DocumentOffice(db, BlobStore.for_settings(settings), keys, timestamper=tsa_client(settings))
        offices[db.url] = office
    return office


class SealStatus(BaseModel):
    """What the preview says of a document's seal, checked against the courts' CA on each opening."""

    ok: bool
    message: str
    signer: str | None = None
    signed_at: datetime | None = None
    timestamped_at: datetime | None = None  # the time-stamping authority's time (PAdES B-T)
    before_timestamps: bool = False  # valid at B-B: sealed before timestamps were required, carries none


async def check_seal(settings: Settings, pdf: bytes) -> SealStatus:
    """The seal verified as any relying party would (documents.seal.verify_pdf): intact, over the whole file,
        by a certificate of the courts' CA, timestamped by the TSA (a seal from before timestamps were required:
    valid without one, at B-B). In a thread: pyHanko runs an event loop of its
        own."""
    import asyncio

    from documents.seal import verify_pdf
    from documents.timestamps import tsa_trust

    ca = CourtKeys(settings.document_pki_path, sandbox=settings.sandbox).ca()
    verdict = await asyncio.to_thread(verify_pdf, pdf, ca, tsa_trust(settings), settings.document_timestamps_from)
    return SealStatus(
        ok=verdict.ok,
        message=verdict.message,
        signer=verdict.signer,
        signed_at=verdict.signed_at,
        timestamped_at=verdict.timestamped_at,
        before_timestamps=verdict.before_timestamps,
    )


async def document_view(db: Database, actor: Actor, document_id: str) -> DocumentView:
    """One document with its service, for the court's staff (the preview page)."""
    require_role(actor, *READERS)
    doc = await db.run(DocumentStore(db).get, document_id)
    if doc is None or not actor.in_court(doc.court):
        raise _not_found(document_id)
    rows = await db.run(lambda: DocumentStore(db).listing(case_number=doc.case_number))
    served = next((s for d, s in rows if d.document_id == document_id), [])
    return _view(doc, served)
