"""The sale: 一拍 (start ≥ 70 % of the reference, announced ≥ 30 days) → 二拍 (within 30 days, cut ≤ 20 %,
announced ≥ 15 days) → 变卖 (60 days at the 二拍 price) → 以物抵债 or release (网拍规定, 变卖规定).

Bidding lasts ≥ 24 h with the 5-minute extension; losing deposits come back within 24 h. A buyer who does
not pay forfeits the deposit and may not bid again, and the round is held again; a buyer who pays gets the
judge's 成交裁定 once the purchase qualification is checked, or the round is held again without them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.auction import (
        AuctionActivities,
        AwaitAuctionInput,
        ForfeitInput,
        PublishInput,
        PublishRequest,
        RefundInput,
    )
    from domain.auction import AuctionTerms, AuctionView, RoundKind, RoundSchedule, announcement_lead, schedule_round
    from domain.documents import APPLICANT, DEBTOR, DocumentKind
    from domain.legal_params import P as LP
    from workflows.foundation import retries
    from workflows.real_estate_disposal.models import (
        CONFIRM_SALE,
        IN_KIND,
        REFUSE_SALE,
        RELEASE,
        ROUND_STATUSES,
        SET_TERMS,
        InKind,
        RoundRecord,
        SaleConfirmation,
        Status,
    )

from workflows.real_estate_disposal.case import CALL, DOCUMENTS_PATCH, DisposalCase, Stop

NEXT_ROUND = {RoundKind.FIRST: RoundKind.SECOND, RoundKind.SECOND: RoundKind.PRIVATE_SALE}


async def sell(case: DisposalCase) -> str | None:
    """Rounds until a buyer pays, or a creditor takes the property in kind. Returns the in-kind taker's
    claim id (None for a sale to a bidder); raises Stop when the property is released."""
    kind, attempt = RoundKind.FIRST, 1
    while True:
        record = await _hold_round(case, kind, attempt)
        view = record.result
        assert view is not None
        if view.status == "unsold":
            case.timeline.record("unsold", round=kind.value, attempt=attempt)
            if kind is RoundKind.FIRST:
                await note_reauction_limit(case, view.ends_at)
            if kind in NEXT_ROUND:
                kind, attempt = NEXT_ROUND[kind], 1
                continue
            return await _after_unsold_private_sale(case, record)
        settled = await _await_platform(case, record, "settled")
        record.result = settled
        winner = settled.winner
        assert winner is not None
        if settled.payment != "paid":
            await _forfeit(case, record, winner.bidder_id, winner.price_fen)
        elif await _ruling(case, record):
            return None
        attempt += 1


async def _hold_round(case: DisposalCase, kind: RoundKind, attempt: int) -> RoundRecord:
    req, params = case.req, case.params
    statuses = ROUND_STATUSES[kind]
    terms = await _terms_for(case, kind, attempt)
    # Parties and known pre-emption holders are told at least 3 days before the announcement (Art. 16).
    case.set_status(statuses.notifying)
    if kind is RoundKind.FIRST and attempt == 1:
        # The 拍卖裁定 goes to the parties with the notice, before the announcement (CPL 255; 网拍规定 Art. 16).
        fields = {**case.party_fields(), "start_price_fen": terms.start_price_fen}
        await case.documents.issue(
            "auction-ruling",
            DocumentKind.AUCTION_RULING,
            fields,
            patch=DOCUMENTS_PATCH,
            addressed_to=(APPLICANT, DEBTOR),
        )
    case.timeline.record("parties_notified", round=kind.value, attempt=attempt, basis=params.cite(LP.PARTY_NOTICE_LEAD))
    await case.clock.sleep_until(case.legal_now() + params.span(LP.PARTY_NOTICE_LEAD))
    announced_at = case.legal_now()
    schedule = await _schedule(case, kind, announced_at, terms)
    _check_reauction_deadline(case, kind, schedule.opens_at)
    publish = PublishRequest(
        case_number=req.case_number,
        court=req.court,
        unit_number=req.property.unit_number,
        title=f"{req.property.description} ({kind.label})",
        round=kind,
        attempt=attempt,
        start_price_fen=terms.start_price_fen,
        deposit_fen=terms.deposit_fen,
        increment_fen=terms.increment_fen,
        announced_at=schedule.announced_at,
        opens_at=schedule.opens_at,
        closes_at=schedule.closes_at,
        extension_minutes=int(params.span(LP.EXTENSION) / timedelta(minutes=1)),
        sale_countdown_hours=int(params.span(LP.SALE_COUNTDOWN) / timedelta(hours=1)),
        balance_due_days=params.duration(LP.BALANCE_DUE).amount,
        refund_within_hours=int(params.span(LP.DEPOSIT_REFUND_WITHIN) / timedelta(hours=1)),
        purchase_restricted=case.purchase_restricted,
        disclosures=case.defects.disclosures if case.defects else [],
        excluded_bidders=list(case.excluded),
        clock=case.wire_clock(),
    )
    view = await workflow.execute_activity_method(
        AuctionActivities.publish,
        PublishInput(platform=req.auction_platform, step=f"round/{kind.value}/{attempt}", request=publish),
        start_to_close_timeout=CALL,
        retry_policy=retries.PARTNER,
    )
    record = RoundRecord(
        kind=kind,
        attempt=attempt,
        terms=terms,
        auction_id=view.auction_id,
        announced_at=schedule.announced_at,
        opens_at=schedule.opens_at,
        closes_at=schedule.closes_at,
    )
    case.rounds.append(record)
    await _announce(case, record, kind)
    case.set_status(statuses.announced)
    case.timeline.record(
        "announced",
        round=kind.value,
        attempt=attempt,
        start_price_fen=terms.start_price_fen,
        deposit_fen=terms.deposit_fen,
        opens_at=schedule.opens_at.isoformat(),
        closes_at=schedule.closes_at.isoformat(),
        disclosures=len(publish.disclosures),
    )
    await case.clock.sleep_until(schedule.opens_at)
    case.set_status(statuses.bidding)
    # An auction ends at its close (or later, extended); a 变卖 ends when someone buys or its period runs out.
    if kind is not RoundKind.PRIVATE_SALE:
        await case.clock.sleep_until(schedule.closes_at)
    record.result = await _await_platform(case, record, "ended")
    case.timeline.record(
        "bidding_ended",
        round=kind.value,
        attempt=attempt,
        outcome=record.result.status,
        ends_at=record.result.ends_at.isoformat(),
        extensions=record.result.extensions,
        bids=record.result.bid_count,
    )
    await _refund_losers(case, record)
    return record


async def _announce(case: DisposalCase, record: RoundRecord, kind: RoundKind) -> None:
    """The round's 拍卖公告 (网拍规定 Art. 12), published with the round: served by announcement, on no one."""
    fields = {
        "property": case.party_fields()["property"],
        "platform": case.req.auction_platform,
        "round": kind.label,
        "auction_start": record.opens_at,
        "auction_end": record.closes_at,
        "start_price_fen": record.terms.start_price_fen,
        "deposit_fen": record.terms.deposit_fen,
        "increment_fen": record.terms.increment_fen,
    }
    step = f"announcement/{kind.value}/{record.attempt}"
    await case.documents.issue(step, DocumentKind.AUCTION_ANNOUNCEMENT, fields, patch=DOCUMENTS_PATCH)


