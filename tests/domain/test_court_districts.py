"""Configuration as the rules need it: every court that can docket a case (``domain/court_codes.json``) has its
district's police and procuratorate (拒执解释 法释〔2024〕13号 Art. 15: 由执行法院所在地管辖) and its higher court
(失信规定 Art. 12: 向上一级人民法院申请复议) in ``domain/court_districts.json``, each an agency of the sandbox
directory of the kind the step needs — so no configured court meets DISTRICT_NOT_CONFIGURED."""

from __future__ import annotations

from config.sandbox_directory import sandbox_task_agencies
from domain.case_number import packaged_court_codes
from domain.refusal import HIGHER_COURT, court_districts, district_agencies, higher_court_agency

KIND_OF = {"police": "police", "procuratorate": "procuratorate", HIGHER_COURT: "court"}


def test_every_configured_court_has_its_district_and_higher_court_of_the_right_kind() -> None:
    agencies = {a.id: a for a in sandbox_task_agencies()}
    districts = court_districts()
    assert set(packaged_court_codes()) <= set(districts), "a court that dockets cases has no district row"
    for court, bodies in districts.items():
        assert district_agencies(court, {}) == {k: bodies[k] for k in ("police", "procuratorate")}
        for key, agency in bodies.items():
            assert agency in agencies, f"{court}: {key} {agency} is not in the sandbox directory"
            assert agencies[agency].kind == KIND_OF[key], f"{court}: {key} {agency} is a {agencies[agency].kind}"
        assert court not in agencies[bodies[HIGHER_COURT]].name  # the higher court, never the court itself
    assert higher_court_agency("杭州市上城区人民法院") == "court-hangzhou-intermediate"
    assert higher_court_agency("某某市人民法院") == ""
