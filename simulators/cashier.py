"""Payment platform simulator (网上缴费平台, 收银台), sandbox-v1: the page a debtor pays a case's account on.

- ``POST /cashier/v1/orders`` (the court's bearer token, an ``Idempotency-Key``): ``{"order_id",
  "case_number", "amount_fen", "return_url"}`` → 201 ``{"order_id", "pay_url", "status"}``. The order is the
  court's: it names the case account the money goes to; the payer cannot change it on the page.
- ``GET /cashier/pay/{order_id}``: the payment page in the payer's browser (case number, amount, a button).
- ``POST /cashier/pay/{order_id}``: the payer confirms; the order is paid once (a serial ``payment_id``) and
  the browser goes back to the court's ``return_url``. Paying a paid order changes nothing.
- ``GET /cashier/v1/orders/{order_id}`` (bearer): the order as the platform has it — what the court credits.

State: ``cashier.db`` in the simulators' state directory.
"""

from __future__ import annotations

import html
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from adapters.sandbox.wire import IDEMPOTENCY_HEADER
from domain.money import PositiveFen
from simulators.errors import SimulatorError
from simulators.guards import expected_authorization, idempotency_key, require_bearer
from simulators.sqlite import LockedSqlite, StoredAnswer

SANDBOX_CASHIER_TOKEN = "sandbox-cashier"  # the court's token in the sandbox (config/settings.py)
OrderId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9-]{4,80}$")]

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY, case_number TEXT NOT NULL, amount_fen INTEGER NOT NULL, return_url TEXT NOT NULL,
    status TEXT NOT NULL, payment_id TEXT, created_at TEXT NOT NULL, paid_at TEXT);
"""


class NewOrder(BaseModel):
    order_id: str = Field(pattern=r"^[A-Za-z0-9-]{4,80}$")
    case_number: str = Field(min_length=3, max_length=64)
    amount_fen: PositiveFen
    return_url: str = Field(pattern=r"^https?://", max_length=500)


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


def build_cashier_router(state_dir: Path | None, token: str = SANDBOX_CASHIER_TOKEN) -> APIRouter:
    store = Cashier(state_dir / "cashier.db" if state_dir else None)
    expected = expected_authorization(token)
    router = APIRouter(tags=["payment platform (sandbox-v1)"])

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
        return RedirectResponse(store.pay(order_id), status_code=303)

    return router


def _key(request: Request) -> str:
    return idempotency_key(request.headers.get(IDEMPOTENCY_HEADER))
