"""A property lead (财产线索) and the work it becomes once the judge verifies it (DOMAIN §19.2).

财产调查规定 Art 2: the applicant gives what they know of the debtor's assets; a specific lead is checked
within 7 days (3 if urgent). Checking is not the end: a verified lead is acted on by the matter that reaches
that kind of asset — the court's own act on it, through the agency that holds it:

- a vehicle (车辆, by plate and VIN) → seizure of the vehicle (扣押, CPL Art 252–253; 查扣冻规定 Art 1), the
  vehicle registry noting it and the traffic police taking the car: the cross-region seizure matter, with
  the plate and VIN pre-filled; the ruling's number is the judge's to give;
- a bank account (银行账户) → the network inquiry and control (网络查控, 网络查冻规定 Arts 4, 10) aimed at
  the bank the lead names, which freezes and deducts what it finds up to the claim (CPL Art 253); a bank
  the network does not reach (or a name that fits several) is asked with every bank, and the judge reads why;
- real estate (不动产) → the same inquiry aimed at the real-estate registry (不动产登记机构), which seizes
  the unit it finds (查扣冻规定 Art 1); a seized unit is then proposed for disposal (domain/next_steps.py);
- anything else (other movables, claims, equity, a lead with no asset named) → the network inquiry.

Pure: the lead and the partners the court reaches in, the matter to start, what it is pre-filled with and
which partners it asks out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, model_validator

from domain.partners import PartnerCategory, PartnerEndpoint
from domain.personal import AccountNumber, PlateNumber, Vin

ASSET_INQUIRY = "asset-inquiry"
VEHICLE_SEIZURE = "cross-region-seizure"


class LeadAssetKind(StrEnum):
    VEHICLE = "vehicle"  # 车辆
    BANK_ACCOUNT = "bank-account"  # 银行账户
    REAL_ESTATE = "real-estate"  # 不动产
    OTHER = "other"  # 其他财产 (动产、债权、股权 …)


class LeadAsset(BaseModel):
    """What the lead says of the asset, as specific as the applicant knows it (具体线索)."""

    kind: LeadAssetKind = Field(description="财产类型")
    plate: PlateNumber = Field(default="", max_length=12, description="车辆: 号牌")
    vin: Vin = Field(default="", max_length=17, description="车辆: 车辆识别代号 (如知道)")
    bank: str = Field(default="", max_length=100, description="银行账户: 开户银行")
    account: AccountNumber = Field(default="", max_length=64, description="银行账户: 账号 (如知道)")
    location: str = Field(default="", max_length=200, description="不动产: 坐落")
    certificate: str = Field(default="", max_length=100, description="不动产: 不动产权证号 (如知道)")

    @model_validator(mode="after")
    def _specific(self) -> LeadAsset:
        """A lead is specific (财产调查规定 Art 2) when it names what finds the asset: a vehicle's plate, an
        account's bank, a unit's location."""
        needed = {
            LeadAssetKind.VEHICLE: ("plate", "车辆线索须写明号牌 / a vehicle lead names the plate"),
            LeadAssetKind.BANK_ACCOUNT: ("bank", "账户线索须写明开户银行 / an account lead names the bank"),
            LeadAssetKind.REAL_ESTATE: ("location", "不动产线索须写明坐落 / a real-estate lead names the location"),
        }.get(self.kind)
        if needed and not getattr(self, needed[0]).strip():
            raise ValueError(f"{needed[0]}: {needed[1]}")
        return self


class LeadAction(BaseModel):
    """The matter a verified lead becomes: which, why (zh, en), under what rule, pre-filled with what."""

    scenario: str
    reason: str
    reason_en: str
    law: str
    prefill: dict[str, Any] = Field(default_factory=dict, description="the matter's own fields from the lead")
    partners: list[str] = Field(
        default_factory=list, description="the partners (ids) the matter asks; empty: every one it covers"
    )


def lead_action(asset: LeadAsset | None, partners: Sequence[PartnerEndpoint] = ()) -> LeadAction:
    """The matter that acts on a verified lead, aimed at what the lead names among ``partners`` (the ones
    the court reaches); this module's docstring has the rules."""
    if asset is not None and asset.kind is LeadAssetKind.VEHICLE:
        vehicle = {"plate": asset.plate.strip().upper()} | ({"vin": asset.vin.strip().upper()} if asset.vin else {})
        return LeadAction(
            scenario=VEHICLE_SEIZURE,
            reason="车辆线索经核实: 扣押车辆, 由车辆登记机关协助、交警查扣",
            reason_en="Vehicle lead verified: the vehicle is seized, noted by the registry, taken by the police",
            law="民事诉讼法第二百五十二条、第二百五十三条; 查扣冻规定第一条; 财产调查规定第二条",
            prefill={"vehicle": vehicle},
        )
    if asset is not None and asset.kind is LeadAssetKind.BANK_ACCOUNT:
        bank = named_bank(asset.bank, partners)
        if bank is not None:
            return LeadAction(
                scenario=ASSET_INQUIRY,
                reason=f"账户线索经核实: 向{_plain(bank.name)}查询、冻结、扣划存款",
                reason_en=f"Account lead verified: {_plain(bank.name)} is asked, the deposits frozen and deducted",
                law=_INQUIRY[LeadAssetKind.BANK_ACCOUNT].law,
                partners=[bank.id],
            )
    if asset is not None and asset.kind is LeadAssetKind.REAL_ESTATE:
        registries = [p.id for p in partners if p.category is PartnerCategory.REAL_ESTATE]
        if registries:
            return _INQUIRY[LeadAssetKind.REAL_ESTATE].model_copy(update={"partners": registries})
    return _INQUIRY[asset.kind if asset else LeadAssetKind.OTHER]


