"""Asset control (财产控制) rules: what to freeze, in which order, and never beyond the claim.

查扣冻规定 Art. 19 / CPL Art. 253: control only up to the amount owed plus execution costs (no 超标的查封).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

from domain.assets import AssetKind, AssetStatus, FoundAsset
from domain.money import Fen
from domain.parties import mask


class ReportedAsset(BaseModel):
    """An asset in the inquiry report, numbered so decisions and steps can name it without its number."""

    index: int
    asset: FoundAsset

    def public_view(self) -> dict[str, object]:
        """What the report shows: the reference masked (an account number is personal data)."""
        a = self.asset
        return {
            "index": self.index,
            "partner_id": a.partner_id,
            "kind": a.kind.value,
            "reference": mask(a.reference),
            "description": a.description,
            "available_fen": a.available_fen,
            "status": a.status.value,
        }


def number_assets(assets_by_partner: Iterable[Sequence[FoundAsset]]) -> list[ReportedAsset]:
    """Numbers assets in partner order (the configured order), then in the order each partner listed them."""
    numbered: list[ReportedAsset] = []
    for assets in assets_by_partner:
        for asset in assets:
            numbered.append(ReportedAsset(index=len(numbered), asset=asset))
    return numbered


def control_target(amount_owed_fen: int, execution_costs_fen: int) -> int:
    return amount_owed_fen + execution_costs_fen


def freezable_in_order(report: Sequence[ReportedAsset], selected: set[int] | None) -> list[ReportedAsset]:
    """Deposits and payment balances with funds, in report order: deterministic, so a replay agrees."""
    return [
        r
        for r in report
        if r.asset.kind.is_funds
        and r.asset.status is AssetStatus.NORMAL
        and (r.asset.available_fen or 0) > 0
        and (selected is None or r.index in selected)
    ]


def seizable(report: Sequence[ReportedAsset], selected: set[int] | None) -> list[ReportedAsset]:
    return [
        r
        for r in report
        if r.asset.kind in (AssetKind.REAL_ESTATE, AssetKind.VEHICLE)
        and r.asset.status is AssetStatus.NORMAL
        and (selected is None or r.index in selected)
    ]


class FreezeBudget(BaseModel):
    """Tracks the freeze total against the target; ``ask`` never lets the total pass it."""

    target_fen: Fen
    frozen_fen: Fen = 0

    @property
    def remaining_fen(self) -> int:
        return self.target_fen - self.frozen_fen

    def ask(self, available_fen: int) -> int:
        return max(0, min(available_fen, self.remaining_fen))

    def record(self, frozen_fen: int) -> None:
        if frozen_fen > self.remaining_fen:
            raise ValueError("a freeze beyond the target would be 超标的查封")
        self.frozen_fen += frozen_fen


class ApproveControl(BaseModel):
    """The judge approves control measures: all reported assets, or a selection by report index."""

    selection: list[int] | None = Field(default=None, description="report indexes to control; omit to approve all")
    deduct: bool = Field(default=True, description="deduct frozen funds into the case account (扣划)")


class RejectControl(BaseModel):
    """The judge rejects control measures (a reason is required)."""
