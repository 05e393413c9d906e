"""Activities of the dishonest-debtor list: publishing, correcting and removing an entry on the national
list (全国失信被执行人名单库). Each effect carries the idempotency key of its step, so a retry gets the list's
first answer instead of a second entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from temporalio import activity

from activities.common import idempotency_key, refusals_not_retried
from adapters.base import PartnerRefusal
from adapters.interfaces import DishonestListPublisher
from adapters.registry import DISHONEST_LIST_PROTOCOLS as PROTOCOLS
from domain.dishonest_list import EntryCorrection, EntryRemoval, ListEntry, PublishedEntry
from domain.partners import PartnerCategory, PartnerEndpoint

if TYPE_CHECKING:
    from activities.resources import WorkerResources


class PublishEntryInput(BaseModel):
    partner_id: str
    step: str
    entry: ListEntry


class CorrectEntryInput(BaseModel):
    partner_id: str
    step: str
    entry_id: str
    correction: EntryCorrection


class RemoveEntryInput(BaseModel):
    partner_id: str
    step: str
    entry_id: str
    removal: EntryRemoval


class DishonestListActivities:
    @classmethod
    def from_resources(cls, r: WorkerResources) -> DishonestListActivities:
        return cls(r.adapters.endpoints())

    def __init__(self, endpoints: list[PartnerEndpoint]) -> None:
        self._endpoints = {e.id: e for e in endpoints if e.category is PartnerCategory.DISHONEST_LIST}
        self._adapters: dict[str, DishonestListPublisher] = {}

    def _list(self, partner_id: str) -> DishonestListPublisher:
        adapter = self._adapters.get(partner_id)
        if adapter is None:
            endpoint = self._endpoints.get(partner_id)
            if endpoint is None:
                raise PartnerRefusal(partner_id, "UNKNOWN_PARTNER", "no dishonest list is configured by this id")
            adapter = self._adapters[partner_id] = PROTOCOLS[endpoint.protocol](endpoint)
        return adapter

    @activity.defn(name="dishonest_list_publish")
    async def publish(self, inp: PublishEntryInput) -> PublishedEntry:
        with refusals_not_retried():
            return await self._list(inp.partner_id).publish(idempotency_key(inp.step), inp.entry)

    @activity.defn(name="dishonest_list_correct")
    async def correct(self, inp: CorrectEntryInput) -> PublishedEntry:
        with refusals_not_retried():
            return await self._list(inp.partner_id).correct(idempotency_key(inp.step), inp.entry_id, inp.correction)

    @activity.defn(name="dishonest_list_remove")
    async def remove(self, inp: RemoveEntryInput) -> PublishedEntry:
        with refusals_not_retried():
            return await self._list(inp.partner_id).remove(idempotency_key(inp.step), inp.entry_id, inp.removal)

    def all(self) -> list[Callable[..., Any]]:
        return [self.publish, self.correct, self.remove]
