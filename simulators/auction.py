"""Auction platform simulator (网络司法拍卖平台, also a 司法网络询价平台): sandbox-v1, mounted by the simulator app
under ``/partners/{partner_id}/`` for auction-category partners.

It runs announcements, bidder registration with deposits and bidding from **scripted bidders** seeded per
property unit (none; several; last-minute bids that trigger 5-minute extensions; a winner who never pays),
reports results by polling, refunds losing deposits within the refund window, forfeits a defaulter's
deposit, and serves the ruling. Online valuations answer after a scripted delay.

Time: each auction and valuation carries the court's legal clock (epoch, legal epoch, acceleration), and
the state is *evaluated* from it on every read — nothing runs in the background, a restart loses nothing,
and a test at acceleration 864 000 sees a 30-day announcement pass in three seconds.

State: one SQLite file (``auction.db`` in the state dir) on the simulators' locked-SQLite base. Every
mutating call needs ``Idempotency-Key`` (checked as every simulated partner checks it); its effect and its
answer commit in one transaction, so a repeat gets the first answer (status and body, refusals included,
``Idempotent-Replayed: true``) and never a second effect; a 5xx is not stored.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from adapters.sandbox.wire import IDEMPOTENCY_HEADER
from domain.auction import (
    AuctionView,
    Bid,
    BiddingOutcome,
    DepositView,
    RoundKind,
    WinnerView,
    run_bidding,
    run_sale_period,
)
from domain.auction_orders import (
    ForfeitRequest,
    ForfeitView,
    PlatformClock,
    PublishRequest,
    RefundRequest,
    RegisterBidderRequest,
    RulingServed,
    ServeRulingRequest,
    ValuationRequest,
    ValuationView,
)
from domain.partners import PartnerEndpoint
from simulators import guards
from simulators.errors import SimulatorError
from simulators.sqlite import LockedSqlite, StoredAnswer

PartnerId = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]


# --- scripts (tests and demos seed them; never on a real platform) -------------------------------------


class ScriptedBid(BaseModel):
    """When a scripted bidder bids, in legal time: minutes after the round opens, or before its scheduled
    close (negative = after the scheduled close, which only counts inside a 5-minute extension)."""

    minutes_after_open: float | None = None
    minutes_before_close: float | None = None
    amount_fen: int = Field(gt=0)


class ScriptedBidder(BaseModel):
    bidder_id: str = Field(min_length=1, max_length=64)
    deposit: bool = Field(default=True, description="pays the deposit when the round is announced")
    purchase_qualified: bool | None = True
    pays: bool = Field(default=True, description="pays the balance if it wins; false = 悔拍")
    pay_after_hours: float = Field(default=24, ge=0, description="legal hours after the end")
    bids: list[ScriptedBid] = Field(default_factory=list)


class RoundScript(BaseModel):
    bidders: list[ScriptedBidder] = Field(default_factory=list)


class AuctionScript(BaseModel):
    """What happens to one property unit on this platform. Each publication of a round takes the next
    script of its kind (so a round held again after a default gets its own bidders); none left = no bidders."""

    valuation_fen: int | None = Field(default=None, gt=0, description="this platform's online valuation")
    valuation_after_hours: float = Field(default=24, ge=0, description="legal hours until the report")
    first: list[RoundScript] = Field(default_factory=list)
    second: list[RoundScript] = Field(default_factory=list)
    sale: list[RoundScript] = Field(default_factory=list)
    refund_after_hours: float = Field(default=2, ge=0, description="when losing deposits come back (≤ 24 h)")


DEMO_UNIT = "330102008002GB00105F00031208"  # simulators.title_search.DEMO_UNITS
# What `make run` shows for the demo unit (case (2026)浙0102执1001号 at 杭州市上城区人民法院): both platforms value it
# at ¥3.6 M; in 一拍 (start ¥2.52 M, increment up to ¥50,000) two bidders compete, the last bids inside the
# final 5 minutes extend the end twice; the winner pays after a day.
DEMO_SCRIPT = AuctionScript(
    valuation_fen=3_600_000_00,
    valuation_after_hours=6,
    first=[
        RoundScript(
            bidders=[
                ScriptedBidder(
                    bidder_id="竞买人A",
                    bids=[
                        ScriptedBid(minutes_after_open=90, amount_fen=2_520_000_00),
                        ScriptedBid(minutes_before_close=2, amount_fen=2_800_000_00),
                    ],
                ),
                ScriptedBidder(
                    bidder_id="竞买人B",
                    bids=[
                        ScriptedBid(minutes_after_open=600, amount_fen=2_600_000_00),
                        ScriptedBid(minutes_before_close=-1, amount_fen=2_850_000_00),
                    ],
                ),
            ]
        )
    ],
)


# --- store ----------------------------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (partner TEXT, kind TEXT, id TEXT, body TEXT, PRIMARY KEY (partner, kind, id));
"""


