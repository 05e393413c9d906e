"""The 拒执 rules as they read in the law (拒执解释 2024), one test per rule, named by its article."""

from __future__ import annotations

import pytest

from domain.errors import ValidationFailed
from domain.refusal import district_agencies, private_prosecution_open, private_prosecution_problem
from workflows.foundation.scenario import ScenarioContext, TimeScale
from workflows.refusal_referral import build_input
from workflows.refusal_referral.models import RefusalReferralRequest


def test_art_14_para_2_private_prosecution_only_after_police_or_procuratorate_declined_the_complaint() -> None:
    assert private_prosecution_open(police_declined=True, procuratorate_declined=False)
    assert private_prosecution_open(police_declined=False, procuratorate_declined=True)
    assert not private_prosecution_open(police_declined=False, procuratorate_declined=False)
    assert private_prosecution_problem("police", "杭公 不立〔2026〕3号") is None
    assert private_prosecution_problem("procuratorate", "杭检 不诉〔2026〕1号") is None
    no_body = private_prosecution_problem(None, "杭公 不立〔2026〕3号") or ""
    assert no_body.startswith("complaint_declined_by") and "第十四条第二款" in no_body
    assert (private_prosecution_problem("police", " ") or "").startswith("declined_by")


def referral(court: str, **kw: object) -> RefusalReferralRequest:
    return RefusalReferralRequest.model_validate(
        {
            "case_number": "（2026）浙0102执12号",
            "court": court,
            "person": {"kind": "person", "name": "张三", "id_number": "330106198503120319"},
            "owed_fen": 100_000_00,
            "refusal_grounds": ["serious-1-gratuitous-disposal"],
            "conduct": "将房产无偿转让给亲属",
            **kw,
        }
    )


CONTEXT = ScenarioContext(
    workflow_id="refusal-referral-rules", partners=[], time_scale=TimeScale(), callback_base_url="http://127.0.0.1:1"
)


def test_art_15_a_hangzhou_referral_goes_to_the_police_and_procuratorate_of_its_own_district() -> None:
    """拒执解释 Art. 15: 由执行法院所在地管辖 — the Hangzhou 上城 court refers to 上城's police and procuratorate
    (configured in domain/court_districts.json), never the catalogue's Huzhou sample bodies."""
    inp = build_input(referral("杭州市上城区人民法院"), CONTEXT)
    assert inp.catalogue.agency_for("police", inp.request.agencies) == "police-shangcheng"
    assert inp.catalogue.agency_for("procuratorate", inp.request.agencies) == "procuratorate-shangcheng"
    huzhou = build_input(referral("湖州市中级人民法院"), CONTEXT)
    assert huzhou.catalogue.agency_for("police", huzhou.request.agencies) == "police-huzhou"


def test_art_15_a_body_the_judge_names_stands_and_a_district_without_bodies_is_refused() -> None:
    named = build_input(referral("杭州市上城区人民法院", agencies={"police": "police-huzhou"}), CONTEXT)
    assert named.request.agencies == {"police": "police-huzhou", "procuratorate": "procuratorate-shangcheng"}
    with pytest.raises(ValidationFailed) as refused:
        build_input(referral("宁波市中级人民法院"), CONTEXT)  # no court of this deployment: no row
    assert (refused.value.code, refused.value.field) == ("DISTRICT_NOT_CONFIGURED", "agencies")
    assert "第十五条" in refused.value.message
    both = {"police": "police-jx", "procuratorate": "procuratorate-jx"}
    assert district_agencies("宁波市中级人民法院", both) == both
