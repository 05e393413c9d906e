"""The enforcement application fee (申请执行费), 诉讼费用交纳办法 (国务院令第481号) Art. 14(一).

With an amount to enforce: up to ¥10,000 a flat ¥50 a case; above that each band is charged on the
part of the amount inside it — ¥10,000–500,000 at 1.5 %, ¥500,000–5,000,000 at 1 %,
¥5,000,000–10,000,000 at 0.5 %, above ¥10,000,000 at 0.1 %. Without an amount: ¥50–500 a case, the
court choosing. The fee is paid after enforcement (Art. 20) and borne by the debtor (Art. 38); it is
one of the execution costs a freeze may cover and that the distribution pays first.

The bands are versioned legal parameters (``domain/legal_params.json``, keys ``fee.enforcement.*``),
so an amendment is a new entry, not a code change. Amounts are integer fen; the exact sum of the bands
is rounded once, half up, to the fen (the Measures say nothing of rounding: [I]).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field

from domain.legal_params import LegalParams, P
from domain.money import MAX_FEN, format_yuan


class FeeBand(BaseModel):
    """One band of the marginal schedule: the part of the amount above ``above_fen`` and up to
    ``up_to_fen`` (None: no upper bound) is charged ``rate``."""

    above_fen: int
    up_to_fen: int | None
    rate: Decimal


class BandCharge(BaseModel):
    band: FeeBand
    part_fen: int = Field(description="the part of the amount inside this band")
    charge: Decimal = Field(description="part × rate, exact (not yet rounded)")


class FeeAssessment(BaseModel):
    """The fee for one amount, and how it was reached (for the judge, the parties and the audit)."""

    amount_fen: int
    fee_fen: int
    flat_fen: int
    charges: list[BandCharge]
    basis: str = Field(description="instrument, article and the computation, in words")


def enforcement_bands(params: LegalParams) -> tuple[int, int, list[FeeBand]]:
    """(flat fee, amount the flat fee covers, the marginal bands above it), as in force in ``params``."""
    flat = params.fen(P.FEE_ENFORCEMENT_FLAT)
    flat_up_to = params.fen(P.FEE_ENFORCEMENT_FLAT_UP_TO)
    bounds = [
        (P.FEE_ENFORCEMENT_BAND_1_RATE, params.fen(P.FEE_ENFORCEMENT_BAND_1_UP_TO)),
        (P.FEE_ENFORCEMENT_BAND_2_RATE, params.fen(P.FEE_ENFORCEMENT_BAND_2_UP_TO)),
        (P.FEE_ENFORCEMENT_BAND_3_RATE, params.fen(P.FEE_ENFORCEMENT_BAND_3_UP_TO)),
        (P.FEE_ENFORCEMENT_BAND_4_RATE, None),
    ]
    bands: list[FeeBand] = []
    lower = flat_up_to
    for rate_key, upper in bounds:
        if upper is not None and upper <= lower:
            raise ValueError(f"fee bands must rise: {rate_key} ends at {upper} fen, below {lower}")
        bands.append(FeeBand(above_fen=lower, up_to_fen=upper, rate=params.ratio(rate_key)))
        lower = upper if upper is not None else lower
    return flat, flat_up_to, bands


def enforcement_fee(amount_fen: int, params: LegalParams) -> FeeAssessment:
    """申请执行费 for an amount to enforce of ``amount_fen`` (Art. 14(一)), in fen. E.g. ¥1,000,000 →
    50 + 1.5 % × 490,000 + 1 % × 500,000 = ¥12,400 (DOMAIN.md §16.2)."""
    if not 0 <= amount_fen <= MAX_FEN:
        raise ValueError(f"amount_fen must be between 0 and {MAX_FEN}")
    flat, _, bands = enforcement_bands(params)
    charges: list[BandCharge] = []
    for band in bands:
        top = amount_fen if band.up_to_fen is None else min(amount_fen, band.up_to_fen)
        part = top - band.above_fen
        if part <= 0:
            break
        charges.append(BandCharge(band=band, part_fen=part, charge=Decimal(part) * band.rate))
    exact = Decimal(flat) + sum((c.charge for c in charges), Decimal(0))
    fee = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return FeeAssessment(
        amount_fen=amount_fen,
        fee_fen=fee,
        flat_fen=flat,
        charges=charges,
        basis=_basis(params, flat, charges, fee),
    )


def no_amount_range(params: LegalParams) -> tuple[int, int]:
    """Without an amount to enforce the court sets the fee between these bounds, in fen (Art. 14(一))."""
    return params.fen(P.FEE_ENFORCEMENT_NO_AMOUNT_MIN), params.fen(P.FEE_ENFORCEMENT_NO_AMOUNT_MAX)


def _basis(params: LegalParams, flat: int, charges: list[BandCharge], fee: int) -> str:
    parts = [format_yuan(flat)]
    parts += [f"{format_yuan(c.part_fen)} × {_percent(c.band.rate)}" for c in charges]
    return f"{params.cite(P.FEE_ENFORCEMENT_FLAT)}: {' + '.join(parts)} = {format_yuan(fee)}"


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"
