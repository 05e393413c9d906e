"""Item delegation (事项委托) as the rules read (委托执行规定 Art. 2): the receiving court is a people's court —
configured as a court and named as a court with a court code — and not the delegating court; every other
step goes to an agency of its kind."""

from __future__ import annotations

from domain.case_number import packaged_court_codes
from domain.delegation import agency_problem, court_of, receiving_court_problem
from domain.partners import Agency

AGENCIES = {
    a.id: a
    for a in (
        Agency(id="court-gongshu", name="杭州市拱墅区人民法院 (受托法院)", kind="court"),
        Agency(id="court-nowhere", name="某某人民法院 (未配置代字)", kind="court"),
        Agency(id="police-hangzhou", name="杭州市公安局交通警察支队", kind="police"),
    )
}
CODES = packaged_court_codes()


def test_art_2_the_receiving_court_is_a_court_with_a_court_code() -> None:
    assert court_of(AGENCIES["court-gongshu"], CODES) == "杭州市拱墅区人民法院"
    assert receiving_court_problem("receiving_court", "court-gongshu", AGENCIES, CODES, "嘉兴市中级人民法院") is None
    police = receiving_court_problem("receiving_court", "police-hangzhou", AGENCIES, CODES, "嘉兴市中级人民法院")
    assert police is not None and (police.code, police.field) == ("AGENCY_OF_ANOTHER_KIND", "receiving_court")
    nowhere = receiving_court_problem("receiving_court", "court-nowhere", AGENCIES, CODES, "嘉兴市中级人民法院")
    assert nowhere is not None and nowhere.code == "RECEIVING_COURT_NOT_A_COURT" and "第二条" in nowhere.message
    unknown = receiving_court_problem("receiving_court", "no-such-agency", AGENCIES, CODES, "嘉兴市中级人民法院")
    assert unknown is not None and unknown.code == "UNKNOWN_AGENCY"


def test_art_2_a_court_does_not_delegate_to_itself() -> None:
    own = receiving_court_problem("receiving_court", "court-gongshu", AGENCIES, CODES, "杭州市拱墅区人民法院")
    assert own is not None and own.code == "RECEIVING_COURT_NOT_A_COURT" and "本院" in own.message


def test_each_step_goes_to_an_agency_of_the_kind_it_needs() -> None:
    assert agency_problem("traffic_police", "police-hangzhou", AGENCIES, "police") is None
    wrong = agency_problem("traffic_police", "court-gongshu", AGENCIES, "police")
    assert wrong is not None and wrong.code == "AGENCY_OF_ANOTHER_KIND"
