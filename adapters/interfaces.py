"""The interface of each partner category. An implementation exists per protocol (``adapters.sandbox``
speaks sandbox-v1); a real partner's protocol is a new implementation of the same interface."""

from __future__ import annotations

from typing import Protocol

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


class AssetInquiry(Protocol):
    partner_id: str

    async def inquire(self, request: InquiryRequest) -> InquiryResponse:
        """Answers now (``answered``) or later by callback (``accepted``)."""
        ...

    async def aclose(self) -> None: ...


class MeasureRegistry(AssetInquiry, Protocol):
    """A partner that registers control measures on assets it keeps: seize, renew, release."""

    async def register_measure(self, idempotency_key: str, request: MeasureRequest) -> MeasureResponse: ...

    async def renew_measure(self, idempotency_key: str, measure_id: str, request: RenewRequest) -> MeasureResponse: ...

    async def release_measure(
        self, idempotency_key: str, measure_id: str, request: ReleaseRequest
    ) -> MeasureResponse: ...


class FundsHolder(MeasureRegistry, Protocol):
    """Banks (银行) and payment platforms (网络支付平台): freeze up to an amount, then deduct (扣划)."""

    async def deduct(self, idempotency_key: str, request: DeductionRequest) -> DeductionResponse: ...


BankAdapter = FundsHolder
PaymentPlatformAdapter = FundsHolder
RealEstateRegistryAdapter = MeasureRegistry  # 不动产登记中心
VehicleRegistryAdapter = MeasureRegistry  # 公安交管 (police vehicle registry)
