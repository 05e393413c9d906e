"""The enforcement application fee (申请执行费, 诉讼费用交纳办法 Art. 14(一)): the bands as versioned legal
parameters, the pure function in fen, the API, and where the scenarios use it (the asset inquiry's
proposed costs, the disposal's distribution)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib import resources

import httpx
import pytest

from config.settings import Settings
from domain.fees import enforcement_fee, no_amount_range
from domain.legal_params import P, load_table, params_at
from domain.parties import Party, PartyKind
from tests.helpers import case_number, context, login, resident_id
from workflows.asset_inquiry import SCENARIO as ASSET_INQUIRY
from workflows.foundation.child_matters import AssetInquiryInput, AssetInquiryRequest
from workflows.real_estate_disposal import build_input as disposal_input
from workflows.real_estate_disposal.models import Creditor, PropertyUnit, RealEstateDisposalRequest

YUAN = 100
TODAY = date(2026, 11, 29)


def _packaged_json() -> str:
    return resources.files("domain").joinpath("legal_params.json").read_text(encoding="utf-8")


def fee(yuan: int, on: date = TODAY) -> int:
    return enforcement_fee(yuan * YUAN, params_at(on)).fee_fen


def test_the_law_s_own_examples() -> None:
    # DOMAIN.md §16.2: ¥1,000,000 → 50 + 1.5 % × 490,000 + 1 % × 500,000 = ¥12,400; ¥20,000,000 → ¥87,400.
    assert fee(1_000_000) == 12_400 * YUAN
    assert fee(20_000_000) == 87_400 * YUAN
    # Up to ¥10,000 a flat ¥50 a case, whatever the amount.
    assert fee(0) == fee(1) == fee(10_000) == 50 * YUAN
    # Each band's rate on the part inside it only (marginal, not the whole amount at the top rate).
    assert fee(500_000) == (50 + 7_350) * YUAN
    assert fee(5_000_000) == (50 + 7_350 + 45_000) * YUAN
    assert fee(10_000_000) == (50 + 7_350 + 45_000 + 25_000) * YUAN


def test_fractions_of_a_fen_are_rounded_once_half_up() -> None:
    # ¥10,000.01: 1 fen × 1.5 % = 0.015 fen → ¥50.00; ¥10,001: 100 fen × 1.5 % = 1.5 fen → 5,001.5 → 5,002.
    assert enforcement_fee(10_000 * YUAN + 1, params_at(TODAY)).fee_fen == 5_000
    assert fee(10_001) == 5_002


def test_the_basis_names_the_article_and_the_computation() -> None:
    assessment = enforcement_fee(1_000_000 * YUAN, params_at(TODAY))
    assert assessment.basis.startswith("诉讼费用交纳办法 (国务院令第481号) 第十四条")
    assert "¥490,000.00 × 1.5%" in assessment.basis and assessment.basis.endswith("= ¥12,400.00")
    assert [c.part_fen for c in assessment.charges] == [490_000 * YUAN, 500_000 * YUAN]
    assert no_amount_range(params_at(TODAY)) == (50 * YUAN, 500 * YUAN)


def test_an_amendment_is_a_new_entry_and_applies_from_its_date() -> None:
    raw = json.loads(_packaged_json())
    raw["params"].append(
        {
            "key": P.FEE_ENFORCEMENT_BAND_1_RATE.value,
            "title": "申请执行费 (假设的修订)",
            "value": "0.02",
            "unit": "ratio",
            "instrument": "诉讼费用交纳办法 (假设的修订)",
            "article": "第十四条第(一)项",
            "effective_from": "2030-01-01",
            "tag": "I",
        }
    )
    table = load_table(json.dumps(raw))
    before, after = table.at(date(2029, 12, 31)), table.at(date(2030, 1, 1))
    assert enforcement_fee(1_000_000 * YUAN, before).fee_fen == 12_400 * YUAN
    assert enforcement_fee(1_000_000 * YUAN, after).fee_fen == (50 + 9_800 + 5_000) * YUAN
    assert before.ratio(P.FEE_ENFORCEMENT_BAND_1_RATE) == Decimal("0.015")


def test_bands_and_amounts_are_checked() -> None:
    with pytest.raises(ValueError):
        enforcement_fee(-1, params_at(TODAY))
    with pytest.raises(ValueError, match="not an amount in fen"):
        params_at(TODAY).fen(P.FEE_ENFORCEMENT_BAND_1_RATE)


def debtor() -> Party:
    return Party(kind=PartyKind.PERSON, name="王某某", id_number=resident_id())


def test_the_asset_inquiry_proposes_the_fee_as_its_costs(settings: Settings) -> None:
    req = AssetInquiryRequest(
        case_number=case_number(), court="杭州市上城区人民法院", debtor=debtor(), amount_owed_fen=1_000_000 * YUAN
    )
    assert req.execution_costs_fen is None  # left out on the form
    inp = ASSET_INQUIRY.build_input(req, context(settings, "wf-fee"))
    assert isinstance(inp, AssetInquiryInput)
    assert inp.request.execution_costs_fen == 12_400 * YUAN  # proposed at the start, recorded in the input
    # What the judge typed stays, 0 included.
    given = ASSET_INQUIRY.build_input(req.model_copy(update={"execution_costs_fen": 0}), context(settings, "wf-fee"))
    assert isinstance(given, AssetInquiryInput) and given.request.execution_costs_fen == 0
    # The start form says so, in both languages.
    help_word = ASSET_INQUIRY.words.help["execution_costs_fen"]
    assert "第十四条" in help_word.zh and "Art. 14" in help_word.en


def test_the_disposal_carries_the_fee_into_its_distribution(settings: Settings) -> None:
    req = RealEstateDisposalRequest(
        case_number=case_number(),
        court="诸暨市人民法院",
        debtor=debtor(),
        property=PropertyUnit(unit_number="330681001001GB00001F00010001", description="诸暨市某镇工业用地及厂房"),
        amount_owed_fen=20_000_000 * YUAN,
        creditors=[Creditor(claim_id="applicant", creditor="某银行", kind="ordinary", amount_fen=20_000_000 * YUAN)],
    )
    assert disposal_input(req, context(settings, "wf-fee")).request.application_fee_fen == 87_400 * YUAN
    waived = req.model_copy(update={"application_fee_fen": 0})
    assert disposal_input(waived, context(settings, "wf-fee")).request.application_fee_fen == 0


@pytest.mark.usefixtures("stack")
async def test_the_fee_api(settings: Settings) -> None:
    web = settings.public_base_url
    async with httpx.AsyncClient(base_url=web) as anon:
        assert (await anon.get("/api/legal/fees/enforcement", params={"amount_fen": 100})).status_code == 401
    async with await login(web, "judge") as http:
        r = await http.get("/api/legal/fees/enforcement", params={"amount_fen": 1_000_000 * YUAN})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["fee_fen"] == 12_400 * YUAN and "第十四条" in body["basis"]
        r = await http.get("/api/legal/fees/enforcement", params={"amount_fen": 20_000_000 * YUAN, "on": "2026-01-05"})
        assert r.json()["fee_fen"] == 87_400 * YUAN and r.json()["as_of"] == "2026-01-05"
        for bad in ({"amount_fen": -1}, {"amount_fen": "1.5"}, {}):
            r = await http.get("/api/legal/fees/enforcement", params=bad)
            assert r.status_code == 422 and r.json()["code"], bad
        # A date before the Measures took effect (2007-04-01) has no fee bands to apply.
        r = await http.get("/api/legal/fees/enforcement", params={"amount_fen": 100, "on": "2001-01-01"})
        assert r.status_code == 422 and r.json()["code"] == "NO_LEGAL_PARAMETERS"
    async with await login(web, "auditor") as http:
        assert (await http.get("/api/legal/fees/enforcement", params={"amount_fen": 0})).json()["fee_fen"] == 5_000
