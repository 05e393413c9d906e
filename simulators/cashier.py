"""Payment platform simulator (网上缴费平台, 收银台), sandbox-v1: the page a debtor pays a case's account on.

- ``POST /cashier/v1/orders`` (the court's bearer token, an ``Idempotency-Key``): ``{"order_id",
  "case_number", "amount_fen", "return_url"}`` → 201 ``{"order_id", "pay_url", "status"}``. The order is the
  court's: it names the case account the money goes to; the payer cannot change it on the page.
- ``GET /cashier/pay/{order_id}``: the payment page in the payer's browser (case number, amount, a button).
- ``POST /cashier/pay/{order_id}``: the payer confirms; the order is paid once (a serial ``payment_id``) and
  the browser goes back to the court's ``return_url``. Paying a paid order changes nothing.
- The payment result notice (支付结果通知): once paid, the platform POSTs the paid order to the order's
  ``notify_url`` — the court's server, whatever the payer's browser does next — signed
  ``X-OM-Signature`` (security/webhook_signature.py) under the court's webhook secret, retried with
  backoff until the court answers 2xx or refuses with a 4xx. Body: ``{"order_id", "payment_id",
  "case_number", "amount_fen", "paid_at", "status"}``. ``POST /_sandbox/cashier/notify/{order_id}`` sends it
  again, freshly signed (a platform's retry).
- ``GET /cashier/v1/orders/{order_id}`` (bearer): the order as the platform has it — what the court credits.
- ``POST /cashier/v1/orders/{order_id}/refund`` (bearer, ``Idempotency-Key``): ``{"amount_fen", "reason"}`` →
  ``{"refund_id", "order_id", "amount_fen"}``: a paid order's money (or part of it) back to the payer, once
  per key; never more than was paid.

State: ``cashier.db`` in the simulators' state directory.
"""

from __future__ import annotations

import asyncio
import html
import json
import sqlite3
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from adapters.sandbox.wire import IDEMPOTENCY_HEADER
from domain.money import PositiveFen
from runtime.logging import get_logger
from security.webhook_signature import SIGNATURE_HEADER, sign
from simulators.errors import SimulatorError
from simulators.guards import expected_authorization, idempotency_key, require_bearer
from simulators.sqlite import LockedSqlite, StoredAnswer

log = get_logger(__name__)

SANDBOX_CASHIER_TOKEN = "sandbox-cashier"  # the court's token in the sandbox (config/settings.py)
# The secret the platform signs its notices with, shared with the court (config/settings.py, sandbox).
SANDBOX_CASHIER_WEBHOOK_SECRET = "sandbox-cashier-webhook"
NOTIFY_ATTEMPTS = 5
NOTIFY_BACKOFF_SECONDS = 1.0  # at least a second: a retry is signed at a new second, never a replay
OrderId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9-]{4,80}$")]

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY, case_number TEXT NOT NULL, amount_fen INTEGER NOT NULL, return_url TEXT NOT NULL,
    status TEXT NOT NULL, payment_id TEXT, created_at TEXT NOT NULL, paid_at TEXT);
CREATE TABLE IF NOT EXISTS notices (
    order_id TEXT PRIMARY KEY, notify_url TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0, last_status INTEGER);
CREATE TABLE IF NOT EXISTS refunds (
    refund_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, amount_fen INTEGER NOT NULL, reason TEXT NOT NULL,
    at TEXT NOT NULL);