# A parenthesised note (``(沙箱)``), a company form, spaces: not part of a bank's name as people write it.
_NOISE = re.compile(r"\(.*?\)|（.*?）|股份有限公司|有限责任公司|\s")


def _plain(name: str) -> str:
    return _NOISE.sub("", name)


def named_bank(written: str, partners: Sequence[PartnerEndpoint]) -> PartnerEndpoint | None:
    """The bank a lead names, among the banks the court reaches: one whose name, or a name people call it by
    (its directory's ``aliases``: 工行, 建行 …), the lead contains (a branch: 中国工商银行杭州分行, 工行西湖支行 →
    中国工商银行; the longest wins), else the only one whose name contains what the lead calls the bank (工商银行,
    工商银行西湖支行 → 中国工商银行). None when no bank, or several, fit."""
    said = _plain(written)
    if not said:
        return None
    banks = [p for p in partners if p.category is PartnerCategory.BANK]
    names = {p.id: [n for n in (_plain(p.name), *map(_plain, p.aliases)) if n] for p in banks}
    within = sorted(
        ((p, max(len(n) for n in names[p.id] if n in said)) for p in banks if any(n in said for n in names[p.id])),
        key=lambda b: b[1],
        reverse=True,
    )
    if within and (len(within) == 1 or within[0][1] > within[1][1]):
        return within[0][0]
    head = re.match(r".*?银行", said)  # a branch by its bank's short name: 工商银行西湖支行 → 工商银行
    short = head.group(0) if head else said
    around = [p for p in banks if any(short in n for n in names[p.id])]
    return around[0] if len(around) == 1 and not within else None


# Leads the general network inquiry acts on: a bank the network does not reach (or a name several banks
# fit) is asked with every bank, a registry with the others where none is configured; the other kinds of
# property are found by the same inquiry.
_INQUIRY = {
    LeadAssetKind.BANK_ACCOUNT: LeadAction(
        scenario=ASSET_INQUIRY,
        reason="账户线索经核实: 所述银行未接入网络查控或不能确定, 向全部银行查询、冻结、扣划存款",
        reason_en="Account lead verified: the bank named is not reached or not certain; every bank is asked",
        law="民事诉讼法第二百五十三条; 网络查冻规定第四条、第十条; 财产调查规定第二条",
    ),
    LeadAssetKind.REAL_ESTATE: LeadAction(
        scenario=ASSET_INQUIRY,
        reason="不动产线索经核实: 向不动产登记机构查询, 查封所查得的不动产",
        reason_en="Real-estate lead verified: the real-estate registry is asked; units found are seized",
        law="民事诉讼法第二百五十三条; 查扣冻规定第一条; 财产调查规定第二条",
    ),
    LeadAssetKind.OTHER: LeadAction(
        scenario=ASSET_INQUIRY,
        reason="财产线索经核实: 网络查控",
        reason_en="Lead verified: network inquiry and control",
        law="财产调查规定第二条、第十二条",
    ),
}


def merged(prefill: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The lead's facts with what the judge adds or corrects on top (one level of nested objects merged:
    the vehicle's plate from the lead, its VIN from the judge)."""
    out = dict(prefill)
    for key, value in given.items():
        known = out.get(key)
        out[key] = {**known, **value} if isinstance(known, dict) and isinstance(value, dict) else value
    return out
