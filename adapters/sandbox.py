"""sandbox-v1 over HTTP: the protocol our simulators speak (docs/partner-protocol.md)."""

from __future__ import annotations

import httpx

from adapters.base import PartnerHttpClient, PartnerProtocolError
from adapters.protocol import (
    DeductionRequest,
    DeductionResponse,
    InquiryRequest,
    InquiryResponse,
    MeasureRequest,
    MeasureResponse,
    ReleaseRequest,
    RenewRequest,
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