"""


class NewOrder(BaseModel):
    order_id: str = Field(pattern=r"^[A-Za-z0-9-]{4,80}$")
    case_number: str = Field(min_length=3, max_length=64)
    amount_fen: PositiveFen
    return_url: str = Field(pattern=r"^https?://", max_length=500)
    notify_url: str = Field(default="", pattern=r"^(https?://.*)?$", max_length=500)


class RefundIn(BaseModel):
    amount_fen: PositiveFen
    reason: str = Field(min_length=1, max_length=500)


class Refund(BaseModel):
    refund_id: str
    order_id: str
    amount_fen: int


class Order(BaseModel):
    order_id: str
    case_number: str
    amount_fen: int
    status: str = Field(description="created | paid")
    payment_id: str | None = None
    paid_at: datetime | None = None
    pay_url: str = ""


class Cashier(LockedSqlite):
    def __init__(self, path: Path | None) -> None:
        super().__init__(path, SCHEMA)

    def create(self, key: str, order: NewOrder) -> StoredAnswer:
        def effect(db: sqlite3.Connection) -> tuple[int, bytes]:
            now = datetime.now(UTC).isoformat()
            try:
                db.execute(
                    "INSERT INTO orders VALUES (?, ?, ?, ?, 'created', NULL, ?, NULL)",
                    (order.order_id, order.case_number, order.amount_fen, order.return_url, now),
                )
            except sqlite3.IntegrityError:
                raise SimulatorError(409, "ORDER_EXISTS", f"order {order.order_id} exists") from None
            if order.notify_url:
                db.execute(
                    "INSERT INTO notices (order_id, notify_url) VALUES (?, ?)", (order.order_id, order.notify_url)
                )
            created = Order(order_id=order.order_id, case_number=order.case_number, amount_fen=order.amount_fen,
                            status="created")  # fmt: skip
            return 201, created.model_dump_json().encode()

        return self.once("", key, "create-order", effect)

    def get(self, order_id: str) -> tuple[Order, str]:
        with self._lock:
            row = self._db.execute(
                "SELECT order_id, case_number, amount_fen, status, payment_id, paid_at, return_url FROM orders "
                "WHERE order_id=?",
                (order_id,),
            ).fetchone()
        if row is None:
            raise SimulatorError(404, "ORDER_NOT_FOUND", f"no order {order_id}")
        paid_at = datetime.fromisoformat(row[5]) if row[5] else None
        order = Order(order_id=row[0], case_number=row[1], amount_fen=row[2], status=row[3], payment_id=row[4],
                      paid_at=paid_at)  # fmt: skip
        return order, row[6]

    def pay(self, order_id: str) -> str:
        """Pays the order once; the return URL to send the browser to."""
        with self._tx() as db:
            db.execute(
                "UPDATE orders SET status='paid', payment_id=?, paid_at=? WHERE order_id=? AND status='created'",
                (f"PAY{uuid.uuid4().hex[:20].upper()}", datetime.now(UTC).isoformat(), order_id),
            )
        _, return_url = self.get(order_id)
        return return_url

    def notice(self, order_id: str) -> tuple[str, bytes] | None:
        """Where the paid order's notice goes and its body, if the court asked for one."""
        order, _ = self.get(order_id)
        with self._lock:
            row = self._db.execute("SELECT notify_url FROM notices WHERE order_id=?", (order_id,)).fetchone()
        if row is None or order.status != "paid":
            return None
        body = order.model_dump(mode="json", exclude={"pay_url"})
        return row[0], json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    def noticed(self, order_id: str, status: str, attempts: int, last_status: int | None) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE notices SET status=?, attempts=attempts+?, last_status=? WHERE order_id=?",
                (status, attempts, last_status, order_id),
            )

    def unnoticed(self) -> list[str]:
        """Paid orders whose notice the court has not taken yet (sent again after a restart)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT n.order_id FROM notices n JOIN orders o USING (order_id) "
                "WHERE n.status='pending' AND o.status='paid'"
            ).fetchall()
        return [r[0] for r in rows]

    def refund(self, key: str, order_id: str, body: RefundIn) -> StoredAnswer:
        def effect(db: sqlite3.Connection) -> tuple[int, bytes]:
            row = db.execute("SELECT status, amount_fen FROM orders WHERE order_id=?", (order_id,)).fetchone()
            if row is None:
                raise SimulatorError(404, "ORDER_NOT_FOUND", f"no order {order_id}")
            if row[0] != "paid":
                raise SimulatorError(409, "ORDER_NOT_PAID", f"order {order_id} is not paid")
            (refunded,) = db.execute(
                "SELECT COALESCE(SUM(amount_fen), 0) FROM refunds WHERE order_id=?", (order_id,)
            ).fetchone()
            if refunded + body.amount_fen > row[1]:
                raise SimulatorError(422, "REFUND_OVER_PAID", f"at most {row[1] - refunded} fen is left to refund")
            refund = Refund(
                refund_id=f"RF{uuid.uuid4().hex[:20].upper()}", order_id=order_id, amount_fen=body.amount_fen
            )
            db.execute(
                "INSERT INTO refunds VALUES (?, ?, ?, ?, ?)",
                (refund.refund_id, order_id, body.amount_fen, body.reason, datetime.now(UTC).isoformat()),
            )
            return 201, refund.model_dump_json().encode()

        return self.once("", key, "refund", effect)


class Notifier:
    """Sends paid orders' notices to the court, signed, retried with backoff; the row records the outcome."""

    def __init__(self, store: Cashier, secret: str) -> None:
        self.store, self.secret = store, secret
        self.tasks: set[asyncio.Task[None]] = set()

    def schedule(self, order_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self.deliver(order_id))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def deliver(self, order_id: str) -> None:
        notice = self.store.notice(order_id)
        if notice is None:
            return
        url, body = notice
        status: int | None = None
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0)) as client:
            for attempt in range(1, NOTIFY_ATTEMPTS + 1):
                headers = {
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(self.secret, body, int(time.time())),
                }
                try:
                    status = (await client.post(url, content=body, headers=headers)).status_code
                except httpx.TransportError:
                    status = None
                if status is not None and (status < 300 or (status < 500 and status not in (408, 425, 429))):
                    self.store.noticed(order_id, "delivered" if status < 300 else "refused", attempt, status)
                    return
                await asyncio.sleep(NOTIFY_BACKOFF_SECONDS * 2 ** (attempt - 1))
        log.warning("payment notice undeliverable", order_id=order_id, status=status)
        self.store.noticed(order_id, "failed", NOTIFY_ATTEMPTS, status)


