"""Paying online (网上缴费, DOMAIN §19.3, §19.5): a debtor pays a case's account through the payment
platform's page, and the payment lands in that case's ledger.

The case a payment is for is fixed when the order opens, from the debtor's own standing in the case; the
platform's page shows it and cannot change it. When the payer comes back — or opens the case again — the web
reads the order from the platform itself (never from the browser) and, if it is paid, for this order's case
and amount, sends the case the payment (``party-payment``), which credits it once per platform serial number.
A payment is never credited to another case: the order's case comes from the order's row, not from the URL,
and a platform order that names another case or amount is refused. Full payment releases the case's measures
as any full performance does (the case's own rule, DOMAIN §17.7).

The platform also tells the court itself (支付结果通知, ``notice``): its server posts the paid order to
``/api/payments/notices``, signed under the shared secret (security/webhook_signature.py), so a payment is
credited even if the payer closes the browser. Each signature is taken once (its digest is unique in
``payment_callbacks``): an unsigned, badly signed, stale or replayed notice is refused and recorded; a new
notice of a payment already credited changes nothing (the case keys it by ``payment_id``).

A payment the case refuses because the case has ended — closed, or its balance already paid — is not
credited and not lost: it becomes a refund item (web/services/payment_refunds.py) the judge sees on the case
page and the dashboard, and refunds by decision (``refund``); so does what a payment brought beyond the
balance (two orders paid at once).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, NoReturn

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from temporalio.client import Client

from adapters.base import PartnerError
from adapters.cashier import Cashier, PayOrder
from config.settings import Settings
from domain.actors import Actor, Role
from domain.errors import Conflict, NotFound, OneMatterError, ValidationFailed
from domain.ledger import LedgerView
from domain.money import PositiveFen
from domain.party_requests import PartySide, sides_of
from runtime.logging import get_logger
from security.webhook_signature import verify
from web.db import Database, PartyPayment, PaymentCallback, User, utcnow
from web.errors import GatewayTimeout, ServiceUnavailable, TooManyRequests, Unauthorized
from web.services import cases, payment_refunds
from web.services.access import require_role
from web.services.party_accounts import PartyDesk
from web.services.party_agents import standing
from web.services.payment_refunds import Cause, RefundItem
from web.services.workflows import execute_update_as
from workflows.case.models import PAYMENT_REFUNDED_UPDATE, PAYMENT_UPDATE, OnlinePayment, PaymentRefunded

log = get_logger(__name__)


class PaymentIn(BaseModel):
    amount_fen: PositiveFen = Field(description="缴费金额 (fen), 不超过未执行到位的金额")


class PaymentView(BaseModel):
    order_id: str
    case_id: str
    amount_fen: int
    status: str = Field(description="created 待支付 | credited 已入账 | unapplied 案件已结束, 未入账, 待退款")
    pay_url: str = Field(default="", description="the payment page to send the payer's browser to")
    payment_id: str | None = None


class NoticeAck(BaseModel):
    """The court's answer to the platform's payment notice (2xx: the platform stops sending it)."""

    status: Literal["credited", "unapplied", "duplicate", "pending"]
    order_id: str


class RefundIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="退款理由")


@dataclass(frozen=True, kw_only=True)
class Till:
    """What paying needs: the party desk, the platform's cashier, where the platform sends its notices and
    the secret they are signed with ("" : none taken), and how many refused notices an address may send within
    the window before it is answered 429 unread (OM_PAYMENT_NOTICE_REFUSALS_ALLOWED, …_REFUSAL_WINDOW_SECONDS)."""

    desk: PartyDesk
    cashier: Cashier | None
    notify_url: str = ""
    notice_secret: str = ""
    notice_refusals_allowed: int
    notice_refusal_window: timedelta

    @classmethod
    def configured(cls, settings: Settings, desk: PartyDesk, cashier: Cashier | None, notify_url: str = "") -> Till:
        """The till as the deployment's settings make it: the notices' secret and how refused ones are limited."""
        return cls(
            desk=desk,
            cashier=cashier,
            notify_url=notify_url,
            notice_secret=settings.cashier_notice_secret(),
            notice_refusals_allowed=settings.payment_notice_refusals_allowed,
            notice_refusal_window=timedelta(seconds=settings.payment_notice_refusal_window_seconds),
        )

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
        order = await cashier.open_order(
            f"pay-order:{order_id}", order_id, entry.case_number, body.amount_fen, back, till.notify_url
        )
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


def _settled(db: Database, order: PayOrder, status: str, refund_fen: int = 0, cause: Cause = "overpaid") -> None:
    """The order's outcome, once (the notice and the payer's return may both settle it; the second finds the
    row settled): ``credited`` into the ledger, or ``unapplied`` — the case had ended. What the case did not
    take (``refund_fen``: all of an unapplied payment, what a credited one brought beyond the balance) is a
    refund item for the judge."""
    refund = {"refund_fen": refund_fen, "refund_cause": cause, "refund_state": "pending", "refund_found_at": utcnow()}
    with db.session() as s:
        s.execute(
            update(PartyPayment)
            .where(PartyPayment.order_id == order.order_id, PartyPayment.status == "created")
            .values(
                status=status,
                payment_id=order.payment_id,
                paid_at=order.paid_at,
                credited_at=utcnow() if status == "credited" else None,
                **(refund if refund_fen else {}),
            )
        )


def _overpaid_items(db: Database, case_id: str) -> int:
    rows = db.rows(
        select(PartyPayment.refund_fen).where(PartyPayment.case_id == case_id, PartyPayment.refund_cause == "overpaid")
    )
    return sum(r.refund_fen or 0 for r in rows)


# Built once: every party page asks for the payer's orders still open (building it cost more than running it).
_PENDING = (
    select(PartyPayment.order_id)
    .join(User, User.id == PartyPayment.user_id)
    .where(
        User.username == bindparam("username"),
        PartyPayment.case_id == bindparam("case_id"),
        PartyPayment.status == "created",
    )
    .limit(20)
)


def _pending(db: Database, username: str, case_id: str) -> list[str]:
    return [r.order_id for r in db.rows(_PENDING, {"username": username, "case_id": case_id})]


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
    if row.status != "created":
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
    row.status = await settle(till, client, actor, row, order)
    return _view(row, order.payment_id)


# Why a case refuses a new payment (its validator, or the run is over): the case has ended.
ENDED = {"CASE_CLOSED": "closed", "CASE_PAID": "paid"}


async def settle(till: Till, client: Client, actor: Actor, row: PartyPayment, order: PayOrder) -> str:
    """A paid order (checked against our row) to its case: credited, or — the case has ended — recorded as
    a refund item, never credited silently. Returns the row's new status."""
    assert order.payment_id is not None and order.paid_at is not None
    db = till.desk.db
    payment = OnlinePayment(
        payment_id=order.payment_id, order_id=row.order_id, amount_fen=row.amount_fen, paid_at=order.paid_at
    )
    try:
        ledger = await credit(client, actor, row.workflow_id, row.case_id, payment)
    except Conflict as exc:
        if exc.code not in ENDED:
            raise
        cause: Cause = "closed" if ENDED[exc.code] == "closed" else "paid"
        await db.run(_settled, db, order, "unapplied", order.amount_fen, cause)
        log.warning("payment after the case ended: a refund item", order_id=row.order_id, cause=cause)
        return "unapplied"
    over = min(row.amount_fen, max(0, ledger.overpaid_fen - await db.run(_overpaid_items, db, row.case_id)))
    await db.run(_settled, db, order, "credited", over)
    if over:
        log.warning("payment beyond the balance: a refund item", order_id=row.order_id, refund_fen=over)
    return "credited"


