"""One partner's persistent state: a SQLite file with its subjects, assets, measures, ledger, stored
idempotent answers (``LockedSqlite.once``) and the outbox of asynchronous answers.

Every effect runs in one ``BEGIN IMMEDIATE`` transaction together with the answer it produced, so a
crash leaves either both (a repeat replays the answer) or neither (a repeat performs the effect once).
One connection per partner, guarded by a lock: SQLite admits one writer anyway, and a connection per
request would cost more than the work it does.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from adapters.sandbox.wire import (
    DeductionRequest,
    DeductionResponse,
    MeasureRequest,
    MeasureResponse,
    ReleaseRequest,
    RenewRequest,
    WireAsset,
)
from domain.assets import AssetKind, AssetStatus
from domain.measures import MeasureKind, MeasureStatus, SeizureRank, measure_kind_for
from domain.parties import PartyKind
from simulators.documents import FiledNotice
from simulators.errors import SimulatorError
from simulators.models import SeedAsset
from simulators.sqlite import LockedSqlite, StoredAnswer

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subjects (
    id_number TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS assets (
    reference TEXT PRIMARY KEY,
    id_number TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    available_fen INTEGER,
    status TEXT NOT NULL,
    existing_seizures INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS assets_by_subject ON assets (id_number);
CREATE TABLE IF NOT EXISTS measures (
    measure_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    asset_reference TEXT NOT NULL,
    frozen_fen INTEGER NOT NULL,
    held_fen INTEGER NOT NULL,
    rank TEXT,
    registered_at TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    status TEXT NOT NULL,
    court TEXT NOT NULL,
    case_number TEXT NOT NULL,
    document_ref TEXT NOT NULL,
    idempotency_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS measures_by_asset ON measures (asset_reference, kind, status);
CREATE TABLE IF NOT EXISTS measure_notices (
    measure_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    act TEXT NOT NULL,
    amount_fen INTEGER
);
CREATE TABLE IF NOT EXISTS deductions (
    deduction_id TEXT PRIMARY KEY,
    measure_id TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    to_account TEXT NOT NULL,
    case_number TEXT NOT NULL,
    document_ref TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL,
    operation TEXT NOT NULL,
    measure_id TEXT NOT NULL,
    asset_reference TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS callbacks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    due_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER,
    last_error TEXT,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS callbacks_by_request ON callbacks (request_id);
CREATE INDEX IF NOT EXISTS callbacks_by_state ON callbacks (state);
"""

_DEMO_SEEDED = "demo_seeded"


def normalise_id_number(value: str) -> str:
    """Resident IDs end in a check character that may be a lower-case ``x``; partners compare compactly."""
    return value.replace(" ", "").replace("-", "").upper()


@dataclass(frozen=True)
class PendingCallback:
    """An asynchronous answer (异步反馈) waiting in the outbox."""

    id: int
    request_id: str
    url: str
    body: bytes
    due_at: float
    attempts: int


Effect = Callable[[sqlite3.Connection, datetime], BaseModel]


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id(prefix: str) -> str:
    # Opaque to the caller, as a partner's own reference would be; random so ids never collide on restart.
    return f"{prefix}{secrets.token_hex(10).upper()}"


def _measure_response(row: sqlite3.Row) -> MeasureResponse:
    return MeasureResponse(
        measure_id=row["measure_id"],
        kind=MeasureKind(row["kind"]),
        asset_reference=row["asset_reference"],
        amount_fen=row["held_fen"],
        rank=SeizureRank(row["rank"]) if row["rank"] else None,
        registered_at=datetime.fromisoformat(row["registered_at"]),
        expires_on=date.fromisoformat(row["expires_on"]),
        status=MeasureStatus(row["status"]),
    )


