"""The 失信 and 限消 rules as pure functions (domain/dishonest_list.py, domain/consumption_restriction.py),
their parameters as versioned data, and the national list simulator over HTTP (no Temporal needed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.consumption_restriction import (
    AssistingUnit,
    LiftingGround,
    RestrictedItem,
    RestrictionTrigger,
    ViolationMeasure,
    declining_problem,
    lifting_problem,
    units_to_notify,
    violation_problem,
)
from domain.dishonest_list import (
    DishonestParam,
    ExtensionCondition,
    ListingBar,
    ListingGround,
    PreviousRemoval,
    RemovalGround,
    age_on,
    dishonest_params_at,
    entry_problem,
    listing_term,
    relisting_problem,
    removal_period,
)
from domain.legal_params import MissingParameter
from domain.legal_time import LegalDuration, TimeUnit
from domain.parties import Party, PartyKind
from simulators.app import create_app
from simulators.models import SimulatorConfig
from tests.helpers import credit_code, resident_id

ON = date(2026, 11, 29)
PARAMS = dishonest_params_at(ON)
ADULT = Party(kind=PartyKind.PERSON, name="孙某某", id_number=resident_id("19880808"))


def test_parameters_come_from_the_2017_text_with_their_units_and_articles() -> None:
    assert PARAMS.duration(DishonestParam.TERM) == LegalDuration(amount=2, unit=TimeUnit.YEAR)
    assert PARAMS.duration(DishonestParam.REMOVAL_WITHIN) == LegalDuration(amount=3, unit=TimeUnit.WORKING_DAY)
    assert PARAMS.duration(DishonestParam.CORRECTION_REVIEW) == LegalDuration(amount=15, unit=TimeUnit.CALENDAR_DAY)
    assert PARAMS.duration(DishonestParam.RELISTING_BAR) == LegalDuration(amount=6, unit=TimeUnit.MONTH)
    assert PARAMS.cite(DishonestParam.REMOVAL_WITHIN).endswith("第十条")
    # Before the 2017 text took effect these values are not claimed.
    with pytest.raises(MissingParameter):
        dishonest_params_at(date(2017, 4, 30))


def test_term_is_two_years_plus_one_to_three_and_none_for_ground_one() -> None:
    assert listing_term(ListingGround.EVASION, 0, PARAMS) == LegalDuration(amount=2, unit=TimeUnit.YEAR)
    assert listing_term(ListingGround.OBSTRUCTION, 3, PARAMS) == LegalDuration(amount=5, unit=TimeUnit.YEAR)
    assert listing_term(ListingGround.ABLE_BUT_REFUSES, 0, PARAMS) is None
    several = ExtensionCondition.MULTIPLE_ACTS
    assert entry_problem(ADULT, ListingGround.EVASION, 3, [], ON, PARAMS, several) is None
    assert "1 to 3" in str(entry_problem(ADULT, ListingGround.EVASION, 4, [], ON, PARAMS))
    assert "no fixed term" in str(entry_problem(ADULT, ListingGround.ABLE_BUT_REFUSES, 1, [], ON, PARAMS))


def test_minors_never_and_art3_bars_only_ground_one() -> None:
    minor = Party(kind=PartyKind.PERSON, name="周某", id_number=resident_id("20100601"))
    assert age_on(minor.id_number, date(2028, 5, 31)) == 17 and age_on(minor.id_number, date(2028, 6, 1)) == 18
    assert "第四条" in str(entry_problem(minor, ListingGround.EVASION, 0, [], date(2028, 5, 31), PARAMS))
    assert entry_problem(minor, ListingGround.EVASION, 0, [], date(2028, 6, 1), PARAMS) is None
    company = Party(kind=PartyKind.ORGANISATION, name="杭州某某有限公司", id_number=credit_code())
    assert entry_problem(company, ListingGround.EVASION, 0, [], ON, PARAMS) is None  # no age for organisations
    bars = [ListingBar.SEIZED_ASSETS_SUFFICE]
    assert "第三条" in str(entry_problem(ADULT, ListingGround.ABLE_BUT_REFUSES, 0, bars, ON, PARAMS))
    assert entry_problem(ADULT, ListingGround.EVASION, 0, bars, ON, PARAMS) is None


def test_applicant_may_not_re_request_within_six_months_of_a_removal_at_its_request() -> None:
    removed = PreviousRemoval(ground=RemovalGround.APPLICANT_REQUEST, removed_on=date(2026, 3, 31))
    assert relisting_problem(removed, True, date(2026, 9, 29), PARAMS) is not None
    assert relisting_problem(removed, True, date(2026, 9, 30), PARAMS) is None  # 31 Mar + 6 months = 30 Sep
    assert relisting_problem(removed, False, date(2026, 5, 1), PARAMS) is None  # the court may act ex officio
    performed = PreviousRemoval(ground=RemovalGround.FULL_PERFORMANCE, removed_on=date(2026, 3, 31))
    assert relisting_problem(performed, True, date(2026, 4, 1), PARAMS) is None


def test_removal_and_revocation_periods_are_three_working_days() -> None:
    for ground in (RemovalGround.FULL_PERFORMANCE, RemovalGround.TERM_ENDED, RemovalGround.WRONG_ENTRY):
        assert removal_period(ground, PARAMS) == LegalDuration(amount=3, unit=TimeUnit.WORKING_DAY)


def test_restriction_units_lifting_and_breach_rules() -> None:
    assert units_to_notify([RestrictedItem.HIGH_SPEED_TRAINS]) == [AssistingUnit.RAILWAYS]
    assert units_to_notify(list(RestrictedItem)) == [
        AssistingUnit.AIRLINES,
        AssistingUnit.RAILWAYS,
        AssistingUnit.HOTELS,
        AssistingUnit.REAL_ESTATE_REGISTRY,  # (三)
        AssistingUnit.VEHICLE_REGISTRY,  # (五)
        AssistingUnit.EDUCATION,  # (七)
        AssistingUnit.FINANCIAL_REGULATOR,  # (八)
    ]
    assert units_to_notify([RestrictedItem.TRAVEL]) == []
    # Art. 1: a listed debtor must be restricted; Art. 9: while listed only full performance lifts.
    assert declining_problem(RestrictionTrigger.DISHONEST_LISTED) is not None
    assert declining_problem(RestrictionTrigger.NOTICE_UNPAID) is None
    assert lifting_problem(LiftingGround.SECURITY, dishonest_listed=True) is not None
    assert lifting_problem(LiftingGround.FULL_PERFORMANCE, dishonest_listed=True) is None
    assert lifting_problem(LiftingGround.APPLICANT_CONSENT, dishonest_listed=False) is None
    assert violation_problem(ViolationMeasure.FINE, 0) is not None
    assert violation_problem(ViolationMeasure.DETENTION, 100) is not None
    assert violation_problem(ViolationMeasure.FINE, 100_000) is None


# --- the national list simulator -------------------------------------------------------------------

BASE = "/partners/dishonest-list/dishonest-entries"
AUTH = {"Authorization": "Bearer sandbox-dishonest-list"}


@pytest.fixture
async def sim(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimulatorConfig(state_dir=tmp_path, seed_demo_data=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as client:
        yield client


def entry(debtor: Party, **changes: Any) -> dict[str, Any]:
    body = {
        "case_number": "(2026)浙0102执1号",
        "court": "杭州市上城区人民法院",
        "debtor": debtor.model_dump(mode="json"),
        "title_document": "(2025)浙0102民初1号",
        "title_issuer": "杭州市上城区人民法院",
        "obligation": "支付货款",
        "performance": "全部未履行",
        "ground": "evasion",
        "decision_number": "(2026)浙0102执1号失信决定书",
        "filed_on": "2026-03-02",
        "entered_at": "2026-11-29T02:00:00Z",
    }
    return {**body, **changes}


async def post(sim: httpx.AsyncClient, path: str, body: dict[str, Any], key: str) -> httpx.Response:
    return await sim.post(path, json=body, headers={**AUTH, "Idempotency-Key": key})


async def test_simulator_publishes_once_per_key_and_refuses_a_second_active_entry(sim: httpx.AsyncClient) -> None:
    debtor = Party(kind=PartyKind.PERSON, name="孙某某", id_number=resident_id("19880808"))
    first = await post(sim, BASE, entry(debtor), "k-1")
    again = await post(sim, BASE, entry(debtor), "k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    clash = await post(sim, BASE, entry(debtor), "k-2")
    assert clash.status_code == 409 and clash.json()["code"] == "ALREADY_LISTED"
    listed = (await sim.get(BASE, params={"id_number": debtor.id_number}, headers=AUTH)).json()
    assert [e["entry_id"] for e in listed] == [first.json()["entry_id"]]
    assert listed[0]["debtor"]["id_number"] == debtor.id_number[:10] + "****" + debtor.id_number[14:]


async def test_simulator_corrects_removes_and_refuses_minors_and_strangers(sim: httpx.AsyncClient) -> None:
    debtor = Party(kind=PartyKind.PERSON, name="孙某某", id_number=resident_id("19920202"))
    entry_id = (await post(sim, BASE, entry(debtor), "p")).json()["entry_id"]
    fixed = await post(sim, f"{BASE}/{entry_id}/corrections", {"performance": "已履行一部分"}, "c")
    assert fixed.status_code == 200
    listed = (await sim.get(BASE, params={"id_number": debtor.id_number}, headers=AUTH)).json()
    assert listed[0]["performance"] == "已履行一部分"
    removal = {"ground": "wrong-entry", "document_ref": "(2026)之撤销"}
    removed = await post(sim, f"{BASE}/{entry_id}/removal", removal, "r")
    assert removed.json()["status"] == "revoked" and removed.json()["removed_at"]
    twice = await post(sim, f"{BASE}/{entry_id}/removal", removal, "r-2")
    assert twice.status_code == 409 and twice.json()["code"] == "ENTRY_NOT_ACTIVE"
    assert (await sim.get(BASE, params={"id_number": debtor.id_number}, headers=AUTH)).json() == []

    minor = Party(kind=PartyKind.PERSON, name="周某", id_number=resident_id("20150601"))
    refused = await post(sim, BASE, entry(minor), "m")
    assert refused.status_code == 422 and refused.json()["code"] == "MINOR_NOT_LISTABLE"
    stranger = await sim.post(BASE, json=entry(debtor), headers={"Authorization": "Bearer x", "Idempotency-Key": "s"})
    assert stranger.status_code == 401
    keyless = await sim.post(BASE, json=entry(debtor), headers=AUTH)
    assert keyless.status_code == 400 and keyless.json()["code"] == "IDEMPOTENCY_KEY_REQUIRED"


def test_the_audit_trail_masks_the_debtor_and_the_persons_an_order_binds() -> None:
    """Task contexts and requests carry names and numbers under keys the models mark as personal."""
    from audit.redact import Redactor
    from workflows.personal_data import personal_data_models

    redact = Redactor.for_models(*personal_data_models())
    context = {
        "name": "孙某某",
        "id_number": ADULT.id_number,
        "bound_persons": [{"role": "principal", "name": "钱某某"}],
    }
    masked = redact({"context": context, "legal_representative": "李某某"})
    assert "孙某某" not in str(masked) and "钱某某" not in str(masked) and "李某某" not in str(masked)
    assert ADULT.id_number not in str(masked) and masked["context"]["id_number"].endswith(ADULT.id_number[-4:])


def test_art_2_para_2_an_extension_needs_serious_obstruction_or_several_acts() -> None:
    params = dishonest_params_at(date(2026, 12, 6))
    adult = Party(kind=PartyKind.PERSON, name="王某某", id_number="330106198503120319")
    on = date(2026, 12, 6)
    problem = entry_problem(adult, ListingGround.EVASION, 1, [], on, params) or ""
    assert problem.startswith("extension_condition") and "第二条第二款" in problem
    for condition in ExtensionCondition:
        assert entry_problem(adult, ListingGround.EVASION, 1, [], on, params, condition) is None
    assert entry_problem(adult, ListingGround.EVASION, 0, [], on, params) is None


def test_art_10_the_three_working_days_run_from_the_ground_arising_not_its_recording() -> None:
    from domain.dishonest_list import removal_starts_on

    listed, today = date(2026, 1, 5), date(2026, 3, 20)
    assert removal_starts_on(date(2026, 3, 2), listed, today) == date(2026, 3, 2)  # paid on 2 March
    assert removal_starts_on(None, listed, today) == today  # no day given: the recording
    assert str(removal_starts_on(date(2026, 3, 21), listed, today)).startswith("ground_arose_on")
    assert str(removal_starts_on(date(2025, 12, 31), listed, today)).startswith("ground_arose_on")


def test_art_9_a_wrong_entry_is_revoked_ex_officio_within_three_working_days() -> None:
    from domain.dishonest_list import JUDGE_REMOVAL_GROUNDS

    assert RemovalGround.WRONG_ENTRY in JUDGE_REMOVAL_GROUNDS  # the judge revokes without a request
    assert RemovalGround.TERM_ENDED not in JUDGE_REMOVAL_GROUNDS  # the clock's, not the judge's
    params = dishonest_params_at(date(2026, 12, 6))
    assert removal_period(RemovalGround.WRONG_ENTRY, params) == LegalDuration(amount=3, unit=TimeUnit.WORKING_DAY)


def test_art_10_para_2_a_term_entry_is_not_deleted_on_an_art_10_ground_but_early_under_art_2() -> None:
    """Art. 10 para 2: 有纳入期限的, 不适用前款规定. An entry for evasion (two years) is not deleted at the
    applicant's request or after 终本 queries; the court deletes it early (Art. 2: 积极履行或主动纠正) — full
    performance being the plainest performance — or it ends with its term."""
    from domain.dishonest_list import removal_ground_problem

    for ground in (RemovalGround.APPLICANT_REQUEST, RemovalGround.NO_ASSETS_AFTER_CLOSURE, RemovalGround.TERMINATED):
        problem = removal_ground_problem(ground, has_term=True) or ""
        assert problem.startswith("ground") and "第十条第一款" in problem and "第二条" in problem
    for ground in (RemovalGround.EARLY_BY_COURT, RemovalGround.FULL_PERFORMANCE, RemovalGround.WRONG_ENTRY):
        assert removal_ground_problem(ground, has_term=True) is None, ground


def test_art_2_early_deletion_shortens_a_term_so_an_entry_without_one_goes_on_an_art_10_ground() -> None:
    from domain.dishonest_list import removal_ground_problem

    assert "提前删除" in (removal_ground_problem(RemovalGround.EARLY_BY_COURT, has_term=False) or "")
    for ground in (RemovalGround.APPLICANT_REQUEST, RemovalGround.STAYED, RemovalGround.FULL_PERFORMANCE):
        assert removal_ground_problem(ground, has_term=False) is None


def test_art_8_paras_3_and_4_officials_are_reported_to_their_unit_and_state_bodies_to_their_superior() -> None:
    from domain.dishonest_list import ART_8_NOTICES, PublicStatus, art8_notice_problem

    person, organisation = PartyKind.PERSON, PartyKind.ORGANISATION
    assert ART_8_NOTICES[PublicStatus.NPC_DEPUTY].paragraph == 3
    assert ART_8_NOTICES[PublicStatus.STATE_OWNED_ENTERPRISE].recipient.startswith("上级单位")
    assert art8_notice_problem(person, PublicStatus.STATE_FUNCTIONARY, "unit-hangzhou") is None
    missing = art8_notice_problem(person, PublicStatus.STATE_FUNCTIONARY, "") or ""
    assert missing.startswith("reported_to") and "第八条第三款" in missing
    assert "第八条第四款" in (art8_notice_problem(organisation, PublicStatus.STATE_ORGAN, "") or "")
    assert (art8_notice_problem(person, PublicStatus.STATE_OWNED_ENTERPRISE, "x") or "").startswith("public_status")
    assert art8_notice_problem(person, None, "") is None
    assert (art8_notice_problem(person, None, "unit-hangzhou") or "").startswith("reported_to")


def test_art_12_reconsideration_within_ten_days_of_the_refusal_decided_within_fifteen() -> None:
    from domain.dishonest_list import reconsideration_problem

    refused_on = date(2026, 3, 2)
    assert reconsideration_problem(date(2026, 3, 12), refused_on, PARAMS) is None  # the tenth day
    late = reconsideration_problem(date(2026, 3, 13), refused_on, PARAMS) or ""
    assert late.startswith("applied_on") and "第十二条" in late and "2026-03-12" in late
    assert reconsideration_problem(date(2026, 3, 1), refused_on, PARAMS) is not None
    assert PARAMS.duration(DishonestParam.RECONSIDERATION_DECIDED) == LegalDuration(
        amount=15, unit=TimeUnit.CALENDAR_DAY
    )
