"""sandbox-v1 of the payment platform's cashier (simulators/cashier.py)."""

from __future__ import annotations

import httpx
from pydantic import BaseModel

from adapters.base import PartnerHttpClient
from adapters.cashier.port import PayOrder
from domain.partners import PartnerEndpoint


class _NewOrder(BaseModel):
    order_id: str
    case_number: str
    amount_fen: int
    return_url: str
    notify_url: str = ""


class _RefundIn(BaseModel):
    amount_fen: int
    reason: str


class _Refund(BaseModel):
    refund_id: str


class SandboxCashier:
    def __init__(self, endpoint: PartnerEndpoint, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.http = PartnerHttpClient(endpoint, transport=transport)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def open_order(
        self,
        idempotency_key: str,
        order_id: str,
        case_number: str,
        amount_fen: int,
        return_url: str,
        notify_url: str = "",
    ) -> PayOrder:
        body = _NewOrder(
            order_id=order_id,
            case_number=case_number,
            amount_fen=amount_fen,
            return_url=return_url,
            notify_url=notify_url,
        )
        _, answer = await self.http.post("cashier/v1/orders", body, PayOrder, idempotency_key)
        return answer

    async def order(self, order_id: str) -> PayOrder:
        return await self.http.get(f"cashier/v1/orders/{order_id}", PayOrder)

    def read_notice(self, body: bytes) -> PayOrder:
        return PayOrder.model_validate_json(body)

    async def refund(self, idempotency_key: str, order_id: str, amount_fen: int, reason: str) -> str:
        body = _RefundIn(amount_fen=amount_fen, reason=reason)
        _, answer = await self.http.post(f"cashier/v1/orders/{order_id}/refund", body, _Refund, idempotency_key)
        return answer.refund_id
