"""Agency notifications (协助单位消息推送): an agency registers webhooks; events about its tasks are POSTed
to them, signed with HMAC-SHA256, retried with back-off and logged per delivery.

Store-and-forward from the projection, not an activity in the task workflow. Why: every transition an
agency cares about is already recorded in the task's history and projected into the inbox table (by the
worker and by the web's own task actions); reading events from there needs no new workflow command (no
``workflow.patched`` branch, no history re-recorded), covers both writers, and a receiver that is down
for a day costs rows in ``webhook_deliveries`` rather than a workflow retrying an activity for a day.
It is durable: the outbox rows and how far each task was read (``webhook_task_seen``) live in the
database, so a restart resumes where it stopped; enqueueing is idempotent by ``event_id``.

The loop (:func:`run_loop`, started by the web's lifespan) reads, each tick, the changed tasks of agencies
that have webhooks and enqueues one delivery per event per webhook; tasks nearly due give a ``due_soon``
event once per due date; then it delivers what is due. Events: task.assigned, task.due_soon,
task.yellow, task.red, task.escalated, task.reassigned (to the agency it was taken from), task.cancelled.

Outbound URLs: http(s) only, no credentials in them; outside the sandbox never a private, loopback,
link-local or reserved address (checked when registered and again before each delivery, after DNS); in
the sandbox and in tests loopback only, since its simulated agencies listen there.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import BaseModel, Field
from sqlalchemy import and_, or_, select, update

from core.logging import get_logger
from core.settings import Settings
from core.webhook_signature import SIGNATURE_HEADER, sign
from domain.actors import Actor, Role
from domain.errors import Forbidden, NotFound, ValidationFailed
from store.agency_desk import Webhook, WebhookDelivery, WebhookTaskSeen
from store.db import Database, utcnow
from store.inbox import OPEN_STATES, InboxTask

log = get_logger(__name__)

EVENT_HEADER = "X-OM-Event"
DELIVERY_HEADER = "X-OM-Delivery"

# Recorded task actions and the event each one is.
EVENTS = {
    "assigned": "task.assigned",
    "turned_yellow": "task.yellow",
    "turned_red": "task.red",
    "escalated": "task.escalated",
    "reassigned": "task.reassigned",
    "cancelled": "task.cancelled",
}
DUE_SOON = "task.due_soon"
DUE_SOON_WITHIN = timedelta(hours=24)

MAX_ATTEMPTS = 8
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 600.0
DELIVERY_TIMEOUT = httpx.Timeout(5.0)
# A delivery being attempted is leased for this long, so a second web process does not send it too.
LEASE = timedelta(seconds=30)
TICK_SECONDS = 1.0
BATCH = 200
MAX_PER_AGENCY = 10


class WebhookIn(BaseModel):
    url: str = Field(min_length=8, max_length=2000, description="http(s) URL the events are POSTed to")
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


def backoff(attempts: int) -> timedelta:
    """Seconds before the next attempt after ``attempts`` failures: 1, 2, 4 … up to ten minutes."""
    return timedelta(seconds=min(BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


# --- outbound URLs ---------------------------------------------------------------------------------------


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def url_problem(url: str, sandbox: bool) -> str | None:
    """Why ``url`` may not receive events, or None. Resolves the host (blocking: run it in a thread)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return "not a URL"
    if parsed.scheme not in ("http", "https"):
        return "only http and https URLs"
    if not parsed.host:
        return "the URL has no host"
    if parsed.userinfo:
        return "no credentials in the URL: the secret signs the events"
    addresses = _addresses(parsed.host)
    if not addresses:
        return "the host does not resolve"
    for a in addresses:
        if sandbox and not a.is_loopback:
            return "in the sandbox only loopback receivers (its simulated agencies listen there)"
        if not sandbox and (
            a.is_private or a.is_loopback or a.is_link_local or a.is_reserved or a.is_multicast or a.is_unspecified
        ):
            return "private, loopback and reserved addresses are refused"
    return None


# --- the agency's webhooks -------------------------------------------------------------------------------


