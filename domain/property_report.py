"""The debtor's property report (财产报告) in the structure the law gives it, instead of free text.

财产调查规定 (最高人民法院关于民事执行中财产调查若干问题的规定, DOMAIN §17.4):
- Art 5: the debtor reports, within the order's period, (一) income, bank deposits, cash, wealth-management
  products and securities; (二) land-use rights, houses and other immovables; (三) vehicles and other means of
  transport, machinery, products, raw materials and other movables; (四) claims, equity, investment interests,
  fund shares, trust beneficial interests, intellectual property and other property rights; (五) other property.
  Leases, security interests and other encumbrances, co-ownership and disputed title are reported with the asset,
  as is property a third party holds or that is registered in a third party's name (Art 5 para 2).
- Art 6: changes from one year before receiving the execution notice until the report — transfers or leases,
  encumbrances created, claims waived or their time extended, large spending, other changes that affect the
  applicant's claim — are reported with it.
- Art 7: a change after the report that affects the claim is reported as a supplement (补充报告) within 10 days of
  the change; Art 11: the duty continues after 终本.

Account, certificate and plate numbers are personal data: they travel only in the case's encrypted payloads and
are masked for the other side (§19.4).
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from domain.calendar import HolidayCalendar
from domain.legal_time import CHINA_TZ
from domain.report_sanctions import SUPPLEMENT_WITHIN  # Art 7: 自财产变动之日起十日内

MAX_ITEMS = 50  # per section: a report longer than this is filed in parts (a supplement)


class MoneyKind(StrEnum):
    """Art 5(一)."""

    INCOME = "income"  # 收入
    DEPOSIT = "deposit"  # 银行存款
    CASH = "cash"  # 现金
    WEALTH_PRODUCT = "wealth-product"  # 理财产品
    SECURITY = "security"  # 有价证券


class ImmovableKind(StrEnum):
    """Art 5(二)."""

    LAND_USE_RIGHT = "land-use-right"  # 土地使用权
    HOUSE = "house"  # 房屋
    OTHER = "other"  # 其他不动产


class MovableKind(StrEnum):
    """Art 5(三)."""

    VEHICLE = "vehicle"  # 交通运输工具
    MACHINERY = "machinery"  # 机器设备
    PRODUCT = "product"  # 产品
    RAW_MATERIAL = "raw-material"  # 原材料
    OTHER = "other"  # 其他动产


class RightKind(StrEnum):
    """Art 5(四)."""

    CLAIM = "claim"  # 债权
    EQUITY = "equity"  # 股权
    INVESTMENT = "investment"  # 投资权益
    FUND_SHARE = "fund-share"  # 基金份额
    TRUST_BENEFIT = "trust-benefit"  # 信托受益权
    INTELLECTUAL_PROPERTY = "intellectual-property"  # 知识产权
    OTHER = "other"  # 其他财产性权利


class ChangeKind(StrEnum):
    """Art 6 (and, after the report, Art 7)."""

    TRANSFER_OR_LEASE = "transfer-or-lease"  # 转让、出租财产
    ENCUMBRANCE = "encumbrance"  # 在财产上设立担保物权等权利负担
    CLAIM_WAIVED = "claim-waived"  # 放弃债权或延长债权清偿期
    LARGE_SPENDING = "large-spending"  # 支出大额资金
    OTHER = "other"  # 其他影响生效法律文书确定债权实现的财产变动


WORDS: dict[str, str] = {
    "money": "收入、银行存款、现金、理财产品、有价证券",
    "immovables": "土地使用权、房屋等不动产",
    "movables": "交通运输工具、机器设备、产品、原材料等动产",
    "rights": "债权、股权、投资权益、基金份额、信托受益权、知识产权等财产性权利",
    "other": "其他应当报告的财产",
    "changes": "财产变动情况",
    MoneyKind.INCOME: "收入",
    MoneyKind.DEPOSIT: "银行存款",
    MoneyKind.CASH: "现金",
    MoneyKind.WEALTH_PRODUCT: "理财产品",
    MoneyKind.SECURITY: "有价证券",
    ImmovableKind.LAND_USE_RIGHT: "土地使用权",
    ImmovableKind.HOUSE: "房屋",
    MovableKind.VEHICLE: "交通运输工具",
    MovableKind.MACHINERY: "机器设备",
    MovableKind.PRODUCT: "产品",
    MovableKind.RAW_MATERIAL: "原材料",
    RightKind.CLAIM: "债权",
    RightKind.EQUITY: "股权",
    RightKind.INVESTMENT: "投资权益",
    RightKind.FUND_SHARE: "基金份额",
    RightKind.TRUST_BENEFIT: "信托受益权",
    RightKind.INTELLECTUAL_PROPERTY: "知识产权",
    ChangeKind.TRANSFER_OR_LEASE: "转让、出租财产",
    ChangeKind.ENCUMBRANCE: "设立担保物权等权利负担",
    ChangeKind.CLAIM_WAIVED: "放弃债权或延长债权清偿期",
    ChangeKind.LARGE_SPENDING: "支出大额资金",
    "other-kind": "其他",
}


REPORT_WORDS = {
    **{
        k: f"({n}) {WORDS[k]}"
        for n, k in zip("一二三四五", ("money", "immovables", "movables", "rights", "other"), strict=True)
    },
    "changes": WORDS["changes"],
    "none": "声明: 没有可供报告的财产",
    "due": "补充报告期限 (自变动之日起十日)",
}
SHORT = {"money": "收入存款等", "immovables": "不动产", "movables": "动产", "rights": "财产性权利", "other": "其他财产"}


def word(kind: str) -> str:
    """A kind in Chinese ("other" of any section: 其他)."""
    return WORDS["other-kind"] if kind == "other" else WORDS.get(kind, kind)


class Asset(BaseModel):
    """One asset as reported: what it is, its value if known, where it is held or registered, its number (account,
    certificate, plate), and what burdens it (Art 5 para 2)."""

    description: str = Field(min_length=1, max_length=500, description="财产名称及情况")
    value_fen: int | None = Field(default=None, ge=0, description="价值或余额 (分), 不清楚的可不填")
    where: str = Field(default="", max_length=200, description="开户银行、坐落、登记机关或存放地点")
    number: str = Field(
        default="", max_length=64, description="账号、权属证书号或车牌号 (加密保存, 对方当事人只见后四位)"
    )
    burden: str = Field(
        default="", max_length=500, description="出租、抵押质押等权利负担, 共有、权属争议, 第三人占有或登记在第三人名下"
    )

    def masked(self) -> Asset:
        tail = self.number[-4:]
        return self.model_copy(update={"number": f"****{tail}" if self.number else ""})


class MoneyAsset(Asset):
    kind: MoneyKind


class Immovable(Asset):
    kind: ImmovableKind


class Movable(Asset):
    kind: MovableKind


class PropertyRight(Asset):
    kind: RightKind


class PropertyChange(BaseModel):
    """A change of the debtor's property (Art 6 before the report, Art 7 after it)."""

    kind: ChangeKind
    changed_on: date = Field(description="变动日期")
    description: str = Field(min_length=1, max_length=500, description="变动情况 (对象、相对人、对价)")
    amount_fen: int | None = Field(default=None, ge=0, description="涉及金额 (分)")


