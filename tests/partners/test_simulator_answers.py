"""The simulators' one store of idempotent answers (``simulators/sqlite.py``), as each partner's store uses
it: a refusal after a partial write keeps the refusal as the answer and none of the write; a repeat gets
the first answer without a second effect; an outage stores nothing."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import BaseModel

from simulators.dishonest_list import DishonestListStore
from simulators.errors import SimulatorError
from simulators.partner_db import PartnerStore
from simulators.sqlite import LockedSqlite

ENTRY = (
    "INSERT INTO entries VALUES ('list', 'SX1', '110101199001011234', '(2026)浙0102执1号', 'evasion', "
    "'published', '{\"debtor\": {\"kind\": \"organisation\"}}', '2026-12-06T00:00:00+00:00', NULL)"
)


def test_a_dishonest_list_refusal_after_a_partial_write_keeps_none_of_it(tmp_path: Path) -> None:
    """The list's store had no SAVEPOINT: an entry written before a refusal was committed with it."""
    store = DishonestListStore(tmp_path / "dishonest_list.db")
    runs: list[int] = []

    def publish_then_refuse(db: sqlite3.Connection) -> bytes:
        runs.append(1)
        db.execute(ENTRY)
        raise SimulatorError(409, "ALREADY_LISTED", "refused after the entry was written")

    first = store.idempotent("list", "key-1", "publish", publish_then_refuse, ok=201)
    again = store.idempotent("list", "key-1", "publish", publish_then_refuse, ok=201)
    assert (first.status, first.replayed, again.status, again.replayed) == (409, False, 409, True)
    assert again.body == first.body and b"ALREADY_LISTED" in first.body and runs == [1]
    assert store.active("list", "110101199001011234") == [], "the refused entry must not be on the list"

    def publish(db: sqlite3.Connection) -> bytes:
        db.execute(ENTRY)
        return b'{"entry_id": "SX1"}'

    assert store.idempotent("list", "key-2", "publish", publish, ok=201).status == 201
    assert [e["entry_id"] for e in store.active("list", "110101199001011234")] == ["SX1"]
    store.close()


def test_a_bank_refusal_after_a_partial_write_keeps_none_of_it(tmp_path: Path) -> None:
    store = PartnerStore(tmp_path / "bank.db")

    class Done(BaseModel):
        ok: bool

    def write_then_refuse(db: sqlite3.Connection, now: datetime) -> BaseModel:
        PartnerStore._ledger(db, now, "k", "freeze", "F1", "ACC-1", 100)
        raise SimulatorError(409, "ACCOUNT_CLOSED", "refused after a ledger line")

    answer = store._idempotent("k", "register", write_then_refuse)
    assert (answer.status, answer.replayed) == (409, False)
    assert store.ledger() == []
    assert store._idempotent("k", "register", lambda db, now: Done(ok=True)).replayed
    assert [a["operation"] for a in store.stored_answers("")] == ["register"]
    store.close()


def test_an_outage_stores_nothing_and_an_invalid_request_is_an_answer() -> None:
    store = LockedSqlite(None, "CREATE TABLE t (x INTEGER);")

    def outage(db: sqlite3.Connection) -> tuple[int, bytes]:
        db.execute("INSERT INTO t VALUES (1)")
        raise SimulatorError(503, "DOWN", "the partner is down")

    with pytest.raises(SimulatorError):
        store.once("p", "k1", "call", outage)
    assert store.stored_answer("p", "k1") is None

    class Body(BaseModel):
        amount_fen: int

    def invalid(db: sqlite3.Connection) -> tuple[int, bytes]:
        db.execute("INSERT INTO t VALUES (2)")
        Body.model_validate({"amount_fen": "many"})
        return 200, b"{}"

    answer = store.once("p", "k2", "call", invalid)
    assert answer.status == 422 and b"VALIDATION_FAILED" in answer.body
    assert store._db.execute("SELECT COUNT(*) FROM t").fetchone() == (0,)
    # Scopes keep partners apart: the same key at another partner is another call.
    assert not store.once("q", "k2", "call", lambda db: (200, b"{}")).replayed
    store.close()


def test_the_sms_gateway_sends_once_per_key() -> None:
    from simulators.sms import OutgoingSms, SmsOutbox

    outbox = SmsOutbox(None)
    sms = OutgoingSms(phone="13800138000", text="验证码 123456")
    first = outbox.send("key-1", sms)
    assert outbox.send("key-1", sms) == first
    assert outbox.send("key-2", sms) != first
    assert [m.text for m in outbox.outbox("13800138000")] == ["验证码 123456", "验证码 123456"]
    outbox.close()
