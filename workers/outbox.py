"""The agencies' webhook outbox (协助单位消息推送), its own process: ``python -m workers.outbox``, started by
the launcher (issue 21 item 5, issue 23 item 6). The web registers webhooks (web/services/webhooks.py);
this process reads, each tick, the changed tasks of agencies that have webhooks and enqueues one delivery
per event per webhook; tasks nearly due give a ``due_soon`` event once per due date; then it delivers what
is due, signed with HMAC-SHA256, retried with back-off and logged per delivery. Events: task.assigned,
task.due_soon, task.yellow, task.red, task.escalated, task.reassigned (to the agency it was taken from),
task.cancelled.

Store-and-forward from the inbox projection, not an activity in the task workflow: every transition an
agency cares about is already recorded in the task's history and projected into the inbox table; reading
events from there needs no new workflow command, and a receiver that is down for a day costs rows in
``webhook_deliveries`` rather than a workflow retrying an activity for a day. Durable: the outbox rows and
how far each task was read (``webhook_task_seen``) live in the database, so a restart resumes where it
stopped; enqueueing is idempotent by ``event_id``; a delivery being attempted is leased, so several outbox
processes may run.

Every delivery resolves the receiver's host again, refuses what net/outbound.py refuses, and connects to
the address it checked (no DNS rebinding between the check and the connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, or_, select, update

from config.settings import Settings, get_settings
from net.outbound import Refused, pinned_client, resolve
from runtime.logging import configure_logging, get_logger
from security.webhook_signature import SIGNATURE_HEADER, sign
from store.db import Database, utcnow
from store.sealing import Sealer
from store.task_notes import Webhook, WebhookDelivery, WebhookTaskSeen, secret_key
from store.tasks import OPEN_STATES, InboxTask
from workers.health import Beat, serve_loop_health

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
# A delivery being attempted is leased for this long, so a second outbox process does not send it too.
LEASE = timedelta(seconds=30)
TICK_SECONDS = 1.0
BATCH = 200


def backoff(attempts: int) -> timedelta:
    """Seconds before the next attempt after ``attempts`` failures: 1, 2, 4 … up to ten minutes."""
    return timedelta(seconds=min(BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


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
            secret = sealer.open(hook.secret_sealed, secret_key(hook.id)) if sealer else hook.secret_sealed
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


# One word for every way a request got no answer: the log must not tell a closed port from a filtering
# one, a refused connection from a reset or a timeout (the review mapped loopback ports with it).
NO_ANSWER = "no answer from the receiver"


async def _deliver_one(db: Database, settings: Settings, item: tuple[int, str, str, str, str, int]) -> None:
    delivery_id, url, secret, payload, event, attempts = item
    attempts += 1
    code: int | None = None
    error: str | None = None
    try:
        # Again before each attempt (DNS may have changed), and the request goes to the address checked.
        target = await asyncio.to_thread(resolve, url, settings.sandbox, settings.own_ports)
    except Refused as refused:
        error = f"refused: {refused}"
    else:
        body = payload.encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, body, int(time.time())),
            EVENT_HEADER: event,
            DELIVERY_HEADER: str(delivery_id),
        }
        try:
            async with pinned_client(target, DELIVERY_TIMEOUT) as http:
                resp = await http.post(target.url, content=body, headers=headers)
            code = resp.status_code
            if not 200 <= code < 300:
                error = f"HTTP {code}"
        except httpx.HTTPError:
            error = NO_ANSWER
    await db.run(_record, db, delivery_id, attempts, code, error)
    log.info("webhook delivery", delivery=delivery_id, kind=event, attempt=attempts, status=code, error=error)


async def tick(db: Database, settings: Settings) -> None:
    await db.run(enqueue_events, db)
    due = await db.run(_due_deliveries, db, utcnow())
    if due:
        await asyncio.gather(*(_deliver_one(db, settings, item) for item in due))


async def run_loop(db: Database, settings: Settings, interval: float = TICK_SECONDS, beat: Beat | None = None) -> None:
    """Runs until cancelled, telling ``beat`` (the probes, workers/health.py) of each tick. No redirects
    (net/outbound.py): a receiver may not bounce a signed event to an address we would refuse."""
    beat = beat or Beat()
    while True:
        try:
            await tick(db, settings)
            beat.tick(ok=True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the loop outlives a bad tick (a database hiccup); logged, retried
            beat.tick(ok=False)
            log.warning("webhook loop tick failed", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(interval)


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, component="outbox")
    settings.check_startup()
    db = Database(settings.web_database_url, Sealer.for_keys(settings.codec_keys))
    await db.run(db.upgrade)
    beat = Beat()
    health = None
    if settings.outbox_health_port:
        health = await serve_loop_health(beat, settings.probe_bind_host, settings.outbox_health_port)
    log.info("outbox started", profile=settings.profile)
    try:
        await run_loop(db, settings, beat=beat)
    finally:
        if health:
            health.close()
        db.dispose()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