class PropertyReport(BaseModel):
    """财产报告 in Art 5's five parts plus Art 6's changes. An empty report must say so (``no_property``):
    a debtor who declares nothing has reported nothing only if they say it."""

    money: list[MoneyAsset] = Field(default_factory=list, max_length=MAX_ITEMS, description="(一) " + WORDS["money"])
    immovables: list[Immovable] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="(二) " + WORDS["immovables"]
    )
    movables: list[Movable] = Field(default_factory=list, max_length=MAX_ITEMS, description="(三) " + WORDS["movables"])
    rights: list[PropertyRight] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="(四) " + WORDS["rights"]
    )
    other: list[Asset] = Field(default_factory=list, max_length=MAX_ITEMS, description="(五) " + WORDS["other"])
    changes: list[PropertyChange] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="财产变动 (第六条、第七条)"
    )
    no_property: bool = Field(default=False, description="声明: 上述各类财产均没有")

    @model_validator(mode="after")
    def _declared(self) -> PropertyReport:
        if self.no_property and self.assets():
            raise ValueError("no_property: 已列明财产的, 不能同时声明没有财产 / assets listed and none declared")
        if not self.no_property and not self.assets() and not self.changes:
            raise ValueError(
                "no_property: 请逐项报告财产, 没有任何财产的须明确声明 (财产调查规定第五条)"
                " / report each asset or declare none"
            )
        return self

    def sections(self) -> dict[str, list[Asset]]:
        return {
            "money": list(self.money),
            "immovables": list(self.immovables),
            "movables": list(self.movables),
            "rights": list(self.rights),
            "other": list(self.other),
        }

    def assets(self) -> list[Asset]:
        return [a for items in self.sections().values() for a in items]

    def summary(self) -> str:
        """One line for lists and the timeline's reader: what the report holds, by part (no numbers, no names)."""
        parts = [f"{SHORT[k]} {len(v)} 项" for k, v in self.sections().items() if v]
        if self.changes:
            parts.append(f"财产变动 {len(self.changes)} 项")
        return "; ".join(parts) if parts else "声明没有可供报告的财产"

    def masked(self) -> PropertyReport:
        """As the applicant sees it (Art 8): everything, numbers but their last four digits (§19.4)."""
        return self.model_copy(
            update={
                "money": [a.masked() for a in self.money],
                "immovables": [a.masked() for a in self.immovables],
                "movables": [a.masked() for a in self.movables],
                "rights": [a.masked() for a in self.rights],
                "other": [a.masked() for a in self.other],
            }
        )


def supplement_due(changed_on: date, calendar: HolidayCalendar | None = None) -> date:
    """The last day to report a change after the report: 10 days from the change, the change day not counted, a
    last day on a rest day rolled forward (Art 7; CPL Art 85)."""
    start = datetime.combine(changed_on, time(0), tzinfo=CHINA_TZ)
    return (calendar or HolidayCalendar.load()).due(start, SUPPLEMENT_WITHIN).due_at.date()