def _page(order: Order) -> str:
    amount = f"{order.amount_fen / 100:,.2f}"
    done = order.status == "paid"
    button = (
        "<p class=done>已支付 / paid</p>"
        if done
        else "<form method=post><button type=submit id=pay>确认支付 / Pay</button></form>"
    )
    return f"""<!doctype html><html lang=zh-CN><head><meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1"><title>网上缴费 (模拟)</title>
<style>body{{font-family:sans-serif;margin:0;padding:16px;max-width:480px}}
button{{width:100%;min-height:48px;font-size:18px}}dd{{margin:0 0 12px}}</style></head><body>
<h1>网上缴费 · 模拟支付平台</h1><p>款项付入法院案款账户, 不能改付他处。</p>
<dl><dt>案号</dt><dd id=case>{html.escape(order.case_number)}</dd>
<dt>金额 (元)</dt><dd id=amount>{amount}</dd><dt>订单</dt><dd>{html.escape(order.order_id)}</dd></dl>
{button}</body></html>"""


def build_cashier_router(
    state_dir: Path | None,
    token: str = SANDBOX_CASHIER_TOKEN,
    webhook_secret: str = SANDBOX_CASHIER_WEBHOOK_SECRET,
) -> APIRouter:
    store = Cashier(state_dir / "cashier.db" if state_dir else None)
    notifier = Notifier(store, webhook_secret)
    expected = expected_authorization(token)
    router = APIRouter(tags=["payment platform (sandbox-v1)"])
    resumed = False

    def resume_once() -> None:
        """Notices not delivered before a restart go out again, with the first payment after it (on the app's loop)."""
        nonlocal resumed
        if not resumed:
            resumed = True
            for order_id in store.unnoticed():
                notifier.schedule(order_id)

    @router.post("/cashier/v1/orders", status_code=201, response_model=Order)
    async def create(order: NewOrder, request: Request, key: Annotated[str, Depends(_key)]) -> Response:
        require_bearer(request.headers.get("authorization"), expected)
        answer = store.create(key, order)
        if answer.status != 201:
            return Response(answer.body, status_code=answer.status, media_type="application/json")
        created = Order.model_validate_json(answer.body)
        created.pay_url = str(request.url_for("pay_page", order_id=created.order_id))
        return Response(created.model_dump_json(), status_code=201, media_type="application/json")

    @router.get("/cashier/v1/orders/{order_id}", response_model=Order)
    async def read(order_id: OrderId, request: Request) -> Order:
        require_bearer(request.headers.get("authorization"), expected)
        return store.get(order_id)[0]

    @router.get("/cashier/pay/{order_id}", response_class=HTMLResponse, name="pay_page")
    async def pay_page(order_id: OrderId) -> HTMLResponse:
        return HTMLResponse(_page(store.get(order_id)[0]))

    @router.post("/cashier/pay/{order_id}")
    async def pay(order_id: OrderId) -> Response:
        resume_once()
        back = store.pay(order_id)
        notifier.schedule(order_id)  # the court hears of it from us, whatever the payer's browser does
        return RedirectResponse(back, status_code=303)

    @router.post("/_sandbox/cashier/notify/{order_id}", status_code=202)
    async def notify_again(order_id: OrderId) -> dict[str, str]:
        """The sandbox's hand on the platform: the paid order's notice sent again, freshly signed."""
        store.get(order_id)
        notifier.schedule(order_id)
        return {"order_id": order_id}

    @router.post("/cashier/v1/orders/{order_id}/refund", status_code=201, response_model=Refund)
    async def refund(
        order_id: OrderId, body: RefundIn, request: Request, key: Annotated[str, Depends(_key)]
    ) -> Response:
        require_bearer(request.headers.get("authorization"), expected)
        answer = store.refund(key, order_id, body)
        return Response(answer.body, status_code=answer.status, media_type="application/json")

    return router


def _key(request: Request) -> str:
    return idempotency_key(request.headers.get(IDEMPOTENCY_HEADER))
