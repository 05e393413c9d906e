"""sandbox-v1 over HTTP for auction platforms (routes: docs/partner-protocol.md, "Auction platform")."""

from __future__ import annotations

from urllib.parse import quote

import httpx

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
from adapters.base import PartnerHttpClient, PartnerProtocolError
from domain.auction import AuctionView
from domain.partners import PartnerEndpoint


class SandboxAuctionAdapter:
    def __init__(self, endpoint: PartnerEndpoint, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.http = PartnerHttpClient(endpoint, transport=transport)
        self.partner_id = endpoint.id

    async def aclose(self) -> None:
        await self.http.aclose()

    async def request_valuation(self, idempotency_key: str, request: ValuationRequest) -> ValuationView:
        _, answer = await self.http.post("valuations", request, ValuationView, idempotency_key)
        if answer.request_id != request.request_id:
            raise PartnerProtocolError(self.partner_id, "REQUEST_ID_MISMATCH", "valuation is for another request")
        return answer

    async def get_valuation(self, valuation_id: str) -> ValuationView:
        return await self.http.get(f"valuations/{quote(valuation_id, safe='')}", ValuationView)

    async def publish(self, idempotency_key: str, request: PublishRequest) -> AuctionView:
        _, answer = await self.http.post("auctions", request, AuctionView, idempotency_key)
        return answer

    async def register_bidder(
        self, idempotency_key: str, auction_id: str, request: RegisterBidderRequest
    ) -> AuctionView:
        _, answer = await self.http.post(f"auctions/{_q(auction_id)}/bidders", request, AuctionView, idempotency_key)
        return answer

    async def get_auction(self, auction_id: str) -> AuctionView:
        return await self.http.get(f"auctions/{_q(auction_id)}", AuctionView)

    async def refund_deposits(self, idempotency_key: str, auction_id: str, request: RefundRequest) -> AuctionView:
        _, answer = await self.http.post(f"auctions/{_q(auction_id)}/refunds", request, AuctionView, idempotency_key)
        return answer

    async def forfeit_deposit(self, idempotency_key: str, auction_id: str, request: ForfeitRequest) -> ForfeitView:
        _, answer = await self.http.post(
            f"auctions/{_q(auction_id)}/forfeitures", request, ForfeitView, idempotency_key
        )
        return answer

    async def serve_ruling(self, idempotency_key: str, auction_id: str, request: ServeRulingRequest) -> RulingServed:
        _, answer = await self.http.post(f"auctions/{_q(auction_id)}/ruling", request, RulingServed, idempotency_key)
        return answer


def _q(segment: str) -> str:
    return quote(segment, safe="")
