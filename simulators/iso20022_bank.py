"""A simulated bank's ISO 20022 bulk-payment channel (docs/partner-protocol.md, "ISO 20022"): the same bank,
case accounts and ledger as sandbox-v1's batch transfers (``simulators.batch``), taking files instead.

- ``POST /partners/{bank}/iso20022/pain.001``: a credit-transfer initiation; the answer is its pain.002.
  Each transaction is booked once per ``EndToEndId`` (the ledger's key): a file sent again — the same
  ``MsgId`` and ``EndToEndId``s — gets the first statuses and pays nothing twice. The per-payee answers
  follow the payee data as on sandbox-v1 (``simulators.batch``); a file the case account cannot pay is
  rejected whole (``GrpSts`` RJCT, ``AM04``) before any effect.
- ``GET /partners/{bank}/iso20022/camt.054?case_number=…&after=…&limit=…``: the case's booked debits, each
  with the remittance information its transaction carried, in ``EndToEndId`` order; ``after`` pages.
- ``GET /partners/{bank}/iso20022/camt.052?account=…``: the case account's available balance.

The partner's token and fault knobs apply as on its other routes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from adapters.iso20022 import messages
from simulators.errors import SimulatorError
from simulators.faults import CallPlan, after_effect, before_effect
from simulators.sqlite import LockedSqlite

if TYPE_CHECKING:  # simulators.batch imports this module to mount its routes
    from simulators.batch import BatchLedger

PartnerId = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
XML = "application/xml"
MAX_PAGE = 50_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS remittance (
    partner TEXT NOT NULL,
    end_to_end_id TEXT NOT NULL,
    information TEXT NOT NULL,
    PRIMARY KEY (partner, end_to_end_id)
) WITHOUT ROWID;
"""


class RemittanceBook(LockedSqlite):
    """What each transaction's remittance information said, echoed on the debit notifications."""

    def keep(self, partner: str, remittance: dict[str, str]) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT OR IGNORE INTO remittance VALUES (?, ?, ?)",
                [(partner, e2e, info) for e2e, info in remittance.items()],
            )

    def lookup(self, partner: str, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self._lock:
            for i in range(0, len(ids), 900):
                part = ids[i : i + 900]
                found.update(
                    self._db.execute(
                        f"SELECT end_to_end_id, information FROM remittance WHERE partner = ? "
                        f"AND end_to_end_id IN ({','.join('?' * len(part))})",
                        (partner, *part),
                    ).fetchall()
                )
        return found


def add_iso20022_routes(
    router: APIRouter, ledger: BatchLedger, plan_for: Callable[[Request, str], CallPlan], state_dir: Path | None
) -> None:
    """Mounts the ISO 20022 channel on the batch router, over the same ledger and partner checks."""
    book = RemittanceBook(state_dir / "iso20022.db" if state_dir else None, SCHEMA)
    tags: list[str | Enum] = ["partner protocol (ISO 20022): bulk payments"]

    @router.post("/partners/{partner_id}/iso20022/pain.001", tags=tags, response_class=Response)
    async def credit_transfer_initiation(partner_id: PartnerId, request: Request) -> Response:
        """pain.001 in, pain.002 out: each transaction once per EndToEndId."""
        plan = plan_for(request, partner_id)
        try:
            received = await run_in_threadpool(messages.read_credit_transfer_initiation, await request.body())
        except messages.MessageError as exc:
            raise SimulatorError(422, "INVALID_FILE", str(exc)[:300]) from None
        await before_effect(plan)
        await run_in_threadpool(book.keep, partner_id, received.remittance)
        try:
            results = await run_in_threadpool(ledger.transfer, partner_id, received.batch)
        except SimulatorError as exc:
            if exc.code != "INSUFFICIENT_FUNDS":
                raise
            rejection = messages.file_rejection(received.msg_id, messages.INSUFFICIENT_FUNDS, exc.message)
            return Response(content=rejection, media_type=XML)
        await after_effect(plan)
        answers = [messages.TransactionStatus(r["item_key"], r["status"], r["bank_ref"]) for r in results]
        report = await run_in_threadpool(messages.payment_status_report, received.msg_id, answers)
        return Response(content=report, media_type=XML)

    @router.get("/partners/{partner_id}/iso20022/camt.054", tags=tags, response_class=Response)
    async def debit_notification(
        partner_id: PartnerId,
        request: Request,
        case_number: Annotated[str, Query(min_length=1)],
        after: str = "",
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20_000,
    ) -> Response:
        """The case's booked debits after ``after`` (an EndToEndId), at most ``limit``."""
        await before_effect(plan_for(request, partner_id))
        rows = await run_in_threadpool(ledger.paid_rows, partner_id, case_number, after, limit)
        account = rows[0][1] if rows else ""
        info = await run_in_threadpool(book.lookup, partner_id, [r[0] for r in rows[:limit]])
        debits = [
            messages.Debit(e2e, info.get(e2e, ""), amount, bank_ref, date.fromisoformat(booked_at[:10]))
            for e2e, _account, amount, bank_ref, booked_at in rows[:limit]
        ]
        page = 1 if not after else 2  # the bank numbers pages of one query; a cursor starts a later one
        document = await run_in_threadpool(messages.debit_notification, account, debits, page, len(rows) <= limit)
        return Response(content=document, media_type=XML)

    @router.get("/partners/{partner_id}/iso20022/camt.052", tags=tags, response_class=Response)
    async def account_report(
        partner_id: PartnerId, request: Request, account: Annotated[str, Query(min_length=1)]
    ) -> Response:
        """The case account's interim available balance (ITAV)."""
        await before_effect(plan_for(request, partner_id))
        balance = await run_in_threadpool(ledger.balance, partner_id, account)
        return Response(content=messages.account_report(account, balance), media_type=XML)