async def credit(client: Client, actor: Actor, workflow_id: str, case_id: str, payment: OnlinePayment) -> LedgerView:
    ledger: LedgerView = await _to_case(client, actor, workflow_id, case_id, PAYMENT_UPDATE, payment, LedgerView)
    return ledger


async def _to_case(
    client: Client,
    actor: Actor,
    workflow_id: str,
    case_id: str,
    name: str,
    arg: BaseModel,
    result_type: type | None = None,
) -> Any:
    async def closed() -> Conflict:
        return Conflict("CASE_CLOSED", f"案件 {case_id} 已结束 / the case has ended", "case_id")

    return await execute_update_as(
        client,
        actor,
        workflow_id,
        name,
        arg,
        closed=closed,
        timeout=GatewayTimeout("CASE_TIMEOUT", "案件未及时应答 / the case did not answer in time"),
        result_type=result_type,
    )


async def settle_pending(till: Till, client: Client, actor: Actor, case_id: str) -> bool:
    """Orders of this payer and case still open here, read again: a payer who paid and never came back to
    the return page has it credited when they next open the case. True: there were some (the case may have
    just changed)."""
    if till.cashier is None:
        return False
    pending = await till.desk.db.read(_pending, till.desk.db, actor.user_id, case_id)
    for order_id in pending:
        try:
            await confirm(till, client, actor, case_id, order_id)
        except (ServiceUnavailable, Conflict, NotFound) as exc:
            log.info("pending payment not settled", order_id=order_id, code=exc.code)
    return bool(pending)