def _require_agency(actor: Actor) -> str:
    if actor.role is not Role.AGENCY or not actor.agency:
        raise Forbidden("ROLE_FORBIDDEN", "only an agency registers webhooks")
    return actor.agency


def _out(row: Webhook) -> WebhookOut:
    return WebhookOut(
        id=row.id, agency=row.agency, url=row.url, created_by=row.created_by, created_at=row.created_at, active=True
    )


def _secret_key(row_id: int) -> str:
    return f"webhook:{row_id}"


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
        row.secret_sealed = sealer.seal(body.secret, _secret_key(row.id))
        return _out(row)


async def register(db: Database, settings: Settings, actor: Actor, body: WebhookIn) -> WebhookOut:
    agency = _require_agency(actor)
    problem = await asyncio.to_thread(url_problem, body.url, settings.sandbox)
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


# --- the loop: enqueue -----------------------------------------------------------------------------------


def _payload(row: InboxTask, event: str, event_id: str, at: datetime, detail: dict[str, Any]) -> str:
    """What an agency receives: enough to fetch the task (``GET /api/tasks/{task_id}``), no personal data."""
    body = {
        "event": event,
        "event_id": event_id,
        "at": at.isoformat(),
        "task_id": row.task_id,
        "case_number": row.case_number,
        "task_type": row.task_type,
        "title": row.title,
        "state": row.state,
        "mark": row.mark,
        "due_at": row.due_at.isoformat(),
        **detail,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _enqueue(
    s: Any, hooks: Iterable[Webhook], row: InboxTask, event: str, event_id: str, at: datetime, detail: dict[str, Any]
) -> int:
    added = 0
    for hook in hooks:
        if at < hook.created_at:
            continue  # a new subscription is not flooded with the task's past
        exists = s.scalar(
            select(WebhookDelivery.id).where(
                WebhookDelivery.webhook_id == hook.id, WebhookDelivery.event_id == event_id
            )
        )
        if exists is None:
            s.add(
                WebhookDelivery(
                    webhook_id=hook.id,
                    event_id=event_id,
                    event=event,
                    task_id=row.task_id,
                    payload_json=_payload(row, event, event_id, at, detail),
                    status="pending",
                    attempts=0,
                    next_attempt_at=utcnow(),
                    created_at=utcnow(),
                )
            )
            added += 1
    return added


def enqueue_events(db: Database, now: datetime | None = None) -> int:
    """One pass over the subscribed agencies' changed and nearly due tasks; returns deliveries added."""
    now = now or utcnow()
    added = 0
    with db.session() as s:
        hooks_by_agency: dict[str, list[Webhook]] = {}
        for hook in s.scalars(select(Webhook).where(Webhook.active)):
            hooks_by_agency.setdefault(hook.agency, []).append(hook)
        if not hooks_by_agency:
            return 0
        agencies = list(hooks_by_agency)
        changed = s.execute(
            select(InboxTask, WebhookTaskSeen)
            .outerjoin(WebhookTaskSeen, WebhookTaskSeen.task_id == InboxTask.task_id)
            .where(
                InboxTask.agency.in_(agencies),
                or_(WebhookTaskSeen.version.is_(None), WebhookTaskSeen.version < InboxTask.version),
            )
            .limit(BATCH)
        ).all()
        for row, seen in changed:
            view = row.view(db.sealer)
            start = seen.version if seen is not None else 0
            for index, entry in enumerate(view.history[start:], start=start + 1):
                event = EVENTS.get(entry.action)
                if event is None:
                    continue
                detail: dict[str, Any] = (
                    {"reason": entry.reason} if entry.reason and event != EVENTS["assigned"] else {}
                )
                target = row.agency
                if entry.action == "reassigned":
                    target = str(entry.detail.get("previous_agency") or "")
                    detail["agency"] = entry.detail.get("agency")
                    # The new agency hears of it as an assignment.
                    added += _enqueue(
                        s,
                        hooks_by_agency.get(row.agency, []),
                        row,
                        EVENTS["assigned"],
                        f"{row.task_id}:{index}:{EVENTS['assigned']}",
                        entry.at,
                        {},
                    )
                added += _enqueue(
                    s, hooks_by_agency.get(target, []), row, event, f"{row.task_id}:{index}:{event}", entry.at, detail
                )
            if seen is None:
                s.add(WebhookTaskSeen(task_id=row.task_id, version=row.version))
            else:
                seen.version = row.version
        soon = s.scalars(
            select(InboxTask)
            .options()
            .where(
                InboxTask.agency.in_(agencies),
                InboxTask.state.in_(OPEN_STATES),
                and_(InboxTask.due_at > now, InboxTask.due_at <= now + DUE_SOON_WITHIN),
            )
            .limit(BATCH)
        ).all()
        for row in soon:
            event_id = f"{row.task_id}:{DUE_SOON}:{row.due_at.isoformat()}"
            added += _enqueue(s, hooks_by_agency.get(row.agency, []), row, DUE_SOON, event_id, now, {})
    return added


# --- the loop: deliver -----------------------------------------------------------------------------------


def _due_deliveries(db: Database, now: datetime) -> list[tuple[int, str, str, str, str, int]]:
    """Claims up to BATCH due deliveries (leased, so another process skips them)."""
    sealer = db.sealer
    out = []
    with db.session() as s:
        rows = s.execute(
            select(WebhookDelivery, Webhook)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now, Webhook.active)
            .order_by(WebhookDelivery.id)
            .limit(BATCH)
        ).all()
        for d, hook in rows:
            claimed = s.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == d.id, WebhookDelivery.next_attempt_at == d.next_attempt_at)
                .values(next_attempt_at=now + LEASE)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue
            secret = sealer.open(hook.secret_sealed, _secret_key(hook.id)) if sealer else hook.secret_sealed
            out.append((d.id, hook.url, secret, d.payload_json, d.event, d.attempts))
    return out


