"""The ledger of an enforcement case (案件账目), in fen, reconciling to the fen.

Owed (应执行):
- the principal and the general interest the title awards (as claimed on filing);
- the doubled delay interest (加倍部分债务利息, 迟延利息解释 Arts. 1–3): the unpaid principal × 0.0175 % a
  day from the day after the performance period ended (``domain.distribution.delayed_interest_fen``);
- the execution costs, and the application fee (申请执行费, ``domain.fees``; paid after enforcement and
  borne by the debtor, 诉讼费用交纳办法 Arts. 20, 38).
Recovered (执行到位), by source; paid out to the applicant (已发放); the balance (未执行到位) = owed −
recovered, never below zero; what the case account holds = recovered − paid out.

Recovered money is applied in the order of 迟延利息解释 Art. 4 and 民法典 Art. 561: costs and the fee first,
then the general interest, then the principal, and the doubled interest last. Only the principal still
unpaid bears the doubled interest, so each recovery that reaches the principal ends a segment of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from domain.distribution import delayed_interest_fen
from domain.money import Fen


class Claim(BaseModel):
    """What the application claims (申请执行标的), as docketed."""

    principal_fen: Fen
    interest_fen: Fen = Field(default=0, description="一般债务利息 awarded by the title, to the filing date")
    costs_fen: Fen = Field(default=0, description="执行费用 other than the application fee")
    fee_fen: Fen = Field(default=0, description="申请执行费 (诉讼费用交纳办法 Art. 14(一))")
    performance_due_on: date = Field(description="the last day of the performance period (履行期间届满日)")
    delayed_daily_rate: Decimal = Field(description="迟延利息解释 Art. 1: 0.000175 per day")


class Recovery(BaseModel):
    effect_id: str
    source: str = Field(description="deduction | auction | settlement | voluntary")
    amount_fen: Fen
    on: date


class Payout(BaseModel):
    effect_id: str
    amount_fen: Fen
    on: date


class LedgerView(BaseModel):
    on: date
    principal_fen: int
    interest_fen: int
    delayed_interest_fen: int
    costs_fen: int
    fee_fen: int
    owed_fen: int
    recovered_fen: int
    recovered_by_source: dict[str, int]
    paid_out_fen: int
    held_fen: int = Field(description="recovered, not yet paid out (in the case account)")
    balance_fen: int
    overpaid_fen: int = Field(description="recovered beyond what is owed: goes back to the debtor")


def ledger_on(claim: Claim, recoveries: Iterable[Recovery], payouts: Iterable[Payout], on: date) -> LedgerView:
    """The ledger as it stands on ``on`` (recoveries and pay-outs after it are not counted)."""
    taken = sorted((r for r in recoveries if r.on <= on), key=lambda r: (r.on, r.effect_id))
    paid_out = sum(p.amount_fen for p in payouts if p.on <= on)
    before_principal = claim.costs_fen + claim.fee_fen + claim.interest_fen
    delayed, applied, segment_start = 0, 0, claim.performance_due_on
    for recovery in taken:
        unpaid_principal = _unpaid_principal(claim, applied, before_principal)
        if recovery.on > segment_start:
            delayed += delayed_interest_fen(unpaid_principal, segment_start, recovery.on, claim.delayed_daily_rate)
            segment_start = recovery.on
        applied += recovery.amount_fen
    if on > segment_start:
        unpaid_principal = _unpaid_principal(claim, applied, before_principal)
        delayed += delayed_interest_fen(unpaid_principal, segment_start, on, claim.delayed_daily_rate)
    owed = claim.principal_fen + before_principal + delayed
    by_source: dict[str, int] = {}
    for recovery in taken:
        by_source[recovery.source] = by_source.get(recovery.source, 0) + recovery.amount_fen
    return LedgerView(
        on=on,
        principal_fen=claim.principal_fen,
        interest_fen=claim.interest_fen,
        delayed_interest_fen=delayed,
        costs_fen=claim.costs_fen,
        fee_fen=claim.fee_fen,
        owed_fen=owed,
        recovered_fen=applied,
        recovered_by_source=by_source,
        paid_out_fen=paid_out,
        held_fen=applied - paid_out,
        balance_fen=max(owed - applied, 0),
        overpaid_fen=max(applied - owed, 0),
    )


def _unpaid_principal(claim: Claim, applied: int, before_principal: int) -> int:
    return min(max(claim.principal_fen - (applied - before_principal), 0), claim.principal_fen)
