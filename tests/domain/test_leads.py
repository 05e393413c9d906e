"""A verified lead (财产线索) becomes the matter that acts on it (domain/leads.py): pure rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config.sandbox_directory import sandbox_partners
from domain.leads import ASSET_INQUIRY, VEHICLE_SEIZURE, LeadAsset, LeadAssetKind, lead_action, merged, named_bank
from domain.partners import PartnerCategory, PartnerEndpoint


def test_each_kind_of_lead_becomes_the_matter_that_reaches_that_asset() -> None:
    car = lead_action(LeadAsset(kind=LeadAssetKind.VEHICLE, plate=" 浙a12345 "))
    assert car.scenario == VEHICLE_SEIZURE and car.prefill == {"vehicle": {"plate": "浙A12345"}}
    assert "查扣冻规定第一条" in car.law
    account = lead_action(LeadAsset(kind=LeadAssetKind.BANK_ACCOUNT, bank="工商银行"))
    house = lead_action(LeadAsset(kind=LeadAssetKind.REAL_ESTATE, location="杭州市滨江区某路1号"))
    assert (account.scenario, house.scenario, lead_action(None).scenario) == (ASSET_INQUIRY,) * 3
    assert "冻结" in account.reason and "不动产登记" in house.reason and not account.prefill
    assert account.partners == house.partners == [], "no partners known: the general inquiry"


PARTNERS = sandbox_partners("http://simulators.invalid")


def test_a_bank_or_real_estate_lead_is_aimed_at_what_it_names() -> None:
    account = lead_action(LeadAsset(kind=LeadAssetKind.BANK_ACCOUNT, bank="工商银行西湖支行"), PARTNERS)
    assert account.partners == ["bank-icbc"] and "中国工商银行" in account.reason and "沙箱" not in account.reason
    house = lead_action(LeadAsset(kind=LeadAssetKind.REAL_ESTATE, location="杭州市滨江区某路1号"), PARTNERS)
    assert house.partners == ["realestate-registry"] and "不动产登记" in house.reason
    # A bank the network does not reach, or a name several banks fit: every bank, and the judge reads why.
    for unknown in ("招商银行", "银行"):
        general = lead_action(LeadAsset(kind=LeadAssetKind.BANK_ACCOUNT, bank=unknown), PARTNERS)
        assert general.partners == [] and "全部银行" in general.reason, unknown
    assert lead_action(LeadAsset(kind=LeadAssetKind.OTHER), PARTNERS).partners == []


@pytest.mark.parametrize(
    ("written", "bank"),
    [
        ("中国工商银行", "bank-icbc"),
        ("中国工商银行股份有限公司杭州分行", "bank-icbc"),
        ("建设银行", "bank-ccb"),
        ("中国银行", "bank-boc"),  # not 中国工商银行, though both start 中国
        ("中国银行杭州分行", "bank-boc"),
        ("农业 银行", "bank-abc"),
        ("农商银行", None),
        ("", None),
        # By the names people call them (the directory's aliases).
        ("工行", "bank-icbc"),
        ("工行西湖支行", "bank-icbc"),
        ("建行杭州分行", "bank-ccb"),
        ("农行", "bank-abc"),
        ("中行", "bank-boc"),
        ("浙江农信", "bank-zjrcu"),
        ("交行", None),  # a bank the sandbox's network does not reach
    ],
)
def test_the_bank_a_lead_names(written: str, bank: str | None) -> None:
    found = named_bank(written, PARTNERS)
    assert (found.id if found else None) == bank


def test_a_banks_short_names_are_its_directorys_data() -> None:
    """Production names its banks in OM_PARTNERS_FILE: what people call a bank there is matched as the sandbox's."""
    bocom = PartnerEndpoint(
        id="bank-bocom", category=PartnerCategory.BANK, name="交通银行", aliases=["交行"], base_url="https://x.invalid"
    )
    found = named_bank("交行杭州分行", [*PARTNERS, bocom])
    assert found is not None and found.id == "bank-bocom"
    account = lead_action(LeadAsset(kind=LeadAssetKind.BANK_ACCOUNT, bank="邮储"), [*PARTNERS, bocom])
    assert account.partners == [] and "全部银行" in account.reason, "a short name no bank has: every bank"


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
