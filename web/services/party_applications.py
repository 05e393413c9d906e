"""Applying online (网上申请执行, DOMAIN §17.1, §17.3): an applicant uploads the title as a PDF and submits the
application; it waits in the filing clerk's queue of its court until docketed — a case with its number —
or refused with reasons, within the period (domain/applications.py); the applicant follows it in their space.

Only an applicant named in the application may submit it (their number among the applicants'); the title is
one of their own uploads. The application is sealed at rest; the queue's row holds no personal data.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import select, update
from temporalio.client import Client

from config.settings import Settings
from domain.actors import Actor, Role
from domain.applications import docketing_due
from domain.case_number import CaseType
from domain.cases import CourtName
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.legal_time import CHINA_TZ
from domain.parties import Party
from store.blobs import BlobStore
from web.db import Database, PartyApplication, PartyFile, User, utcnow
from web.services import cases
from web.services.cases import ClaimIn, FilingRequest
from web.services.parties import digests
from web.services.party_accounts import PartyDesk, party_digests
from web.services.tasks import MAX_ATTACHMENT_BYTES, sniff
from workflows.case.models import CaseTitle, CaseView, PartyRequest


class OnlineApplication(BaseModel):
    """申请执行书, as the applicant submits it: the same parts a filing clerk types (POST /api/cases), the
    title's PDF, and what the applicant knows of the debtor's assets (执行工作规定 Art 18)."""

    court: CourtName
    applicants: list[Party] = Field(min_length=1, max_length=20, description="申请执行人")
    debtors: list[Party] = Field(min_length=1, max_length=20, description="被执行人")
    title: CaseTitle
    claim: ClaimIn
    title_document_sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="执行依据的 PDF (先上传); a resumption refers to the earlier case's title as that case holds it",
    )
    known_assets: str = Field(default="", max_length=2000, description="已知的被执行人财产线索")
    resumes_case_id: str | None = Field(
        default=None, max_length=64, description="恢复执行: the case it resumes (its title is on that case's file)"
    )

    def filing(self) -> dict[str, object]:
        """The application as a filing clerk's filing (POST /api/cases) takes it: the title referring to its
        PDF (the one uploaded, or for a resumption the earlier case's), a resumption as 执恢."""
        filing = self.model_dump(
            mode="json", include={"court", "applicants", "debtors", "title", "claim"}, exclude_none=True
        )
        if self.title_document_sha256:
            filing["title"] = {**self.title.model_dump(mode="json"), "document_sha256": self.title_document_sha256}
        if self.resumes_case_id:
            filing |= {"case_type": CaseType.RESUMED.value, "resumes_case_id": self.resumes_case_id}
        return filing


class ApplicationView(BaseModel):
    """What the applicant and the filing clerk see of an application's progress."""

    application_id: str
    court: str
    status: str = Field(description="submitted 待审查 | accepted 已立案 | refused 不予受理")
    submitted_at: datetime
    decide_by: datetime = Field(description="立案或不予受理的期限")
    case_id: str | None = None
    case_number: str | None = None
    reasons: str | None = None


class FileStored(BaseModel):
    sha256: str
    size: int
    content_type: str


def party_file_store(settings: Settings) -> BlobStore:
    return BlobStore(settings.var_dir / "party-files", settings.codec_keys)


def user_id_of(db: Database, username: str) -> int:
    with db.session() as s:
        found = s.scalar(select(User.id).where(User.username == username))
    if found is None:
        raise Forbidden("PARTIES_ONLY", "仅当事人可用 / for parties only")
    return int(found)


def _record_file(db: Database, user_id: int, digest: str, content_type: str, size: int) -> None:
    with db.session() as s:
        if s.get(PartyFile, (user_id, digest)) is None:
            s.add(PartyFile(user_id=user_id, sha256=digest, content_type=content_type, size=size, uploaded_at=utcnow()))


async def store_file(db: Database, store: BlobStore, actor: Actor, data: bytes) -> FileStored:
    """A party's upload (PDF, JPEG or PNG, by content), encrypted, by its SHA-256. ``data`` may be one byte
    over the limit, which is how a caller says so."""
    user_id = await db.run(user_id_of, db, actor.user_id)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed("FILE_TOO_LARGE", f"file: 文件不能超过 {MAX_ATTACHMENT_BYTES // 2**20} MB", "file")
    content_type = sniff(data)
    if content_type is None:
        raise ValidationFailed("FILE_TYPE_REFUSED", "file: 仅限 PDF、JPEG、PNG 文件 / only PDF, JPEG or PNG", "file")
    return await keep_file(db, store, user_id, data, content_type)


async def keep_file(db: Database, store: BlobStore, user_id: int, data: bytes, content_type: str) -> FileStored:
    """Bytes already checked (size and type), encrypted into the store and recorded as ``user_id``'s."""
    digest = await asyncio.to_thread(store.put, data)
    await db.run(_record_file, db, user_id, digest, content_type, len(data))
    return FileStored(sha256=digest, size=len(data), content_type=content_type)


def _view(row: PartyApplication) -> ApplicationView:
    return ApplicationView(
        application_id=row.application_id,
        court=row.court,
        status=row.status,
        submitted_at=row.submitted_at,
        decide_by=row.decide_by,
        case_id=row.case_id,
        case_number=row.case_number,
        reasons=row.reasons,
    )


def _submit(db: Database, user_id: int, application: OnlineApplication) -> ApplicationView:
    assert db.sealer is not None
    now = utcnow()
    with db.session() as s:
        sha = application.title_document_sha256
        title = s.get(PartyFile, (user_id, sha)) if sha else None
        if title is None or title.content_type != "application/pdf":
            raise ValidationFailed(
                "TITLE_PDF_REQUIRED",
                "title_document_sha256: 请先上传执行依据的 PDF 文件 / upload the title as a PDF first",
                "title_document_sha256",
            )
        row = _queued(db, user_id, application, now)
        s.add(row)
        s.flush()
        return _view(row)


def _queued(db: Database, user_id: int, application: OnlineApplication, submitted_at: datetime) -> PartyApplication:
    """The queue's row of an application, sealed, with its period to docket or refuse from ``submitted_at``."""
    assert db.sealer is not None
    application_id = f"sq-{submitted_at:%Y%m%d}-{secrets.token_hex(6)}"
    return PartyApplication(
        application_id=application_id,
        user_id=user_id,
        court=application.court,
        sealed=db.sealer.seal(application.model_dump_json(), f"application:{application_id}"),
        title_sha256=application.title_document_sha256,
        submitted_at=submitted_at,
        decide_by=docketing_due(submitted_at).due_at,
        status="submitted",
    )


def _resumption(db: Database, username: str, application: OnlineApplication, submitted_at: datetime) -> None:
    user_id = user_id_of(db, username)
    with db.session() as s:
        s.add(_queued(db, user_id, application, submitted_at))


def own_files(db: Database, username: str, digests: list[str]) -> set[str]:
    """Which of ``digests`` the user uploaded themselves (only those may they attach)."""
    rows = db.rows(
        select(PartyFile.sha256)
        .join(User, User.id == PartyFile.user_id)
        .where(User.username == username, PartyFile.sha256.in_(digests))
    )
    return {r.sha256 for r in rows}


async def check_attachments(db: Database, actor: Actor, attachments: list[str]) -> None:
    """Refuses attachments the actor did not upload, naming them (``ATTACHMENT_NOT_YOURS``)."""
    if attachments:
        own = await db.run(own_files, db, actor.user_id, attachments)
        if missing := [a for a in attachments if a not in own]:
            raise ValidationFailed(
                "ATTACHMENT_NOT_YOURS",
                f"attachments: 请先上传这些文件 / upload first: {', '.join(missing)}",
                "attachments",
            )


async def resumption(db: Database, view: CaseView, request: PartyRequest) -> None:
    """The judge accepted an application to resume (恢复执行): the 执恢 application, prefilled from the case —
    its parties, the unpaid balance as the claim, and the original title (执行依据) as the case holds it: its
    number, issuer and dates, and its PDF where it was filed online (a case filed on paper holds none; the
    clerk reads that title in the earlier case's file) — joins the filing clerk's queue as received on the day
    the applicant applied, in the applicant's own applications."""
    application = OnlineApplication(
        court=view.court,
        applicants=view.applicants,
        debtors=view.debtors,
        title=view.title,
        claim=ClaimIn(principal_fen=max(view.ledger.balance_fen, 1)),
        title_document_sha256=view.title.document_sha256,
        known_assets=request.text,
        resumes_case_id=view.case_id,
    )
    await db.run(_resumption, db, request.by, application, request.filed_at)


async def submit(desk: PartyDesk, actor: Actor, application: OnlineApplication) -> ApplicationView:
    """Files the application into its court's queue, if the party is one of its applicants."""
    mine = set(await party_digests(desk, actor))
    named = {d for a in application.applicants for d in digests(desk.keys, a.id_number).values()}
    if not mine & named:
        raise Forbidden(
            "APPLICANT_ONLY",
            "applicants: 只能以本人 (或本单位) 为申请执行人提交申请 / you must be one of the applicants",
        )
    user_id = await desk.db.run(user_id_of, desk.db, actor.user_id)
    return await desk.db.run(_submit, desk.db, user_id, application)


def _mine(db: Database, user_id: int) -> list[ApplicationView]:
    with db.session() as s:
        rows = s.scalars(
            select(PartyApplication)
            .where(PartyApplication.user_id == user_id)
            .order_by(PartyApplication.submitted_at.desc())
            .limit(100)
        )
        return [_view(r) for r in rows]


async def my_applications(desk: PartyDesk, actor: Actor) -> list[ApplicationView]:
    user_id = await desk.db.run(user_id_of, desk.db, actor.user_id)
    return await desk.db.run(_mine, desk.db, user_id)


def opened(db: Database, row: PartyApplication) -> OnlineApplication:
    """The sealed application, for the filing clerk who decides it."""
    assert db.sealer is not None
    return OnlineApplication.model_validate(json.loads(db.sealer.open(row.sealed, f"application:{row.application_id}")))


# --- the filing clerk's side (立案庭) -------------------------------------------------------------------------


class QueuedApplication(ApplicationView):
    """An application in the filing clerk's queue, opened for the clerk of its court."""

    application: OnlineApplication
    overdue: bool = Field(description="the period to docket or refuse has passed: docket first (登记立案规定 Art 8)")


class Refusal(BaseModel):
    reasons: str = Field(min_length=2, max_length=2000, description="不予受理的理由 (载入裁定)")


def _clerk_court(actor: Actor) -> str:
    if actor.role is not Role.FILING_CLERK or len(actor.courts) != 1:
        raise Forbidden("ROLE_FORBIDDEN", "仅立案庭工作人员可处理网上申请 / for the court's filing clerks")
    return actor.courts[0]


def _queue(db: Database, court: str) -> list[QueuedApplication]:
    now = utcnow()
    with db.session() as s:
        rows = s.scalars(
            select(PartyApplication)
            .where(PartyApplication.court == court, PartyApplication.status == "submitted")
            .order_by(PartyApplication.decide_by)
            .limit(200)
        )
        return [
            QueuedApplication(**_view(r).model_dump(), application=opened(db, r), overdue=r.decide_by < now)
            for r in rows
        ]


async def queue(db: Database, actor: Actor) -> list[QueuedApplication]:
    """The court's applications waiting for a decision, the most urgent first."""
    return await db.run(_queue, db, _clerk_court(actor))


def _claim(db: Database, court: str, application_id: str, by: str) -> PartyApplication:
    """Moves a submitted application of ``court`` to ``deciding`` — one clerk at a time decides it."""
    with db.session() as s:
        taken = s.execute(
            update(PartyApplication)
            .where(
                PartyApplication.application_id == application_id,
                PartyApplication.court == court,
                PartyApplication.status == "submitted",
            )
            .values(status="deciding", decided_by=by)
            .returning(PartyApplication.application_id)
        ).scalar_one_or_none()
        row = s.get(PartyApplication, application_id)
        if row is None or row.court != court:
            raise NotFound("APPLICATION_NOT_FOUND", f"no application {application_id!r}", "application_id")
        if taken is None:
            raise Conflict("APPLICATION_DECIDED", "该申请已处理 / the application is already decided", "application_id")
        s.expunge(row)
        return row


def _decided(db: Database, application_id: str, values: dict[str, object]) -> ApplicationView:
    with db.session() as s:
        row = s.get(PartyApplication, application_id)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)
        return _view(row)


