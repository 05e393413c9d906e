"""Issuing the court's documents (出具法律文书): number, render, seal, store — one step, exactly once.

A workflow issues a document through the ``issue_document`` activity with an idempotency key from its
workflow id and step: a retry finds the number its first try took (store/documents.py), so a step never
issues two documents. The result — id, number, title and SHA-256 — is all history keeps; the content,
names and numbers of the parties among it, exists only in the sealed PDF, encrypted in the blob store. The
audit trail records the hash (audit/derive.py), so anyone holding the PDF can check it against the chain
(``python -m audit verify-document``).

``DocumentOffice`` is the same work without Temporal: the web (a 补正, a receipt) and the bench use it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.documents import (
    DocumentKind,
    DocumentRequest,
    IssuedDocument,
    ServiceMethod,
    document_number,
    service_date,
)
from domain.errors import NotFound, OneMatterError, ValidationFailed
from domain.legal_time import CHINA_TZ

if TYPE_CHECKING:
    from pyhanko.sign.timestamps import TimeStamper

    from activities.resources import WorkerResources
    from documents.pki import CourtKeys
    from documents.render import Renderer
    from documents.seal import CourtSeal
    from store.blobs import BlobStore
    from store.db import Database
    from store.documents import ServiceRecord

ISSUE_DOCUMENT = "issue_document"
SERVICE_METHOD_WORDS = {
    ServiceMethod.ELECTRONIC: "电子送达",
    ServiceMethod.DIRECT: "直接送达",
    ServiceMethod.LEFT: "留置送达",
    ServiceMethod.POST: "邮寄送达",
    ServiceMethod.ANNOUNCEMENT: "公告送达",
}


class IssueRequest(BaseModel):
    document: DocumentRequest
    president_name: str = ""  # the human signer, apart from the seal (§18.3); on documents that need one


class DocumentOffice:
    """The court's document office for one process: a renderer, each court's seal, the register, the blobs."""

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        keys: CourtKeys,
        renderer: Renderer | None = None,
        timestamper: TimeStamper | None = None,
    ) -> None:
        """``timestamper``: the TSA every seal gets its timestamp from (PAdES B-T, documents/timestamps.py) —
        the worker's and the web's always have one; without it seals are B-B (tests of the seal alone). When
        the TSA does not answer, sealing raises and nothing is issued: the activity retries."""
        from documents.render import Renderer
        from store.documents import DocumentStore

        self.store = DocumentStore(db)
        self.blobs = blobs
        self.keys = keys
        self.renderer = renderer or Renderer()
        self.timestamper = timestamper
        self._seals: dict[str, CourtSeal] = {}
        self._lock = threading.Lock()

    def issue(self, req: DocumentRequest, president_name: str = "") -> IssuedDocument:
        return self.issue_sealed(req, president_name)[0]

    def issue_sealed(self, req: DocumentRequest, president_name: str = "") -> tuple[IssuedDocument, bytes]:
        """The issued document and its sealed PDF (what a request to a partner carries)."""
        from domain.documents import check_fields
        from store.db import utcnow
        from store.documents import Draft

        spec = self.renderer.library.spec(req.kind)
        check_fields(spec, req.fields)  # before a number is taken
        if req.kind is DocumentKind.CORRECTION and not req.refers_to:
            raise ValidationFailed("DOCUMENT_CORRECTION_TARGET", "补正裁定书须指明所补正的文书", "refers_to")
        if req.refers_to and self.store.get(req.refers_to) is None:
            raise NotFound("DOCUMENT_NOT_FOUND", f"所引用的文书不存在: {req.refers_to}", "refers_to")
        if spec.president and not president_name:
            raise ValidationFailed("DOCUMENT_PRESIDENT_REQUIRED", f"{spec.title}须经院长签发", "president_name")
        draft = Draft(
            workflow_id=req.workflow_id,
            case_id=req.case_id,
            case_number=req.case_number,
            court=req.court,
            kind=req.kind,
            title=spec.title,
            template_version=self.renderer.library.template_version(req.kind, req.court),
            # Signed by a president: where the law requires it, or where the step took that path (终本 Art. 517).
            president=spec.president or bool(president_name),
            refers_to=req.refers_to,
            addressed_to=tuple(req.addressed_to),
        )
        reservation = self.store.reserve(req.idempotency_key, draft)
        if reservation.sha256 is None:
            number = document_number(req.case_number, reservation.ordinal)
            pdf = self.renderer.render(
                req.kind, req.court, req.case_number, number, req.issued_on, req.fields, president_name
            )
            sealed = self.seal_for(req.court).seal(pdf)
            digest = self.blobs.put(sealed)
            issued = self.store.complete(reservation.document_id, number, digest, utcnow())
            if issued.sha256 == digest:
                return issued, sealed
        # An earlier try of this step issued it (or completed it a moment before this one): its document.
        found = self.store.get(reservation.document_id)
        assert found is not None
        return found, self.blobs.get(found.sha256)

    def record_service(
        self,
        document_id: str,
        recipient: str,
        method: ServiceMethod,
        at: datetime,
        recorded_by: str,
        address: str = "",
        with_receipt: bool = True,
    ) -> list[ServiceRecord]:
        """Records that the document reached ``recipient`` (送达). With ``with_receipt`` a 送达回证 is issued
        and sealed for it (paper service: the clerk records the signed receipt); an electronic service's own
        trace is its receipt (在线诉讼规则 Art. 31), so a partner's answer records it without one."""
        from store.documents import ServiceRecord

        served_at = service_date(method, at)
        receipt_id = None
        if with_receipt:
            served = self.store.get(document_id)
            if served is None:
                raise NotFound("DOCUMENT_NOT_FOUND", f"文书不存在: {document_id}", "document_id")
            local = served_at.astimezone(CHINA_TZ)
            receipt = self.issue(
                DocumentRequest(
                    kind=DocumentKind.SERVICE_RECEIPT,
                    court=served.court,
                    case_number=served.case_number,
                    issued_on=local.date(),
                    fields={
                        "served_title": served.title,
                        "served_number": served.number,
                        "served_sha256": served.sha256,
                        "recipient": recipient,
                        "method": SERVICE_METHOD_WORDS[method],
                        "address": address or "—",
                        "served_at": local.strftime("%Y-%m-%d %H:%M"),
                        "note": f"记录人 {recorded_by}",
                    },
                    workflow_id=self.store.workflow_of(document_id),
                    idempotency_key=f"{document_id}/service/{recipient}",
                    refers_to=document_id,
                )
            )
            receipt_id = receipt.document_id
        record = ServiceRecord(recipient, method.value, served_at, recorded_by, receipt_id)
        try:
            return self.store.record_service(document_id, record)
        except KeyError:  # not issued (or not yet complete): nothing was recorded
            raise NotFound("DOCUMENT_NOT_FOUND", f"文书不存在: {document_id}", "document_id") from None

    def seal_for(self, court: str) -> CourtSeal:
        from documents.seal import CourtSeal

        with self._lock:
            seal = self._seals.get(court)
            if seal is None:
                seal = CourtSeal(self.keys.credentials(court), self.renderer.render_seal(court), self.timestamper)
                self._seals[court] = seal
            return seal

    def pdf(self, document_id: str) -> bytes:
        issued = self.store.get(document_id)
        if issued is None:
            raise NotFound("DOCUMENT_NOT_FOUND", f"文书不存在: {document_id}", "document_id")
        return self.blobs.get(issued.sha256)


class DocumentActivities:
    @classmethod
    def from_resources(cls, r: WorkerResources) -> DocumentActivities:
        return cls(r.documents)

    def __init__(self, office: DocumentOffice) -> None:
        self.office = office

    @activity.defn(name=ISSUE_DOCUMENT)
    def issue_document(self, req: IssueRequest) -> IssuedDocument:
        """Synchronous (rendering and signing are CPU work): the worker runs it in its thread pool. A
        request the templates refuse (a missing field) fails the same way on every try: not retried."""
        try:
            return self.office.issue(req.document, req.president_name)
        except OneMatterError as exc:
            raise ApplicationError(exc.message, exc.field, type=exc.code, non_retryable=True) from exc

    def all(self) -> list[Callable[..., Any]]:
        return [self.issue_document]
