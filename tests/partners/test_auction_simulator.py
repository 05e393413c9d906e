"""The auction platform simulator through the sandbox-v1 adapter, in process: scripted bidders, the 5-minute
extension, refunds within 24 h, a buyer who defaults, idempotency; and the pure bidding rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters.base import PartnerRefusal
from adapters.sandbox.auction import SandboxAuctionAdapter
from domain.auction import Bid, RoundKind, apply_forfeited_deposit, run_bidding, run_sale_period
from domain.auction_orders import ForfeitRequest, PlatformClock, PublishRequest, RefundRequest, RegisterBidderRequest
from domain.partners import PartnerCategory, PartnerEndpoint
from simulators.auction import build_auction_router

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
FIVE = timedelta(minutes=5)


def bid(who: str, minutes: float, fen: int) -> Bid:
    return Bid(bidder_id=who, at=T0 + timedelta(minutes=minutes), amount_fen=fen)


def test_a_bid_in_the_last_five_minutes_extends_the_end_to_bid_plus_five():
    close = T0 + timedelta(hours=24)
    end = 24 * 60
    bids = [bid("a", 10, 100), bid("b", end - 2, 110), bid("a", end + 2, 120), bid("b", end + 8, 130)]
    out = run_bidding(T0, close, 100, 10, bids, {"a", "b"}, FIVE)
    # end-2 → end+3; end+2 → end+7; end+8 is after end+7: too late.
    assert out.sold and out.winner == "a" and out.price_fen == 120
    assert out.ends_at == close + timedelta(minutes=7) and out.extensions == 2
    assert [reason for _, reason in out.rejected] == ["AFTER_CLOSE"]


def test_bids_below_start_or_increment_and_ineligible_bidders_do_not_count():
    close = T0 + timedelta(hours=24)
    bids = [bid("a", 1, 99), bid("x", 2, 200), bid("a", 3, 100), bid("b", 4, 105), bid("b", 5, 110)]
    out = run_bidding(T0, close, 100, 10, bids, {"a", "b"}, FIVE)
    assert out.winner == "b" and out.price_fen == 110 and out.ends_at == close
    assert [r for _, r in out.rejected] == ["TOO_LOW", "NOT_ELIGIBLE", "TOO_LOW"]
    assert not run_bidding(T0, close, 100, 10, [], {"a"}, FIVE).sold


def test_sale_period_first_bid_starts_a_24_hour_countdown():
    close = T0 + timedelta(days=60)
    out = run_sale_period(
        T0,
        close,
        500,
        10,
        [bid("a", 60 * 24 * 3, 500), bid("b", 60 * 24 * 3 + 60, 510)],
        {"a", "b"},
        timedelta(hours=24),
        FIVE,
    )
    assert out.sold and out.winner == "b" and out.ends_at == T0 + timedelta(days=4)
    assert not run_sale_period(T0, close, 500, 10, [bid("a", 10, 499)], {"a"}, timedelta(hours=24), FIVE).sold


def test_forfeited_deposit_in_the_order_of_article_24():
    f = apply_forfeited_deposit(
        100_00, auction_costs_fen=10_00, original_price_fen=1_000_00, reauction_price_fen=960_00, case_debt_fen=30_00
    )
    assert (f.auction_costs_fen, f.price_gap_fen, f.case_debt_fen, f.left_over_fen) == (10_00, 40_00, 30_00, 20_00)
    assert f.into_proceeds_fen == 70_00
    higher = apply_forfeited_deposit(100_00, 0, 1_000_00, 1_100_00, 10**9)
    assert higher.price_gap_fen == 0 and higher.case_debt_fen == 100_00


# --- the simulator over HTTP -------------------------------------------------------------------------------

ACCEL = 864_000.0  # one legal day per 0.1 s


@pytest.fixture
async def platform() -> Any:
    endpoint = PartnerEndpoint(
        id="auction-platform",
        category=PartnerCategory.AUCTION,
        name="t",
        base_url="http://sim/partners/auction-platform",
        token="sandbox-auction-platform",
    )
    app = FastAPI()
    app.include_router(build_auction_router(None, [endpoint]))
    transport = httpx.ASGITransport(app=app)
    adapter = SandboxAuctionAdapter(endpoint, transport=transport)
    admin = httpx.AsyncClient(transport=transport, base_url="http://sim")
    yield adapter, admin
    await adapter.aclose()
    await admin.aclose()


def publish_request(unit: str, clock: PlatformClock, **over: Any) -> PublishRequest:
    now = clock.legal_now(datetime.now(UTC))
    base: dict[str, Any] = dict(
        case_number="(2026)浙0681执1号",
        court="诸暨市人民法院",
        unit_number=unit,
        title="t",
        round=RoundKind.FIRST,
        attempt=1,
        start_price_fen=1_000_00,
        deposit_fen=100_00,
        increment_fen=10_00,
        announced_at=now,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=2),
        extension_minutes=5,
        balance_due_days=2,
        refund_within_hours=24,
        clock=clock,
    )
    return PublishRequest(**{**base, **over})


async def settle(adapter: SandboxAuctionAdapter, auction_id: str, until: Any, timeout: float = 5.0) -> Any:
    import asyncio

    for _ in range(int(timeout / 0.05)):
        view = await adapter.get_auction(auction_id)
        if until(view):
            return view
        await asyncio.sleep(0.05)
    raise AssertionError(f"auction stayed {view.status}/{view.payment}")


async def test_scripted_round_with_extension_refund_and_payment(platform: Any):
    adapter, admin = platform
    clock = PlatformClock(epoch=datetime.now(UTC), legal_epoch=T0, acceleration=ACCEL)
    script = {
        "first": [
            {
                "bidders": [
                    {
                        "bidder_id": "b1",
                        "bids": [
                            {"minutes_after_open": 60, "amount_fen": 1_000_00},
                            {"minutes_before_close": 1, "amount_fen": 1_020_00},
                        ],
                    },
                    {
                        "bidder_id": "b2",
                        "pay_after_hours": 12,
                        "bids": [
                            {"minutes_before_close": 3, "amount_fen": 1_010_00},
                            {"minutes_before_close": -2, "amount_fen": 1_030_00},
                        ],
                    },
                ]
            }
        ],
        "refund_after_hours": 3,
    }
    (await admin.put("/partners/auction-platform/_admin/scripts/U1", json=script)).raise_for_status()
    req = publish_request("U1", clock)
    first = await adapter.publish("wf-1/round/first/1", req)
    again = await adapter.publish("wf-1/round/first/1", req)
    assert again.auction_id == first.auction_id and first.status == "announced" and first.bidder_count == 2
    ended = await settle(adapter, first.auction_id, lambda v: v.status == "sold")
    assert ended.winner.bidder_id == "b2" and ended.winner.price_fen == 1_030_00
    assert ended.extensions == 3 and ended.ends_at == req.closes_at + timedelta(minutes=7)
    refunded = await adapter.refund_deposits("wf-1/refund", first.auction_id, RefundRequest(reason="end"))
    losers = [d for d in refunded.deposits if d.bidder_id == "b1"]
    assert losers[0].status == "refunded" and losers[0].changed_at - ended.ends_at <= timedelta(hours=24)
    paid = await settle(adapter, first.auction_id, lambda v: v.payment == "paid")
    assert paid.paid_fen == 1_030_00
    assert {d.bidder_id: d.status for d in paid.deposits} == {"b1": "refunded", "b2": "applied_to_price"}
    ledger = (await admin.get("/partners/auction-platform/_admin/auction-ledger")).json()
    assert [r["operation"] for r in ledger] == ["publish", "refund"], "a repeated key has no second effect"


async def test_a_defaulting_buyer_forfeits_and_may_not_register_again(platform: Any):
    adapter, admin = platform
    clock = PlatformClock(epoch=datetime.now(UTC), legal_epoch=T0, acceleration=ACCEL)
    script = {
        "first": [
            {
                "bidders": [
                    {"bidder_id": "flake", "pays": False, "bids": [{"minutes_after_open": 5, "amount_fen": 1_000_00}]}
                ]
            }
        ]
    }
    (await admin.put("/partners/auction-platform/_admin/scripts/U2", json=script)).raise_for_status()
    view = await adapter.publish("wf-2/round/first/1", publish_request("U2", clock))
    with pytest.raises(PartnerRefusal, match="NOT_DEFAULTED"):
        await adapter.forfeit_deposit(
            "wf-2/forfeit-early", view.auction_id, ForfeitRequest(bidder_id="flake", reason="x")
        )
    defaulted = await settle(adapter, view.auction_id, lambda v: v.payment == "defaulted")
    forfeit = await adapter.forfeit_deposit(
        "wf-2/forfeit", view.auction_id, ForfeitRequest(bidder_id="flake", reason="悔拍")
    )
    assert forfeit.amount_fen == 100_00 and defaulted.winner.bidder_id == "flake"
    again = await adapter.publish(
        "wf-2/round/first/2", publish_request("U2", clock, attempt=2, excluded_bidders=["flake"])
    )
    with pytest.raises(PartnerRefusal, match="BIDDER_EXCLUDED"):
        await adapter.register_bidder(
            "wf-2/reg", again.auction_id, RegisterBidderRequest(bidder_id="flake", deposit_fen=100_00)
        )
    ok = await adapter.register_bidder(
        "wf-2/reg2", again.auction_id, RegisterBidderRequest(bidder_id="creditor", deposit_fen=0)
    )
    assert ok.bidder_count == 1


async def test_unknown_partner_and_wrong_token_are_refused(platform: Any):
    _, admin = platform
    r = await admin.get("/partners/auction-platform/auctions/AUC-x", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["code"] == "UNAUTHORIZED"
    r = await admin.get("/partners/other/auctions/AUC-x", headers={"Authorization": "Bearer sandbox-other"})
    assert r.status_code == 404 and r.json()["code"] == "UNKNOWN_PARTNER"


# --- the store: one transaction per effect and its answer; the shared guards ----------------------------------


def test_an_effect_and_its_answer_commit_together(tmp_path: Any) -> None:
    from pydantic import BaseModel

    from simulators.auction import AuctionStore
    from simulators.errors import SimulatorError

    class Ok(BaseModel):
        id: str

    store = AuctionStore(tmp_path / "auction.db")
    calls: list[str] = []

    def refused(docs: Any) -> Any:
        calls.append("refused")
        docs.put("auction", "A1", {"half": "done"})
        raise SimulatorError(409, "NOT_NOW", "refused after a write")

    first = store.idempotent("p", "k1", "publish", refused)
    again = store.idempotent("p", "k1", "publish", refused)
    assert (first.status, first.replayed, again.status, again.replayed) == (409, False, 409, True)
    assert again.body == first.body and calls == ["refused"]
    assert store.get("p", "auction", "A1") is None, "a refusal leaves no partial effect"

    def outage(docs: Any) -> Any:
        docs.put("auction", "A2", {"half": "done"})
        raise SimulatorError(503, "DOWN", "outage")

    with pytest.raises(SimulatorError):
        store.idempotent("p", "k2", "publish", outage)
    assert store.get("p", "auction", "A2") is None and store.stored_answer("p", "k2") is None

    def works(docs: Any) -> Any:
        docs.put("auction", "A3", {"ok": True})
        return 201, Ok(id="A3")

    assert store.idempotent("p", "k3", "publish", works).status == 201
    store.close()
    # After a restart both are there: the effect and the answer that a repeat gets.
    reopened = AuctionStore(tmp_path / "auction.db")
    assert reopened.get("p", "auction", "A3") == {"ok": True}
    replay = reopened.idempotent("p", "k3", "publish", refused)
    assert replay.replayed and replay.status == 201 and b"A3" in replay.body
    assert [r["operation"] for r in reopened.ledger("p")] == ["publish", "publish"]
    reopened.close()


async def test_keys_and_tokens_are_checked_as_at_every_partner(platform: Any):
    _, admin = platform
    token = {"Authorization": "Bearer sandbox-auction-platform"}
    url = "/partners/auction-platform/auctions"
    r = await admin.post(url, json={}, headers=token)
    assert r.status_code == 400 and r.json()["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    r = await admin.post(url, json={}, headers={**token, "Idempotency-Key": "k" * 256})
    assert r.status_code == 400 and r.json()["code"] == "IDEMPOTENCY_KEY_INVALID"
    r = await admin.post(
        url, json={}, headers={"Authorization": "Bearer sandbox-auction-platforn", "Idempotency-Key": "k"}
    )
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    # Invalid bodies are answered, stored and replayed like any first answer.
    r = await admin.post(url, json={}, headers={**token, "Idempotency-Key": "k" * 255})
    again = await admin.post(url, json={}, headers={**token, "Idempotency-Key": "k" * 255})
    assert r.status_code == again.status_code == 422 and r.json() == again.json()
    assert "idempotent-replayed" not in r.headers and again.headers["idempotent-replayed"] == "true"
