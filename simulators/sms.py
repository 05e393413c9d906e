"""SMS gateway simulator (短信网关), sandbox-v1: what the web sends parties — one-time login codes, notices
of new nodes and documents — lands in an outbox instead of a phone.

- ``POST /sms/v1/messages`` ``{"phone", "text"}`` with the gateway's bearer token and an ``Idempotency-Key``:
  202 ``{"message_id"}``; a repeated key answers the first message and sends nothing;
- ``GET /_sandbox/sms?phone=…``: the outbox of one phone, ``[{"phone", "text", "sent_at"}]``, newest last.
  Sandbox only, on the simulators' port: no real gateway has it.

State: ``sms.db`` in the simulators' state directory.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from adapters.sandbox.wire import IDEMPOTENCY_HEADER
from domain.personal import PHONE_PATTERN
from simulators.guards import expected_authorization, idempotency_key, require_bearer
from simulators.sqlite import LockedSqlite

SANDBOX_SMS_TOKEN = "sandbox-sms"  # the gateway token the sandbox web sends (config/settings.py)
MAX_TEXT = 500  # a long SMS is sent in parts; nothing we send comes near this

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    key TEXT PRIMARY KEY, message_id TEXT NOT NULL, phone TEXT NOT NULL, text TEXT NOT NULL, sent_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_messages_phone ON messages (phone, sent_at);
"""


class OutgoingSms(BaseModel):
    phone: str = Field(pattern=PHONE_PATTERN, description="mainland mobile number")
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class SmsAccepted(BaseModel):
    message_id: str


class SentSms(BaseModel):
    phone: str
    text: str
    sent_at: datetime


class SmsOutbox(LockedSqlite):
    def __init__(self, path: Path | None) -> None:
        super().__init__(path, SCHEMA)

    def send(self, key: str, sms: OutgoingSms) -> str:
        """The message id; the first message's for a repeated key (nothing is sent twice): the simulators'
        one store of answers keeps it."""

        def effect(db: sqlite3.Connection) -> tuple[int, bytes]:
            message_id = f"SMS{uuid.uuid4().hex[:16].upper()}"
            sent_at = datetime.now(UTC).isoformat()
            db.execute("INSERT INTO messages VALUES (?, ?, ?, ?, ?)", (key, message_id, sms.phone, sms.text, sent_at))
            return 202, SmsAccepted(message_id=message_id).model_dump_json().encode()

        return SmsAccepted.model_validate_json(self.once("", key, "send", effect).body).message_id

    def outbox(self, phone: str) -> list[SentSms]:
        with self._lock:
            rows = self._db.execute(
                "SELECT phone, text, sent_at FROM messages WHERE phone=? ORDER BY sent_at, rowid", (phone,)
            ).fetchall()
        return [SentSms(phone=r[0], text=r[1], sent_at=datetime.fromisoformat(r[2])) for r in rows]


def build_sms_router(state_dir: Path | None, token: str = SANDBOX_SMS_TOKEN) -> APIRouter:
    store = SmsOutbox(state_dir / "sms.db" if state_dir else None)
    expected = expected_authorization(token)
    router = APIRouter()

    @router.post("/sms/v1/messages", status_code=202, response_model=SmsAccepted, tags=["sms gateway (sandbox-v1)"])
    async def send(sms: OutgoingSms, request: Request, key: Annotated[str, Depends(_key)]) -> SmsAccepted:
        require_bearer(request.headers.get("authorization"), expected)
        return SmsAccepted(message_id=store.send(key, sms))

    @router.get(
        "/_sandbox/sms", response_model=list[SentSms], tags=["sandbox administration (never on a real partner)"]
    )
    async def outbox(phone: Annotated[str, Query(pattern=PHONE_PATTERN)]) -> list[SentSms]:
        return store.outbox(phone)

    return router


def _key(request: Request) -> str:
    return idempotency_key(request.headers.get(IDEMPOTENCY_HEADER))
