"""Pure domain rules: money to the fen, identity checks, legal time, the over-seizure guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from domain.control import FreezeBudget
from domain.legal_time import LegalClock, LegalDuration, TimeScale, TimeUnit, add_months, calendar_before, calendar_end
from domain.money import allocate_largest_remainder, format_yuan, yuan_to_fen
from domain.parties import Party, PartyKind, check_bank_account, mask
from tests.helpers import credit_code, resident_id


def test_three_equal_creditors_share_100_yuan_to_the_fen():
    assert allocate_largest_remainder(10_000, [1, 1, 1]) == [3334, 3333, 3333]
    assert sum(allocate_largest_remainder(99_999_99, [7, 13, 29, 51])) == 99_999_99


def test_allocation_rejects_bad_input():
    with pytest.raises(ValueError):
        allocate_largest_remainder(100, [0, 0])
    with pytest.raises(ValueError):
        allocate_largest_remainder(-1, [1])


def test_yuan_parsing_refuses_fractions_of_a_fen():
    assert yuan_to_fen("100.05") == 10_005
    with pytest.raises(ValueError):
        yuan_to_fen("0.001")
    assert format_yuan(123_456_78) == "¥123,456.78"


def test_party_checks_id_numbers():
    assert Party(kind=PartyKind.PERSON, name="张三", id_number=resident_id()).kind is PartyKind.PERSON
    assert Party(kind=PartyKind.ORGANISATION, name="某公司", id_number=credit_code())
    with pytest.raises(ValidationError, match=r"cn\.ric"):
        Party(kind=PartyKind.PERSON, name="张三", id_number="110105194912310020")
    with pytest.raises(ValidationError, match=r"cn\.uscc"):
        Party(kind=PartyKind.ORGANISATION, name="某公司", id_number="91110000600037341X")
    # The fast check (the birthplace cached per region and year) refuses what the library refuses, with its
    # words, the second time too; a number not in compact form takes the library's whole way.
    unknown_place = "999999199001010016"  # its check digit right, no such region
    for _ in range(2):
        with pytest.raises(ValidationError, match=r"cn\.ric: One of the parts"):
            Party(kind=PartyKind.PERSON, name="张三", id_number=unknown_place)
    assert Party(kind=PartyKind.PERSON, name="张三", id_number="11010519491231002x").id_number == "11010519491231002X"
    # Characters stdnum does not map (an em dash, a line break) make its arithmetic raise a bare ValueError: the
    # party still hears which number and why, not "substring not found".
    with pytest.raises(ValidationError, match=r"not a valid unified social credit code"):
        Party(kind=PartyKind.ORGANISATION, name="某公司", id_number="7— 06298-7\n—BB49- 77173-6")


def test_bank_cards_pass_luhn():
    assert check_bank_account("4111 1111 1111 1111") == "4111111111111111"
    with pytest.raises(ValueError, match="Luhn"):
        check_bank_account("6222000000000000001")
    with pytest.raises(ValueError, match="9 to 30 digits"):
        check_bank_account("12ab")
    assert mask("6222021234567890") == "************7890"


def test_freeze_budget_never_passes_the_target():
    budget = FreezeBudget(target_fen=1000)
    assert budget.ask(600) == 600
    budget.record(600)
    assert budget.ask(600) == 400
    budget.record(300)  # the bank froze less than asked
    assert budget.ask(600) == 100
    with pytest.raises(ValueError, match="超标的"):
        budget.record(101)


def test_calendar_periods_and_acceleration():
    start = datetime(2024, 1, 31, 10, tzinfo=UTC)
    assert add_months(start.date(), 1).isoformat() == "2024-02-29"
    assert calendar_end(start, LegalDuration(amount=1, unit=TimeUnit.YEAR)).date().isoformat() == "2025-01-31"
    assert (
        calendar_before(start, LegalDuration(amount=30, unit=TimeUnit.CALENDAR_DAY)).date().isoformat() == "2024-01-01"
    )
    clock = LegalClock(epoch=start, scale=TimeScale(acceleration=86_400))
    assert clock.legal_now(start + timedelta(seconds=2)) == start + timedelta(days=2)
    assert clock.real_delay_until(start + timedelta(days=10), start) == timedelta(seconds=10)
    assert clock.real_delay_until(start, start + timedelta(seconds=5)) == timedelta(0)
