"""A disposal started from its case: the judge picks the unit among those the case's register holds seized
and says how it is sold; the debtor, the balance and the applicants' claims (the case's creditors) come
from the case. A unit this case has not seized is refused (查扣冻规定: a court sells what it has seized)."""

from __future__ import annotations

from typing import Any

from domain.assets import AssetKind
from domain.distribution import ClaimKind
from domain.errors import ValidationFailed
from domain.money import allocate_largest_remainder
from workflows.foundation.case_link import CaseFacts, RegisteredMeasure, RegisterKind
from workflows.foundation.scenario import in_force

UNIT_FIELD = "property.unit_number"

OWN_FIELDS = (
    "property",
    "jurisdiction",
    "execution_costs",
    "other_assets",
    "reference_method",
    "auction_costs_fen",
    "registry",
    "auction_platform",
    "inquiry_platforms",
    "tax_agency",
    "survey_agency",
    "appraiser",
    "case_bank",
    "debtor_account",
    "application_fee_fen",
)


def seized_units(facts: CaseFacts) -> list[RegisteredMeasure]:
    """The real-estate seizures in force in the case's register."""
    return [m for m in in_force(facts, RegisterKind.SEIZE) if m.asset_kind == AssetKind.REAL_ESTATE.value]


def picks(facts: CaseFacts) -> dict[str, dict[str, Any]]:
    """The start form from the case offers the seized units to choose from, the first one's words filled in
    (the judge may correct them); a register with no structured unit (older ones) leaves the field typed."""
    units = [m.unit for m in seized_units(facts) if m.unit is not None]
    if not units:
        return {}
    return {
        UNIT_FIELD: {"enum": [u.unit_number for u in units], "default": units[0].unit_number},
        "property.description": {"default": units[0].description[:200]},
    }


def _property(facts: CaseFacts, typed: Any) -> dict[str, Any] | None:
    """The unit disposed of, checked against the register: the only seized unit when the judge named none;
    the one named, its words from the register where the judge gave none; a unit the case has not seized is
    refused, naming the field. A register holding a seizure recorded before units were structured cannot
    say which unit it is: then the typed unit stands."""
    seized = seized_units(facts)
    units = {m.unit.unit_number: m.unit for m in seized if m.unit is not None}
    if typed is None:
        if len(units) == 1 and len(seized) == 1:
            only = next(iter(units.values()))
            return {"unit_number": only.unit_number, "description": only.description[:200]}
        return None
    if not isinstance(typed, dict):
        return None  # the model says what is wrong with it
    number = str(typed.get("unit_number") or "").strip()
    unit = units.get(number)
    if unit is not None:
        return {**typed, "unit_number": number, "description": typed.get("description") or unit.description[:200]}
    if len(units) < len(seized):
        return None
    held = "、".join(units) or "无"
    raise ValidationFailed(
        "UNIT_NOT_SEIZED",
        f"{UNIT_FIELD}: 不动产单元 {number or '(未填)'} 未在本案查封, 不得处置; 本案查封的不动产单元: {held} "
        f"(not seized in this case: pick one the case's register holds)",
        UNIT_FIELD,
    )


def prefill(facts: CaseFacts, values: dict[str, Any]) -> dict[str, Any]:
    """The unit from the register (refused if this case has not seized it); the applicants' claim is the
    case's balance, split evenly among several applicants to the fen, with the principal that doubled
    interest is computed on."""
    unit = _property(facts, values.get("property"))
    picked = {"property": unit} if unit is not None else {}
    if "creditors" in values or not facts.applicants:
        return picked
    even = [1] * len(facts.applicants)
    amounts = allocate_largest_remainder(facts.balance_fen, even)
    principals = allocate_largest_remainder(min(facts.principal_fen, facts.balance_fen), even)
    return picked | {
        "creditors": [
            {
                "claim_id": f"applicant-{i + 1}",
                "creditor": party.name,
                "kind": ClaimKind.ORDINARY,
                "amount_fen": amounts[i],
                "principal_fen": principals[i],
                "id_number": party.id_number,
            }
            for i, party in enumerate(facts.applicants)
        ]
    }
