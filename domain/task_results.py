"""The catalogue of task result models: what an agency must report to complete each kind of task.

A task names its ``result_type``; the workflow validates a completion against the model here, so a
malformed result is refused before it reaches history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


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


RESULT_MODELS: dict[str, type[BaseModel]] = {
    "acknowledgement": Acknowledgement,
    "vehicle-seizure-report": VehicleSeizureReport,
    "custody-record": CustodyRecord,
    "court-confirmation": CourtConfirmation,
}


def result_schema(result_type: str) -> dict[str, Any]:
    return RESULT_MODELS[result_type].model_json_schema()


def validate_result(result_type: str, result: dict[str, Any]) -> dict[str, Any]:
    """Validates and normalises a result; raises pydantic's ValidationError naming the field."""
    model = RESULT_MODELS[result_type]
    return model.model_validate(result).model_dump(mode="json")
