"""sandbox-v1 over HTTP: the protocol our simulators speak (docs/partner-protocol.md)."""

from __future__ import annotations

import httpx

from adapters.base import PartnerHttpClient, PartnerProtocolError
from adapters.protocol import (
    AccountBalance,
    BatchTransferRequest,
    BatchTransferResponse,
    DeductionRequest,
    DeductionResponse,
    InquiryRequest,
    InquiryResponse,
    MeasureRequest,
    MeasureResponse,
    ReleaseRequest,
    RenewRequest,
    StatementPage,
)
from domain.partners import PartnerEndpoint


class SandboxPartnerAdapter:
    """Implements every category interface; which calls a partner accepts is the partner's business."""

    def __init__(self, endpoint: PartnerEndpoint, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.http = PartnerHttpClient(endpoint, transport=transport)
        self.partner_id = endpoint.id

    async def aclose(self) -> None:
        await self.http.aclose()

    async def inquire(self, request: InquiryRequest) -> InquiryResponse:
        status, answer = await self.http.post("inquiries", request, InquiryResponse)
        if answer.request_id != request.request_id:
            raise PartnerProtocolError(self.partner_id, "REQUEST_ID_MISMATCH", "answer is for another request")
        if status == 202 and answer.status != "accepted":
            raise PartnerProtocolError(self.partner_id, "STATUS_MISMATCH", "202 without status 'accepted'")
        return answer

    async def register_measure(self, idempotency_key: str, request: MeasureRequest) -> MeasureResponse:
        _, answer = await self.http.post("measures", request, MeasureResponse, idempotency_key)
        return answer

    async def renew_measure(self, idempotency_key: str, measure_id: str, request: RenewRequest) -> MeasureResponse:
        _, answer = await self.http.post(f"measures/{measure_id}/renew", request, MeasureResponse, idempotency_key)
        return answer

    async def release_measure(self, idempotency_key: str, measure_id: str, request: ReleaseRequest) -> MeasureResponse:
        _, answer = await self.http.post(f"measures/{measure_id}/release", request, MeasureResponse, idempotency_key)
        return answer

    async def deduct(self, idempotency_key: str, request: DeductionRequest) -> DeductionResponse:
        _, answer = await self.http.post("deductions", request, DeductionResponse, idempotency_key)
        return answer

    async def batch_transfer(self, idempotency_key: str, request: BatchTransferRequest) -> BatchTransferResponse:
        """批量代发: pays many payees from the case account; each item is idempotent by its ``item_key``."""
        _, answer = await self.http.post("batch-transfers", request, BatchTransferResponse, idempotency_key)
        if answer.batch_id != request.batch_id:
            raise PartnerProtocolError(self.partner_id, "BATCH_ID_MISMATCH", "answer is for another batch")
        return answer

    async def statement(
        self, case_number: str, key_prefix: str = "", after: str = "", limit: int = 20_000
    ) -> StatementPage:
        """对账单: the bank's own record of batch items for a case, in ``item_key`` order, page by page."""
        params = {"case_number": case_number, "key_prefix": key_prefix, "after": after, "limit": limit}
        return await self.http.get("batch-transfers/statement", StatementPage, params=params)

    async def account_balance(self, account: str) -> AccountBalance:
        """余额: the balance of an account the court holds at this bank (the case account)."""
        return await self.http.get("accounts/balance", AccountBalance, params={"account": account})
