"""Control measures (控制措施): freezing deposits, seizing real estate and vehicles, deducting funds.

Terms per 民诉法解释 Art. 485: deposits 1 year, movables 2 years, real estate 3 years; renew before expiry.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.assets import AssetKind
from domain.legal_time import LegalDuration, TimeUnit
from domain.money import Fen


class MeasureKind(StrEnum):
    FREEZE = "freeze"  # 冻结 (deposits, payment balances)
    SEIZE = "seize"  # 查封 / 扣押 (real estate, vehicles)


class SeizureRank(StrEnum):
    FIRST = "first"  # 首封
    QUEUED = "queued"  # 轮候


MAX_TERM_BY_ASSET: dict[AssetKind, LegalDuration] = {
    AssetKind.DEPOSIT: LegalDuration(amount=1, unit=TimeUnit.YEAR),
    AssetKind.PAYMENT_BALANCE: LegalDuration(amount=1, unit=TimeUnit.YEAR),
    AssetKind.VEHICLE: LegalDuration(amount=2, unit=TimeUnit.YEAR),
    AssetKind.REAL_ESTATE: LegalDuration(amount=3, unit=TimeUnit.YEAR),
}


def measure_kind_for(asset: AssetKind) -> MeasureKind:
    return MeasureKind.FREEZE if asset.is_funds else MeasureKind.SEIZE


class MeasureStatus(StrEnum):
    ACTIVE = "active"
    DEDUCTED = "deducted"  # funds moved into the case account (扣划)
    RELEASED = "released"  # 解除
    LAPSED = "lapsed"  # term ended without renewal


class Measure(BaseModel):
    """A measure a partner has registered. ``amount_fen`` is what the partner actually froze."""

    measure_id: str = Field(description="the partner's reference for the measure")
    partner_id: str
    asset_index: int = Field(description="position of the asset in the inquiry report")
    asset_kind: AssetKind
    kind: MeasureKind
    amount_fen: Fen = 0
    rank: SeizureRank | None = None
    registered_at: datetime
    expires_at: datetime
    status: MeasureStatus = MeasureStatus.ACTIVE
    renewals: int = 0


def measure_key(m: Measure) -> str:
    """How a case's register names an inquiry's measure (its step: ``freeze/3``, ``seize/5``)."""
    return f"{m.kind.value}/{m.asset_index}"
