"""Money is integer fen (分). Never float. Allocations sum exactly to the whole."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import Field

# 10^15 fen is ¥10 trillion, above any single enforcement matter; beyond it an amount is an error (or an
# attack on the arithmetic), not money. Strict: 100 is money, "100", 100.0 and true are not.
MAX_FEN = 10**15
Fen = Annotated[int, Field(ge=0, le=MAX_FEN, strict=True, description="amount in fen (1/100 yuan), an integer ≤ 10^15")]
PositiveFen = Annotated[
    int, Field(gt=0, le=MAX_FEN, strict=True, description="amount in fen (1/100 yuan), an integer, 0 < x ≤ 10^15")
]

_CENT = Decimal("0.01")
_MAX_YUAN = Decimal(MAX_FEN) / 100


class AmountError(ValueError):
    """A yuan amount that is not money: ``rule`` says why — ``amount_format`` (not a number),
    ``amount_decimals`` (more than two decimals) or ``amount_too_large`` (beyond ``MAX_FEN``)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def yuan_to_fen(amount: str | Decimal) -> int:
    """Parses a yuan amount such as "100.00" into fen; more than two decimals is an error, not a rounding.
    "1e30" or thirty digits is not money either (beyond ``MAX_FEN`` in size): an error, never an overflow
    further down."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise AmountError("amount_format", f"{str(amount)[:40]!r} is not an amount of yuan") from None
    if not value.is_finite():
        raise AmountError("amount_format", f"{str(amount)[:40]!r} is not an amount of yuan")
    if abs(value) > _MAX_YUAN:
        raise AmountError("amount_too_large", f"{str(amount)[:40]!r} is more than ¥{_MAX_YUAN:,}")
    if value != value.quantize(_CENT):
        raise AmountError("amount_decimals", f"{amount!r} has more than two decimal places")
    return int(value * 100)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(_CENT, rounding=ROUND_HALF_UP)


def format_yuan(fen: int) -> str:
    """¥1,234.56 — for people; machines keep the integer."""
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{fen_to_yuan(abs(fen)):,.2f}"


def allocate_largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Splits ``total`` fen in proportion to ``weights`` so the parts sum exactly to ``total``.

    Each part gets the floor of its exact share; the fen left over go one each to the largest
    remainders, ties broken by position (earlier first) so the result is deterministic.
    """
    if total < 0:
        raise ValueError("total must be >= 0")
    if any(w < 0 for w in weights):
        raise ValueError("weights must be >= 0")
    weight_sum = sum(weights)
    if weight_sum == 0:
        if total:
            raise ValueError("cannot allocate a positive total over zero weights")
        return [0 for _ in weights]
    floors = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        floors[i] += 1
    return floors