# --- the platform's notice (支付结果通知) --------------------------------------------------------------------


def _payer_row(db: Database, order_id: str) -> tuple[PartyPayment, str] | None:
    with db.session() as s:
        found = s.execute(
            select(PartyPayment, User.username)
            .join(User, User.id == PartyPayment.user_id)
            .where(PartyPayment.order_id == order_id)
        ).first()
        if found is None:
            return None
        s.expunge(found[0])
        return found[0], found[1]


def _take_signature(db: Database, signature: str, remote: str) -> int | None:
    """Records a signed notice once per signature: its row id, or None if this signature came before."""
    digest = hashlib.sha256(signature.encode()).hexdigest()
    try:
        with db.session() as s:
            cb = PaymentCallback(outcome="received", code="", signature_sha256=digest, remote=remote[:64])
            s.add(cb)
            s.flush()
            return cb.id
    except IntegrityError:
        return None


def _record(
    db: Database,
    callback_id: int | None,
    outcome: str,
    code: str,
    remote: str,
    order_id: str | None = None,
    payment_id: str | None = None,
) -> None:
    with db.session() as s:
        cb = s.get(PaymentCallback, callback_id) if callback_id is not None else None
        if cb is None:
            cb = PaymentCallback(outcome=outcome, code=code, remote=remote[:64])
            s.add(cb)
        cb.outcome, cb.code, cb.order_id, cb.payment_id = outcome, code, order_id, payment_id


def _refused_lately(db: Database, remote: str, since: datetime) -> int:
    query = select(func.count(PaymentCallback.id)).where(
        PaymentCallback.remote == remote[:64],
        PaymentCallback.outcome == "refused",
        PaymentCallback.received_at >= since,
    )
    return int(db.rows(query)[0][0])


async def notice(till: Till, client: Client, body: bytes, signature: str, remote: str) -> NoticeAck:
    """支付结果通知: the platform's server says an order was paid. Credited (or made a refund item) exactly as
    when the payer comes back, whether or not they ever do. Refused, and recorded: no or a bad signature, a
    stale one, the same signature again (a replay), an order that is not ours or differs from ours. An
    address whose notices were refused ``notice_refusals_allowed`` times within ``notice_refusal_window`` is
    answered 429 before anything is checked or written (the recorded refusals are the count, shared by every
    web process like the login throttle's), so forged notices cannot flood the table or the platform."""
    db, window = till.desk.db, till.notice_refusal_window
    if await db.read(_refused_lately, db, remote, utcnow() - window) >= till.notice_refusals_allowed:
        log.warning("payment notice throttled", refused_within_s=window.total_seconds())
        raise TooManyRequests(
            "NOTICE_RATE_LIMITED",
            f"该地址的缴费通知被拒次数过多, 请 {max(1, round(window.total_seconds() / 60))} 分钟后再试 "
            "/ too many refused notices from this address; try again later",
        )
    cashier = till.require()
    callback_id: int | None = None

    async def refuse(error: OneMatterError, order_id: str | None = None, payment_id: str | None = None) -> NoReturn:
        await db.run(_record, db, callback_id, "refused", error.code, remote, order_id, payment_id)
        log.warning("payment notice refused", code=error.code, order_id=order_id)
        raise error

    if not signature or not till.notice_secret:
        await refuse(Unauthorized("NOTICE_UNSIGNED", "缴费通知未签名 / the notice is not signed"))
    if not verify(till.notice_secret, body, signature):
        if verify(till.notice_secret, body, signature, tolerance_seconds=10**10):
            await refuse(Unauthorized("NOTICE_STALE", "缴费通知已过期 (疑为重放) / the notice's signature is too old"))
        await refuse(Unauthorized("NOTICE_SIGNATURE_INVALID", "缴费通知签名无效 / the notice's signature is invalid"))
    callback_id = await db.run(_take_signature, db, signature, remote)
    if callback_id is None:
        await refuse(Conflict("NOTICE_REPLAYED", "该缴费通知已收到过 (重放) / this notice was received before"))
    try:
        order = cashier.read_notice(body)
    except ValidationError:
        await refuse(ValidationFailed("NOTICE_MALFORMED", "缴费通知格式不符 / the notice is malformed", "body"))
    found = await db.run(_payer_row, db, order.order_id)
    if found is None:
        await refuse(
            NotFound("ORDER_NOT_FOUND", f"order_id: 没有该缴费订单 {order.order_id}", "order_id"), order.order_id
        )
    row, username = found
    if not _matches(row, order):
        mismatch = Conflict(
            "ORDER_MISMATCH", "缴费通知与订单不符, 未入账 / the notice differs from the order", "order_id"
        )
        await refuse(mismatch, order.order_id, order.payment_id)
    if order.status != "paid" or order.payment_id is None or order.paid_at is None:
        await db.run(_record, db, callback_id, "pending", "", remote, order.order_id, order.payment_id)
        return NoticeAck(status="pending", order_id=order.order_id)
    if row.status != "created":
        await db.run(_record, db, callback_id, "duplicate", "", remote, order.order_id, order.payment_id)
        return NoticeAck(status="duplicate", order_id=order.order_id)
    # The platform reports the payer's own payment into the order the payer opened: it is credited as
    # theirs (the case's timeline names the payer), the web vouching for the platform's signature.
    payer = Actor(user_id=username, role=Role.PARTY)
    status = await settle(till, client, payer, row, order)
    await db.run(_record, db, callback_id, status, "", remote, order.order_id, order.payment_id)
    return NoticeAck(status="credited" if status == "credited" else "unapplied", order_id=order.order_id)


