"""Inside an agency (单位内部办理) and its notifications: the web's tables for clerks' notes on a task
(comments and follow-up dates) and for webhooks an agency registers, with their per-delivery log.

Notes and secrets are sealed under the codec keys (store/sealing.py), bound to their row: a clerk's
comment may name a person, and a webhook's secret is a credential. The delivery log holds only what a
delivery sent (task id, case number, event, marks, dates) and what came back (status, error).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow


class TaskNote(Base):
    """A clerk's comment on a task (批注), or a follow-up date set (跟进日期, separate from the legal due
    date): who, when, why. Notes are appended, never edited; the latest follow-up note is the task's."""

    __tablename__ = "task_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(200), index=True)
    agency: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))  # comment | follow_up
    text_sealed: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date, default=None)


def secret_key(webhook_id: int) -> str:
    """What a webhook's sealed secret is bound to (store/sealing.py): its row."""
    return f"webhook:{webhook_id}"


class Webhook(Base):
    """An agency's subscription: events about its tasks are POSTed to ``url``, signed with the secret."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret_sealed: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WebhookDelivery(Base):
    """One event for one webhook (store-and-forward): pending until the receiver answers 2xx, retried with
    back-off, failed after the last attempt. ``event_id`` makes enqueueing idempotent."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("webhook_id", "event_id", name="uq_webhook_delivery_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str] = mapped_column(String(300))
    event: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[str] = mapped_column(String(200))
    payload_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class WebhookTaskSeen(Base):
    """How far the delivery loop has read each task's recorded transitions (its projected ``version``)."""

    __tablename__ = "webhook_task_seen"

    task_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
