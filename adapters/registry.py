"""Builds the adapter for each configured partner, by protocol. Workers own one registry for their life.

A partner's ``protocol`` chooses its adapter; a bank's ``payout_protocol``, when set, chooses the one its
payouts go through (its bulk-payment channel, e.g. ISO 20022 files), the rest staying on ``protocol``.
A new protocol is one folder under ``adapters/`` and one entry in the tables here (docs/partner-protocol.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import httpx

from adapters.base import PartnerRefusal, partner_transport
from adapters.interfaces import AuctionPlatform, DishonestListPublisher, FundsHolder, PayoutBank, TitleSearch
from adapters.iso20022.bank import Iso20022PayoutBank
from adapters.sandbox.auction import SandboxAuctionAdapter
from adapters.sandbox.callbacks import read_inquiry_callback as read_sandbox_callback
from adapters.sandbox.dishonest_list import SandboxDishonestListAdapter
from adapters.sandbox.partner import SandboxPartnerAdapter
from adapters.sandbox.title_search import SandboxTitleSearchAdapter
from domain.assets import InquiryCallbackAnswer
from domain.errors import ValidationFailed
from domain.partners import PartnerEndpoint

# Wraps each partner's transport, e.g. to trace its calls (runtime/tracing.py).
TransportWrapper = Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport]
AdapterFactory = Callable[[PartnerEndpoint, httpx.AsyncBaseTransport | None], FundsHolder]

PROTOCOLS: dict[str, AdapterFactory] = {
    "sandbox-v1": SandboxPartnerAdapter,
}
# A bank's payouts (case balance, batch transfers, their statement), by ``payout_protocol or protocol``.
PAYOUT_PROTOCOLS: dict[str, Callable[[PartnerEndpoint, httpx.AsyncBaseTransport | None], PayoutBank]] = {
    "sandbox-v1": SandboxPartnerAdapter,
    "iso20022": Iso20022PayoutBank,
}
# A partner's late answer to an inquiry, read from its callback's body.
CALLBACK_READERS: dict[str, Callable[[str, bytes], InquiryCallbackAnswer]] = {
    "sandbox-v1": read_sandbox_callback,
}
DISHONEST_LIST_PROTOCOLS: dict[str, Callable[[PartnerEndpoint], DishonestListPublisher]] = {
    "sandbox-v1": SandboxDishonestListAdapter,
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
        self._payout: dict[str, PayoutBank] = {}
        for e in self._endpoints.values():
            if not any(e.protocol in known for known in (PROTOCOLS, AUCTION_PROTOCOLS, TITLE_SEARCH_PROTOCOLS)):
                raise ValueError(f"partner {e.id}: unknown protocol {e.protocol!r}")
            if e.payout_protocol is not None and e.payout_protocol not in PAYOUT_PROTOCOLS:
                raise ValueError(f"partner {e.id}: unknown payout protocol {e.payout_protocol!r}")

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

    def payout_bank(self, partner_id: str) -> PayoutBank:
        """The bank's payout channel: its own adapter when the bank pays out over its main protocol."""
        adapter = self._payout.get(partner_id)
        if adapter is None:
            endpoint = self._endpoint(partner_id)
            if endpoint.payout_protocol is None:
                adapter = self.get(partner_id)
            else:
                adapter = PAYOUT_PROTOCOLS[endpoint.payout_protocol](endpoint, self._transport())
            self._payout[partner_id] = adapter
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
        for payout in self._payout.values():
            if payout not in self._adapters.values():
                await payout.aclose()
        self._adapters.clear()
        self._payout.clear()
        for auction in self._auction.values():
            await auction.aclose()
        for title in self._title.values():
            await title.aclose()
        self._auction.clear()
        self._title.clear()


def read_inquiry_callback(endpoint: PartnerEndpoint, body: bytes) -> InquiryCallbackAnswer:
    """A partner's callback body read by its protocol (the web authenticates the partner, not the body)."""
    reader = CALLBACK_READERS.get(endpoint.protocol)
    if reader is None:
        raise ValidationFailed("NO_CALLBACKS", f"partner {endpoint.id}'s protocol sends no callbacks", "partner_id")
    return reader(endpoint.id, body)
