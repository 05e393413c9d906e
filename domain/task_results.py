"""The catalogue of task result models: what an agency must report to complete each kind of task.

A task names its ``result_type``; the workflow validates a completion against the model here, so a
malformed result is refused before it reaches history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from domain.joint_review import Lease, OccupantKind, TaxArrear
from domain.money import PositiveFen
from domain.parties import check_bank_account
from domain.personal import AccountNumber, PersonName


class Acknowledgement(BaseModel):
    """A plain "done", with an optional note and reference (e.g. the receiving court's acceptance)."""

    accepted: bool = True
    reference: str = Field(default="", max_length=100)


class VehicleSeizureReport(BaseModel):
    """交警: the vehicle was flagged, located and taken into control (查控/扣押)."""

    flagged_in_registry: bool
    located_at: str = Field(min_length=2, max_length=200, description="where the vehicle was found")
    seized_at: datetime
    registry_seizure_ref: str = Field(min_length=1, max_length=100, description="查封登记编号")


class CustodyRecord(BaseModel):
    """拍辅车辆停放站: the vehicle was received into custody; photos are uploaded files (by hash)."""

    station: str = Field(min_length=2, max_length=200)
    received_at: datetime
    odometer_km: int = Field(ge=0)
    condition: str = Field(min_length=1, max_length=500)
    photo_hashes: list[str] = Field(min_length=1, description="SHA-256 of each uploaded photo")


class CourtConfirmation(BaseModel):
    """受托法院 confirms the seizure and the custody record."""

    confirmed: bool
    remarks: str = Field(default="", max_length=500)


class TaxReview(BaseModel):
    """税务机关 (一门联审): the property's tax arrears, each with the day it arose (税收征管法 Art. 45)."""

    arrears: list[TaxArrear] = Field(default_factory=list)
    payee_code: str = Field(default="", max_length=32, description="credit code of the collecting tax office")
    payee_account: AccountNumber = Field(
        default="", max_length=34, description="国库 account the arrears are paid into"
    )
    remarks: str = Field(default="", max_length=500)


class OccupancySurvey(BaseModel):
    """现场调查 (一门联审): who occupies the property and under which leases."""

    occupant: OccupantKind
    leases: list[Lease] = Field(default_factory=list)
    photo_hashes: list[str] = Field(default_factory=list, description="SHA-256 of each uploaded photo")
    remarks: str = Field(default="", max_length=500)


class AppraisalReport(BaseModel):
    """评估机构: the appraisal (参考价规定 Arts. 17–19)."""

    price_fen: PositiveFen
    report_ref: str = Field(min_length=1, max_length=100, description="评估报告编号")
    valid_until: datetime


class TitleTransferReport(BaseModel):
    """不动产登记中心: the buyer's title is registered and the seizures and mortgages are cancelled."""

    certificate_no: str = Field(min_length=1, max_length=100, description="新不动产权证书号")
    registered_at: datetime
    seizures_released: bool
    mortgages_cancelled: bool


class PayeeCorrection(BaseModel):
    """书记员 (涉众案款发放): a payee's corrected details after the bank refused a payment; the payee is
    paid again under a new key. Rejecting the task instead sends the payee's money to escrow (提存)."""

    account: AccountNumber = Field(description="corrected account number (账号)")
    bank: str = Field(default="", max_length=100, description="corrected bank (开户行), if it changed")
    name: PersonName = Field(
        default="", max_length=200, description="the holder's name as the bank has it, if it differs"
    )
    note: str = Field(default="", max_length=500, description="how the details were confirmed")

    @field_validator("account")
    @classmethod
    def _account(cls, v: str) -> str:
        return check_bank_account(v)


class PayeeCorrectionCheck(BaseModel):
    """复核 (涉众案款发放): a second clerk checks a payee correction made after the release was approved; only
    a confirmed correction is paid (four eyes, as the release had). Not confirmed: the money is escrowed."""

    confirmed: bool = Field(description="the corrected account and name were checked against the payee's proof")
    note: str = Field(default="", max_length=500, description="what was checked")


RESULT_MODELS: dict[str, type[BaseModel]] = {
    "acknowledgement": Acknowledgement,
    "vehicle-seizure-report": VehicleSeizureReport,
    "custody-record": CustodyRecord,
    "court-confirmation": CourtConfirmation,
    "tax-review": TaxReview,
    "occupancy-survey": OccupancySurvey,
    "appraisal-report": AppraisalReport,
    "title-transfer": TitleTransferReport,
    "payee-correction": PayeeCorrection,
    "payee-correction-check": PayeeCorrectionCheck,
}


def register_results(models: dict[str, type[BaseModel]]) -> None:
    """Adds a scenario's own result models (``Scenario.task_results``) to the catalogue; the registry
    calls this once at import, before any worker or web reads the catalogue. A name may not be
    registered twice with another model: two scenarios would validate one result differently."""
    for name, model in models.items():
        known = RESULT_MODELS.setdefault(name, model)
        if known is not model:
            raise ValueError(f"task result type {name!r} is already registered as {known.__name__}")


def result_schema(result_type: str) -> dict[str, Any]:
    return RESULT_MODELS[result_type].model_json_schema()


def validate_result(result_type: str, result: dict[str, Any]) -> dict[str, Any]:
    """Validates and normalises a result; raises pydantic's ValidationError naming the field."""
    model = RESULT_MODELS[result_type]
    return model.model_validate(result).model_dump(mode="json")
