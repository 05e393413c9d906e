"""The debtor's necessary residence (生活所必需的居住房屋): it may be seized but not auctioned, sold or taken in
satisfaction (查扣冻规定 Art. 4) — unless one of the grounds of 异议复议规定 Art. 20 applies, which the
judge must state. And it is not put up while the claim can be covered from other assets (拍卖变卖规定
Art. 14: stop once the proceeds suffice)."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, Field, model_validator

from domain.money import Fen


class ResidenceGround(StrEnum):
    """异议复议规定 Art. 20: when the necessary-residence objection does not stop enforcement."""

    SUPPORTER_HAS_HOUSING = "supporter_has_housing"  # 第一款第一项: 扶养义务人名下有其他能维持生活必需的住房
    EVASIVE_TRANSFER = "evasive_transfer"  # 第一款第二项: 生效后转让其名下其他房屋
    LOW_RENT_HOUSING = "low_rent_housing"  # 第一款第三项: 申请执行人提供廉租住房标准的居住房屋
    RENT_DEDUCTION = "rent_deduction"  # 第一款第三项: 同意从价款中扣除5至8年租金
    DELIVERY_TITLE = "delivery_title"  # 第二款: 执行依据确定交付该房屋, 通知送达后已逾三个月

    @property
    def basis(self) -> str:
        return {
            "supporter_has_housing": "异议复议规定 第二十条第一款第一项",
            "evasive_transfer": "异议复议规定 第二十条第一款第二项",
            "low_rent_housing": "异议复议规定 第二十条第一款第三项",
            "rent_deduction": "异议复议规定 第二十条第一款第三项",
            "delivery_title": "异议复议规定 第二十条第二款",
        }[self.value]


class ResidenceException(BaseModel):
    """The judge's decision that the necessary residence may be sold, with its ground."""

    ground: ResidenceGround
    rent_years: int | None = Field(default=None, description="rent_deduction: 5 to 8 years")
    monthly_rent_fen: Fen | None = Field(default=None, description="rent_deduction: local average market rent")
    conceded_by: str | None = Field(
        default=None,
        description="rent_deduction: the claim id of the applying creditor who agreed; the rent comes out of "
        "that creditor's share (异议复议规定 Art. 20(1)(3): the applicant's concession)",
    )

    @model_validator(mode="after")
    def _rent(self) -> Self:
        if self.ground is ResidenceGround.RENT_DEDUCTION:
            if self.rent_years is None or self.monthly_rent_fen is None:
                raise ValueError("rent_deduction needs rent_years and monthly_rent_fen")
        elif self.rent_years is not None or self.monthly_rent_fen is not None or self.conceded_by is not None:
            raise ValueError("rent_years, monthly_rent_fen and conceded_by apply to rent_deduction only")
        return self

    def reserve_fen(self) -> int:
        """What is deducted from the price and left to the debtor (rent deduction), else nothing."""
        if self.ground is ResidenceGround.RENT_DEDUCTION and self.rent_years and self.monthly_rent_fen:
            return self.rent_years * 12 * self.monthly_rent_fen
        return 0


class OtherAsset(BaseModel):
    """An asset of the debtor beside the one being disposed (e.g. the family home)."""

    description: str = Field(min_length=1, max_length=200)
    unit_number: str | None = Field(default=None, description="不动产单元号, if real estate")
    estimated_value_fen: Fen = 0
    necessary_residence: bool = Field(default=False, description="生活所必需的居住房屋 (查扣冻规定 Art. 4)")


def covered_without_residence(owed_fen: int, other_assets: list[OtherAsset]) -> bool:
    """Whether assets that are not a necessary residence are worth at least what is owed (an estimate)."""
    return sum(a.estimated_value_fen for a in other_assets if not a.necessary_residence) >= owed_fen


def residence_problem(
    exception: ResidenceException, min_years: int, max_years: int, creditors: set[str], money_claim: bool = True
) -> str | None:
    """Why the judge's ground does not let the necessary residence be sold here, or None.

    Art. 20 para 2 concerns titles that order the debtor to *deliver the house itself*; in the
    enforcement of a money claim (金钱债权执行) it is no ground to sell the debtor's home."""
    if money_claim and exception.ground is ResidenceGround.DELIVERY_TITLE:
        return (
            "ground: delivery_title (异议复议规定 第二十条第二款) applies only where the title orders delivery of "
            "the house itself, not to a money claim"
        )
    rent_years = exception.rent_years
    if rent_years is not None and not min_years <= rent_years <= max_years:
        return f"rent_years: must be {min_years} to {max_years} (异议复议规定 第二十条)"
    if exception.ground is ResidenceGround.RENT_DEDUCTION and exception.conceded_by not in creditors:
        return "conceded_by: name the applying creditor who agreed to the rent deduction (a claim id of this case)"
    return None
