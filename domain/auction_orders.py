"""What the court asks of an online auction platform (网络司法拍卖平台; also a 司法网络询价平台) and what it
answers, in the domain's terms: the ``adapters.interfaces.AuctionPlatform`` port speaks these, and
sandbox-v1 sends them as their own JSON (docs/partner-protocol.md).

Times are *legal* times. The court passes its legal clock (wall-clock epoch, legal epoch, acceleration)
with every request that starts something timed, so a simulator runs the same compressed time as the
workflow; a real platform runs at acceleration 1 and ignores it. Money is integer fen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from domain.auction import RoundKind
from domain.joint_review import LandUse


class PlatformClock(BaseModel):
    """The court's legal clock, shared with a platform so both run the same (demo-compressed) time."""

    epoch: datetime = Field(description="wall-clock instant where legal time starts")
    legal_epoch: datetime = Field(description="legal time at that instant")
    acceleration: float = Field(default=1.0, gt=0)

    def legal_now(self, real_now: datetime) -> datetime:
        return self.legal_epoch + (real_now - self.epoch) * self.acceleration


class ValuationRequest(BaseModel):
    """网络询价委托书 (参考价规定 Art. 10): what is to be valued and by when."""

    request_id: str
    case_number: str
    court: str
    unit_number: str = Field(description="不动产单元号")
    land_use: LandUse
    area_m2: float = Field(gt=0)
    address: str = ""
    due_at: datetime = Field(description="legal deadline for the report (3 days, Art. 11)")
    clock: PlatformClock


class ValuationView(BaseModel):
    valuation_id: str
    request_id: str
    status: Literal["pending", "answered"]
    price_fen: int | None = None
    answered_at: datetime | None = None
    valid_until: datetime | None = None


class PublishRequest(BaseModel):
    """拍卖公告 (网拍规定 Arts. 12–14): the round, its terms and times, and the known defects."""

    case_number: str
    court: str
    unit_number: str
    title: str
    round: RoundKind
    attempt: int = Field(ge=1, description="1, or more when a round is held again after a default (悔拍)")
    start_price_fen: int = Field(gt=0)
    deposit_fen: int = Field(gt=0)
    increment_fen: int = Field(gt=0)
    announced_at: datetime
    opens_at: datetime
    closes_at: datetime
    extension_minutes: int = Field(gt=0, description="5 (Art. 20)")
    sale_countdown_hours: int = Field(default=24, gt=0, description="变卖: countdown after the first bid")
    balance_due_days: int = Field(gt=0, description="余款 due this many days after the end")
    refund_within_hours: int = Field(gt=0, description="24 (Art. 23)")
    purchase_restricted: bool = False
    disclosures: list[str] = Field(default_factory=list, description="瑕疵公示 from the joint review")
    excluded_bidders: list[str] = Field(default_factory=list, description="defaulting buyers (Art. 24)")
    clock: PlatformClock


class RegisterBidderRequest(BaseModel):
    """A bidder registers in real name and pays the deposit (Art. 17); an applicant-creditor may be exempt."""

    bidder_id: str = Field(min_length=1, max_length=64)
    deposit_fen: int = Field(ge=0)
    purchase_qualified: bool | None = None


class RefundRequest(BaseModel):
    reason: str


class ForfeitRequest(BaseModel):
    bidder_id: str
    reason: str


class ForfeitView(BaseModel):
    auction_id: str
    bidder_id: str
    amount_fen: int
    forfeited_at: datetime


class ServeRulingRequest(BaseModel):
    """成交裁定 delivered to the buyer electronically through the platform; title passes on service (Art. 22)."""

    ruling_ref: str
    bidder_id: str


class RulingServed(BaseModel):
    auction_id: str
    ruling_ref: str
    served_at: datetime