async def _terms_for(case: DisposalCase, kind: RoundKind, attempt: int) -> AuctionTerms:
    """The panel sets 拍卖 terms (网拍规定 Art. 27); 变卖 runs at the 二拍 price, the deposit the full price [S]."""
    awaiting_terms = ROUND_STATUSES[kind].awaiting_terms
    if awaiting_terms is None:
        second = next(r for r in reversed(case.rounds) if r.kind is RoundKind.SECOND)
        price = second.terms.start_price_fen
        return AuctionTerms(start_price_fen=price, deposit_fen=price, increment_fen=second.terms.increment_fen)
    case.set_status(awaiting_terms)
    case.terms_round = kind
    decision = await case.decided(SET_TERMS)
    terms = AuctionTerms.model_validate(decision.payload)
    case.timeline.record("terms_set", decision.reason, round=kind.value, attempt=attempt, **terms.model_dump())
    return terms


# Runs recorded before announcement leads, the 变卖 period and the 二拍 limit rolled forward (CPL Art. 85)
# counted plain calendar days; they keep doing so.
ROLL_FORWARD_PATCH = "auction-periods-roll-forward"


async def _schedule(case: DisposalCase, kind: RoundKind, announced_at: datetime, terms: AuctionTerms) -> RoundSchedule:
    """The round's times with its legal periods counted by the legal calendar: the announcement lead
    (网拍规定 Arts. 12, 26) and the 变卖 period end on a working day when their last day is a rest day."""
    params = case.params
    if not workflow.patched(ROLL_FORWARD_PATCH):
        return schedule_round(kind, announced_at, terms, params)
    lead = await case.period(f"announcement_{kind.value}", announcement_lead(kind, params), announced_at)
    sale_ends_at = None
    if kind is RoundKind.PRIVATE_SALE:
        sale_ends_at = (await case.period("sale_period", params.duration(LP.SALE_PERIOD), lead.due_at)).due_at
    return schedule_round(kind, announced_at, terms, params, lead_ends_at=lead.due_at, sale_ends_at=sale_ends_at)


