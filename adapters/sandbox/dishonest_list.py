"""sandbox-v1 of the national dishonest-debtor list (全国失信被执行人名单库, 失信规定 Art. 7): publish an
entry, correct it, remove it (delete or revoke). Every call carries the step's idempotency key."""

from __future__ import annotations

from adapters.base import HttpPartnerAdapter, path_segment
from domain.dishonest_list import EntryCorrection, EntryRemoval, ListEntry, PublishedEntry


class SandboxDishonestListAdapter(HttpPartnerAdapter):
    async def publish(self, idempotency_key: str, entry: ListEntry) -> PublishedEntry:
        _, answer = await self.http.post("dishonest-entries", entry, PublishedEntry, idempotency_key)
        return answer

    async def correct(self, idempotency_key: str, entry_id: str, correction: EntryCorrection) -> PublishedEntry:
        path = f"dishonest-entries/{path_segment(entry_id)}/corrections"
        _, answer = await self.http.post(path, correction, PublishedEntry, idempotency_key)
        return answer

    async def remove(self, idempotency_key: str, entry_id: str, removal: EntryRemoval) -> PublishedEntry:
        path = f"dishonest-entries/{path_segment(entry_id)}/removal"
        _, answer = await self.http.post(path, removal, PublishedEntry, idempotency_key)
        return answer
