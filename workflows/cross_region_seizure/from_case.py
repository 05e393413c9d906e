"""A cross-region vehicle seizure started from its case: the judge enters the ruling, the vehicle and
who assists; the vehicle's registered owner is the case's debtor unless the judge names another."""

from __future__ import annotations

from typing import Any

from workflows.foundation.case_link import CaseFacts

OWN_FIELDS = ("ruling_ref", "vehicle", "receiving_court", "traffic_police", "car_station", "vehicle_registry")


def prefill(facts: CaseFacts, values: dict[str, Any]) -> dict[str, Any]:
    vehicle = values.get("vehicle")
    if isinstance(vehicle, dict) and "owner" not in vehicle and facts.debtors:
        return {"vehicle": {**vehicle, "owner": facts.debtors[0]}}
    return {}