# --- the judge's refund (退款) -------------------------------------------------------------------------------


def _pending_item(db: Database, case_id: str, order_id: str) -> PartyPayment | None:
    with db.session() as s:
        row = s.scalar(
            select(PartyPayment).where(
                PartyPayment.order_id == order_id,
                PartyPayment.case_id == case_id,
                PartyPayment.refund_state.is_not(None),
            )
        )
        if row is not None:
            s.expunge(row)
        return row


def _refunded(db: Database, order_id: str, by: str, reason: str, ref: str) -> None:
    with db.session() as s:
        s.execute(
            update(PartyPayment)
            .where(PartyPayment.order_id == order_id, PartyPayment.refund_state == "pending")
            .values(refund_state="refunded", refund_by=by, refund_at=utcnow(), refund_reason=reason, refund_ref=ref)
        )


async def refund(till: Till, client: Client, actor: Actor, case_id: str, order_id: str, body: RefundIn) -> RefundItem:
    """退款: the judge of the case's court decides a refund item; the platform pays it back to the payer once
    (keyed by the order), and the row records who decided, when and why. The case's timeline records it too
    while the case runs (a 终本 case does); the audit trail links it into its chain whether or not it runs
    (web/services/audit.py), since the money usually arrives after the case's run has ended."""
    require_role(actor, Role.JUDGE)
    db = till.desk.db
    entry = await cases.visible_entry(db, actor, case_id)
    row = await db.run(_pending_item, db, entry.case_id, order_id)
    if row is None:
        raise NotFound("REFUND_NOT_FOUND", f"order_id: 本案没有待退款的缴费 {order_id} / no refund item", "order_id")
    if row.refund_state != "pending":
        raise Conflict("REFUND_DONE", f"已于 {row.refund_at:%Y-%m-%d} 退款 / already refunded", "order_id")
    try:
        ref = await till.require().refund(f"refund:{order_id}", order_id, row.refund_fen or 0, body.reason)
    except PartnerError as exc:
        log.warning("refund not made", order_id=order_id, code=exc.code)
        raise ServiceUnavailable(
            "CASHIER_UNAVAILABLE", "缴费平台暂不可用, 请稍后再试 / the platform is unavailable"
        ) from exc
    await db.run(_refunded, db, order_id, actor.user_id, body.reason, ref)
    log.info("refund decided", order_id=order_id, case_id=case_id, by=actor.user_id)
    refunded = PaymentRefunded(order_id=order_id, refund_fen=row.refund_fen or 0, refund_ref=ref, reason=body.reason)
    try:
        await _to_case(client, actor, entry.workflow_id, entry.case_id, PAYMENT_REFUNDED_UPDATE, refunded)
    except OneMatterError as exc:  # the money went back and is on record: the case's timeline is the extra
        log.info("refund not on the case's timeline", order_id=order_id, code=exc.code)
    found = [i for i in await payment_refunds.of_case(db, entry.court, entry.case_id) if i.order_id == order_id]
    return found[0]


def _view(row: PartyPayment, payment_id: str | None) -> PaymentView:
    return PaymentView(
        order_id=row.order_id, case_id=row.case_id, amount_fen=row.amount_fen, status=row.status, payment_id=payment_id
    )