class PartnerStore(LockedSqlite):
    """All state of one partner. Methods are blocking; the app calls them from its threadpool."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, SCHEMA, rows_as_mappings=True)
        self.path = path

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._db.execute(sql, params).fetchall()]

    # --- seeding -------------------------------------------------------------------------------------

    def upsert_subject(
        self, kind: PartyKind, name: str, id_number: str, assets: list[SeedAsset], only_if_absent: bool = False
    ) -> None:
        """Records a subject and its assets here. By reference: a repeat describes the same asset again
        (the admin's word wins), unless ``only_if_absent``, which never touches an existing asset."""
        with self._tx() as db:
            self._upsert(db, kind, name, id_number, assets, only_if_absent)

    def seed_demo(self, subjects: list[tuple[PartyKind, str, str, list[SeedAsset]]]) -> bool:
        """Seeds the demo debtors once per store; a restart keeps whatever happened to them since."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM meta WHERE key = ?", (_DEMO_SEEDED,)).fetchone():
                return False
            for kind, name, id_number, assets in subjects:
                self._upsert(db, kind, name, id_number, assets, only_if_absent=True)
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (_DEMO_SEEDED, _now().isoformat()))
            return True

    @staticmethod
    def _upsert(
        db: sqlite3.Connection,
        kind: PartyKind,
        name: str,
        id_number: str,
        assets: list[SeedAsset],
        only_if_absent: bool,
    ) -> None:
        id_number = normalise_id_number(id_number)
        db.execute(
            "INSERT INTO subjects (id_number, kind, name) VALUES (?, ?, ?) "
            "ON CONFLICT (id_number) DO UPDATE SET kind = excluded.kind, name = excluded.name",
            (id_number, kind.value, name),
        )
        conflict = (
            "DO NOTHING"
            if only_if_absent
            else "DO UPDATE SET id_number = excluded.id_number, kind = excluded.kind, "
            "description = excluded.description, available_fen = excluded.available_fen, "
            "status = excluded.status, existing_seizures = excluded.existing_seizures"
        )
        for a in assets:
            available = (a.available_fen or 0) if a.kind.is_funds else None
            db.execute(
                "INSERT INTO assets (reference, id_number, kind, description, available_fen, status, existing_seizures)"
                f" VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reference) {conflict}",
                (a.reference, id_number, a.kind.value, a.description, available, a.status.value, a.existing_seizures),
            )

    def close_account(self, reference: str) -> bool:
        """销户: the next freeze of this account is refused ACCOUNT_CLOSED."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE assets SET status = ? WHERE reference = ? AND kind IN (?, ?)",
                (AssetStatus.CLOSED.value, reference, AssetKind.DEPOSIT.value, AssetKind.PAYMENT_BALANCE.value),
            )
            return cur.rowcount > 0

    # --- inquiries (查询) ------------------------------------------------------------------------------

    def find_assets(self, id_number: str) -> list[WireAsset]:
        """This partner's assets of a subject, matched by ID number alone (names are often written
        differently, and the real systems match by number too)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT kind, reference, description, available_fen, status FROM assets "
                "WHERE id_number = ? ORDER BY rowid",
                (normalise_id_number(id_number),),
            ).fetchall()
        return [
            WireAsset(
                kind=AssetKind(r["kind"]),
                reference=r["reference"],
                description=r["description"],
                available_fen=r["available_fen"],
                status=AssetStatus(r["status"]),
            )
            for r in rows
        ]

    def accept_inquiry(self, request_id: str, url: str, body: bytes, due_ats: list[float]) -> list[PendingCallback]:
        """Puts the answer(s) of an accepted inquiry in the outbox. A repeated inquiry (our client retried
        after a lost 202) is accepted again but not answered twice more."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM callbacks WHERE request_id = ? LIMIT 1", (request_id,)).fetchone():
                return []
            pending: list[PendingCallback] = []
            text = body.decode()
            for due_at in due_ats:
                cur = db.execute(
                    "INSERT INTO callbacks (request_id, url, body, due_at) VALUES (?, ?, ?, ?)",
                    (request_id, url, text, due_at),
                )
                pending.append(PendingCallback(int(cur.lastrowid or 0), request_id, url, body, due_at, 0))
            return pending

    def pending_callbacks(self) -> list[PendingCallback]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, request_id, url, body, due_at, attempts FROM callbacks WHERE state = 'pending' ORDER BY id"
            ).fetchall()
        return [
            PendingCallback(r["id"], r["request_id"], r["url"], r["body"].encode(), r["due_at"], r["attempts"])
            for r in rows
        ]

    def finish_callback(self, callback_id: int, state: str, attempts: int, status: int | None, error: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE callbacks SET state = ?, attempts = ?, last_status = ?, last_error = ?, finished_at = ? "
                "WHERE id = ?",
                (state, attempts, status, error[:500], _now().isoformat(), callback_id),
            )

    # --- mutating calls: each runs once per idempotency key -------------------------------------------

    def register_measure(
        self, key: str, request: MeasureRequest, over_freeze_fen: int = 0, notice: FiledNotice | None = None
    ) -> StoredAnswer:
        """``notice``: the checked notice the measure is registered on, filed with it."""
        return self._idempotent(
            key, "register", lambda db, now: self._register(db, now, key, request, over_freeze_fen, notice)
        )

    def renew_measure(self, key: str, measure_id: str, request: RenewRequest) -> StoredAnswer:
        return self._idempotent(key, "renew", lambda db, now: self._renew(db, now, key, measure_id, request))

    def release_measure(self, key: str, measure_id: str, request: ReleaseRequest) -> StoredAnswer:
        return self._idempotent(key, "release", lambda db, now: self._release(db, now, key, measure_id, request))

    def deduct(self, key: str, request: DeductionRequest) -> StoredAnswer:
        return self._idempotent(key, "deduct", lambda db, now: self._deduct(db, now, key, request))

    def _idempotent(self, key: str, operation: str, effect: Effect) -> StoredAnswer:
        """The first answer for ``key`` (success or refusal), stored in the effect's own transaction (one file
        per partner: the scope is the file)."""
        return self.once("", key, operation, lambda db: (200, effect(db, _now()).model_dump_json().encode()))

    @staticmethod
    def _ledger(
        db: sqlite3.Connection, now: datetime, key: str, operation: str, measure_id: str, reference: str, amount: int
    ) -> None:
        db.execute(
            "INSERT INTO ledger (idempotency_key, operation, measure_id, asset_reference, amount_fen, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (key, operation, measure_id, reference, amount, now.isoformat()),
        )

    @staticmethod
    def _measure(db: sqlite3.Connection, measure_id: str) -> sqlite3.Row:
        row: sqlite3.Row | None = db.execute("SELECT * FROM measures WHERE measure_id = ?", (measure_id,)).fetchone()
        if row is None:
            raise SimulatorError(404, "MEASURE_NOT_FOUND", f"no measure {measure_id!r} at this partner")
        return row

    @staticmethod
    def _require_active(row: sqlite3.Row) -> None:
        if row["status"] != MeasureStatus.ACTIVE:
            raise SimulatorError(409, "MEASURE_NOT_ACTIVE", f"measure {row['measure_id']} is {row['status']}")

    def _register(
        self,
        db: sqlite3.Connection,
        now: datetime,
        key: str,
        req: MeasureRequest,
        over_freeze_fen: int = 0,
        notice: FiledNotice | None = None,
    ) -> MeasureResponse:
        """冻结 (freeze: at most what was asked — plus a faulty bank's ``over_freeze_fen`` — and what is
        available) or 查封 (seize: first or queued)."""
        asset = db.execute(
            "SELECT kind, available_fen, status, existing_seizures FROM assets WHERE reference = ?",
            (req.asset_reference,),
        ).fetchone()
        if asset is None:
            raise SimulatorError(404, "ASSET_NOT_FOUND", "no asset with this reference at this partner")
        asset_kind = AssetKind(asset["kind"])
        if measure_kind_for(asset_kind) is not req.kind:
            raise SimulatorError(
                409, "MEASURE_KIND_MISMATCH", f"a {asset_kind.value} asset takes no {req.kind.value} measure"
            )
        rank: SeizureRank | None = None
        frozen = 0
        if req.kind is MeasureKind.FREEZE:
            if asset["status"] == AssetStatus.CLOSED:
                raise SimulatorError(409, "ACCOUNT_CLOSED", "the account is closed (已销户)")
            available = asset["available_fen"] or 0
            frozen = available if req.amount_fen is None else min(req.amount_fen + over_freeze_fen, available)
            db.execute(
                "UPDATE assets SET available_fen = ? WHERE reference = ?", (available - frozen, req.asset_reference)
            )
        else:
            (ours,) = db.execute(
                "SELECT COUNT(*) FROM measures WHERE asset_reference = ? AND kind = ? AND status = ?",
                (req.asset_reference, MeasureKind.SEIZE.value, MeasureStatus.ACTIVE.value),
            ).fetchone()
            # 首封 only when no court holds a seizure yet; otherwise 轮候, effective once those lift.
            rank = SeizureRank.FIRST if asset["existing_seizures"] + ours == 0 else SeizureRank.QUEUED
        measure_id = _new_id("F" if req.kind is MeasureKind.FREEZE else "S")
        db.execute(
            "INSERT INTO measures (measure_id, kind, asset_reference, frozen_fen, held_fen, rank, registered_at, "
            "expires_on, status, court, case_number, document_ref, idempotency_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                measure_id,
                req.kind.value,
                req.asset_reference,
                frozen,
                frozen,
                rank.value if rank else None,
                now.isoformat(),
                req.expires_on.isoformat(),
                MeasureStatus.ACTIVE.value,
                req.court,
                req.case_number,
                req.document_ref,
                key,
            ),
        )
        if notice is not None:
            db.execute(
                "INSERT INTO measure_notices (measure_id, sha256, act, amount_fen) VALUES (?, ?, ?, ?)",
                (measure_id, notice.sha256, notice.act, notice.amount_fen),
            )
        self._ledger(db, now, key, req.kind.value, measure_id, req.asset_reference, frozen)
        return MeasureResponse(
            measure_id=measure_id,
            kind=req.kind,
            asset_reference=req.asset_reference,
            amount_fen=frozen,
            rank=rank,
            registered_at=now,
            expires_on=req.expires_on,
            status=MeasureStatus.ACTIVE,
        )

    def _renew(
        self, db: sqlite3.Connection, now: datetime, key: str, measure_id: str, req: RenewRequest
    ) -> MeasureResponse:
        """续行: the measure stays in force until the new date."""
        row = self._measure(db, measure_id)
        self._require_active(row)
        db.execute("UPDATE measures SET expires_on = ? WHERE measure_id = ?", (req.expires_on.isoformat(), measure_id))
        self._ledger(db, now, key, "renew", measure_id, row["asset_reference"], row["held_fen"])
        return _measure_response(self._measure(db, measure_id))

    def _release(
        self, db: sqlite3.Connection, now: datetime, key: str, measure_id: str, req: ReleaseRequest
    ) -> MeasureResponse:
        """解除: a freeze gives back what it still holds to the account's available balance; with
        ``amount_fen``, a freeze gives back only that much and stays in force for the rest (部分解除)."""
        row = self._measure(db, measure_id)
        self._require_active(row)
        held = row["held_fen"]
        if req.amount_fen is not None and row["kind"] == MeasureKind.FREEZE and req.amount_fen < held:
            db.execute(
                "UPDATE assets SET available_fen = COALESCE(available_fen, 0) + ? WHERE reference = ?",
                (req.amount_fen, row["asset_reference"]),
            )
            db.execute("UPDATE measures SET held_fen = ? WHERE measure_id = ?", (held - req.amount_fen, measure_id))
            self._ledger(db, now, key, "release", measure_id, row["asset_reference"], req.amount_fen)
            return _measure_response(self._measure(db, measure_id))
        if row["kind"] == MeasureKind.FREEZE and held:
            db.execute(
                "UPDATE assets SET available_fen = COALESCE(available_fen, 0) + ? WHERE reference = ?",
                (held, row["asset_reference"]),
            )
        db.execute(
            "UPDATE measures SET status = ?, held_fen = 0 WHERE measure_id = ?",
            (MeasureStatus.RELEASED.value, measure_id),
        )
        self._ledger(db, now, key, "release", measure_id, row["asset_reference"], held)
        return _measure_response(self._measure(db, measure_id))

    def _deduct(self, db: sqlite3.Connection, now: datetime, key: str, req: DeductionRequest) -> DeductionResponse:
        """扣划: frozen funds move to the court's case account (案款账户); a freeze emptied becomes deducted."""
        row = self._measure(db, req.measure_id)
        if row["kind"] != MeasureKind.FREEZE:
            raise SimulatorError(409, "MEASURE_KIND_MISMATCH", "only frozen funds can be deducted")
        self._require_active(row)
        held = row["held_fen"]
        if req.amount_fen > held:
            raise SimulatorError(
                409, "AMOUNT_EXCEEDS_FROZEN", f"{req.amount_fen} fen asked, the measure holds {held} fen"
            )
        left = held - req.amount_fen
        status = MeasureStatus.DEDUCTED if left == 0 else MeasureStatus.ACTIVE
        db.execute(
            "UPDATE measures SET held_fen = ?, status = ? WHERE measure_id = ?", (left, status.value, req.measure_id)
        )
        deduction_id = _new_id("D")
        db.execute(
            "INSERT INTO deductions (deduction_id, measure_id, amount_fen, to_account, case_number, document_ref, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                deduction_id,
                req.measure_id,
                req.amount_fen,
                req.to_account,
                req.case_number,
                req.document_ref,
                now.isoformat(),
            ),
        )
        self._ledger(db, now, key, "deduct", req.measure_id, row["asset_reference"], req.amount_fen)
        return DeductionResponse(
            deduction_id=deduction_id, measure_id=req.measure_id, amount_fen=req.amount_fen, status="completed"
        )

    # --- administration views ------------------------------------------------------------------------

    def ledger(self) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT id, idempotency_key, operation, measure_id, asset_reference, amount_fen, created_at "
            "FROM ledger ORDER BY id"
        )

    def measure_assets(self, measure_id: str) -> list[str]:
        """The account or asset a measure holds (none if there is no such measure)."""
        return [
            r["asset_reference"]
            for r in self._rows("SELECT asset_reference FROM measures WHERE measure_id = ?", (measure_id,))
        ]

    def filed_notice(self, measure_id: str) -> FiledNotice | None:
        """The notice a measure was registered on (None: no such measure, or registered without one)."""
        rows = self._rows("SELECT sha256, act, amount_fen FROM measure_notices WHERE measure_id = ?", (measure_id,))
        return FiledNotice(**rows[0]) if rows else None

    def measures(self) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT measure_id, kind, asset_reference, frozen_fen, held_fen, rank, registered_at, expires_on, "
            "status, court, case_number, document_ref, idempotency_key FROM measures ORDER BY rowid"
        )

    def assets(self) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT a.reference, a.id_number, s.name, a.kind, a.description, a.available_fen, a.status, "
            "a.existing_seizures FROM assets a LEFT JOIN subjects s ON s.id_number = a.id_number ORDER BY a.rowid"
        )

    def deductions(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM deductions ORDER BY rowid")

    def callbacks(self) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT id, request_id, url, due_at, state, attempts, last_status, last_error, finished_at "
            "FROM callbacks ORDER BY id"
        )
