"""Matters one scenario starts for another (子事项), without importing it: the asset inquiry (网络查控) that a
settlement's resumption and a closure's re-inquiry start, and the consumption restriction (限制消费令) a
dishonest-list entry starts. Here are their Temporal workflow type names (a child is started by name, so
the starting scenario never imports the other's workflow), what they take and what the inquiry answers.

The scenario that runs each one takes these models from here too, as the agency task takes
``task_models``; a scenario names the others it starts in ``Scenario.starts`` and the worker runs them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

from domain.cases import CaseNumber, CourtName
from domain.consumption_restriction import AssistingUnit, BoundRole, RestrictedItem, RestrictionTrigger
from domain.fees import enforcement_fee
from domain.full_performance import PROMPT_LIFT_WITHIN
from domain.legal_params import LegalParams
from domain.legal_time import LegalDuration, TimeUnit
from domain.measures import Measure
from domain.money import Fen, PositiveFen
from domain.parties import Party, PartyKind
from domain.partners import PartnerCategory
from domain.personal import AccountNumber, PersonName
from workflows.foundation.case_link import CaseRef
from workflows.foundation.scenario import FROM_CASE, ScenarioContext

# --- asset inquiry (网络查控) --------------------------------------------------------------------------------

ASSET_INQUIRY = "asset-inquiry"  # the scenario's name
ASSET_INQUIRY_TYPE = "AssetInquiry"  # its workflow type
# Who holds assets a network inquiry can find (网络查控 covers these; auction platforms and tax do not).
INQUIRED_CATEGORIES = frozenset(
    {PartnerCategory.BANK, PartnerCategory.PAYMENT, PartnerCategory.REAL_ESTATE, PartnerCategory.VEHICLE}
)


def inquiry_context(ctx: ScenarioContext) -> ScenarioContext:
    """The deployment's context as an asset inquiry takes it: the partners a network inquiry asks, and no copy
    of the holiday calendar — the inquiry counts no working-day period (its terms are calendar months), and
    the copy (~3.8 KB) would ride in its input, its history and every read of that history for nothing."""
    partners = [p for p in ctx.partners if p.category in INQUIRED_CATEGORIES]
    return ctx.model_copy(update={"partners": partners, "calendar": None})


class AssetInquiryRequest(BaseModel):
    """网络查控申请 — what the judge submits."""

    case_number: CaseNumber
    court: CourtName = Field(description="执行法院")
    case: CaseRef | None = Field(default=None, description="执行案件: the case this matter belongs to")
    debtor: Party = Field(description="被执行人")
    # Named in the control ruling (执行裁定书) when the judge approves control: from the case, on no form.
    applicant: Party | None = Field(default=None, description="申请执行人", json_schema_extra={FROM_CASE: True})
    title_document: str = Field(
        default="", max_length=100, description="执行依据文号", json_schema_extra={FROM_CASE: True}
    )
    amount_owed_fen: PositiveFen = Field(description="执行标的 (fen)")
    # Left out, the enforcement application fee of the amount owed is proposed (诉讼费用交纳办法 Art. 14(一)):
    # it is a cost the freeze may cover. The scenario's build_input fills it at the start (in the web), so
    # the workflow's history records the amount.
    execution_costs_fen: Fen | None = Field(
        default=None, description="执行费用 (fen); left out: the enforcement application fee of the amount owed"
    )
    case_account: AccountNumber = Field(default="", max_length=64, description="案款账户; defaults to one per case")

    def with_proposed_costs(self, params: LegalParams) -> AssetInquiryRequest:
        """The request with the application fee as its costs, where the judge left the costs out."""
        if self.execution_costs_fen is not None:
            return self
        return self.model_copy(update={"execution_costs_fen": enforcement_fee(self.amount_owed_fen, params).fee_fen})


class AssetInquiryInput(BaseModel):
    request: AssetInquiryRequest
    context: ScenarioContext
    renewal_lead: LegalDuration = LegalDuration(amount=30, unit=TimeUnit.CALENDAR_DAY)
    measure_timeout_seconds: float = 20.0
    # Inquire and report only, with no decision on control: a closed case's periodic re-inquiry (终本)
    # puts what it finds before the judge itself.
    report_only: bool = False
    # The patches the starter's code knew as applied (``workflows.asset_inquiry.models.APPLIED_PATCHES``): 0 in
    # inputs recorded before the level existed, whose runs decide each patch by its marker.
    patch_level: int = 0


class AssetInquiryResult(BaseModel):
    status: str
    target_fen: int
    frozen_fen: int
    deducted_fen: int
    shortfall_fen: int
    measures: list[Measure]
    no_answer: list[str]
    refusals: dict[str, str]
    term_watchers: list[str]
    # The report as the judge sees it (references masked), filled when only a report was asked for.
    report: list[dict[str, Any]] = []


# --- consumption restriction (限制消费令) --------------------------------------------------------------------

CONSUMPTION_RESTRICTION = "consumption-restriction"  # the scenario's name
CONSUMPTION_RESTRICTION_TYPE = "ConsumptionRestriction"  # its workflow type
ALL_ITEMS = list(RestrictedItem)
# What the dishonest-list workflow tells an order it started or joined.
DISHONEST_LIST_SIGNAL = "dishonest-list-changed"


class BoundPerson(BaseModel):
    """A person an organisation's restriction binds too (限消规定 Art. 3)."""

    role: BoundRole = Field(description="身份")
    name: PersonName = Field(min_length=1, max_length=100, description="姓名")


