"""What the web needs of a payment platform's cashier, in its own terms: open an order to pay one case's
account (the payer's browser is sent to its page), read afterwards whether it was paid, read the platform's
own notice that it was (its server calls the court's), and give money back (退款)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel


class PayOrder(BaseModel):
    """An order as the platform has it: the case account it pays, the amount, and once paid, the platform's
    serial number of the payment (what the case credits, once)."""

    order_id: str
    case_number: str
    amount_fen: int
    status: str  # created | paid
    payment_id: str | None = None
    paid_at: datetime | None = None
    pay_url: str = ""


class Cashier(Protocol):
    async def open_order(
        self,
        idempotency_key: str,
        order_id: str,
        case_number: str,
        amount_fen: int,
        return_url: str,
        notify_url: str = "",
    ) -> PayOrder:
        """Opens the order once per key; its ``pay_url`` is the page the payer's browser goes to. Once paid,
        the platform posts its notice to ``notify_url`` (if given)."""
        ...

    async def order(self, order_id: str) -> PayOrder: ...

    def read_notice(self, body: bytes) -> PayOrder:
        """The paid order in the platform's notice (its signature is checked by the receiver first)."""
        ...

    async def refund(self, idempotency_key: str, order_id: str, amount_fen: int, reason: str) -> str:
        """Pays ``amount_fen`` of a paid order back to its payer, once per key: the platform's refund id."""
        ...

    async def aclose(self) -> None: ...