def _record(db: Database, delivery_id: int, attempts: int, code: int | None, error: str | None) -> None:
    now = utcnow()
    ok = code is not None and 200 <= code < 300
    with db.session() as s:
        d = s.get(WebhookDelivery, delivery_id)
        if d is None:
            return
        d.attempts = attempts
        d.last_status_code = code
        d.last_error = (error or "")[:500] or None
        if ok:
            d.status, d.delivered_at = "delivered", now
        elif attempts >= MAX_ATTEMPTS:
            d.status = "failed"
        else:
            d.next_attempt_at = now + backoff(attempts)


async def _deliver_one(
    db: Database, http: httpx.AsyncClient, sandbox: bool, item: tuple[int, str, str, str, str, int]
) -> None:
    delivery_id, url, secret, payload, event, attempts = item
    attempts += 1
    code: int | None = None
    error: str | None = None
    problem = await asyncio.to_thread(url_problem, url, sandbox)  # again: DNS may have changed
    if problem:
        error = f"refused: {problem}"
    else:
        body = payload.encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, body, int(time.time())),
            EVENT_HEADER: event,
            DELIVERY_HEADER: str(delivery_id),
        }
        try:
            resp = await http.post(url, content=body, headers=headers)
            code = resp.status_code
            if not 200 <= code < 300:
                error = f"HTTP {code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
    await db.run(_record, db, delivery_id, attempts, code, error)
    log.info("webhook delivery", delivery=delivery_id, kind=event, attempt=attempts, status=code, error=error)


async def tick(db: Database, settings: Settings, http: httpx.AsyncClient) -> None:
    await db.run(enqueue_events, db)
    due = await db.run(_due_deliveries, db, utcnow())
    if due:
        await asyncio.gather(*(_deliver_one(db, http, settings.sandbox, item) for item in due))


async def run_loop(db: Database, settings: Settings, interval: float = TICK_SECONDS) -> None:
    """Runs until cancelled (the web's lifespan starts and cancels it)."""
    # No redirects: a receiver may not bounce a signed event to an address we would refuse.
    async with httpx.AsyncClient(timeout=DELIVERY_TIMEOUT, follow_redirects=False) as http:
        while True:
            try:
                await tick(db, settings, http)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the loop outlives a bad tick (a database hiccup); logged, retried
                log.warning("webhook loop tick failed", error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(interval)
