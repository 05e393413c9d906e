"""sandbox-v1 of the national dishonest-debtor list (全国失信被执行人名单库, 失信规定 Art. 7): publish an
entry, correct it, remove it (delete or revoke). Every call carries the step's idempotency key."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from adapters.base import PartnerHttpClient
from domain.dishonest_list import EntryCorrection, EntryRemoval, ListEntry, PublishedEntry
from domain.partners import PartnerEndpoint


class SandboxDishonestListAdapter:
    def __init__(self, endpoint: PartnerEndpoint, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.http = PartnerHttpClient(endpoint, transport=transport)
        self.partner_id = endpoint.id

    async def aclose(self) -> None:
        await self.http.aclose()

    async def publish(self, idempotency_key: str, entry: ListEntry) -> PublishedEntry:
        _, answer = await self.http.post("dishonest-entries", entry, PublishedEntry, idempotency_key)
        return answer

    async def correct(self, idempotency_key: str, entry_id: str, correction: EntryCorrection) -> PublishedEntry:
        path = f"dishonest-entries/{quote(entry_id, safe='')}/corrections"
        _, answer = await self.http.post(path, correction, PublishedEntry, idempotency_key)
        return answer

    async def remove(self, idempotency_key: str, entry_id: str, removal: EntryRemoval) -> PublishedEntry:
        path = f"dishonest-entries/{quote(entry_id, safe='')}/removal"
        _, answer = await self.http.post(path, removal, PublishedEntry, idempotency_key)
        return answer