class ConsumptionRestrictionRequest(BaseModel):
    """限制消费申请 — what the judge submits (or the dishonest list does, with the order number)."""

    case_number: CaseNumber
    court: CourtName = Field(description="执行法院")
    case: CaseRef | None = Field(default=None, description="执行案件: the case this matter belongs to")
    debtor: Party = Field(description="被执行人")
    trigger: RestrictionTrigger = Field(default=RestrictionTrigger.NOTICE_UNPAID, description="限消规定 第一条")
    applicant_requested: bool = Field(default=True, description="依申请执行人书面申请 (否则依职权, 第四条)")
    items: list[RestrictedItem] = Field(default_factory=lambda: list(ALL_ITEMS), min_length=1, description="限制事项")
    bound_persons: list[BoundPerson] = Field(default_factory=list, max_length=20, description="单位: 受约束的人员")
    airlines: str = Field(default="airlines-caac", description="民航 (agency id)")
    railways: str = Field(default="railway-12306", description="铁路 (agency id)")
    hotels: str = Field(default="hotels-zhejiang", description="星级宾馆、酒店 (agency id)")
    real_estate_registry: str = Field(default="realestate-registry", description="不动产登记 (三) (agency id)")
    vehicle_registry: str = Field(default="vehicle-registry", description="车辆登记 (五) (agency id)")
    education_bureau: str = Field(default="education-zhejiang", description="教育主管部门 (七) (agency id)")
    financial_regulator: str = Field(default="finance-zhejiang", description="金融监管部门 (八) (agency id)")
    order_number: str = Field(default="", max_length=100, description="已签发的限制消费令文号 (由失信决定一并作出时)")

    @model_validator(mode="after")
    def _bound_only_for_organisations(self) -> ConsumptionRestrictionRequest:
        if self.bound_persons and self.debtor.kind is not PartyKind.ORGANISATION:
            raise ValueError("bound_persons: only an organisation's restriction binds other persons (第三条)")
        return self

    def agency_of(self, unit: AssistingUnit) -> str:
        """The agency that enforces ``unit``'s bans for this order (限消规定 Art. 6)."""
        return {
            AssistingUnit.AIRLINES: self.airlines,
            AssistingUnit.RAILWAYS: self.railways,
            AssistingUnit.HOTELS: self.hotels,
            AssistingUnit.REAL_ESTATE_REGISTRY: self.real_estate_registry,
            AssistingUnit.VEHICLE_REGISTRY: self.vehicle_registry,
            AssistingUnit.EDUCATION: self.education_bureau,
            AssistingUnit.FINANCIAL_REGULATOR: self.financial_regulator,
        }[unit]


class ConsumptionRestrictionInput(BaseModel):
    request: ConsumptionRestrictionRequest
    context: ScenarioContext
    prompt_lift_within: LegalDuration = Field(
        default=PROMPT_LIFT_WITHIN, description="full performance: lifted within (及时, DOMAIN §17.7)"
    )


class DishonestListChange(BaseModel):
    """Sent by the dishonest-list workflow: the debtor entered or left the list, in which case."""

    case_number: str
    court: str
    listed: bool
    removal_ground: str | None = None


# Each startable scenario's workflow type by its name (the contract test holds the registry to it).
WORKFLOW_TYPES = {ASSET_INQUIRY: ASSET_INQUIRY_TYPE, CONSUMPTION_RESTRICTION: CONSUMPTION_RESTRICTION_TYPE}
