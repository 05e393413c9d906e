"""Batch transfers (批量代发) out of a court's case account at a simulated bank: sandbox-v1
``POST /partners/{bank}/batch-transfers``, the bank's statement of them, and the case account's balance.

The ledger keeps one row per ``item_key``: a repeated key gets its first answer and never pays twice, in
this batch or any later one. ``timeout`` is the one answer that is not kept — the bank did not execute
the item — so the same key sent again is executed then.

Per-item answers follow the payee data, so tests and demos choose them:
- a holder seeded with ``POST /partners/{bank}/_admin/account-holders``: status ``closed`` →
  ``account_closed``, ``invalid`` → ``invalid_account``, a different name → ``name_mismatch``;
- otherwise the four digits before an account's last digit (the last is a card's Luhn digit):
  ``9990`` → ``invalid_account``, ``9991`` → ``account_closed``, ``9992`` → ``name_mismatch``,
  ``9993`` → ``timeout`` on the key's first attempt, then paid;
- everything else is paid.

The case account starts with ``default_case_balance_fen`` unless seeded with
``PUT /partners/{bank}/_admin/case-accounts``; a batch whose payments exceed what is left is refused as
a whole (409 ``INSUFFICIENT_FUNDS``), before any effect. The partner's fault knobs (latency, 5xx, hangs)
apply as on every other partner route. State: ``batch_transfers.db`` in the state dir; each batch is one
SQLite transaction (executemany), which keeps thousands of items a second.
"""

from __future__ import annotations

import csv
import io
import secrets
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool

from adapters.sandbox.wire import (
    BATCH_TRANSFER,
    IDEMPOTENCY_HEADER,
    STATEMENT_CSV_COLUMNS,
    AccountBalance,
    BatchTransfer,
    BatchTransferResponse,
    StatementPage,
)
from domain.partners import PartnerEndpoint
from simulators.errors import SimulatorError
from simulators.faults import CallPlan, after_effect, before_effect
from simulators.guards import expected_authorization, idempotency_key, require_bearer
from simulators.iso20022_bank import add_iso20022_routes
from simulators.sqlite import LockedSqlite

PartnerId = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]

DEFAULT_CASE_BALANCE_FEN = 2_000_000_000_00  # ¥2 bn: enough for the 170,000-payee demo
MAX_STATEMENT_PAGE = 50_000
_SQL_VARS = 900  # keys per IN (...) lookup

