"""The simulators' SQLite file: one connection guarded by a lock (SQLite admits one writer anyway, and a
connection per request would cost more than the work it does), WAL, explicit transactions, and the one
store of idempotent answers every simulated partner keeps its first answers in."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulators.errors import SimulatorError

# First answers by (scope, idempotency key): the scope is the partner where one file serves several.
ANSWERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS stored_answers (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    operation TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
"""


@dataclass(frozen=True)
class StoredAnswer:
    """An answer to a mutating call, exactly as first given (``replayed``: this is a repeat)."""

    status: int
    body: bytes
    replayed: bool


# What a mutating call does, on the call's own transaction: the status and body of its answer.
Effect = Callable[[sqlite3.Connection], tuple[int, bytes]]


class LockedSqlite:
    """Base of a simulator store. ``path=None`` keeps the store in memory (tests)."""

    def __init__(self, path: Path | None, schema: str, rows_as_mappings: bool = False) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # Autocommit mode (isolation_level=None): transactions are explicit, so nothing commits by accident.
        self._db = sqlite3.connect(
            str(path) if path else ":memory:", check_same_thread=False, isolation_level=None, timeout=10.0
        )
        if rows_as_mappings:
            self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(schema + ANSWERS_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: an effect and the answer it produced commit together."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- idempotent answers ------------------------------------------------------------------------------

    def once(self, scope: str, key: str, operation: str, effect: Effect) -> StoredAnswer:
        """Runs ``effect`` once per (``scope``, ``key``); a repeat gets the first answer back.

        The effect and its answer commit in one transaction, so a crash leaves both (a repeat replays the
        answer) or neither (a repeat performs the effect once). A refusal (4xx) or an invalid request is
        stored as the answer, and whatever the effect wrote before refusing is rolled back to a SAVEPOINT:
        a refusal leaves no partial effect. An outage (5xx) stores nothing at all."""
        with self._tx() as db:
            first = self._stored(db, scope, key)
            if first is not None:
                return first
            db.execute("SAVEPOINT effect")
            try:
                status, body = effect(db)
            except ValidationError as exc:
                db.execute("ROLLBACK TO effect")
                status, body = 422, SimulatorError(422, "VALIDATION_FAILED", str(exc.errors()[0]["msg"])).body()
            except SimulatorError as exc:
                if exc.status >= 500:
                    raise  # the whole transaction rolls back
                db.execute("ROLLBACK TO effect")
                status, body = exc.status, exc.body()
            db.execute("RELEASE effect")
            db.execute(
                "INSERT INTO stored_answers (scope, key, operation, status, body, at) VALUES (?, ?, ?, ?, ?, ?)",
                (scope, key, operation, status, body.decode(), datetime.now(UTC).isoformat()),
            )
            return StoredAnswer(status, body, replayed=False)

    def stored_answer(self, scope: str, key: str) -> StoredAnswer | None:
        """The first answer for ``key``, if there is one (a repeat is answered without parsing its body)."""
        with self._lock:
            return self._stored(self._db, scope, key)

    def stored_answers(self, scope: str) -> list[dict[str, Any]]:
        """Every first answer in ``scope``, oldest first: the partner's ledger of calls."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, operation, status, body, at FROM stored_answers WHERE scope = ? ORDER BY at, rowid",
                (scope,),
            ).fetchall()
        return [{"key": r[0], "operation": r[1], "status": int(r[2]), "body": str(r[3]), "at": r[4]} for r in rows]

    @staticmethod
    def _stored(db: sqlite3.Connection, scope: str, key: str) -> StoredAnswer | None:
        row = db.execute("SELECT status, body FROM stored_answers WHERE scope = ? AND key = ?", (scope, key)).fetchone()
        return StoredAnswer(int(row[0]), str(row[1]).encode(), replayed=True) if row else None
