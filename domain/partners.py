"""Partner systems (协助执行单位): banks, registries, payment platforms, police, tax, auction platforms."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, Field


class PartnerCategory(StrEnum):
    BANK = "bank"  # 银行
    PAYMENT = "payment"  # 网络支付平台
    REAL_ESTATE = "realestate"  # 不动产登记中心
    VEHICLE = "vehicle"  # 公安交管车辆登记
    AUCTION = "auction"  # 网络司法拍卖平台
    TAX = "tax"  # 税务
    DISHONEST_LIST = "dishonest-list"  # 全国失信被执行人名单库 (最高人民法院)
    SMS = "sms"  # 短信网关: one-time codes and notices to parties


class PartnerRef(BaseModel):
    """What a workflow knows of a partner: who it is, never where or how to reach it."""

    id: str
    category: PartnerCategory
    name: str
    answer_deadline: timedelta = Field(description="how long we wait for an answer before recording none")


class PartnerEndpoint(BaseModel):
    """Deployment configuration of one partner; a real partner replaces a simulator here alone."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    category: PartnerCategory
    name: str
    aliases: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="what people also call a bank (工行, 工商银行 for 中国工商银行): a party's lead naming it so is "
        "aimed at this bank",
    )
    base_url: str
    protocol: str = "sandbox-v1"
    payout_protocol: str | None = Field(
        default=None, description="a bank whose payouts go another way: e.g. iso20022 (pain.001 / camt.054 files)"
    )
    token: str = ""
    answer_deadline_seconds: float = Field(default=600, gt=0)
    connect_timeout_seconds: float = 3.0
    read_timeout_seconds: float = 10.0

    def ref(self) -> PartnerRef:
        return PartnerRef(
            id=self.id,
            category=self.category,
            name=self.name,
            answer_deadline=timedelta(seconds=self.answer_deadline_seconds),
        )


class Agency(BaseModel):
    """Any body that completes agency tasks: a partner system, another court, police, a car station.

    ``token`` is the API token its system uses on our API (sandbox: ``sandbox-<id>``).
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name: str
    token: str = ""
    kind: str = Field(
        default="",
        description="what it is — a partner category, or court, police, procuratorate, clerk …: a task goes "
        "only to an agency of the kind its step needs, so it is reassigned within its kind",
    )
