"""Builds the adapter for each configured partner, by protocol. Workers own one registry for their life."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import httpx

from adapters.auction.sandbox import SandboxAuctionAdapter
from adapters.base import PartnerRefusal, partner_transport
from adapters.interfaces import AuctionPlatform, FundsHolder, TitleSearch
from adapters.real_estate.title_search import SandboxTitleSearchAdapter
from adapters.sandbox import SandboxPartnerAdapter
from domain.partners import PartnerEndpoint

# Wraps each partner's transport, e.g. to trace its calls (runtime/tracing.py).
TransportWrapper = Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport]
AdapterFactory = Callable[[PartnerEndpoint, httpx.AsyncBaseTransport | None], FundsHolder]

PROTOCOLS: dict[str, AdapterFactory] = {
    "sandbox-v1": SandboxPartnerAdapter,
}
# Auction platforms and the registry's title search, per protocol (real-estate disposal).
AUCTION_PROTOCOLS: dict[str, Callable[[PartnerEndpoint, httpx.AsyncBaseTransport | None], AuctionPlatform]] = {
    "sandbox-v1": SandboxAuctionAdapter,
}
TITLE_SEARCH_PROTOCOLS: dict[str, Callable[[PartnerEndpoint, httpx.AsyncBaseTransport | None], TitleSearch]] = {
    "sandbox-v1": SandboxTitleSearchAdapter,
}


class AdapterRegistry:
    def __init__(
        self,
        endpoints: Iterable[PartnerEndpoint],
        transport: httpx.AsyncBaseTransport | None = None,
        wrap_transport: TransportWrapper | None = None,
    ) -> None:
        self._endpoints = {e.id: e for e in endpoints}
        self._shared_transport = transport
        self._wrap_transport = wrap_transport
        self._adapters: dict[str, FundsHolder] = {}
        self._auction: dict[str, AuctionPlatform] = {}
        self._title: dict[str, TitleSearch] = {}
        for e in self._endpoints.values():
            if not any(e.protocol in known for known in (PROTOCOLS, AUCTION_PROTOCOLS, TITLE_SEARCH_PROTOCOLS)):
                raise ValueError(f"partner {e.id}: unknown protocol {e.protocol!r}")

    def endpoints(self) -> list[PartnerEndpoint]:
        return list(self._endpoints.values())

    def get(self, partner_id: str) -> FundsHolder:
        adapter = self._adapters.get(partner_id)
        if adapter is None:
            endpoint = self._endpoints.get(partner_id)
            if endpoint is None:
                raise PartnerRefusal(partner_id, "UNKNOWN_PARTNER", "partner is not configured on this worker")
            adapter = PROTOCOLS[endpoint.protocol](endpoint, self._transport())
            self._adapters[partner_id] = adapter
        return adapter

    def auction(self, partner_id: str) -> AuctionPlatform:
        adapter = self._auction.get(partner_id)
        if adapter is None:
            endpoint = self._endpoint(partner_id)
            adapter = AUCTION_PROTOCOLS[endpoint.protocol](endpoint, self._transport())
            self._auction[partner_id] = adapter
        return adapter

    def title_search(self, partner_id: str) -> TitleSearch:
        adapter = self._title.get(partner_id)
        if adapter is None:
            endpoint = self._endpoint(partner_id)
            adapter = TITLE_SEARCH_PROTOCOLS[endpoint.protocol](endpoint, self._transport())
            self._title[partner_id] = adapter
        return adapter

    def _transport(self) -> httpx.AsyncBaseTransport | None:
        """The transport a new adapter gets: the shared one if given (tests), else its own pool; wrapped
        when the registry wraps."""
        if self._wrap_transport is None:
            return self._shared_transport
        return self._wrap_transport(self._shared_transport or partner_transport())

    def _endpoint(self, partner_id: str) -> PartnerEndpoint:
        endpoint = self._endpoints.get(partner_id)
        if endpoint is None:
            raise PartnerRefusal(partner_id, "UNKNOWN_PARTNER", "partner is not configured on this worker")
        return endpoint

    async def aclose(self) -> None:
        for adapter in self._adapters.values():
            await adapter.aclose()
        self._adapters.clear()
        for auction in self._auction.values():
            await auction.aclose()
        for title in self._title.values():
            await title.aclose()
        self._auction.clear()
        self._title.clear()
