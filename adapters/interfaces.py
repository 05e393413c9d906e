"""The ports: what the court asks of each category of partner, in the domain's terms. Nothing here names a
wire format: each protocol (``adapters.sandbox`` speaks sandbox-v1, ``adapters.iso20022`` a bank's ISO 20022
files) implements a port and translates at its own edge, so a real partner's protocol arrives as one new
folder and one line in ``adapters.registry`` (docs/partner-protocol.md)."""

from __future__ import annotations

from typing import Protocol

from domain.assets import InquiryAnswer, InquiryRequest
from domain.assistance import (
    CaseAccountStatement,
    DeductionRequest,
    DeductionResponse,
    MeasureRequest,
    MeasureResponse,
    ReleaseRequest,
    RenewRequest,
)
from domain.auction import AuctionView
from domain.auction_orders import (
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
from domain.dishonest_list import EntryCorrection, EntryRemoval, ListEntry, PublishedEntry
from domain.joint_review import TitleRecord
from domain.payout import BatchItemAnswer, BatchTransfer, StatementLines


class AssetInquiry(Protocol):
    partner_id: str

    async def inquire(self, request: InquiryRequest) -> InquiryAnswer | None:
        """The answer now (assets found, or a refusal), or None: accepted, the answer comes by callback."""
        ...

    async def aclose(self) -> None: ...


class MeasureRegistry(AssetInquiry, Protocol):
    """A partner that registers control measures on assets it keeps: seize, renew, release."""

    async def register_measure(self, idempotency_key: str, request: MeasureRequest) -> MeasureResponse: ...

    async def renew_measure(self, idempotency_key: str, measure_id: str, request: RenewRequest) -> MeasureResponse: ...

    async def release_measure(
        self, idempotency_key: str, measure_id: str, request: ReleaseRequest
    ) -> MeasureResponse: ...


class PayoutBank(Protocol):
    """The bank holding a case account (案款账户), as the payouts use it: its balance, batch transfers
    (批量代发) out of it, and the bank's statement of them (对账单). Every item is keyed by its ``item_key``
    (workflow id + payee + round): a repeated key gets its first answer and pays nothing."""

    partner_id: str

    async def account_balance(self, account: str) -> int:
        """余额 of the case account, in fen."""
        ...

    async def batch_transfer_items(self, idempotency_key: str, request: BatchTransfer) -> list[BatchItemAnswer]:
        """Pays a batch; the answers may come in any order, and an item left out is unknown (sent again)."""
        ...

    async def statement_lines(
        self, case_number: str, key_prefix: str = "", after: str = "", limit: int = 50_000
    ) -> StatementLines:
        """The bank's own record of batch items for a case (only keys starting ``key_prefix``), in key
        order after ``after``, a page at a time: every final answer, paid or not."""
        ...

    async def aclose(self) -> None: ...


class FundsHolder(MeasureRegistry, PayoutBank, Protocol):
    """Banks (银行) and payment platforms (网络支付平台): freeze up to an amount, then deduct (扣划)."""

    async def deduct(self, idempotency_key: str, request: DeductionRequest) -> DeductionResponse: ...

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
