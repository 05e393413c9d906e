"""Activities of real-estate disposal: the registry's title search, online valuation and the auction platform.

Idempotency keys derive from the workflow id and the step (``<workflow id>/<step>``), so a retried attempt
or a restarted worker gets the platform's first answer instead of a second announcement or refund.
Waiting on a platform (a valuation report, the end of bidding, the buyer's payment) is one long activity
that polls and heartbeats, not a timer loop in the workflow: history stays short however long bidding is
extended.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field
from temporalio import activity

from activities.common import idempotency_key, refusals_not_retried
from adapters.base import PartnerUnavailable
from adapters.registry import AdapterRegistry
from domain.auction import AuctionView
from domain.auction_orders import (
    ForfeitRequest,
    ForfeitView,
    PlatformClock,
    PublishRequest,
    RefundRequest,
    RulingServed,
    ServeRulingRequest,
    ValuationRequest,
    ValuationView,
)
from domain.joint_review import TitleRecord
from runtime.logging import get_logger

if TYPE_CHECKING:
    from activities.resources import WorkerResources

log = get_logger(__name__)

# Wire models a workflow builds requests from (re-exported so workflow modules import activities, not adapters).
__all__ = ["AuctionActivities", "PlatformClock", "PublishRequest", "ValuationRequest"]


class TitleSearchInput(BaseModel):
    registry: str
    unit_number: str


class ValuationInput(BaseModel):
    platform: str
    step: str
    request: ValuationRequest


class AwaitValuationInput(BaseModel):
    platform: str
    valuation_id: str
    poll_seconds: float = Field(gt=0)


class PublishInput(BaseModel):
    platform: str
    step: str
    request: PublishRequest


class AwaitAuctionInput(BaseModel):
    platform: str
    auction_id: str
    until: Literal["ended", "settled"] = Field(description="ended: sold or unsold; settled: payment paid or defaulted")
    poll_seconds: float = Field(gt=0)


class RefundInput(BaseModel):
    platform: str
    step: str
    auction_id: str
    reason: str


class ForfeitInput(BaseModel):
    platform: str
    step: str
    auction_id: str
    bidder_id: str
    reason: str


class ServeRulingInput(BaseModel):
    platform: str
    step: str
    auction_id: str
    bidder_id: str
    ruling_ref: str


def _ended(view: AuctionView) -> bool:
    return view.status in ("sold", "unsold")


def _settled(view: AuctionView) -> bool:
    return view.status == "unsold" or view.payment in ("paid", "defaulted")


class AuctionActivities:
    @classmethod
    def from_resources(cls, r: WorkerResources) -> AuctionActivities:
        return cls(r.adapters)

    def __init__(self, adapters: AdapterRegistry) -> None:
        self._adapters = adapters

    @activity.defn(name="registry_title_record")
    async def title_record(self, inp: TitleSearchInput) -> TitleRecord:
        with refusals_not_retried():
            return await self._adapters.title_search(inp.registry).title_record(inp.unit_number)

    @activity.defn(name="auction_request_valuation")
    async def request_valuation(self, inp: ValuationInput) -> ValuationView:
        with refusals_not_retried():
            return await self._adapters.auction(inp.platform).request_valuation(idempotency_key(inp.step), inp.request)

    @activity.defn(name="auction_await_valuation")
    async def await_valuation(self, inp: AwaitValuationInput) -> ValuationView:
        """Polls until the report is in; the workflow bounds it with the legal deadline (3 days)."""
        platform = self._adapters.auction(inp.platform)
        while True:
            view = await self._poll(lambda: platform.get_valuation(inp.valuation_id))
            if view is not None and view.status == "answered":
                return view
            activity.heartbeat(view.status if view else "unavailable")
            await asyncio.sleep(inp.poll_seconds)

    @activity.defn(name="auction_publish")
    async def publish(self, inp: PublishInput) -> AuctionView:
        with refusals_not_retried():
            return await self._adapters.auction(inp.platform).publish(idempotency_key(inp.step), inp.request)

    @activity.defn(name="auction_await")
    async def await_auction(self, inp: AwaitAuctionInput) -> AuctionView:
        """Polls the platform until bidding has ended (with any 5-minute extensions) or the sale settled."""
        platform = self._adapters.auction(inp.platform)
        done = _ended if inp.until == "ended" else _settled
        while True:
            view = await self._poll(lambda: platform.get_auction(inp.auction_id))
            if view is not None and done(view):
                return view
            activity.heartbeat(view.status if view else "unavailable")
            await asyncio.sleep(inp.poll_seconds)

    @activity.defn(name="auction_refund_deposits")
    async def refund_deposits(self, inp: RefundInput) -> AuctionView:
        with refusals_not_retried():
            return await self._adapters.auction(inp.platform).refund_deposits(
                idempotency_key(inp.step), inp.auction_id, RefundRequest(reason=inp.reason)
            )

    @activity.defn(name="auction_forfeit_deposit")
    async def forfeit_deposit(self, inp: ForfeitInput) -> ForfeitView:
        with refusals_not_retried():
            return await self._adapters.auction(inp.platform).forfeit_deposit(
                idempotency_key(inp.step), inp.auction_id, ForfeitRequest(bidder_id=inp.bidder_id, reason=inp.reason)
            )

    @activity.defn(name="auction_serve_ruling")
    async def serve_ruling(self, inp: ServeRulingInput) -> RulingServed:
        with refusals_not_retried():
            return await self._adapters.auction(inp.platform).serve_ruling(
                idempotency_key(inp.step),
                inp.auction_id,
                ServeRulingRequest(ruling_ref=inp.ruling_ref, bidder_id=inp.bidder_id),
            )

    async def _poll(self, read: Callable[[], Any]) -> Any:
        """One read; an outage is logged and retried by the next poll, a refusal ends the activity."""
        with refusals_not_retried():
            try:
                return await read()
            except PartnerUnavailable as exc:
                log.info("platform unavailable while polling", partner=exc.partner_id, code=exc.code)
                return None

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.title_record,
            self.request_valuation,
            self.await_valuation,
            self.publish,
            self.await_auction,
            self.refund_deposits,
            self.forfeit_deposit,
            self.serve_ruling,
        ]
