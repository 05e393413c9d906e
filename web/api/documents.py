"""The court's documents (文书): lists with their service, the sealed PDF, a clerk's receipt. The rules are
in web/services/documents.py."""

from __future__ import annotations

from fastapi import APIRouter, Response

from web.api.common import errors
from web.deps import AnyActor, Judge, State
from web.services import documents
from web.services.documents import DocumentView, ServiceReceipt

router = APIRouter(tags=["documents"])


@router.get("/workflows/{workflow_id}/documents", response_model=list[DocumentView], responses=errors(401, 403))
async def workflow_documents(workflow_id: str, state: State, actor: AnyActor) -> list[DocumentView]:
    """The documents a workflow (a matter) issued, in the order issued, each with who it was served on."""
    return await documents.list_documents(state.db, actor, workflow_id=workflow_id)


@router.get("/cases/{case_id}/documents", response_model=list[DocumentView], responses=errors(401, 403, 404))
async def case_documents(case_id: str, state: State, actor: AnyActor) -> list[DocumentView]:
    """Every document of a case — its matters' too — by the case's number at its court."""
    return await documents.case_documents(state.db, actor, case_id)


@router.get(
    "/documents/{document_id}",
    responses={**errors(401, 403, 404), 200: {"content": {"application/pdf": {}}, "description": "the sealed PDF"}},
)
async def get_document(document_id: str, state: State, actor: AnyActor) -> Response:
    """The sealed PDF as issued (PAdES; verify with pdfsig or ``python -m audit verify-document``)."""
    doc, pdf = await documents.read_pdf(state.db, state.settings, actor, document_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{doc.document_id}.pdf"',
            "Cache-Control": "private, no-store",
            "X-Document-SHA256": doc.sha256,
        },
    )


@router.post("/documents/{document_id}/service", response_model=DocumentView, responses=errors(401, 403, 404, 422))
async def record_service(document_id: str, body: ServiceReceipt, state: State, actor: Judge) -> DocumentView:
    """Records a receipt (送达回证): paper service, or service confirmed outside the system."""
    return await documents.record_receipt(state.db, state.settings, actor, document_id, body)
