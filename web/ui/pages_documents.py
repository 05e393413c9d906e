"""A court document on the judge's side (文书): the preview — title, number, who signed, whom it is addressed
to and served on, the seal checked on opening — with the sealed PDF shown inline and downloadable. The case
and matter pages list their documents with links here (templates/documents/_list.html)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from web.deps import app_state
from web.services import documents
from web.services.access import READERS
from web.ui.render import page
from web.ui.session import UiUser, require

router = APIRouter(include_in_schema=False)
ReaderUser = Annotated[UiUser, require(*READERS)]


@router.get("/ui/documents/{document_id}", response_class=HTMLResponse)
async def preview(document_id: str, request: Request, user: ReaderUser) -> Response:
    state = app_state(request)
    view = await documents.document_view(state.db, user.actor, document_id)
    _, pdf = await documents.read_pdf(state.db, state.settings, user.actor, document_id)
    seal = await documents.check_seal(state.settings, pdf)
    return page(request, "documents/document.html", user, doc=view, seal=seal, size_kb=(len(pdf) + 1023) // 1024)


@router.get("/ui/documents/{document_id}/pdf")
async def pdf(document_id: str, request: Request, user: ReaderUser, download: bool = False) -> Response:
    """The sealed PDF as issued; ``download`` asks the browser to save it rather than show it."""
    state = app_state(request)
    doc, body = await documents.read_pdf(state.db, state.settings, user.actor, document_id)
    disposition = "attachment" if download else "inline"
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'{disposition}; filename="{doc.document_id}.pdf"',
            "Cache-Control": "private, no-store",
            "X-Document-SHA256": doc.sha256,
        },
    )
