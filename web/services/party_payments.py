"""Paying online (网上缴费, DOMAIN §19.3, §19.5): a debtor pays a case's account through the payment
platform's page, and the payment lands in that case's ledger.

The case a payment is for is fixed when the order opens, from the debtor's own standing in the case; the
platform's page shows it and cannot change it. When the payer comes back — or opens the case again — the web
reads the order from the platform itself (never from the browser) and, if it is paid, for this order's case
and amount, sends the case the payment (``party-payment``), which credits it once per platform serial number.
A payment is never credited to another case: the order's case comes from the order's row, not from the URL,
and a platform order that names another case or amount is refused. Full payment releases the case's measures
as any full performance does (the case's own rule, DOMAIN §17.7).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy import select, update
from temporalio.client import Client

from adapters.base import PartnerError
from adapters.cashier import Cashier, PayOrder
from domain.actors import Actor
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.ledger import LedgerView
from domain.money import PositiveFen
from domain.party_requests import PartySide, sides_of
from runtime.logging import get_logger
from web.db import Database, PartyPayment, User, utcnow
from web.errors import GatewayTimeout, ServiceUnavailable
from web.services import cases
from web.services.party_accounts import PartyDesk
from web.services.party_agents import standing
from web.services.workflows import execute_update_as
from workflows.case.models import PAYMENT_UPDATE, OnlinePayment

log = get_logger(__name__)


class PaymentIn(BaseModel):
    amount_fen: PositiveFen = Field(description="缴费金额 (fen), 不超过未执行到位的金额")


class PaymentView(BaseModel):
    order_id: str
    case_id: str
    amount_fen: int
    status: str = Field(description="created 待支付 | credited 已入账")
    pay_url: str = Field(default="", description="the payment page to send the payer's browser to")
    payment_id: str | None = None


@dataclass(frozen=True)
class Till:
    """What paying needs: the party desk and the platform's cashier."""

    desk: PartyDesk
    cashier: Cashier | None

    def require(self) -> Cashier:
        if self.cashier is None:
            raise ServiceUnavailable("CASHIER_NOT_CONFIGURED", "未配置网上缴费平台 / no payment platform configured")
        return self.cashier


def _open(db: Database, username: str, order_id: str, case_id: str, workflow_id: str, number: str, fen: int) -> None:
    with db.session() as s:
        s.add(
            PartyPayment(
                order_id=order_id,
                user_id=s.scalar(select(User.id).where(User.username == username)),
                case_id=case_id,
                workflow_id=workflow_id,
                case_number=number,
                amount_fen=fen,
                status="created",
                created_at=utcnow(),
            )
        )


async def open_order(
    till: Till, client: Client, actor: Actor, case_id: str, body: PaymentIn, return_url: str
) -> PaymentView:
    """An order to pay this case's account, by a debtor of this case (or their agent), at most the balance.
    ``return_url``: where the platform sends the payer back, ``{order_id}`` in it replaced by the order's."""
    cashier = till.require()
    st = await standing(till.desk, actor, case_id)
    if PartySide.DEBTOR not in sides_of(st.roles):
        raise ValidationFailed("DEBTOR_ONLY", "仅被执行人缴纳执行款 / the debtor pays", "case_id")
    view = await cases.case_view(client, st.entry)
    if view.closed is not None:
        raise Conflict("CASE_CLOSED", f"案件已于 {view.closed.on} 结案 / the case is closed", "case_id")
    if body.amount_fen > view.ledger.balance_fen:
        balance = view.ledger.balance_fen
        raise ValidationFailed(
            "AMOUNT_OVER_BALANCE",
            f"amount_fen: 不能超过未执行到位的 {balance / 100:,.2f} 元 / over the balance",
            "amount_fen",
        )
    order_id = f"om-{secrets.token_hex(10)}"
    entry = st.entry
    await till.desk.db.run(
        _open,
        till.desk.db,
        actor.user_id,
        order_id,
        entry.case_id,
        entry.workflow_id,
        entry.case_number,
        body.amount_fen,
    )
    try:
        back = return_url.replace("{order_id}", order_id)
        order = await cashier.open_order(f"pay-order:{order_id}", order_id, entry.case_number, body.amount_fen, back)
    except PartnerError as exc:
        log.warning("payment order not opened", code=exc.code)
        raise ServiceUnavailable(
            "CASHIER_UNAVAILABLE", "缴费平台暂不可用, 请稍后再试 / the platform is unavailable"
        ) from exc
    return PaymentView(order_id=order_id, case_id=entry.case_id, amount_fen=body.amount_fen, status="created",
                       pay_url=order.pay_url)  # fmt: skip


