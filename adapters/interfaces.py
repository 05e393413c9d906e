"""The interface of each partner category. An implementation exists per protocol (``adapters.sandbox``
speaks sandbox-v1); a real partner's protocol is a new implementation of the same interface."""

from __future__ import annotations

from typing import Protocol

from adapters.auction.protocol import (
    ForfeitRequest,
    ForfeitView,
    PublishRequest,
    RefundRequest,
    RegisterBidderRequest,
    RulingServed,
    ServeRulingRequest,
    ValuationRequest,
    ValuationView,
)
from adapters.protocol import (
    AccountBalance,
    BatchItemAnswer,
    BatchTransfer,
    BatchTransferRequest,
    BatchTransferResponse,
    CaseAccountStatement,
    DeductionRequest,
    DeductionResponse,
    InquiryRequest,
    InquiryResponse,
    MeasureRequest,
    MeasureResponse,
    ReleaseRequest,
    RenewRequest,
    StatementLines,
    StatementPage,
)
from domain.auction import AuctionView
from domain.dishonest_list import EntryCorrection, EntryRemoval, ListEntry, PublishedEntry
from domain.joint_review import TitleRecord


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

    async def batch_transfer(self, idempotency_key: str, request: BatchTransferRequest) -> BatchTransferResponse:
        """批量代发 out of the case account; a repeated ``item_key`` gets its first answer and pays nothing."""
        ...

    async def statement(
        self, case_number: str, key_prefix: str = "", after: str = "", limit: int = 20_000
    ) -> StatementPage:
        """对账单 of batch items for a case (optionally only keys starting ``key_prefix``), page by page."""
        ...

    async def batch_transfer_items(self, idempotency_key: str, request: BatchTransfer) -> list[BatchItemAnswer]:
        """``batch_transfer`` as plain dicts (the same JSON), for batches of a million-payee payout."""
        ...

    async def statement_lines(
        self, case_number: str, key_prefix: str = "", after: str = "", limit: int = 50_000
    ) -> StatementLines:
        """``statement`` read as CSV pages, each entry the four fields a reconciliation needs."""
        ...

    async def account_balance(self, account: str) -> AccountBalance: ...

    async def case_account_statement(self, case_number: str) -> CaseAccountStatement:
        """入账流水 of the case account: every payment booked for ``case_number``, noticed or not."""
        ...


BankAdapter = FundsHolder
PaymentPlatformAdapter = FundsHolder
RealEstateRegistryAdapter = MeasureRegistry  # 不动产登记中心
VehicleRegistryAdapter = MeasureRegistry  # 公安交管 (police vehicle registry)


class AuctionPlatform(Protocol):
    """网络司法拍卖平台 (also a 司法网络询价平台): announcements, bidders and deposits, results, the ruling."""

    partner_id: str

    async def request_valuation(self, idempotency_key: str, request: ValuationRequest) -> ValuationView: ...

    async def get_valuation(self, valuation_id: str) -> ValuationView: ...

    async def publish(self, idempotency_key: str, request: PublishRequest) -> AuctionView: ...

    async def register_bidder(
        self, idempotency_key: str, auction_id: str, request: RegisterBidderRequest
    ) -> AuctionView: ...

    async def get_auction(self, auction_id: str) -> AuctionView: ...

    async def refund_deposits(self, idempotency_key: str, auction_id: str, request: RefundRequest) -> AuctionView: ...

    async def forfeit_deposit(self, idempotency_key: str, auction_id: str, request: ForfeitRequest) -> ForfeitView: ...

    async def serve_ruling(
        self, idempotency_key: str, auction_id: str, request: ServeRulingRequest
    ) -> RulingServed: ...

    async def aclose(self) -> None: ...


class TitleSearch(Protocol):
    """不动产登记中心: the register's entry for one unit (title, mortgages, seizures, 限购), for 一门联审."""

    partner_id: str

    async def title_record(self, unit_number: str) -> TitleRecord: ...

    async def aclose(self) -> None: ...


class DishonestListPublisher(Protocol):
    """全国失信被执行人名单库 (失信规定 Art. 7): publishes, corrects and removes entries."""

    partner_id: str

    async def publish(self, idempotency_key: str, entry: ListEntry) -> PublishedEntry: ...

    async def correct(self, idempotency_key: str, entry_id: str, correction: EntryCorrection) -> PublishedEntry: ...

    async def remove(self, idempotency_key: str, entry_id: str, removal: EntryRemoval) -> PublishedEntry: ...

    async def aclose(self) -> None: ...