class Docs:
    """One platform's documents (scripts, auctions, valuations) by (kind, id), read and written on one
    connection: inside :meth:`AuctionStore.idempotent` that is the call's own transaction."""

    def __init__(self, db: sqlite3.Connection, partner: str) -> None:
        self._db, self._partner = db, partner

    def get(self, kind: str, ident: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT body FROM docs WHERE partner=? AND kind=? AND id=?", (self._partner, kind, ident)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, ident: str, body: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?)",
            (self._partner, kind, ident, json.dumps(body, default=str)),
        )


# What a mutating call does, on the call's transaction: the status and the answer to store and give.
Effect = Callable[[Docs], tuple[int, BaseModel]]


class AuctionStore(LockedSqlite):
    """Documents by (partner, kind, id), and first answers by (partner, idempotency key) in the simulators'
    one store of answers (``LockedSqlite.once``), in one SQLite file."""

    def __init__(self, path: Path | None) -> None:
        super().__init__(path, SCHEMA)

    def get(self, partner: str, kind: str, ident: str) -> dict[str, Any] | None:
        with self._lock:
            return Docs(self._db, partner).get(kind, ident)

    def put(self, partner: str, kind: str, ident: str, body: dict[str, Any]) -> None:
        with self._tx() as db:
            Docs(db, partner).put(kind, ident, body)

    def put_if_absent(self, partner: str, kind: str, ident: str, body: dict[str, Any]) -> None:
        with self._tx() as db:
            docs = Docs(db, partner)
            if docs.get(kind, ident) is None:
                docs.put(kind, ident, body)

    def all(self, partner: str, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM docs WHERE partner=? AND kind=? ORDER BY id", (partner, kind))
            return [json.loads(r[0]) for r in rows.fetchall()]

    def idempotent(self, partner: str, key: str, route: str, effect: Effect) -> StoredAnswer:
        """The first answer for ``key`` at this platform — success, refusal or invalid request — stored in
        the effect's own transaction. A refusal leaves no partial effect; a 5xx stores nothing at all."""

        def run(db: sqlite3.Connection) -> tuple[int, bytes]:
            status, answer = effect(Docs(db, partner))
            return status, answer.model_dump_json().encode()

        return self.once(partner, key, route, run)

    def ledger(self, partner: str) -> list[dict[str, Any]]:
        return [
            {
                "idempotency_key": a["key"],
                "operation": a["operation"],
                "status": a["status"],
                "answer": json.loads(a["body"]),
                "at": a["at"],
            }
            for a in self.stored_answers(partner)
        ]


# --- evaluation: the auction's state at a moment, from its record and scripts -----------------------------


def _legal_now(clock: PlatformClock) -> datetime:
    return clock.legal_now(datetime.now(UTC))


def _bid_time(bid: ScriptedBid, opens_at: datetime, closes_at: datetime) -> datetime:
    if bid.minutes_after_open is not None:
        return opens_at + timedelta(minutes=bid.minutes_after_open)
    return closes_at - timedelta(minutes=bid.minutes_before_close or 0)


def _outcome(rec: dict[str, Any], until: datetime | None = None) -> BiddingOutcome:
    """The bidding as scripted; with ``until``, only the bids placed by then (the state while it runs)."""
    req = PublishRequest.model_validate(rec["request"])
    script = RoundScript.model_validate(rec["script"])
    bids = [
        Bid(bidder_id=b.bidder_id, at=_bid_time(s, req.opens_at, req.closes_at), amount_fen=s.amount_fen)
        for b in script.bidders
        for s in b.bids
    ]
    if until is not None:
        bids = [b for b in bids if b.at <= until]
    eligible = {b["bidder_id"] for b in rec["bidders"] if b["bidder_id"] not in req.excluded_bidders}
    extension = timedelta(minutes=req.extension_minutes)
    if req.round is RoundKind.PRIVATE_SALE:
        return run_sale_period(
            req.opens_at,
            req.closes_at,
            req.start_price_fen,
            req.increment_fen,
            bids,
            eligible,
            timedelta(hours=req.sale_countdown_hours),
            extension,
        )
    return run_bidding(req.opens_at, req.closes_at, req.start_price_fen, req.increment_fen, bids, eligible, extension)


def _view(rec: dict[str, Any], now: datetime | None = None) -> AuctionView:
    req = PublishRequest.model_validate(rec["request"])
    script = RoundScript.model_validate(rec["script"])
    now = now or _legal_now(req.clock)
    out = _outcome(rec)
    ended = now > out.ends_at
    status = "announced" if now < req.opens_at else "bidding" if not ended else ("sold" if out.sold else "unsold")
    so_far = out if ended else _outcome(rec, until=now)
    view = AuctionView(
        auction_id=rec["auction_id"],
        status=status,
        round=req.round,
        attempt=req.attempt,
        start_price_fen=req.start_price_fen,
        opens_at=req.opens_at,
        closes_at=req.closes_at,
        ends_at=so_far.ends_at,
        extensions=so_far.extensions,
        bid_count=len(so_far.accepted),
        bidder_count=len(rec["bidders"]),
        ruling_served_at=rec.get("ruling_served_at"),
    )
    winner_id = out.winner if ended and out.sold else None
    if winner_id is not None and out.price_fen is not None:
        scripted = next((b for b in script.bidders if b.bidder_id == winner_id), None)
        registered = next(b for b in rec["bidders"] if b["bidder_id"] == winner_id)
        view.winner = WinnerView(
            bidder_id=winner_id, price_fen=out.price_fen, purchase_qualified=registered.get("purchase_qualified")
        )
        due = out.ends_at + timedelta(days=req.balance_due_days)
        view.balance_due_at = due
        pays = scripted.pays if scripted else True
        paid_at = out.ends_at + timedelta(hours=scripted.pay_after_hours if scripted else 24)
        if pays and paid_at <= due:
            if now >= paid_at:
                view.payment, view.paid_fen, view.paid_at = "paid", out.price_fen, paid_at
            else:
                view.payment = "pending"
        else:
            view.payment = "defaulted" if now > due else "pending"
    view.deposits = _deposits(rec, req, out, view, now)
    return view


def _deposits(
    rec: dict[str, Any], req: PublishRequest, out: BiddingOutcome, view: AuctionView, now: datetime
) -> list[DepositView]:
    script = AuctionScript.model_validate(rec.get("auction_script") or {})
    ended = view.status in ("sold", "unsold")
    auto_refund = out.ends_at + timedelta(hours=min(script.refund_after_hours, req.refund_within_hours))
    asked = datetime.fromisoformat(rec["refund_requested_at"]) if rec.get("refund_requested_at") else None
    refund_at = min(auto_refund, asked) if asked else auto_refund
    forfeited = rec.get("forfeited") or {}
    deposits: list[DepositView] = []
    for b in rec["bidders"]:
        amount = int(b["deposit_fen"])
        if amount == 0:
            continue
        bidder = b["bidder_id"]
        if bidder in forfeited:
            deposits.append(
                DepositView(bidder_id=bidder, amount_fen=amount, status="forfeited", changed_at=forfeited[bidder])
            )
        elif view.winner is not None and bidder == view.winner.bidder_id:
            if view.payment == "paid":
                deposits.append(
                    DepositView(bidder_id=bidder, amount_fen=amount, status="applied_to_price", changed_at=view.paid_at)
                )
            else:
                deposits.append(DepositView(bidder_id=bidder, amount_fen=amount, status="held"))
        elif ended and now >= refund_at:
            deposits.append(DepositView(bidder_id=bidder, amount_fen=amount, status="refunded", changed_at=refund_at))
        else:
            deposits.append(DepositView(bidder_id=bidder, amount_fen=amount, status="held"))
    return deposits


# --- the router -------------------------------------------------------------------------------------------


def build_auction_router(
    state_dir: Path | None = None, partners: list[PartnerEndpoint] | None = None, demo: bool = False
) -> APIRouter:
    """The auction platform's routes for ``partners`` (their bearer tokens are checked); without a list, any
    partner id with the sandbox token ``sandbox-<id>``. ``state_dir`` None keeps state in memory. ``demo``
    scripts the demo unit on every platform where nothing is scripted for it yet."""
    store = AuctionStore(state_dir / "auction.db" if state_dir else None)
    router = APIRouter(prefix="/partners/{partner_id}", tags=["simulator: auction platform"])
    known = {p.id: p for p in partners} if partners is not None else None
    for platform in (known or {}) if demo else ():
        store.put_if_absent(platform, "script", DEMO_UNIT, DEMO_SCRIPT.model_dump(mode="json"))

    def authorised(partner_id: str, authorization: str | None) -> None:
        if known is not None and partner_id not in known:
            raise SimulatorError(404, "UNKNOWN_PARTNER", f"no auction platform {partner_id!r} is simulated here")
        token = known[partner_id].token if known is not None else f"sandbox-{partner_id}"
        guards.require_bearer(authorization, guards.expected_authorization(token))

    async def mutate(
        request: Request,
        partner_id: str,
        route: str,
        key: str | None,
        authorization: str | None,
        act: Callable[[Docs, dict[str, Any]], tuple[int, BaseModel]],
    ) -> Response:
        try:
            authorised(partner_id, authorization)
            idem = guards.idempotency_key(key)
        except SimulatorError as exc:
            return _refused(exc)
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            # Not a request at all, so nothing to store; a repeat of a stored call still gets its answer.
            first = store.stored_answer(partner_id, idem)
            if first is None:
                return _refused(SimulatorError(422, "VALIDATION_FAILED", "body is not JSON"))
            answer = first
        else:
            answer = store.idempotent(partner_id, idem, route, lambda docs: act(docs, body))
        headers = {guards.REPLAYED_HEADER: "true"} if answer.replayed else None
        return Response(answer.body, status_code=answer.status, media_type="application/json", headers=headers)

    def read(
        partner_id: str, authorization: str | None, kind: str, ident: str, show: Callable[[dict[str, Any]], BaseModel]
    ) -> Response:
        """Every read: the caller authorised for this platform, the document found (a 404 naming it
        otherwise), shown as ``show`` makes it."""
        try:
            authorised(partner_id, authorization)
            rec = store.get(partner_id, kind, ident)
            if rec is None:
                raise SimulatorError(404, f"{kind.upper()}_NOT_FOUND", f"no {kind} {ident}")
        except SimulatorError as exc:
            return _refused(exc)
        return JSONResponse(show(rec).model_dump(mode="json"))

    def auction_or_refuse(docs: Docs, auction_id: str) -> dict[str, Any]:
        rec = docs.get("auction", auction_id)
        if rec is None:
            raise SimulatorError(404, "AUCTION_NOT_FOUND", f"no auction {auction_id}")
        return rec

    def auction_now(docs: Docs, auction_id: str) -> tuple[dict[str, Any], datetime, AuctionView]:
        """The auction's record, the legal time on its clock, and how it stands at that time."""
        rec = auction_or_refuse(docs, auction_id)
        now = _legal_now(PublishRequest.model_validate(rec["request"]).clock)
        return rec, now, _view(rec, now)

    # valuations (网络询价)

    @router.post("/valuations", status_code=202)
    async def request_valuation(
        request: Request,
        partner_id: PartnerId,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)] = None,
    ) -> Response:
        def act(docs: Docs, body: dict[str, Any]) -> tuple[int, BaseModel]:
            req = ValuationRequest.model_validate(body)
            script = AuctionScript.model_validate(docs.get("script", req.unit_number) or {})
            valuation_id = f"VAL-{uuid.uuid4().hex[:12]}"
            now = _legal_now(req.clock)
            docs.put(
                "valuation",
                valuation_id,
                {
                    "valuation_id": valuation_id,
                    "request": req.model_dump(mode="json"),
                    "price_fen": script.valuation_fen or _default_valuation(req),
                    "answer_at": (now + timedelta(hours=script.valuation_after_hours)).isoformat(),
                },
            )
            return 202, ValuationView(valuation_id=valuation_id, request_id=req.request_id, status="pending")

        return await mutate(request, partner_id, "valuation", idempotency_key, authorization, act)

    @router.get("/valuations/{valuation_id}")
    async def get_valuation(
        partner_id: PartnerId, valuation_id: str, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        return read(partner_id, authorization, "valuation", valuation_id, _valuation_view)

    # auctions

    @router.post("/auctions", status_code=201)
    async def publish(
        request: Request,
        partner_id: PartnerId,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)] = None,
    ) -> Response:
        def act(docs: Docs, body: dict[str, Any]) -> tuple[int, BaseModel]:
            req = PublishRequest.model_validate(body)
            if req.opens_at < req.announced_at or req.closes_at <= req.opens_at:
                raise SimulatorError(
                    422, "INVALID_SCHEDULE", "an auction opens after its announcement and closes after it opens"
                )
            script_doc = docs.get("script", req.unit_number) or {}
            script = AuctionScript.model_validate(script_doc)
            used = script_doc.get("_used", {})
            n = int(used.get(req.round.value, 0))
            rounds: list[RoundScript] = getattr(script, req.round.value)
            round_script = rounds[n] if n < len(rounds) else RoundScript()
            if script_doc:
                # Used up in the publication's own transaction: a round held again gets the next script.
                docs.put("script", req.unit_number, {**script_doc, "_used": {**used, req.round.value: n + 1}})
            auction_id = f"AUC-{uuid.uuid4().hex[:12]}"
            deposit = req.deposit_fen
            rec = {
                "auction_id": auction_id,
                "request": req.model_dump(mode="json"),
                "script": round_script.model_dump(mode="json"),
                "auction_script": script.model_dump(mode="json", exclude={"first", "second", "sale"}),
                "bidders": [
                    {"bidder_id": b.bidder_id, "deposit_fen": deposit, "purchase_qualified": b.purchase_qualified}
                    for b in round_script.bidders
                    if b.deposit and b.bidder_id not in req.excluded_bidders
                ],
            }
            docs.put("auction", auction_id, rec)
            return 201, _view(rec)

        return await mutate(request, partner_id, "publish", idempotency_key, authorization, act)

    @router.get("/auctions/{auction_id}")
    async def get_auction(
        partner_id: PartnerId, auction_id: str, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        return read(partner_id, authorization, "auction", auction_id, _view)

    @router.post("/auctions/{auction_id}/bidders")
    async def register_bidder(
        request: Request,
        partner_id: PartnerId,
        auction_id: str,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)] = None,
    ) -> Response:
        def act(docs: Docs, body: dict[str, Any]) -> tuple[int, BaseModel]:
            inp = RegisterBidderRequest.model_validate(body)
            rec = auction_or_refuse(docs, auction_id)
            req = PublishRequest.model_validate(rec["request"])
            view = _view(rec)
            if view.status in ("sold", "unsold"):
                raise SimulatorError(409, "AUCTION_ENDED", "bidding has ended")
            if inp.bidder_id in req.excluded_bidders:
                raise SimulatorError(
                    409, "BIDDER_EXCLUDED", "a buyer who defaulted may not bid again (网拍规定 Art. 24)"
                )
            if any(b["bidder_id"] == inp.bidder_id for b in rec["bidders"]):
                raise SimulatorError(409, "ALREADY_REGISTERED", "bidder is already registered")
            rec["bidders"].append(
                {
                    "bidder_id": inp.bidder_id,
                    "deposit_fen": inp.deposit_fen,
                    "purchase_qualified": inp.purchase_qualified,
                }
            )
            docs.put("auction", auction_id, rec)
            return 200, _view(rec)

        return await mutate(request, partner_id, "register_bidder", idempotency_key, authorization, act)

    @router.post("/auctions/{auction_id}/refunds")
    async def refund(
        request: Request,
        partner_id: PartnerId,
        auction_id: str,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)] = None,
    ) -> Response:
        def act(docs: Docs, body: dict[str, Any]) -> tuple[int, BaseModel]:
            RefundRequest.model_validate(body)
            rec, now, view = auction_now(docs, auction_id)
            if view.status not in ("sold", "unsold"):
                raise SimulatorError(409, "AUCTION_NOT_ENDED", "deposits are refunded after bidding ends")
            rec.setdefault("refund_requested_at", now.isoformat())
            docs.put("auction", auction_id, rec)
            return 200, _view(rec, now)

        return await mutate(request, partner_id, "refund", idempotency_key, authorization, act)

    @router.post("/auctions/{auction_id}/forfeitures")
    async def forfeit(
        request: Request,
        partner_id: PartnerId,
        auction_id: str,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)] = None,
    ) -> Response:
        def act(docs: Docs, body: dict[str, Any]) -> tuple[int, BaseModel]:
            inp = ForfeitRequest.model_validate(body)
            rec, now, view = auction_now(docs, auction_id)
            if view.winner is None or view.winner.bidder_id != inp.bidder_id or view.payment != "defaulted":
                raise SimulatorError(409, "NOT_DEFAULTED", "only a buyer who failed to pay forfeits the deposit")
            deposit = next((d for d in view.deposits if d.bidder_id == inp.bidder_id), None)
            amount = deposit.amount_fen if deposit else 0
            rec.setdefault("forfeited", {})[inp.bidder_id] = now.isoformat()
            docs.put("auction", auction_id, rec)
            return 200, ForfeitView(auction_id=auction_id, bidder_id=inp.bidder_id, amount_fen=amount, forfeited_at=now)

        return await mutate(request, partner_id, "forfeit", idempotency_key, authorization, act)

    @router.post("/auctions/{auction_id}/ruling")
    async def serve_ruling(
        request: Request,
        partner_id: PartnerId,
        auction_id: str,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)] = None,
    ) -> Response:
        def act(docs: Docs, body: dict[str, Any]) -> tuple[int, BaseModel]:
            inp = ServeRulingRequest.model_validate(body)
            rec, now, view = auction_now(docs, auction_id)
            if view.winner is None or view.winner.bidder_id != inp.bidder_id or view.payment != "paid":
                raise SimulatorError(409, "NOT_PAID", "the ruling is served on a buyer who has paid in full")
            rec["ruling_served_at"] = now.isoformat()
            rec["ruling_ref"] = inp.ruling_ref
            docs.put("auction", auction_id, rec)
            return 200, RulingServed(auction_id=auction_id, ruling_ref=inp.ruling_ref, served_at=now)

        return await mutate(request, partner_id, "serve_ruling", idempotency_key, authorization, act)

    # administration (simulator only)

    @router.put("/_admin/scripts/{unit_number}")
    async def put_script(partner_id: PartnerId, unit_number: str, script: AuctionScript) -> dict[str, str]:
        store.put(partner_id, "script", unit_number, script.model_dump(mode="json"))
        return {"unit_number": unit_number, "status": "scripted"}

    @router.get("/_admin/auctions")
    async def list_auctions(partner_id: PartnerId, unit_number: str | None = None) -> list[dict[str, Any]]:
        out = []
        for rec in store.all(partner_id, "auction"):
            if unit_number is None or rec["request"]["unit_number"] == unit_number:
                out.append({"request": rec["request"], "view": _view(rec).model_dump(mode="json")})
        return out

    @router.get("/_admin/auction-ledger")
    async def auction_ledger(partner_id: PartnerId) -> list[dict[str, Any]]:
        return store.ledger(partner_id)

    return router


def _refused(exc: SimulatorError) -> Response:
    response = exc.body_response()
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _valuation_view(rec: dict[str, Any]) -> ValuationView:
    """A valuation as it stands now on its clock: pending until its scripted answer time, then answered."""
    req = ValuationRequest.model_validate(rec["request"])
    answer_at = datetime.fromisoformat(rec["answer_at"])
    view = ValuationView(valuation_id=rec["valuation_id"], request_id=req.request_id, status="pending")
    if _legal_now(req.clock) >= answer_at:
        view.status, view.price_fen, view.answered_at = "answered", rec["price_fen"], answer_at
        view.valid_until = answer_at + timedelta(days=365)
    return view


def _default_valuation(req: ValuationRequest) -> int:
    """An unscripted valuation: a plausible price per m², so a demo without a script still gets an answer."""
    per_m2 = {"residential": 30_000_00, "commercial": 25_000_00, "industrial": 3_000_00}.get(
        req.land_use.value, 10_000_00
    )
    return int(req.area_m2 * per_m2)
