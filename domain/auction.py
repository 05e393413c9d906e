"""Online judicial auction (网络司法拍卖) and sale (变卖) rules, pure: prices, deposits, the periods of each
round, the 5-minute extension, buyer default and forfeiture. Numbers come from :mod:`domain.legal_params`.

Rounds: 一拍 (first) → 流拍 → 二拍 (second, within 30 days, cut ≤ 20 %) → 流拍 → 变卖 (60 days at the second
round's price) → 以物抵债 or release. A winner who does not pay (悔拍) forfeits the deposit (网拍规定 Art. 24)
and the round is held again without them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from domain.legal_params import LegalParams
from domain.legal_params import P as LP
from domain.legal_time import LegalDuration
from domain.money import PositiveFen


class RoundKind(StrEnum):
    FIRST = "first"  # 一拍
    SECOND = "second"  # 二拍 (再次拍卖)
    PRIVATE_SALE = "sale"  # 变卖: sale at a fixed price over a period, not an auction (wire value kept)

    @property
    def label(self) -> str:
        return {"first": "第一次拍卖", "second": "第二次拍卖", "sale": "变卖"}[self.value]


def _ceil_fen(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_CEILING))


def _floor_fen(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_FLOOR))


def min_start_price(reference_fen: int, params: LegalParams) -> int:
    """一拍: the starting price may not be below 70 % of the reference price (网拍规定 Art. 10)."""
    return _ceil_fen(Decimal(reference_fen) * params.ratio(LP.START_PRICE_FLOOR))


def min_reauction_price(previous_start_fen: int, params: LegalParams) -> int:
    """二拍: cut at most 20 % of the previous starting price (网拍规定 Art. 26)."""
    return _ceil_fen(Decimal(previous_start_fen) * (1 - params.ratio(LP.REAUCTION_MAX_CUT)))


def deposit_bounds(start_fen: int, params: LegalParams) -> tuple[int, int]:
    """保证金: 5 %–20 % of the starting price (网拍规定 Art. 17), in whole fen inside the band."""
    low = _ceil_fen(Decimal(start_fen) * params.ratio(LP.DEPOSIT_MIN))
    high = _floor_fen(Decimal(start_fen) * params.ratio(LP.DEPOSIT_MAX))
    return low, high


class AuctionTerms(BaseModel):
    """What the collegial panel decides for a round (网拍规定 Art. 27): starting price, deposit, increment."""

    start_price_fen: PositiveFen = Field(description="起拍价 (= 保留价, Art. 10)")
    deposit_fen: PositiveFen = Field(description="保证金")
    increment_fen: PositiveFen = Field(description="加价幅度")
    bidding_hours: int = Field(default=24, gt=0, description="竞价时间, at least 24 h (Art. 20)")


def terms_problems(
    kind: RoundKind, terms: AuctionTerms, reference_fen: int, floor_fen: int, params: LegalParams
) -> list[str]:
    """Why ``terms`` would break the law for this round; empty when they are lawful.

    ``floor_fen`` is the round's lowest lawful starting price (see :func:`round_floor`).
    """
    problems: list[str] = []
    if terms.start_price_fen < floor_fen:
        rule = params.cite(LP.START_PRICE_FLOOR if kind is RoundKind.FIRST else LP.REAUCTION_MAX_CUT)
        problems.append(f"start_price_fen: below the lowest lawful starting price {floor_fen} fen ({rule})")
    low, high = deposit_bounds(terms.start_price_fen, params)
    if not low <= terms.deposit_fen <= high:
        problems.append(f"deposit_fen: must be {low}–{high} fen, 5 %–20 % of the start ({params.cite(LP.DEPOSIT_MIN)})")
    if terms.increment_fen > terms.start_price_fen:
        problems.append("increment_fen: larger than the starting price")
    min_hours = int(params.span(LP.BIDDING_MIN) / timedelta(hours=1))
    if terms.bidding_hours < min_hours:
        problems.append(f"bidding_hours: at least {min_hours} ({params.cite(LP.BIDDING_MIN)})")
    return problems


def round_floor(kind: RoundKind, reference_fen: int, previous_start_fen: int | None, params: LegalParams) -> int:
    """The lowest lawful starting price: 70 % of the reference for 一拍, 80 % of the last 一拍 start for 二拍."""
    if kind is RoundKind.FIRST or previous_start_fen is None:
        return min_start_price(reference_fen, params)
    return min_reauction_price(previous_start_fen, params)


def announcement_lead(kind: RoundKind, params: LegalParams) -> LegalDuration:
    """Real estate: 一拍 ≥ 30 days (Art. 12), 二拍 ≥ 15 days (Art. 26), 变卖 15 days before the period [S]."""
    key = {
        RoundKind.FIRST: LP.FIRST_ANNOUNCEMENT_REAL_ESTATE,
        RoundKind.SECOND: LP.SECOND_ANNOUNCEMENT_REAL_ESTATE,
        RoundKind.PRIVATE_SALE: LP.SALE_ANNOUNCEMENT_LEAD,
    }[kind]
    return params.duration(key)


class RoundSchedule(BaseModel):
    """When a round is announced, when bidding (or the 变卖 period) opens and closes, all in legal time."""

    kind: RoundKind
    announced_at: datetime
    opens_at: datetime
    closes_at: datetime = Field(description="scheduled end; the 5-minute extension may push the real end later")


def schedule_round(
    kind: RoundKind,
    announced_at: datetime,
    terms: AuctionTerms | None,
    params: LegalParams,
    lead_ends_at: datetime | None = None,
    sale_ends_at: datetime | None = None,
) -> RoundSchedule:
    """The round's times. ``lead_ends_at`` and ``sale_ends_at`` are the ends of the announcement lead
    and of the 变卖 period as the legal calendar counts them — the start day not counted and a last day
    that is a rest day rolled forward (CPL Art. 85); without them, plain calendar days (runs recorded
    before the rule was applied)."""
    lead = announcement_lead(kind, params)
    opens_at = lead_ends_at or announced_at + timedelta(days=lead.amount)
    if kind is RoundKind.PRIVATE_SALE:
        closes_at = sale_ends_at or opens_at + params.span(LP.SALE_PERIOD)
    else:
        hours = terms.bidding_hours if terms else int(params.span(LP.BIDDING_MIN) / timedelta(hours=1))
        closes_at = opens_at + timedelta(hours=hours)
    return RoundSchedule(kind=kind, announced_at=announced_at, opens_at=opens_at, closes_at=closes_at)


# --- the platform's view of a round (also the sandbox-v1 wire model) ----------------------------------


DepositStatus = Literal["held", "refunded", "forfeited", "applied_to_price"]
AuctionStatus = Literal["announced", "bidding", "sold", "unsold"]
PaymentStatus = Literal["none", "pending", "paid", "defaulted"]


class DepositView(BaseModel):
    bidder_id: str
    amount_fen: int
    status: DepositStatus
    changed_at: datetime | None = None


class WinnerView(BaseModel):
    bidder_id: str
    price_fen: int
    purchase_qualified: bool | None = Field(description="the platform's check of the buyer's undertaking (限购)")


class AuctionView(BaseModel):
    auction_id: str
    status: AuctionStatus
    round: RoundKind
    attempt: int
    start_price_fen: int
    opens_at: datetime
    closes_at: datetime
    ends_at: datetime = Field(description="actual end after 5-minute extensions (= closes_at until it ends)")
    extensions: int = 0
    bid_count: int = 0
    bidder_count: int = 0
    winner: WinnerView | None = None
    payment: PaymentStatus = "none"
    paid_fen: int = 0
    paid_at: datetime | None = None
    balance_due_at: datetime | None = None
    deposits: list[DepositView] = Field(default_factory=list)
    ruling_served_at: datetime | None = None


# --- bidding ------------------------------------------------------------------------------------------


class Bid(BaseModel):
    bidder_id: str
    at: datetime = Field(description="when the bid entered the platform (Art. 20)")
    amount_fen: PositiveFen


class BiddingOutcome(BaseModel):
    sold: bool
    ends_at: datetime = Field(description="actual end, after any extensions")
    winner: str | None = None
    price_fen: int | None = None
    accepted: list[Bid] = Field(default_factory=list)
    rejected: list[tuple[Bid, str]] = Field(default_factory=list)
    extensions: int = 0


def run_bidding(
    opens_at: datetime,
    closes_at: datetime,
    start_price_fen: int,
    increment_fen: int,
    bids: Iterable[Bid],
    eligible: set[str],
    extension: timedelta,
) -> BiddingOutcome:
    """Ascending bidding from the starting price (Art. 20). A valid bid within the last ``extension`` of the
    current end moves the end to bid time + ``extension``; a bid after the end is too late. The first bid
    may be the starting price (a single bidder may win, Art. 11); later ones must add the increment."""
    ends_at = closes_at
    accepted: list[Bid] = []
    rejected: list[tuple[Bid, str]] = []
    extensions = 0
    for bid in sorted(bids, key=lambda b: b.at):
        if bid.at < opens_at:
            rejected.append((bid, "BEFORE_OPEN"))
            continue
        if bid.at > ends_at:
            rejected.append((bid, "AFTER_CLOSE"))
            continue
        if bid.bidder_id not in eligible:
            rejected.append((bid, "NOT_ELIGIBLE"))
            continue
        lowest = start_price_fen if not accepted else accepted[-1].amount_fen + increment_fen
        if bid.amount_fen < lowest:
            rejected.append((bid, "TOO_LOW"))
            continue
        accepted.append(bid)
        if bid.at > ends_at - extension:
            ends_at = bid.at + extension
            extensions += 1
    if not accepted:
        return BiddingOutcome(sold=False, ends_at=ends_at, rejected=rejected)
    top = accepted[-1]
    return BiddingOutcome(
        sold=True,
        ends_at=ends_at,
        winner=top.bidder_id,
        price_fen=top.amount_fen,
        accepted=accepted,
        rejected=rejected,
        extensions=extensions,
    )


def run_sale_period(
    opens_at: datetime,
    closes_at: datetime,
    price_fen: int,
    increment_fen: int,
    bids: Iterable[Bid],
    eligible: set[str],
    countdown: timedelta,
    extension: timedelta,
) -> BiddingOutcome:
    """变卖 [S]: the first bid at the sale price inside the period starts a 24-hour countdown, bidding up from
    there with the same 5-minute extension; no bid in the period leaves the asset unsold."""
    ordered = sorted(bids, key=lambda b: b.at)
    first = next(
        (b for b in ordered if opens_at <= b.at <= closes_at and b.bidder_id in eligible and b.amount_fen >= price_fen),
        None,
    )
    if first is None:
        return BiddingOutcome(sold=False, ends_at=closes_at)
    return run_bidding(first.at, first.at + countdown, price_fen, increment_fen, ordered, eligible, extension)


# --- buyer default (悔拍) --------------------------------------------------------------------------------


class ForfeitureApplication(BaseModel):
    """How a forfeited deposit is used, in the order of 网拍规定 Art. 24."""

    deposit_fen: int
    auction_costs_fen: int = Field(description="(1) costs caused by the failed sale")
    price_gap_fen: int = Field(description="(2) re-auction price below the original price")
    case_debt_fen: int = Field(description="(3) this case's debt")
    related_debts_fen: int = Field(description="(4) the debtor's other debts related to the asset")
    left_over_fen: int = Field(description="what none of the four absorbs [I]")

    @property
    def into_proceeds_fen(self) -> int:
        """What joins the money distributed in this case: the gap it makes good and the case debt."""
        return self.price_gap_fen + self.case_debt_fen


def apply_forfeited_deposit(
    deposit_fen: int,
    auction_costs_fen: int,
    original_price_fen: int,
    reauction_price_fen: int | None,
    case_debt_fen: int,
    related_debts_fen: int = 0,
) -> ForfeitureApplication:
    """Applies a defaulting buyer's deposit: costs, the price gap, this case's debt, related debts."""
    left = deposit_fen

    def take(amount: int) -> int:
        nonlocal left
        used = max(0, min(left, amount))
        left -= used
        return used

    costs = take(auction_costs_fen)
    gap = take(original_price_fen - reauction_price_fen) if reauction_price_fen is not None else 0
    debt = take(case_debt_fen)
    related = take(related_debts_fen)
    return ForfeitureApplication(
        deposit_fen=deposit_fen,
        auction_costs_fen=costs,
        price_gap_fen=gap,
        case_debt_fen=debt,
        related_debts_fen=related,
        left_over_fen=left,
    )


# --- buyer qualification (竞买人资格规定) ---------------------------------------------------------------


def qualification_problem(purchase_restricted: bool, buyer_qualified: bool | None) -> str | None:
    """Before the 成交裁定 the court checks the buyer held the qualification throughout (Art. 3)."""
    if not purchase_restricted:
        return None
    if buyer_qualified is None:
        return "the buyer's purchase qualification (购房资格) has not been verified"
    if not buyer_qualified:
        return "the buyer does not meet the local purchase restriction (限购); the sale cannot be confirmed"
    return None


def average_fen(prices: Sequence[int]) -> int:
    """The reference price from online inquiry: the average of the reports (参考价规定 Art. 13), half up."""
    if not prices:
        raise ValueError("no prices to average")
    total = sum(prices)
    return (2 * total + len(prices)) // (2 * len(prices))
