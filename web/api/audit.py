"""Audit (审计): a case's trail and its signed export, and the key exports are signed with. The work is
in web/services/audit.py over the ``audit`` package; these routes parse, call and answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from audit.trail import AuditTrail
from web.api.common import errors
from web.deps import Reader, State, TemporalClient
from web.services import audit
from web.services.audit import PublicKeyOut

router = APIRouter(prefix="/api", tags=["audit"])


@router.get("/audit/public-key", response_model=PublicKeyOut)
async def audit_public_key(state: State) -> PublicKeyOut:
    """The key audit exports are signed with; pin it (or its ``key_id``) when verifying offline."""
    return audit.public_key(state.settings)


@router.get("/workflows/{workflow_id}/audit", response_model=AuditTrail, responses=errors(401, 403, 404, 503))
async def get_audit_trail(
    request: Request,
    workflow_id: Annotated[str, Path(max_length=200)],
    actor: Reader,
    state: State,
    client: TemporalClient,
) -> AuditTrail:
    """Who did what, when and why — derived from the workflow's Temporal history (and its agency tasks'),
    or from the archive once Temporal no longer has it. Personal data is masked."""
    request.state.workflow_id = workflow_id
    return await audit.trail(actor, state.db, client, workflow_id)


@router.get(
    "/workflows/{workflow_id}/audit/export",
    responses={200: {"description": "the signed export (application/json)"}, **errors(401, 403, 404, 409, 503)},
)
async def export_audit_trail(
    request: Request,
    workflow_id: Annotated[str, Path(max_length=200)],
    actor: Reader,
    state: State,
    client: TemporalClient,
) -> Response:
    """The trail as a signed file with a hash chain; verify it with ``python -m audit verify FILE``."""
    request.state.workflow_id = workflow_id
    signed = await audit.signed_export(actor, state.settings, state.db, client, workflow_id)
    return Response(
        signed.content,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{signed.filename}"'},
    )