def _row(db: Database, username: str, order_id: str) -> PartyPayment | None:
    with db.session() as s:
        row = s.scalar(
            select(PartyPayment)
            .join(User, User.id == PartyPayment.user_id)
            .where(PartyPayment.order_id == order_id, User.username == username)
        )
        if row is not None:
            s.expunge(row)
        return row


def _credited(db: Database, order_id: str, payment_id: str) -> None:
    with db.session() as s:
        s.execute(
            update(PartyPayment)
            .where(PartyPayment.order_id == order_id)
            .values(status="credited", payment_id=payment_id, credited_at=utcnow())
        )


def _pending(db: Database, username: str, case_id: str) -> list[str]:
    rows = db.rows(
        select(PartyPayment.order_id)
        .join(User, User.id == PartyPayment.user_id)
        .where(User.username == username, PartyPayment.case_id == case_id, PartyPayment.status == "created")
        .limit(20)
    )
    return [r.order_id for r in rows]


def _matches(row: PartyPayment, order: PayOrder) -> bool:
    return (
        order.order_id == row.order_id and order.case_number == row.case_number and order.amount_fen == row.amount_fen
    )


async def confirm(till: Till, client: Client, actor: Actor, case_id: str, order_id: str) -> PaymentView:
    """The payer is back from the platform's page: the order read from the platform, and if paid, credited
    to the order's own case — which must be the case in the path, or the order does not exist here."""
    cashier = till.require()
    row = await till.desk.db.run(_row, till.desk.db, actor.user_id, order_id)
    if row is None or row.case_id != case_id:
        raise NotFound("ORDER_NOT_FOUND", f"order_id: 本案没有该缴费订单 {order_id} / no such order of this case")
    if row.status == "credited":
        return _view(row, row.payment_id)
    try:
        order = await cashier.order(order_id)
    except PartnerError as exc:
        raise ServiceUnavailable("CASHIER_UNAVAILABLE", "缴费平台暂不可用, 请稍后再试") from exc
    if not _matches(row, order):
        log.warning("payment order differs at the platform", order_id=order_id)
        raise Conflict("ORDER_MISMATCH", "缴费订单与平台记录不符, 未入账 / the platform's order differs", "order_id")
    if order.status != "paid" or order.payment_id is None or order.paid_at is None:
        return _view(row, None)
    payment = OnlinePayment(
        payment_id=order.payment_id, order_id=order_id, amount_fen=row.amount_fen, paid_at=order.paid_at
    )
    await credit(client, actor, row.workflow_id, case_id, payment)
    await till.desk.db.run(_credited, till.desk.db, order_id, order.payment_id)
    row.status = "credited"
    return _view(row, order.payment_id)


async def credit(client: Client, actor: Actor, workflow_id: str, case_id: str, payment: OnlinePayment) -> LedgerView:
    async def closed() -> Conflict:
        return Conflict("CASE_CLOSED", f"案件 {case_id} 已结束 / the case has ended", "case_id")

    ledger: LedgerView = await execute_update_as(
        client,
        actor,
        workflow_id,
        PAYMENT_UPDATE,
        payment,
        closed=closed,
        timeout=GatewayTimeout("CASE_TIMEOUT", "案件未及时应答 / the case did not answer in time"),
        result_type=LedgerView,
    )
    return ledger


async def settle_pending(till: Till, client: Client, actor: Actor, case_id: str) -> None:
    """Orders of this payer and case still open here, read again: a payer who paid and never came back to
    the return page has it credited when they next open the case."""
    if till.cashier is None:
        return
    for order_id in await till.desk.db.run(_pending, till.desk.db, actor.user_id, case_id):
        try:
            await confirm(till, client, actor, case_id, order_id)
        except (ServiceUnavailable, Conflict, NotFound) as exc:
            log.info("pending payment not settled", order_id=order_id, code=exc.code)


def _view(row: PartyPayment, payment_id: str | None) -> PaymentView:
    return PaymentView(
        order_id=row.order_id, case_id=row.case_id, amount_fen=row.amount_fen, status=row.status, payment_id=payment_id
    )