async def note_reauction_limit(case: DisposalCase, failed_at: datetime) -> None:
    """二拍 within 30 days of the 流拍 (网拍规定 Art. 26), the last day rolled forward (CPL Art. 85)."""
    if workflow.patched(ROLL_FORWARD_PATCH):
        period = await case.period("reauction_within", case.params.duration(LP.REAUCTION_WITHIN), failed_at)
        case.reauction_limit_at = period.due_at


def _check_reauction_deadline(case: DisposalCase, kind: RoundKind, opens_at: datetime) -> None:
    """A late 二拍 is recorded, for the judge to answer for."""
    limit = case.reauction_limit()
    if kind is RoundKind.SECOND and limit is not None and opens_at > limit:
        case.timeline.record("reauction_deadline_missed", limit=limit.isoformat(), opens_at=opens_at.isoformat())


async def _await_platform(case: DisposalCase, record: RoundRecord, until: Literal["ended", "settled"]) -> AuctionView:
    """One long activity that polls the platform until bidding ended, or until the buyer paid or defaulted."""
    params = case.params
    if until == "settled":
        bound = timedelta(days=params.duration(LP.BALANCE_DUE).amount + 1)
    elif record.kind is RoundKind.PRIVATE_SALE:
        bound = params.span(LP.SALE_PERIOD)
    else:
        bound = timedelta(days=1)
    return await workflow.execute_activity_method(
        AuctionActivities.await_auction,
        AwaitAuctionInput(
            platform=case.req.auction_platform,
            auction_id=record.auction_id,
            until=until,
            poll_seconds=case.poll(),
        ),
        start_to_close_timeout=case.inp.context.time_scale.real(bound) + timedelta(seconds=60),
        heartbeat_timeout=case.heartbeat(),
        retry_policy=retries.PARTNER,
    )


async def _refund_losers(case: DisposalCase, record: RoundRecord) -> None:
    """Deposits of everyone but the buyer come back within 24 h of the end (网拍规定 Art. 23)."""
    if not record.result or not record.result.deposits:
        return
    view = await workflow.execute_activity_method(
        AuctionActivities.refund_deposits,
        RefundInput(
            platform=case.req.auction_platform,
            step=f"refund/{record.kind.value}/{record.attempt}",
            auction_id=record.auction_id,
            reason="竞价结束, 退还未成交竞买人保证金",
        ),
        start_to_close_timeout=CALL,
        retry_policy=retries.PARTNER,
    )
    refunded = [d for d in view.deposits if d.status == "refunded"]
    case.timeline.record(
        "deposits_refunded",
        round=record.kind.value,
        count=len(refunded),
        within_hours=max(
            ((d.changed_at - view.ends_at) / timedelta(hours=1) for d in refunded if d.changed_at), default=0.0
        ),
    )


