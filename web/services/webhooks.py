"""Agency notifications (协助单位消息推送): an agency registers webhooks; events about its tasks are POSTed
to them, signed with HMAC-SHA256, retried with back-off and logged per delivery.

Store-and-forward from the projection, not an activity in the task workflow. Why: every transition an
agency cares about is already recorded in the task's history and projected into the inbox table (by the
worker and by the web's own task actions); reading events from there needs no new workflow command (no
``workflow.patched`` branch, no history re-recorded), covers both writers, and a receiver that is down
for a day costs rows in ``webhook_deliveries`` rather than a workflow retrying an activity for a day.
It is durable: the outbox rows and how far each task was read (``webhook_task_seen``) live in the
database, so a restart resumes where it stopped; enqueueing is idempotent by ``event_id``.

This module is the registration (the agency's API). The outbox — enqueueing events and delivering them —
is its own process, ``python -m workers.outbox`` (workers/outbox.py), which the launcher starts: a slow
receiver never holds a web process, and the web serves no outbound traffic.

Outbound URLs (net/outbound.py): http(s) only, no credentials in them; outside the sandbox only global
addresses (checked when registered and again before each delivery, which goes to the address checked);
in the sandbox and in tests loopback only, since its simulated agencies listen there, but never the
stack's own services.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import select, update

from config.settings import Settings
from domain.actors import Actor, Role
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.plain_text import FORBIDDEN_CLASS
from net.outbound import url_problem
from runtime.logging import get_logger
from store.db import Database, utcnow
from store.task_notes import Webhook, WebhookDelivery, secret_key

log = get_logger(__name__)

MAX_PER_AGENCY = 10


class WebhookIn(BaseModel):
    url: str = Field(
        min_length=8,
        max_length=2000,
        description="http(s) URL the events are POSTed to",
        json_schema_extra={"pattern": f"^[Hh][Tt][Tt][Pp][Ss]?://[^{FORBIDDEN_CLASS}]*$"},  # the rest: net/outbound.py
    )
    secret: str = Field(min_length=16, max_length=200, description="the HMAC-SHA256 key the signature uses")


class WebhookOut(BaseModel):
    id: int
    agency: str
    url: str
    created_by: str
    created_at: datetime
    active: bool


class DeliveryOut(BaseModel):
    id: int
    event: str
    event_id: str
    task_id: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


# --- the agency's webhooks -------------------------------------------------------------------------------


def _require_agency(actor: Actor) -> str:
    if actor.role is not Role.AGENCY or not actor.agency:
        raise Forbidden("ROLE_FORBIDDEN", "only an agency registers webhooks")
    return actor.agency


def _out(row: Webhook) -> WebhookOut:
    return WebhookOut(
        id=row.id, agency=row.agency, url=row.url, created_by=row.created_by, created_at=row.created_at, active=True
    )


def _create(db: Database, agency: str, actor: Actor, body: WebhookIn) -> WebhookOut:
    sealer = db.sealer
    if sealer is None:
        raise RuntimeError("a webhook's secret is a credential: the database needs a sealer (codec keys)")
    with db.session() as s:
        count = len(list(s.scalars(select(Webhook.id).where(Webhook.agency == agency, Webhook.active))))
        if count >= MAX_PER_AGENCY:
            raise ValidationFailed("TOO_MANY_WEBHOOKS", f"at most {MAX_PER_AGENCY} webhooks per agency", "url")
        row = Webhook(agency=agency, url=body.url, secret_sealed="", created_by=actor.user_id, created_at=utcnow())
        s.add(row)
        s.flush()
        row.secret_sealed = sealer.seal(body.secret, secret_key(row.id))
        return _out(row)


async def register(db: Database, settings: Settings, actor: Actor, body: WebhookIn) -> WebhookOut:
    agency = _require_agency(actor)
    problem = await asyncio.to_thread(url_problem, body.url, settings.sandbox, settings.own_ports)
    if problem:
        raise ValidationFailed("WEBHOOK_URL_REFUSED", f"url: {problem}", "url")
    out = await db.run(_create, db, agency, actor, body)
    log.info("webhook registered", agency=agency, webhook=out.id, by=actor.user_id)
    return out


def _own(db: Database, agency: str, webhook_id: int) -> Webhook:
    with db.session() as s:
        row = s.get(Webhook, webhook_id)
    if row is None or row.agency != agency or not row.active:
        # Another agency's webhook is as absent as an unknown one.
        raise NotFound("WEBHOOK_NOT_FOUND", "no such webhook")
    return row


async def list_webhooks(db: Database, actor: Actor) -> list[WebhookOut]:
    agency = _require_agency(actor)

    def q() -> list[WebhookOut]:
        with db.session() as s:
            rows = s.scalars(select(Webhook).where(Webhook.agency == agency, Webhook.active).order_by(Webhook.id))
            return [_out(r) for r in rows]

    return await db.run(q)


async def delete(db: Database, actor: Actor, webhook_id: int) -> None:
    """Stops deliveries to the webhook; its delivery log stays readable to no one but the database."""
    agency = _require_agency(actor)
    await db.run(_own, db, agency, webhook_id)

    def stop() -> None:
        with db.session() as s:
            s.execute(update(Webhook).where(Webhook.id == webhook_id).values(active=False))
            s.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == "pending")
                .values(status="dropped")
            )

    await db.run(stop)
    log.info("webhook deleted", agency=agency, webhook=webhook_id, by=actor.user_id)


async def deliveries(db: Database, actor: Actor, webhook_id: int, limit: int = 100) -> list[DeliveryOut]:
    """The webhook's delivery log, newest first."""
    agency = _require_agency(actor)
    await db.run(_own, db, agency, webhook_id)

    def q() -> list[DeliveryOut]:
        with db.session() as s:
            rows = s.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.webhook_id == webhook_id)
                .order_by(WebhookDelivery.id.desc())
                .limit(limit)
            )
            return [
                DeliveryOut(
                    id=r.id,
                    event=r.event,
                    event_id=r.event_id,
                    task_id=r.task_id,
                    status=r.status,
                    attempts=r.attempts,
                    next_attempt_at=r.next_attempt_at,
                    last_status_code=r.last_status_code,
                    last_error=r.last_error,
                    created_at=r.created_at,
                    delivered_at=r.delivered_at,
                )
                for r in rows
            ]

    return await db.run(q)
