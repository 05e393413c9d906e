"""Configuration and administration models of the simulators (never part of the partner protocol)."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from config.settings import sandbox_partners
from domain.assets import AssetKind, AssetStatus
from domain.parties import PartyKind, check_credit_code, check_resident_id
from domain.partners import PartnerCategory, PartnerEndpoint

# Which kind of asset each partner category keeps; categories absent here (auction, tax) hold none.
ASSET_KIND_BY_CATEGORY: dict[PartnerCategory, AssetKind] = {
    PartnerCategory.BANK: AssetKind.DEPOSIT,
    PartnerCategory.PAYMENT: AssetKind.PAYMENT_BALANCE,
    PartnerCategory.REAL_ESTATE: AssetKind.REAL_ESTATE,
    PartnerCategory.VEHICLE: AssetKind.VEHICLE,
}

DEFAULT_BASE_URL = "http://127.0.0.1:8100"


def _default_partners() -> list[PartnerEndpoint]:
    return sandbox_partners(DEFAULT_BASE_URL)


class SimulatorConfig(BaseModel):
    """What one simulator process hosts and where it keeps its state."""

    state_dir: Path = Field(description="one SQLite file per partner: <state_dir>/<partner id>.db")
    partners: list[PartnerEndpoint] = Field(default_factory=_default_partners)
    seed_demo_data: bool = Field(default=True, description="seed simulators.demo_data on a partner's first start")
    random_seed: int | None = Field(default=None, description="fixes the fault dice per partner (reproducible runs)")
    callback_attempts: int = Field(default=6, ge=1, description="delivery attempts of one asynchronous answer")
    callback_backoff_seconds: float = Field(default=0.2, gt=0, description="first retry delay; doubles each time")
    document_ca: Path | None = Field(
        default=None,
        description="the courts' CA (PEM): freezes, seizures and deductions then need a sealed 协助执行通知书",
    )
    tsa_dir: Path | None = Field(
        default=None,
        description="the time-stamping authority's key, certificate and root (made on first run); default "
        "<state_dir>/tsa. The stack's is <document pki>/tsa, where verifiers look for its root",
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        ids = [p.id for p in self.partners]
        if len(ids) != len(set(ids)):
            raise ValueError("partner ids must be unique")
        return self


class FaultKnobs(BaseModel):
    """Per-partner misbehaviour, set by ``PUT /partners/{id}/_admin/faults``; a PUT replaces all knobs.

    Injected 5xx answers happen before any effect and are never stored as idempotent answers.
    """

    model_config = ConfigDict(extra="forbid")

    latency_ms_min: int = Field(default=0, ge=0, le=600_000)
    latency_ms_max: int = Field(default=0, ge=0, le=600_000)
    error_rate: float = Field(default=0.0, ge=0, le=1, description="share of calls answered 503 UNAVAILABLE")
    timeout_rate: float = Field(default=0.0, ge=0, le=1, description="share of calls that hang timeout_seconds")
    timeout_seconds: float = Field(default=30.0, ge=0, le=3600)
    timeout_after_effect: bool = Field(
        default=False, description="commit the effect (and its stored answer) before hanging: a lost answer"
    )
    async_mode: bool = Field(default=False, description="inquiries answer 202 and call back later")
    answer_delay_seconds: float = Field(default=0.0, ge=0, le=86_400, description="delay of the callback")
    duplicate_callback_rate: float = Field(default=0.0, ge=0, le=1, description="share of callbacks sent twice")
    duplicate_delay_seconds: float = Field(default=0.1, ge=0, le=86_400, description="gap before the repeat")
    never_answer: bool = Field(default=False, description="inquiries are accepted (202) and never called back")
    fail_next_n: int = Field(default=0, ge=0, description="the next N partner calls answer 503 (deterministic)")
    hang_next_n: int = Field(
        default=0, ge=0, description="the next N partner calls (after fail_next_n) hang like timeout_rate's"
    )
    over_freeze_fen: int = Field(
        default=0, ge=0, le=10**15, description="a freeze holds this much more than asked (超标的: to be undone)"
    )

    @model_validator(mode="after")
    def _latency_range(self) -> Self:
        if self.latency_ms_max < self.latency_ms_min:
            raise ValueError("latency_ms_max must be at least latency_ms_min")
        return self


class SeedAsset(BaseModel):
    """One asset of a seeded subject, kept by the partner ``partner_id``."""

    partner_id: str
    kind: AssetKind
    reference: str = Field(min_length=1, max_length=64, description="account number, 不动产单元号 or plate")
    description: str = Field(default="", max_length=500)
    available_fen: int | None = Field(default=None, ge=0, description="funds only; default 0")
    status: AssetStatus = AssetStatus.NORMAL
    existing_seizures: int = Field(default=0, ge=0, description="other courts' seizures already registered")


class SeedSubject(BaseModel):
    """A debtor (被执行人) with assets across partners: the body of ``POST /_admin/subjects``."""

    kind: PartyKind
    name: str = Field(min_length=1, max_length=200)
    id_number: str
    assets: list[SeedAsset] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_id_number(self) -> Self:
        checker = check_resident_id if self.kind is PartyKind.PERSON else check_credit_code
        self.id_number = checker(self.id_number)
        return self


class SeedResult(BaseModel):
    id_number: str
    assets_by_partner: dict[str, int]


class PartnerInfo(BaseModel):
    id: str
    category: PartnerCategory
    name: str
    protocol: str
