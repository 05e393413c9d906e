"""Builds the adapter for each configured partner, by protocol. Workers own one registry for their life."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import httpx

from adapters.base import PartnerRefusal
from adapters.interfaces import FundsHolder
from adapters.sandbox import SandboxPartnerAdapter
from domain.partners import PartnerEndpoint

AdapterFactory = Callable[[PartnerEndpoint, httpx.AsyncBaseTransport | None], FundsHolder]

PROTOCOLS: dict[str, AdapterFactory] = {
    "sandbox-v1": SandboxPartnerAdapter,
}


class AdapterRegistry:
    def __init__(self, endpoints: Iterable[PartnerEndpoint], transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._endpoints = {e.id: e for e in endpoints}
        self._transport = transport
        self._adapters: dict[str, FundsHolder] = {}
        for e in self._endpoints.values():
            if e.protocol not in PROTOCOLS:
                raise ValueError(f"partner {e.id}: unknown protocol {e.protocol!r}")

    def endpoints(self) -> list[PartnerEndpoint]:
        return list(self._endpoints.values())

    def get(self, partner_id: str) -> FundsHolder:
        adapter = self._adapters.get(partner_id)
        if adapter is None:
            endpoint = self._endpoints.get(partner_id)
            if endpoint is None:
                raise PartnerRefusal(partner_id, "UNKNOWN_PARTNER", "partner is not configured on this worker")
            adapter = PROTOCOLS[endpoint.protocol](endpoint, self._transport)
            self._adapters[partner_id] = adapter
        return adapter

    async def aclose(self) -> None:
        for adapter in self._adapters.values():
            await adapter.aclose()
        self._adapters.clear()
