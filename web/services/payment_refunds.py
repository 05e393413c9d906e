"""Refund items (待退款): money paid online that the case did not take — paid after the case was closed, after
its balance was already paid, or beyond the balance — shown to the court's readers on the case page and the
dashboard (who paid, how much, when, why) until a judge refunds it (web/services/party_payments.py).

Nothing is credited silently and nothing is lost: the payment row keeps the item; the judge's refund
records who decided, when and why, and the platform's refund id.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from domain.actors import Actor
from store.cases import CaseRow
from web.db import Database, PartyAccount, PartyPayment, User
from web.services.access import READERS, require_role

CAUSES = ("closed", "paid", "overpaid")
Cause = Literal["closed", "paid", "overpaid"]


class RefundItem(BaseModel):
    """One payment (or the part of it) the case did not take."""

    order_id: str
    case_id: str
    case_number: str
    court: str
    payer: str = Field(description="缴款人 (the paying party's name, shown to the court only)")
    amount_fen: int = Field(description="缴款金额")
    refund_fen: int = Field(description="应退金额: the whole payment, or what exceeded the balance")
    cause: Cause = Field(description="closed 结案后缴款 | paid 已付清后缴款 | overpaid 超出未执行到位金额")
    paid_at: datetime | None
    found_at: datetime | None
    payment_id: str | None
    state: Literal["pending", "refunded"]
    refunded_by: str | None = None
    refunded_at: datetime | None = None
    reason: str | None = None
    refund_ref: str | None = None


def _payer(db: Database, account_id: int | None, sealed: str | None) -> str:
    if account_id is None or sealed is None or db.sealer is None:
        return ""
    return str(json.loads(db.sealer.open(sealed, f"party:{account_id}")).get("name", ""))


def items(
    db: Database,
    courts: tuple[str, ...],
    case_id: str | None = None,
    pending_only: bool = False,
    limit: int = 200,
    workflow_id: str | None = None,
) -> list[RefundItem]:
    """The refund items of these courts' cases (of one case, if named, or one case workflow), newest first."""
    query = (
        select(PartyPayment, CaseRow.court, PartyAccount.id.label("account_id"), PartyAccount.sealed)
        .join(CaseRow, CaseRow.case_id == PartyPayment.case_id)
        .join(User, User.id == PartyPayment.user_id)
        .outerjoin(PartyAccount, PartyAccount.user_id == User.id)
        .where(PartyPayment.refund_state.is_not(None), CaseRow.court.in_(courts))
        .order_by(PartyPayment.refund_found_at.desc())
        .limit(limit)
    )
    if case_id is not None:
        query = query.where(PartyPayment.case_id == case_id)
    if workflow_id is not None:
        query = query.where(PartyPayment.workflow_id == workflow_id)
    if pending_only:
        query = query.where(PartyPayment.refund_state == "pending")
    with db.session() as s:
        rows = s.execute(query).all()
        return [
            RefundItem(
                order_id=p.order_id,
                case_id=p.case_id,
                case_number=p.case_number,
                court=court,
                payer=_payer(db, account_id, sealed),
                amount_fen=p.amount_fen,
                refund_fen=p.refund_fen or 0,
                cause=p.refund_cause,
                paid_at=p.paid_at,
                found_at=p.refund_found_at,
                payment_id=p.payment_id,
                state=p.refund_state,
                refunded_by=p.refund_by,
                refunded_at=p.refund_at,
                reason=p.refund_reason,
                refund_ref=p.refund_ref,
            )
            for p, court, account_id, sealed in rows
        ]


async def of_case(db: Database, court: str, case_id: str) -> list[RefundItem]:
    """A case's refund items (its court's readers see them on the case page)."""
    return await db.run(items, db, (court,), case_id)


async def pending(db: Database, actor: Actor) -> list[RefundItem]:
    """The refund items waiting for a judge in the reader's courts (the dashboard)."""
    require_role(actor, *READERS)
    return await db.run(items, db, tuple(actor.courts), None, True)


def refunded_of_workflow(db: Database, court: str | None, workflow_id: str) -> list[RefundItem]:
    """The refunds made on a case workflow's payments (its audit trail links them into its chain)."""
    if court is None:
        return []
    return [i for i in items(db, (court,), workflow_id=workflow_id) if i.state == "refunded"]
