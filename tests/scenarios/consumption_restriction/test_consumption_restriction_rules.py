"""The 限消 rules as they read in the law (限消规定 2015; CPL), one test per rule, named by its article."""

from __future__ import annotations

from datetime import date

import pytest

from domain.consumption_restriction import ViolationMeasure, fine_caps, violation_problem
from domain.parties import PartyKind

FINE = ViolationMeasure.FINE
TODAY = date(2026, 12, 6)


def test_art_11_with_cpl_2023_art_118_a_persons_fine_is_at_most_100_000_yuan() -> None:
    assert violation_problem(FINE, 100_000_00, PartyKind.PERSON, TODAY) is None
    problem = violation_problem(FINE, 100_000_01, PartyKind.PERSON, TODAY) or ""
    assert problem.startswith("fine_fen") and "第一百一十八条" in problem
    # The 10^15 fen is never a fine.
    assert violation_problem(FINE, 10**15, PartyKind.PERSON, TODAY) is not None


def test_art_11_with_cpl_2023_art_118_an_organisations_fine_is_50_000_to_1_000_000_yuan() -> None:
    assert violation_problem(FINE, 50_000_00, PartyKind.ORGANISATION, TODAY) is None
    assert violation_problem(FINE, 1_000_000_00, PartyKind.ORGANISATION, TODAY) is None
    assert violation_problem(FINE, 49_999_99, PartyKind.ORGANISATION, TODAY) is not None
    assert violation_problem(FINE, 1_000_000_01, PartyKind.ORGANISATION, TODAY) is not None


def test_the_fine_caps_are_versioned_by_the_cpl_in_force() -> None:
    """CPL 2007 Art. 104 (person ≤ ¥10,000; organisation ¥10,000–300,000) before CPL 2012 Art. 115."""
    assert fine_caps(date(2010, 6, 1)).person_max_fen == 10_000_00
    assert fine_caps(date(2010, 6, 1)).organisation_max_fen == 300_000_00
    assert "2012" in fine_caps(date(2015, 6, 1)).basis
    assert "2023" in fine_caps(TODAY).basis
    with pytest.raises(ValueError, match="2008-04-01"):
        fine_caps(date(2000, 1, 1))


def test_art_11_only_a_fine_carries_an_amount() -> None:
    assert violation_problem(ViolationMeasure.DETENTION, 0, PartyKind.PERSON, TODAY) is None
    assert violation_problem(ViolationMeasure.DETENTION, 1_00, PartyKind.PERSON, TODAY) is not None
    assert violation_problem(FINE, 0, PartyKind.PERSON, TODAY) is not None


def test_art_3_and_6_every_ban_with_a_registry_reaches_the_unit_that_enforces_it() -> None:
    """Bans (三) real estate, (五) vehicles, (七) private schools, (八) insurance reach the registries and
    authorities that can stop them; (四) and (六) bind the debtor by the order itself."""
    from domain.consumption_restriction import AssistingUnit, RestrictedItem, units_to_notify

    assert units_to_notify([RestrictedItem.REAL_ESTATE, RestrictedItem.VEHICLES]) == [
        AssistingUnit.REAL_ESTATE_REGISTRY,
        AssistingUnit.VEHICLE_REGISTRY,
    ]
    assert units_to_notify([RestrictedItem.PRIVATE_SCHOOLS, RestrictedItem.PREMIUM_INSURANCE]) == [
        AssistingUnit.EDUCATION,
        AssistingUnit.FINANCIAL_REGULATOR,
    ]
    assert units_to_notify([RestrictedItem.TRAVEL, RestrictedItem.PREMIUM_OFFICES]) == []
    every = units_to_notify(list(RestrictedItem))
    assert len(every) == 7 and units_to_notify(list(RestrictedItem), every_ban=False) == every[:3]


def test_art_11_para_2_a_unit_told_of_the_order_that_lets_the_debtor_consume_is_fined_as_a_unit() -> None:
    from domain.consumption_restriction import unit_liability_problem
    from domain.parties import PartyKind

    told = ["airlines-caac", "realestate-registry"]
    assert unit_liability_problem("realestate-registry", told, PartyKind.ORGANISATION) is None
    assert "第十一条第二款" in (unit_liability_problem("hotels-zhejiang", told, PartyKind.ORGANISATION) or "")
    assert (unit_liability_problem("airlines-caac", told, PartyKind.PERSON) or "").startswith("fined")
    # Within the CPL's bounds for an organisation (¥50,000–1,000,000).
    assert violation_problem(ViolationMeasure.FINE, 20_000_00, PartyKind.ORGANISATION, date(2026, 6, 1))
