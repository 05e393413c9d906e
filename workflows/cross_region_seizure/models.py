"""What a cross-region seizure (异地扣押) takes and returns, and the steps it is made of."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.cases import CaseNumber, CourtName
from domain.full_performance import PROMPT_LIFT_WITHIN
from domain.legal_time import LegalDuration
from domain.parties import Party
from domain.personal import PlateNumber, Vin
from workflows.foundation.case_link import CaseRef
from workflows.foundation.scenario import ScenarioContext
from workflows.foundation.task_models import TaskOutcome

NAME = "cross-region-seizure"
# The judge's decisions: the debtor paid (at any step), then what happens to the vehicle in custody.
DEBTOR_PAID, HAND_OVER, RETURN = "debtor-paid", "hand-over-to-disposal", "return-vehicle"
# The disposal the vehicle was handed to sold it (拍卖成交, title passed): the seizure and the claim end.
VEHICLE_SOLD = "record-vehicle-sold"


class Vehicle(BaseModel):
    plate: PlateNumber = Field(min_length=5, max_length=12, description="号牌")
    vin: Vin = Field(min_length=17, max_length=17, pattern=r"^[A-HJ-NPR-Z0-9]{17}$", description="车辆识别代号")
    owner: Party = Field(description="登记所有人 (被执行人)")


class CrossRegionSeizureRequest(BaseModel):
    """异地扣押请求 — one action by the requesting court."""

    case_number: CaseNumber
    court: CourtName = Field(description="请求法院")
    case: CaseRef | None = Field(default=None, description="执行案件: the case this matter belongs to")
    ruling_ref: str = Field(min_length=3, max_length=100, description="裁定书及协助执行通知书文号")
    vehicle: Vehicle
    receiving_court: str = Field(default="court-gongshu", description="受托法院 (agency id)")
    traffic_police: str = Field(default="police-hangzhou", description="交警 (agency id)")
    car_station: str = Field(default="station-gongshu", description="拍辅车辆停放站 (agency id)")
    vehicle_registry: str = Field(default="vehicle-registry", description="车辆登记系统 (partner id)")


class CrossRegionSeizureInput(BaseModel):
    request: CrossRegionSeizureRequest
    context: ScenarioContext
    prompt_lift_within: LegalDuration = Field(
        default=PROMPT_LIFT_WITHIN, description="full performance: released within (DOMAIN §17.7)"
    )


class CrossRegionSeizureResult(BaseModel):
    status: str
    tasks: list[TaskOutcome]
    registry_measure_id: str | None
    disposition: str | None


class Step(BaseModel):
    key: str
    agency: str
    title: str
    result_type: str
    due: LegalDuration
