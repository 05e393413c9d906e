"""The court's case account (案款账户) at a sandbox bank: payments a debtor makes into it, which the bank then
notices to the court (到账通知) — a settlement's instalments are watched this way.

* ``POST /partners/{bank}/_admin/case-accounts/credits`` — a payment arrives (what a demo or a test does
  in the debtor's place): case number, amount in fen, the day it arrived.
* ``GET /partners/{bank}/case-accounts/credits?case_number=…`` — the bank's own view (its token): the
  credits of one case not yet noticed to the court.
* ``GET /partners/{bank}/case-accounts/statement?case_number=…`` — every credit of one case (入账流水), under
  the serial number a notice quotes: what the court checks a notice against.
* ``POST /partners/{bank}/case-accounts/credits/noticed`` — the bank marks credits as noticed (by id,
  naming the court's task it answered); marking twice changes nothing.

State: ``case_accounts.db`` in the state dir. The sandbox bank's inbox agent (simulators/task_agents.py)
reads the unnoticed credits and completes the court's notice task with them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from domain.money import PositiveFen
from domain.partners import PartnerEndpoint
from simulators.errors import SimulatorError
from simulators.guards import expected_authorization, require_bearer
from simulators.sqlite import LockedSqlite

PartnerId = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]

SCHEMA = """
CREATE TABLE IF NOT EXISTS credits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partner TEXT NOT NULL,
    case_number TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    received_on TEXT NOT NULL,
    noticed_by_task TEXT
);
CREATE INDEX IF NOT EXISTS credits_case ON credits (partner, case_number, noticed_by_task);
"""


class CreditIn(BaseModel):
    case_number: str = Field(min_length=3, max_length=64)
    amount_fen: PositiveFen
    received_on: date


class Credit(CreditIn):
    id: int


class Noticed(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=1000)
    task_id: str = Field(min_length=1, max_length=200, description="the court's notice task these answered")


def reference(credit_id: int) -> str:
    """The bank's serial number (流水号) of a credit: what a notice quotes and the statement lists."""
    return f"LS{credit_id:08d}"


class CaseAccounts(LockedSqlite):
    def __init__(self, path: Path | None) -> None:
        super().__init__(path, SCHEMA)

    def add(self, partner: str, credit: CreditIn) -> Credit:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO credits (partner, case_number, amount_fen, received_on) VALUES (?, ?, ?, ?)",
                (partner, credit.case_number, credit.amount_fen, credit.received_on.isoformat()),
            )
            return Credit(id=int(cur.lastrowid or 0), **credit.model_dump())

    def unnoticed(self, partner: str, case_number: str) -> list[Credit]:
        with self._tx() as db:
            rows = db.execute(
                "SELECT id, case_number, amount_fen, received_on FROM credits "
                "WHERE partner=? AND case_number=? AND noticed_by_task IS NULL ORDER BY id",
                (partner, case_number),
            ).fetchall()
        return [Credit(id=r[0], case_number=r[1], amount_fen=r[2], received_on=date.fromisoformat(r[3])) for r in rows]

    def statement(self, partner: str, case_number: str) -> list[Credit]:
        """Every credit booked for the case, noticed or not (入账流水)."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT id, case_number, amount_fen, received_on FROM credits WHERE partner=? AND case_number=? "
                "ORDER BY id",
                (partner, case_number),
            ).fetchall()
        return [Credit(id=r[0], case_number=r[1], amount_fen=r[2], received_on=date.fromisoformat(r[3])) for r in rows]

    def mark(self, partner: str, noticed: Noticed) -> int:
        """Marks the credits not yet noticed; returns how many it marked."""
        with self._tx() as db:
            marks = [(noticed.task_id, partner, i) for i in noticed.ids]
            before = db.total_changes
            db.executemany(
                "UPDATE credits SET noticed_by_task=? WHERE partner=? AND id=? AND noticed_by_task IS NULL", marks
            )
            return db.total_changes - before


def build_case_account_router(state_dir: Path | None, banks: list[PartnerEndpoint]) -> APIRouter:
    """Case accounts at ``banks`` (their tokens checked on the bank's own routes)."""
    known = {b.id: b for b in banks}
    store = CaseAccounts(state_dir / "case_accounts.db" if state_dir else None)
    router = APIRouter(prefix="/partners/{partner_id}", tags=["simulator: case account (案款账户)"])

    def refusal(partner_id: str, authorization: str | None) -> JSONResponse | None:
        if partner_id not in known:
            return JSONResponse({"code": "UNKNOWN_PARTNER", "message": "no such bank here"}, status_code=404)
        try:
            require_bearer(authorization, expected_authorization(known[partner_id].token))
        except SimulatorError as exc:
            return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status)
        return None

    @router.post("/_admin/case-accounts/credits")
    async def pay_in(partner_id: PartnerId, credit: CreditIn) -> JSONResponse:
        if partner_id not in known:
            return JSONResponse({"code": "UNKNOWN_PARTNER", "message": "no such bank here"}, status_code=404)
        return JSONResponse(store.add(partner_id, credit).model_dump(mode="json"), status_code=201)

    @router.get("/case-accounts/credits")
    async def unnoticed(
        partner_id: PartnerId, case_number: str, authorization: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        refused = refusal(partner_id, authorization)
        if refused is not None:
            return refused
        return JSONResponse([c.model_dump(mode="json") for c in store.unnoticed(partner_id, case_number)])

    @router.get("/case-accounts/statement")
    async def statement(
        partner_id: PartnerId, case_number: str, authorization: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        """入账流水: every credit of the case, each under the serial number its notice quotes."""
        refused = refusal(partner_id, authorization)
        if refused is not None:
            return refused
        lines = [
            {"reference": reference(c.id), "amount_fen": c.amount_fen, "received_on": c.received_on.isoformat()}
            for c in store.statement(partner_id, case_number)
        ]
        return JSONResponse({"case_number": case_number, "lines": lines})

    @router.post("/case-accounts/credits/noticed")
    async def mark_noticed(
        partner_id: PartnerId, noticed: Noticed, authorization: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        refused = refusal(partner_id, authorization)
        if refused is not None:
            return refused
        return JSONResponse({"marked": store.mark(partner_id, noticed)})

    return router
