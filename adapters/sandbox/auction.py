"""sandbox-v1 over HTTP for auction platforms (routes: docs/partner-protocol.md, "Auction platform")."""

from __future__ import annotations

from adapters.base import HttpPartnerAdapter, PartnerProtocolError, path_segment
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


class SandboxAuctionAdapter(HttpPartnerAdapter):
    async def request_valuation(self, idempotency_key: str, request: ValuationRequest) -> ValuationView:
        _, answer = await self.http.post("valuations", request, ValuationView, idempotency_key)
        if answer.request_id != request.request_id:
            raise PartnerProtocolError(self.partner_id, "REQUEST_ID_MISMATCH", "valuation is for another request")
        return answer

    async def get_valuation(self, valuation_id: str) -> ValuationView:
        return await self.http.get(f"valuations/{path_segment(valuation_id)}", ValuationView)

    async def publish(self, idempotency_key: str, request: PublishRequest) -> AuctionView:
        _, answer = await self.http.post("auctions", request, AuctionView, idempotency_key)
        return answer

    async def register_bidder(
        self, idempotency_key: str, auction_id: str, request: RegisterBidderRequest
    ) -> AuctionView:
        _, answer = await self.http.post(
            f"auctions/{path_segment(auction_id)}/bidders", request, AuctionView, idempotency_key
        )
        return answer

    async def get_auction(self, auction_id: str) -> AuctionView:
        return await self.http.get(f"auctions/{path_segment(auction_id)}", AuctionView)

    async def refund_deposits(self, idempotency_key: str, auction_id: str, request: RefundRequest) -> AuctionView:
        _, answer = await self.http.post(
            f"auctions/{path_segment(auction_id)}/refunds", request, AuctionView, idempotency_key
        )
        return answer

    async def forfeit_deposit(self, idempotency_key: str, auction_id: str, request: ForfeitRequest) -> ForfeitView:
        _, answer = await self.http.post(
            f"auctions/{path_segment(auction_id)}/forfeitures", request, ForfeitView, idempotency_key
        )
        return answer

    async def serve_ruling(self, idempotency_key: str, auction_id: str, request: ServeRulingRequest) -> RulingServed:
        _, answer = await self.http.post(
            f"auctions/{path_segment(auction_id)}/ruling", request, RulingServed, idempotency_key
        )
        return answer
