"""Assets found by an inquiry (网络查控): deposits, payment-platform balances, real estate, vehicles."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from domain.money import Fen
from domain.parties import Party
from domain.personal import AccountNumber


class AssetKind(StrEnum):
    DEPOSIT = "deposit"  # 存款
    PAYMENT_BALANCE = "payment_balance"  # 网络资金 (支付平台余额)
    REAL_ESTATE = "real_estate"  # 不动产
    VEHICLE = "vehicle"  # 机动车

    @property
    def is_funds(self) -> bool:
        return self in (AssetKind.DEPOSIT, AssetKind.PAYMENT_BALANCE)


ASSET_KIND_TITLES = {
    AssetKind.DEPOSIT: "存款",
    AssetKind.PAYMENT_BALANCE: "网络资金",
    AssetKind.REAL_ESTATE: "不动产",
    AssetKind.VEHICLE: "机动车",
}
REFERENCE_TITLES = {
    AssetKind.DEPOSIT: "账号",
    AssetKind.PAYMENT_BALANCE: "账户",
    AssetKind.REAL_ESTATE: "不动产单元号",
    AssetKind.VEHICLE: "号牌",
}


def measure_description(partner_name: str, kind: AssetKind, masked_reference: str, detail: str = "") -> str:
    """What the case's register of measures says a freeze or seizure holds, in the users' words: where
    (the bank or registry), what kind of property, its reference masked (an account number is personal
    data), and the partner's own note if any — e.g. "中国工商银行 存款 账号 ************1234"."""
    parts = [partner_name, ASSET_KIND_TITLES[kind], f"{REFERENCE_TITLES[kind]} {masked_reference}"]
    if detail:
        parts.append(f"({detail})")
    return " ".join(parts)


class AssetStatus(StrEnum):
    NORMAL = "normal"
    CLOSED = "closed"  # 销户
    FROZEN_ELSEWHERE = "frozen_elsewhere"  # already fully frozen by another court


class FoundAsset(BaseModel):
    """One asset as a partner reported it. ``reference`` is personal data (an account number, a plate)."""

    partner_id: str
    kind: AssetKind
    reference: AccountNumber = Field(description="account number, registry unit number (不动产单元号) or plate")
    description: str = ""
    available_fen: Fen | None = Field(default=None, description="funds not yet frozen (deposits only)")
    status: AssetStatus = AssetStatus.NORMAL


class InquiryOutcome(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"  # deadline passed without an answer
    REFUSED = "refused"  # business refusal with a reason code


class InquiryAnswer(BaseModel):
    partner_id: str
    outcome: InquiryOutcome
    assets: list[FoundAsset] = Field(default_factory=list)
    reason_code: str | None = None
    reason: str | None = None


class InquiryRequest(BaseModel):
    """查询: who the court asks a partner about. ``request_id`` is unique per (workflow, step) and names the
    inquiry when the answer comes later, to ``callback_url``."""

    request_id: str
    subject: Party
    callback_url: str | None = None


class InquiryCallbackAnswer(BaseModel):
    """A partner's late answer (or late refusal), read from its callback by the partner's protocol."""

    request_id: str
    answer: InquiryAnswer


def disposal_key(kind: AssetKind, reference: str) -> str:
    """One asset, one disposal (一物一处置): the key an asset is held under while disposed of — its kind and
    its registry reference (不动产单元号, a vehicle's plate or VIN), whatever case disposes of it."""
    return f"{kind.value}:{reference.strip().upper()}"