async def _forfeit(case: DisposalCase, record: RoundRecord, bidder: str, price_fen: int) -> None:
    """悔拍: the deposit is not refunded (网拍规定 Art. 24) and the buyer may not bid again."""
    forfeit = await workflow.execute_activity_method(
        AuctionActivities.forfeit_deposit,
        ForfeitInput(
            platform=case.req.auction_platform,
            step=f"forfeit/{record.kind.value}/{record.attempt}",
            auction_id=record.auction_id,
            bidder_id=bidder,
            reason="买受人未在期限内交付价款 (悔拍)",
        ),
        start_to_close_timeout=CALL,
        retry_policy=retries.PARTNER,
    )
    case.excluded.append(bidder)
    case.forfeited.append((forfeit.amount_fen, price_fen))
    case.timeline.record("buyer_defaulted", round=record.kind.value, bidder=bidder, forfeited_fen=forfeit.amount_fen)


async def _ruling(case: DisposalCase, record: RoundRecord) -> bool:
    """Paid in full: the judge checks the buyer held the purchase qualification throughout (竞买人资格规定
    Art. 3) and confirms the sale, or refuses the ruling — then the round is held again without them."""
    assert record.result is not None and record.result.winner is not None
    winner = record.result.winner
    case.sold, case.buyer, case.sale_price_fen = record, winner.bidder_id, winner.price_fen
    case.timeline.record("paid", round=record.kind.value, price_fen=winner.price_fen, bidder=winner.bidder_id)
    case.set_status(Status.AWAITING_RULING)
    decision = await case.decided(CONFIRM_SALE, REFUSE_SALE)
    if decision.decision == CONFIRM_SALE:
        case.ruling_ref = SaleConfirmation.model_validate(decision.payload).ruling_ref
        await _confirm(case, record, winner.bidder_id, winner.price_fen)
        return True
    case.sold = case.buyer = case.sale_price_fen = None
    case.excluded.append(winner.bidder_id)
    case.timeline.record("sale_refused", decision.reason, round=record.kind.value, bidder=winner.bidder_id)
    return False


async def _confirm(case: DisposalCase, record: RoundRecord, buyer: str, price_fen: int) -> None:
    """The 成交确认裁定: title passes when it is served on the buyer (民诉法解释 Art. 491). The buyer is known
    here only by the platform's bidder id, as the ruling names them; the parties are served too."""
    assert record.result is not None
    fields = {
        **case.party_fields(),
        "auction_end": record.result.ends_at,
        "platform": case.req.auction_platform,
        "buyer_name": f"竞买号 {buyer}",
        "price_fen": price_fen,
        "ruling_reference": case.ruling_ref,
    }
    await case.documents.issue(
        f"sale-ruling/{record.kind.value}/{record.attempt}",
        DocumentKind.SALE_CONFIRMATION_RULING,
        fields,
        patch=DOCUMENTS_PATCH,
        addressed_to=(APPLICANT, DEBTOR),
    )


async def _after_unsold_private_sale(case: DisposalCase, record: RoundRecord) -> str:
    """Unsold after 变卖: a creditor may take the property at the reserve price (以物抵债), else release."""
    case.set_status(Status.AWAITING_UNSOLD_DECISION)
    decision = await case.decided(IN_KIND, RELEASE)
    if decision.decision == RELEASE:
        raise Stop(Status.RELEASED, decision.reason)
    in_kind = InKind.model_validate(decision.payload)
    case.sale_price_fen = record.terms.start_price_fen
    case.buyer, case.ruling_ref = in_kind.claim_id, in_kind.ruling_ref
    case.timeline.record("taken_in_kind", decision.reason, claim_id=in_kind.claim_id, price_fen=case.sale_price_fen)
    return in_kind.claim_id