# The four digits before an account's last digit choose a failure (see the module docstring).
DIGIT_RULES: dict[str, tuple[str, str]] = {
    "9990": ("invalid_account", "INVALID_ACCOUNT"),
    "9991": ("account_closed", "ACCOUNT_CLOSED"),
    "9992": ("name_mismatch", "NAME_MISMATCH"),
    "9993": ("timeout", "TIMEOUT"),
}
HOLDER_RULES: dict[str, tuple[str, str]] = {
    "closed": ("account_closed", "ACCOUNT_CLOSED"),
    "invalid": ("invalid_account", "INVALID_ACCOUNT"),
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS batch_items (
    partner TEXT NOT NULL,
    item_key TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    case_number TEXT NOT NULL,
    from_account TEXT NOT NULL,
    payee_name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    account TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    status TEXT NOT NULL,
    code TEXT,
    bank_ref TEXT,
    booked_at TEXT NOT NULL,
    PRIMARY KEY (partner, item_key)
) WITHOUT ROWID;
-- The statement reads a case's items by key prefix (the payout's workflow id) along the primary key; an
-- index by case doubled the cost of booking each item and is gone.
DROP INDEX IF EXISTS batch_items_by_case;
CREATE TABLE IF NOT EXISTS batch_attempts (
    partner TEXT NOT NULL,
    item_key TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (partner, item_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS case_accounts (
    partner TEXT NOT NULL,
    account TEXT NOT NULL,
    opening_fen INTEGER NOT NULL,
    debited_fen INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (partner, account)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS account_holders (
    partner TEXT NOT NULL,
    account TEXT NOT NULL,
    name TEXT,
    status TEXT NOT NULL,
    PRIMARY KEY (partner, account)
) WITHOUT ROWID;
"""


class AccountHolder(BaseModel):
    """What the bank knows of a payee account (sandbox seeding)."""

    account: str = Field(min_length=1, max_length=34)
    name: str | None = Field(default=None, max_length=200, description="the holder; another name is a mismatch")
    status: Literal["open", "closed", "invalid"] = "open"


class CaseAccountSeed(BaseModel):
    account: str = Field(min_length=1, max_length=64)
    balance_fen: int = Field(ge=0)


def item_rule(account: str, payee_name: str, holder: tuple[str | None, str] | None) -> tuple[str, str | None]:
    """The bank's answer for a new item: (status, code)."""
    if holder is not None:
        name, status = holder
        if status in HOLDER_RULES:
            return HOLDER_RULES[status]
        if name is not None and name != payee_name:
            return "name_mismatch", "NAME_MISMATCH"
        return "paid", None
    return DIGIT_RULES.get(account[-5:-1], ("paid", None))


class BatchLedger(LockedSqlite):
    """All banks' batch items in one SQLite file; blocking methods, called from the threadpool."""

    def __init__(self, path: Path | None, default_case_balance_fen: int = DEFAULT_CASE_BALANCE_FEN) -> None:
        super().__init__(path, SCHEMA)
        self._default_balance = default_case_balance_fen
        # A million-payee payout's ledger is ~400 MB; SQLite's default 2 MB page cache re-reads the upper
        # levels of the key's B-tree for every item booked.
        self._db.execute("PRAGMA cache_size=-131072")

    @staticmethod
    def _lookup(db: sqlite3.Connection, sql: str, partner: str, keys: Sequence[str]) -> list[Any]:
        rows: list[Any] = []
        for i in range(0, len(keys), _SQL_VARS):
            part = keys[i : i + _SQL_VARS]
            rows += db.execute(sql.format(",".join("?" * len(part))), (partner, *part)).fetchall()
        return rows

    def transfer(self, partner: str, req: BatchTransfer) -> list[dict[str, Any]]:
        """Books a (validated) batch: the answer per item, in the request's order."""
        items = req["items"]
        keys = [it["item_key"] for it in items]
        if len(set(keys)) != len(keys):
            raise SimulatorError(422, "DUPLICATE_ITEM_KEY", "an item_key appears twice in one batch")
        now = datetime.now(UTC).isoformat()
        ref_prefix = "B" + secrets.token_hex(5).upper()
        with self._tx() as db:
            known = {
                r[0]: r
                for r in self._lookup(
                    db,
                    "SELECT item_key, status, bank_ref, code FROM batch_items WHERE partner = ? AND item_key IN ({})",
                    partner,
                    keys,
                )
            }
            accounts = sorted({it["account"] for it in items if it["item_key"] not in known})
            holders = {
                r[0]: (r[1], r[2])
                for r in self._lookup(
                    db,
                    "SELECT account, name, status FROM account_holders WHERE partner = ? AND account IN ({})",
                    partner,
                    accounts,
                )
            }
            answers: list[tuple[str, str | None]] = []
            timeouts: list[str] = []
            for it in items:
                if it["item_key"] in known:
                    answers.append(("", None))
                    continue
                status, code = item_rule(it["account"], it["payee_name"], holders.get(it["account"]))
                if status == "timeout":
                    timeouts.append(it["item_key"])
                answers.append((status, code))
            tried = {
                r[0]: r[1]
                for r in self._lookup(
                    db,
                    "SELECT item_key, attempts FROM batch_attempts WHERE partner = ? AND item_key IN ({})",
                    partner,
                    timeouts,
                )
            }
            results: list[dict[str, Any]] = []
            rows: list[tuple[Any, ...]] = []
            attempts: list[tuple[str, str]] = []
            paid_fen = 0
            batch_id, case_number, from_account = req["batch_id"], req["case_number"], req["from_account"]
            for n, (it, (status, code)) in enumerate(zip(items, answers, strict=True)):
                key = it["item_key"]
                first = known.get(key)
                if first is not None:
                    results.append({"item_key": key, "status": first[1], "bank_ref": first[2], "code": first[3]})
                    continue
                if status == "timeout":
                    if not tried.get(key):
                        attempts.append((partner, key))
                        results.append({"item_key": key, "status": "timeout", "bank_ref": None, "code": code})
                        continue
                    status, code = "paid", None  # the interbank system answers the second time
                bank_ref = f"{ref_prefix}{n:05d}" if status == "paid" else None
                amount = it["amount_fen"]
                if status == "paid":
                    paid_fen += amount
                rows.append(
                    (
                        partner,
                        key,
                        batch_id,
                        case_number,
                        from_account,
                        it["payee_name"],
                        it["id_number"],
                        it["account"],
                        amount,
                        status,
                        code,
                        bank_ref,
                        now,
                    )
                )
                results.append({"item_key": key, "status": status, "bank_ref": bank_ref, "code": code})
            if paid_fen:
                self._debit(db, partner, from_account, paid_fen)
            db.executemany("INSERT INTO batch_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            db.executemany(
                "INSERT INTO batch_attempts VALUES (?, ?, 1) "
                "ON CONFLICT (partner, item_key) DO UPDATE SET attempts = attempts + 1",
                attempts,
            )
        return results

    def _debit(self, db: sqlite3.Connection, partner: str, account: str, amount: int) -> None:
        row = db.execute(
            "SELECT opening_fen, debited_fen FROM case_accounts WHERE partner = ? AND account = ?", (partner, account)
        ).fetchone()
        opening, debited = row if row is not None else (self._default_balance, 0)
        if opening - debited < amount:
            raise SimulatorError(
                409, "INSUFFICIENT_FUNDS", f"the case account holds {opening - debited} fen, the batch pays {amount}"
            )
        db.execute(
            "INSERT INTO case_accounts VALUES (?, ?, ?, ?) "
            "ON CONFLICT (partner, account) DO UPDATE SET debited_fen = debited_fen + ?",
            (partner, account, opening, amount, amount),
        )

    def balance(self, partner: str, account: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT opening_fen - debited_fen FROM case_accounts WHERE partner = ? AND account = ?",
                (partner, account),
            ).fetchone()
        return int(row[0]) if row is not None else self._default_balance

    def set_balance(self, partner: str, account: str, balance_fen: int) -> None:
        with self._tx() as db:
            row = db.execute(
                "SELECT debited_fen FROM case_accounts WHERE partner = ? AND account = ?", (partner, account)
            ).fetchone()
            debited = row[0] if row is not None else 0
            db.execute(
                "INSERT INTO case_accounts VALUES (?, ?, ?, ?) "
                "ON CONFLICT (partner, account) DO UPDATE SET opening_fen = excluded.opening_fen",
                (partner, account, balance_fen + debited, debited),
            )

    def seed_holders(self, partner: str, holders: list[AccountHolder]) -> int:
        with self._tx() as db:
            db.executemany(
                "INSERT INTO account_holders VALUES (?, ?, ?, ?) ON CONFLICT (partner, account) "
                "DO UPDATE SET name = excluded.name, status = excluded.status",
                [(partner, h.account, h.name, h.status) for h in holders],
            )
        return len(holders)

    def statement_rows(
        self, partner: str, case_number: str, key_prefix: str, after: str, limit: int
    ) -> list[tuple[Any, ...]]:
        """Up to ``limit`` + 1 rows (``STATEMENT_CSV_COLUMNS``) after ``after``, in key order: the extra one
        tells the JSON page whether another follows."""
        low, high = _prefix_range(key_prefix)
        with self._lock:
            return self._db.execute(
                "SELECT item_key, status, amount_fen, account, bank_ref, code, booked_at FROM batch_items "
                "WHERE partner = ? AND item_key >= ? AND item_key < ? AND item_key > ? AND case_number = ? "
                "ORDER BY item_key LIMIT ?",
                (partner, low, high, after, case_number, limit + 1),
            ).fetchall()

    def statement(
        self, partner: str, case_number: str, key_prefix: str, after: str, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        rows = self.statement_rows(partner, case_number, key_prefix, after, limit)
        entries = [dict(zip(STATEMENT_CSV_COLUMNS, r, strict=True)) for r in rows[:limit]]
        return entries, entries[-1]["item_key"] if len(rows) > limit else None

    def statement_csv(self, partner: str, case_number: str, key_prefix: str, after: str, limit: int) -> bytes:
        """The same page as CSV: a header, then one line per entry (null as empty).

        SQLite joins each line's fields itself (a million lines: ~1 s of the simulator's CPU instead of ~5
        with the csv module); a page where any field would need quoting is written by the csv module."""
        low, high = _prefix_range(key_prefix)
        with self._lock:
            lines = [
                r[0]
                for r in self._db.execute(
                    "SELECT item_key || ',' || status || ',' || amount_fen || ',' || account || ',' || "
                    "ifnull(bank_ref, '') || ',' || ifnull(code, '') || ',' || booked_at FROM batch_items "
                    "WHERE partner = ? AND item_key >= ? AND item_key < ? AND item_key > ? AND case_number = ? "
                    "ORDER BY item_key LIMIT ?",
                    (partner, low, high, after, case_number, limit),
                )
            ]
        text = "\n".join((",".join(STATEMENT_CSV_COLUMNS), *lines, ""))
        n = len(lines) + 1
        # Every line has its six separators and no field a comma, a quote or a line break: nothing to quote.
        if '"' not in text and "\r" not in text and text.count("\n") == n and text.count(",") == 6 * n:
            return text.encode()
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(STATEMENT_CSV_COLUMNS)
        w.writerows(self.statement_rows(partner, case_number, key_prefix, after, limit)[:limit])
        return out.getvalue().encode()

    def paid_rows(self, partner: str, case_number: str, after: str, limit: int) -> list[tuple[Any, ...]]:
        """Up to ``limit`` + 1 paid items of a case after ``after``, in key order: (key, from account,
        amount, bank reference, booked at) — the case account's debits."""
        with self._lock:
            return self._db.execute(
                "SELECT item_key, from_account, amount_fen, bank_ref, booked_at FROM batch_items "
                "WHERE partner = ? AND item_key > ? AND case_number = ? AND status = 'paid' ORDER BY item_key LIMIT ?",
                (partner, after, case_number, limit + 1),
            ).fetchall()

    def items(self, partner: str, key_prefix: str) -> list[dict[str, Any]]:
        low, high = _prefix_range(key_prefix)
        with self._lock:
            cur = self._db.execute(
                "SELECT * FROM batch_items WHERE partner = ? AND item_key >= ? AND item_key < ? ORDER BY item_key",
                (partner, low, high),
            )
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _prefix_range(prefix: str) -> tuple[str, str]:
    """[low, high) of the keys starting ``prefix``: an index range, with no LIKE (which ignores case)."""
    if not prefix:
        return "", "\U0010ffff"
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def build_batch_router(
    state_dir: Path | None = None,
    partners: list[PartnerEndpoint] | None = None,
    default_case_balance_fen: int = DEFAULT_CASE_BALANCE_FEN,
) -> APIRouter:
    """The routes, for the simulator app to mount: ``app.include_router(build_batch_router(dir, banks))``.

    Authorisation and fault knobs come from the simulator app's partner runtime when the app has one
    (``app.state.simulator``); otherwise from ``partners`` (their tokens) with no faults.
    """
    ledger = BatchLedger(state_dir / "batch_transfers.db" if state_dir else None, default_case_balance_fen)
    known = {p.id: p for p in partners} if partners is not None else None
    router = APIRouter(tags=["partner protocol (sandbox-v1): batch transfers"])

    def plan_for(request: Request, partner_id: str) -> CallPlan:
        if known is not None and partner_id not in known:
            raise SimulatorError(404, "UNKNOWN_PARTNER", f"no bank {partner_id!r} is simulated here")
        sim = getattr(request.app.state, "simulator", None)
        if sim is not None:
            rt = sim.runtime(partner_id)
            expected, plan = rt.authorization, rt.faults.plan()
        else:
            token = known[partner_id].token if known is not None else ""
            expected, plan = expected_authorization(token), CallPlan()
        require_bearer(request.headers.get("authorization"), expected)
        return plan

    @router.post("/partners/{partner_id}/batch-transfers", response_model=BatchTransferResponse)
    async def batch_transfer(partner_id: PartnerId, request: Request) -> Response:
        """批量代发: pays each item once per ``item_key``; a repeated key gets its first answer."""
        plan = plan_for(request, partner_id)
        # Checked as at every partner, though idempotency here is per item_key, not per call.
        idempotency_key(request.headers.get(IDEMPOTENCY_HEADER))
        try:
            # Typed dicts, not a model per item: the same checks at a third of the cost for 5,000 items.
            body = BATCH_TRANSFER.validate_json(await request.body())
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise SimulatorError(422, "VALIDATION_FAILED", f"{where}: {first['msg']}") from None
        await before_effect(plan)
        results = await run_in_threadpool(ledger.transfer, partner_id, body)
        await after_effect(plan)
        answer = to_json({"batch_id": body["batch_id"], "items": results})
        return Response(content=answer, media_type="application/json")

    @router.get("/partners/{partner_id}/batch-transfers/statement", response_model=StatementPage)
    async def statement(
        partner_id: PartnerId,
        request: Request,
        case_number: Annotated[str, Query(min_length=1)],
        key_prefix: str = "",
        after_key: Annotated[str, Query(alias="after")] = "",
        limit: Annotated[int, Query(ge=1, le=MAX_STATEMENT_PAGE)] = 20_000,
        page_format: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
    ) -> Response:
        """对账单: every final item answer for a case, in ``item_key`` order; page with ``after``.
        ``format=csv``: the same entries as CSV lines under a header (a page shorter than ``limit`` is the
        last; the next page starts after its last key)."""
        plan = plan_for(request, partner_id)
        await before_effect(plan)
        if page_format == "csv":
            data = await run_in_threadpool(ledger.statement_csv, partner_id, case_number, key_prefix, after_key, limit)
            return Response(content=data, media_type="text/csv; charset=utf-8")
        entries, cursor = await run_in_threadpool(
            ledger.statement, partner_id, case_number, key_prefix, after_key, limit
        )
        content = to_json({"case_number": case_number, "entries": entries, "next_cursor": cursor})
        return Response(content=content, media_type="application/json")

    @router.get("/partners/{partner_id}/accounts/balance", response_model=AccountBalance)
    async def balance(
        partner_id: PartnerId, request: Request, account: Annotated[str, Query(min_length=1)]
    ) -> AccountBalance:
        """余额 of a case account the court holds here."""
        await before_effect(plan_for(request, partner_id))
        return AccountBalance(account=account, balance_fen=await run_in_threadpool(ledger.balance, partner_id, account))

    # --- sandbox administration (never on a real bank) ---------------------------------------------------

    @router.put(
        "/partners/{partner_id}/_admin/case-accounts", tags=["sandbox administration (never on a real partner)"]
    )
    async def seed_case_account(partner_id: PartnerId, body: CaseAccountSeed) -> AccountBalance:
        """Sets a case account's balance (what has been paid from it stays paid)."""
        await run_in_threadpool(ledger.set_balance, partner_id, body.account, body.balance_fen)
        return AccountBalance(account=body.account, balance_fen=body.balance_fen)

    @router.post(
        "/partners/{partner_id}/_admin/account-holders", tags=["sandbox administration (never on a real partner)"]
    )
    async def seed_holders(partner_id: PartnerId, body: list[AccountHolder]) -> dict[str, int]:
        """Who holds which payee account, and closed or invalid accounts: the per-item answers follow."""
        return {"seeded": await run_in_threadpool(ledger.seed_holders, partner_id, body)}

    add_iso20022_routes(router, ledger, plan_for, state_dir)  # the same bank's ISO 20022 files

    @router.get("/partners/{partner_id}/_admin/batch-items", tags=["sandbox administration (never on a real partner)"])
    async def batch_items(partner_id: PartnerId, key_prefix: str = "") -> list[dict[str, Any]]:
        """The bank's ledger of batch items, one row per item_key (whose keys start ``key_prefix``)."""
        return await run_in_threadpool(ledger.items, partner_id, key_prefix)

    return router
