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
from typing import TYPE_CHECKING

from pydantic import BaseModel
from temporalio import activity

from domain.documents import DocumentKind, DocumentRequest, IssuedDocument, document_number
from domain.errors import NotFound, ValidationFailed

if TYPE_CHECKING:
    from activities.resources import WorkerResources
    from core.blobstore import BlobStore
    from core.documents.pki import CourtKeys
    from core.documents.render import Renderer
    from core.documents.seal import CourtSeal
    from store.db import Database

ISSUE_DOCUMENT = "issue_document"


class IssueRequest(BaseModel):
    document: DocumentRequest
    president_name: str = ""  # the human signer, apart from the seal (§18.3); on documents that need one


class DocumentOffice:
    """The court's document office for one process: a renderer, each court's seal, the register, the blobs."""

    def __init__(self, db: Database, blobs: BlobStore, keys: CourtKeys, renderer: Renderer | None = None) -> None:
        from core.documents.render import Renderer
        from store.documents import DocumentStore

        self.store = DocumentStore(db)
        self.blobs = blobs
        self.keys = keys
        self.renderer = renderer or Renderer()
        self._seals: dict[str, CourtSeal] = {}
        self._lock = threading.Lock()

    def issue(self, req: DocumentRequest, president_name: str = "") -> IssuedDocument:
        from domain.documents import check_fields
        from store.db import utcnow

        spec = self.renderer.library.spec(req.kind)
        check_fields(spec, req.fields)  # before a number is taken
        if req.kind is DocumentKind.CORRECTION and not req.refers_to:
            raise ValidationFailed("DOCUMENT_CORRECTION_TARGET", "补正裁定书须指明所补正的文书", "refers_to")
        if req.refers_to and self.store.get(req.refers_to) is None:
            raise NotFound("DOCUMENT_NOT_FOUND", f"所引用的文书不存在: {req.refers_to}", "refers_to")
        if spec.president and not president_name:
            raise ValidationFailed("DOCUMENT_PRESIDENT_REQUIRED", f"{spec.title}须经院长签发", "president_name")
        reservation = self.store.reserve(
            req.idempotency_key,
            workflow_id=req.workflow_id,
            case_id=req.case_id,
            case_number=req.case_number,
            court=req.court,
            kind=req.kind,
            title=spec.title,
            template_version=self.renderer.library.template_version(req.kind, req.court),
            president=spec.president,
            refers_to=req.refers_to,
        )
        if reservation.sha256 is None:
            number = document_number(req.case_number, reservation.ordinal)
            pdf = self.renderer.render(
                req.kind, req.court, req.case_number, number, req.issued_on, req.fields, president_name
            )
            sealed = self.seal_for(req.court).seal(pdf)
            digest = self.blobs.put(sealed)
            self.store.complete(reservation.document_id, number, digest, utcnow())
        issued = self.store.get(reservation.document_id)
        assert issued is not None
        return issued

    def seal_for(self, court: str) -> CourtSeal:
        from core.documents.seal import CourtSeal

        with self._lock:
            seal = self._seals.get(court)
            if seal is None:
                seal = CourtSeal(self.keys.credentials(court), self.renderer.render_seal(court))
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
        from core.documents.pki import CourtKeys

        keys = CourtKeys(r.settings.document_pki_path, sandbox=r.settings.sandbox)
        return cls(DocumentOffice(r.database, r.blobs, keys))

    def __init__(self, office: DocumentOffice) -> None:
        self.office = office

    @activity.defn(name=ISSUE_DOCUMENT)
    def issue_document(self, req: IssueRequest) -> IssuedDocument:
        """Synchronous (rendering and signing are CPU work): the worker runs it in its thread pool."""
        return self.office.issue(req.document, req.president_name)

    def all(self) -> list[object]:
        return [self.issue_document]
