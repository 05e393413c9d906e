"""A verified lead (财产线索) becomes the matter that acts on it (domain/leads.py): pure rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.leads import ASSET_INQUIRY, VEHICLE_SEIZURE, LeadAsset, LeadAssetKind, lead_action, merged


def test_each_kind_of_lead_becomes_the_matter_that_reaches_that_asset() -> None:
    car = lead_action(LeadAsset(kind=LeadAssetKind.VEHICLE, plate=" 浙a12345 "))
    assert car.scenario == VEHICLE_SEIZURE and car.prefill == {"vehicle": {"plate": "浙A12345"}}
    assert "查扣冻规定第一条" in car.law
    account = lead_action(LeadAsset(kind=LeadAssetKind.BANK_ACCOUNT, bank="工商银行"))
    house = lead_action(LeadAsset(kind=LeadAssetKind.REAL_ESTATE, location="杭州市滨江区某路1号"))
    assert (account.scenario, house.scenario, lead_action(None).scenario) == (ASSET_INQUIRY,) * 3
    assert "冻结" in account.reason and "不动产登记" in house.reason and not account.prefill


@pytest.mark.parametrize(
    ("kind", "missing"),
    [(LeadAssetKind.VEHICLE, "号牌"), (LeadAssetKind.BANK_ACCOUNT, "开户银行"), (LeadAssetKind.REAL_ESTATE, "坐落")],
)
def test_a_lead_names_what_finds_the_asset(kind: LeadAssetKind, missing: str) -> None:
    with pytest.raises(ValidationError, match=missing):
        LeadAsset(kind=kind)


def test_the_judges_fields_go_over_the_leads_facts_one_level_deep() -> None:
    given = {"ruling_ref": "(2026)浙0102执1号之一", "vehicle": {"vin": "LSVAU2180N2183294"}}
    assert merged({"vehicle": {"plate": "浙A12345"}}, given) == {
        "ruling_ref": "(2026)浙0102执1号之一",
        "vehicle": {"plate": "浙A12345", "vin": "LSVAU2180N2183294"},
    }