async def refuse(db: Database, actor: Actor, application_id: str, refusal: Refusal) -> ApplicationView:
    """不予受理, with its reasons (登记立案规定 Art 9); the applicant sees them in their space."""
    court = _clerk_court(actor)
    await db.run(_claim, db, court, application_id, actor.user_id)
    decided = {"status": "refused", "decided_at": utcnow(), "reasons": refusal.reasons}
    return await db.run(_decided, db, application_id, decided)


async def accept(
    client: Client, settings: Settings, db: Database, actor: Actor, application_id: str, judge: str | None = None
) -> ApplicationView:
    """立案: the application becomes a case, filed as the clerk would type it, received on the day it was
    submitted. A filing that fails leaves the application in the queue, as it was."""
    court = _clerk_court(actor)
    row = await db.run(_claim, db, court, application_id, actor.user_id)
    try:
        application = await db.run(opened, db, row)
        received_on = row.submitted_at.astimezone(CHINA_TZ).date()
        request = FilingRequest.model_validate({**application.filing(), "received_on": received_on, "judge": judge})
        filed = await cases.file_case(client, settings, db, actor, request)
    except BaseException:
        await db.run(_decided, db, application_id, {"status": "submitted", "decided_by": None})
        raise
    decided = {"status": "accepted", "decided_at": utcnow(), "case_id": filed.case_id, "case_number": filed.case_number}
    return await db.run(_decided, db, application_id, decided)
