"""Audit (审计): a case's trail, its signed export and the key it is signed with, for the JSON API and
the auditors' pages alike. The work is done by the ``audit`` package; this module adds who may read,
the registered scenarios' personal data (what the trail masks) and the deployment's settings."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from pydantic import BaseModel, Field
from temporalio.client import Client

from audit import archive
from audit.chain import seal
from audit.derive import temporal_ui_link
from audit.export import build_export, export_bytes, load_signing_key, public_key_b64, public_key_pem
from audit.redact import Redactor, mask_text
from audit.trail import AuditEvent, AuditTrail
from audit.verify import key_id
from config.settings import Settings
from domain.actors import Actor, Role
from store.db import Database
from store.started import Incident, StartedStore
from web.services import payment_refunds, register
from web.services.access import READERS, require_court, require_role
from web.services.payment_refunds import RefundItem
from workflows.personal_data import personal_data_models

__all__ = [
    "ArchiveRow",
    "PublicKeyOut",
    "SignedExport",
    "public_key",
    "redactor",
    "search_archive",
    "signed_export",
    "temporal_ui_link",
    "trail",
]

ArchiveRow = archive.ArchiveRow


class PublicKeyOut(BaseModel):
    algorithm: str = "ed25519"
    public_key: str = Field(description="raw 32-byte Ed25519 public key, standard base64")
    key_id: str = Field(description="first 16 hex digits of SHA-256 over the raw key")
    pem: str


class SignedExport(BaseModel):
    filename: str
    content: bytes
    key_id: str


@cache
def redactor() -> Redactor:
    """Masks what the registered scenarios' models mark as personal data (built once per process, from
    the same models the worker's archive activity uses, so live and archived trails agree)."""
    return Redactor.for_models(*personal_data_models())


def public_key(settings: Settings) -> PublicKeyOut:
    """The key audit exports are signed with; pin it (or its ``key_id``) when verifying offline."""
    key = load_signing_key(settings).public_key()
    b64 = public_key_b64(key)
    return PublicKeyOut(public_key=b64, key_id=key_id(b64), pem=public_key_pem(key))


async def trail(actor: Actor, db: Database, client: Client, workflow_id: str) -> AuditTrail:
    """Who did what, when and why: live from Temporal while it has the workflow (archived on first
    sight once closed), else from the archive. Personal data masked. A case of another court is not
    found, as an unknown one is."""
    require_role(actor, *READERS)
    owner = await register.owner_of(client, db, workflow_id)  # a workflow the web did not start has no trail
    require_court(actor, owner.court if owner else None, workflow_id)
    sealed = await archive.trail_for(db, client, workflow_id, redactor())
    found = await db.read(StartedStore(db).incidents, (sealed.header.court,), workflow_id)
    court = sealed.header.court
    refunded = await db.read(payment_refunds.refunded_of_workflow, db, court, workflow_id)
    web_events = [*_incident_events(found), *_refund_events(refunded, workflow_id, court)]
    return with_web_events(sealed, web_events) if web_events else sealed


def with_web_events(sealed: AuditTrail, events: list[AuditEvent]) -> AuditTrail:
    """The trail with what the web recorded against its workflow linked into its chain after the events
    Temporal recorded, oldest first: the export signs them with the rest, and a changed one breaks it."""
    return seal(sealed.header, [*sealed.events, *sorted(events, key=lambda e: e.at)], sealed.source)


def _incident_events(found: list[Incident]) -> list[AuditEvent]:
    """The incidents found against the workflow (web/services/incidents.py): a cancel, terminate or reset the
    web did not record is named as such in the signed export, not only shown as Temporal's bare event."""
    return [
        AuditEvent(
            index=0,
            at=incident.happened_at,
            workflow_id=incident.workflow_id,
            event_id=0,
            category="incident",
            action=f"{incident.kind}_outside_the_web",
            identity=mask_text(incident.caller) or None,
            outcome="incident",
            detail={"run_id": incident.run_id, "found_at": incident.found_at.isoformat()},
        )
        for incident in sorted(found, key=lambda i: (i.happened_at, i.run_id))
    ]


def _refund_events(refunded: list[RefundItem], workflow_id: str, court: str | None) -> list[AuditEvent]:
    """The judge's refunds of payments the case did not take (退款, web/services/party_payments.py): who,
    when, why, the platform's reference. Recorded by the web, since the case's run has usually ended by
    the time the money arrives."""
    return [
        AuditEvent(
            index=0,
            at=r.refunded_at,
            workflow_id=workflow_id,
            event_id=0,
            category="refund",
            action="payment-refunded",
            actor=Actor(user_id=r.refunded_by, role=Role.JUDGE, courts=(court,) if court else ()),
            reason=mask_text(r.reason or "") or None,
            partner="cashier",
            reference=r.refund_ref,
            outcome="refunded",
            detail={"order_id": r.order_id, "refund_fen": r.refund_fen, "cause": r.cause},
        )
        for r in refunded
        if r.refunded_at is not None and r.refunded_by
    ]


async def signed_export(
    actor: Actor, settings: Settings, db: Database, client: Client, workflow_id: str
) -> SignedExport:
    """The trail as a signed, hash-chained file (verify offline: ``python -m audit verify FILE``)."""
    sealed = await trail(actor, db, client, workflow_id)
    link = temporal_ui_link(settings, workflow_id, sealed.header.run_id)
    doc = build_export(sealed, load_signing_key(settings), link)
    filename = "audit-" + re.sub(r"[^A-Za-z0-9._-]", "_", workflow_id) + ".json"
    return SignedExport(filename=filename, content=export_bytes(doc), key_id=doc["signature"]["key_id"])


async def search_archive(
    actor: Actor,
    db: Database,
    case_number: str | None = None,
    scenario: str | None = None,
    status: str | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    limit: int = 100,
) -> list[archive.ArchiveRow]:
    """Archived trails (workflows Temporal may no longer hold), newest first."""
    require_role(actor, *READERS)
    return await db.run(
        lambda: archive.search_archive(
            db, case_number, scenario, status, started_from, started_to, limit, courts=actor.courts
        )
    )
