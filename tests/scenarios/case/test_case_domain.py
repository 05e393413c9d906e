"""The enforcement case's rules (DOMAIN §17): case numbers, the period to apply, the term, the ledger,
closing modes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.case_closing import CLOSING_RULES, ClosingMode, closing_problems
from domain.case_number import CaseNumberParts, CaseType, UnknownCourt, court_code, parse_case_number
from domain.case_term import (
    TERM_KEYS,
    ExcludedPeriod,
    ExclusionGround,
    days_excluded,
    extension_problem,
    term,
    term_params,
)
from domain.fees import enforcement_fee
from domain.filing import (
    FILING_KEYS,
    LATE_APPLICATION_WARNING,
    application_period,
    execution_notice_due,
    notice_performance_period,
)
from domain.ledger import Claim, Payout, Recovery, ledger_on
from domain.legal_params import P, params_at
from domain.tasks import SlaMark
from workflows.foundation.case_link import RegisterKind

PARAMS = params_at(date(2026, 3, 1))


def test_case_number_prints_full_width_and_reads_either() -> None:
    parts = CaseNumberParts(year=2026, court_code="浙0102", case_type=CaseType.FIRST, sequence=123)
    assert str(parts) == "（2026）浙0102执123号"
    assert parse_case_number("(2026)浙0102执123号") == parts
    assert parse_case_number("（2026）浙0102执123号") == parts
    resumed = parse_case_number("(2026)浙0102执恢7号")
    assert resumed.case_type is CaseType.RESUMED and resumed.sequence == 7
    with pytest.raises(ValueError, match="执 or 执恢"):
        parse_case_number("2026浙0102执123号")


def test_court_codes_come_from_configuration() -> None:
    assert court_code("杭州市上城区人民法院") == "浙0102"
    assert court_code("某某法院", {"某某法院": "浙0199"}) == "浙0199"
    with pytest.raises(UnknownCourt):
        court_code("不存在的法院")


def test_application_period_two_years_month_end_and_rest_day() -> None:
    # 2024-02-29 + 2 years: 2026 has no 29 February, so the month's last day, 28 February (a Saturday,
    # but a make-up working day of the 2026 Spring Festival schedule: not rolled).
    period = application_period(date(2024, 2, 29), date(2026, 2, 28), PARAMS)
    assert period.ends_on == date(2026, 2, 28)
    assert not period.late and period.warning is None
    # 2026-02-15 falls in the Spring Festival holiday: the period ends on the first working day after it.
    assert application_period(date(2024, 2, 15), date(2026, 2, 24), PARAMS).ends_on == date(2026, 2, 24)
    assert "第二百五十条" in period.basis
    # The start day is not counted: due 2024-03-31 → ends 2026-03-31 (a Tuesday).
    assert application_period(date(2024, 3, 31), date(2026, 3, 31), PARAMS).ends_on == date(2026, 3, 31)


def test_late_application_is_filed_with_the_warning_of_art_481() -> None:
    period = application_period(date(2024, 3, 31), date(2026, 4, 1), PARAMS)
    assert period.late and period.warning == LATE_APPLICATION_WARNING
    assert "第四百八十一条" in LATE_APPLICATION_WARNING


def test_execution_notice_within_ten_days() -> None:
    assert execution_notice_due(date(2026, 3, 1), PARAMS) == date(2026, 3, 11)


def test_term_six_months_exclusions_extension_and_colour() -> None:
    filed = date(2026, 1, 31)
    view = term(filed, date(2026, 2, 1), PARAMS)
    assert view.due_on == date(2026, 7, 31) and view.colour is SlaMark.GREEN
    assert term(filed, date(2026, 7, 1), PARAMS).colour is SlaMark.YELLOW  # 30 days left
    assert term(filed, date(2026, 8, 1), PARAMS).colour is SlaMark.RED
    auction = ExcludedPeriod(ground=ExclusionGround.AUCTION_SALE, start=date(2026, 3, 1), end=date(2026, 3, 21))
    running = ExcludedPeriod(ground=ExclusionGround.SUSPENSION, start=date(2026, 4, 1))
    view = term(filed, date(2026, 4, 11), PARAMS, excluded=[auction, running], extensions=1)
    assert view.excluded_days == 30
    assert view.due_on == date(2026, 10, 31) + (date(2026, 4, 11) - date(2026, 3, 12))
    assert term(filed, date(2026, 3, 1), PARAMS, non_litigation=True).due_on == date(2026, 4, 30)


def test_extension_is_asked_ten_days_ahead_and_once() -> None:
    filed = date(2026, 1, 31)
    assert extension_problem(term(filed, date(2026, 7, 1), PARAMS), date(2026, 7, 1), PARAMS) is None
    late = extension_problem(term(filed, date(2026, 7, 25), PARAMS), date(2026, 7, 25), PARAMS)
    assert late is not None and "10" in late
    twice = term(filed, date(2026, 7, 1), PARAMS, extensions=1)
    assert "高级人民法院" in (extension_problem(twice, date(2026, 7, 1), PARAMS) or "")


def test_ledger_reconciles_with_doubled_interest_and_costs_first() -> None:
    rate = PARAMS.ratio(P.DELAYED_INTEREST_DAILY)
    fee = enforcement_fee(100_000_000, PARAMS).fee_fen
    assert fee == 1_240_000  # ¥12,400 on ¥1,000,000 (DOMAIN §16.2)
    claim = Claim(
        principal_fen=100_000_000,
        costs_fen=10_000,
        fee_fen=fee,
        performance_due_on=date(2026, 1, 1),
        delayed_daily_rate=rate,
    )
    # 100 days of delay on the whole principal: ¥17,500 (DOMAIN §6.1's example).
    untouched = ledger_on(claim, [], [], date(2026, 4, 11))
    assert untouched.delayed_interest_fen == 1_750_000
    assert untouched.owed_fen == 100_000_000 + 10_000 + fee + 1_750_000 == untouched.balance_fen
    # 50 days in, ¥500,000 is deducted: costs and fee first, the rest off the principal.
    first = Recovery(effect_id="m1:deduct", source="deduction", amount_fen=50_000_000, on=date(2026, 2, 20))
    paid = Payout(effect_id="m1:pay", amount_fen=30_000_000, on=date(2026, 3, 1))
    view = ledger_on(claim, [first], [paid], date(2026, 4, 11))
    unpaid = 100_000_000 - (50_000_000 - 10_000 - fee)
    expected_delayed = 875_000 + int((Decimal(unpaid) * rate * 50).quantize(Decimal(1)))
    assert view.delayed_interest_fen == expected_delayed
    assert view.recovered_fen == 50_000_000 and view.recovered_by_source == {"deduction": 50_000_000}
    assert view.paid_out_fen == 30_000_000 and view.held_fen == 20_000_000
    assert view.balance_fen == view.owed_fen - view.recovered_fen
    # The rest paid on 2026-04-11: nothing more accrues, the balance is zero, nothing overpaid.
    rest = Recovery(effect_id="m2:pay", source="voluntary", amount_fen=view.balance_fen, on=date(2026, 4, 11))
    done = ledger_on(claim, [first, rest], [paid], date(2026, 4, 11))
    assert done.balance_fen == 0 and done.overpaid_fen == 0
    assert done.recovered_by_source == {"deduction": 50_000_000, "voluntary": view.balance_fen}
    # And stays zero later: no unpaid principal bears interest.
    assert ledger_on(claim, [first, rest], [paid], date(2026, 12, 31)).balance_fen == 0


def test_closing_modes_checklists_and_measures() -> None:
    kinds = {k.value for k in RegisterKind}
    for rule in CLOSING_RULES.values():
        assert rule.keeps <= kinds and rule.checklist and rule.basis
    common = {"open_matters": [], "balance_fen": 0, "filed_on": date(2026, 1, 5), "today": date(2026, 2, 1)}
    freeze = [("freeze", "工商银行 冻结 ¥1,000.00")]
    refused = closing_problems(ClosingMode.COMPLETED, {}, in_force=freeze, **common)  # type: ignore[arg-type]
    assert {p.code for p in refused} == {"CHECKLIST_INCOMPLETE", "MEASURES_NOT_RELEASED"}
    assert any(p.field == "checklist.performance_confirmed" for p in refused)
    ok = closing_problems(ClosingMode.COMPLETED, {"performance_confirmed": True}, in_force=[], **common)  # type: ignore[arg-type]
    assert ok == []
    owed = closing_problems(
        ClosingMode.COMPLETED,
        {"performance_confirmed": True},
        in_force=[],
        open_matters=["asset-inquiry-1"],
        balance_fen=1,
        filed_on=date(2026, 1, 5),
        today=date(2026, 2, 1),
    )
    assert {p.code for p in owed} == {"MATTERS_OPEN", "BALANCE_NOT_ZERO"}
    # 终本 keeps its measures but not before three months have passed since filing.
    all_ticked = dict.fromkeys(CLOSING_RULES[ClosingMode.CURRENT_PROCEDURE_ENDED].checklist, True)
    early = closing_problems(
        ClosingMode.CURRENT_PROCEDURE_ENDED,
        all_ticked,
        in_force=freeze,
        closure_ruled=True,
        **common,  # type: ignore[arg-type]
    )
    assert [p.code for p in early] == ["TOO_EARLY"]
    # 民诉法解释 Art. 517: no 终本裁定 made on the applicant's signature or the president's approval, no 终本.
    unruled = closing_problems(ClosingMode.CURRENT_PROCEDURE_ENDED, all_ticked, in_force=[], **common)  # type: ignore[arg-type]
    assert unruled[0].code == "CLOSURE_SIGNATURE_OR_APPROVAL_REQUIRED" and "第五百一十七条" in unruled[0].message


def test_a_case_carries_only_the_terms_parameters() -> None:
    narrowed = term_params(PARAMS)
    assert set(narrowed.values) == {k.value for k in TERM_KEYS}
    assert term(date(2026, 1, 31), date(2026, 2, 1), narrowed) == term(date(2026, 1, 31), date(2026, 2, 1), PARAMS)


def test_the_notices_period_to_perform_is_our_rule_as_data_labelled_so() -> None:
    """No statute or seed fixes the days of "执行通知书指定的期间" (限消规定 Art. 1): the table holds our rule, tagged
    I; a case filed before it was data (no such parameter) gets the same days, labelled the same."""
    filed = term_params(PARAMS, *FILING_KEYS)
    period = notice_performance_period(filed)
    assert period.days == 10 and period.our_rule and "本院规则" in period.basis
    assert PARAMS.get(P.CASE_NOTICE_PERFORMANCE_PERIOD).tag == "I"
    older = notice_performance_period(term_params(PARAMS))
    assert older.days == period.days and older.our_rule and "本院规则" in older.basis


def test_days_two_periods_share_are_excluded_once() -> None:
    """审限规定 Art. 9: an auction (one matter) and a suspension (another) at once take each day off once."""
    auction = ExcludedPeriod(ground=ExclusionGround.AUCTION_SALE, start=date(2026, 3, 1), end=date(2026, 3, 31))
    stay = ExcludedPeriod(ground=ExclusionGround.SUSPENSION, start=date(2026, 3, 20), end=date(2026, 4, 10))
    inside = ExcludedPeriod(ground=ExclusionGround.AUDIT_VALUATION, start=date(2026, 3, 5), end=date(2026, 3, 6))
    running = ExcludedPeriod(ground=ExclusionGround.SUSPENSION, start=date(2026, 5, 1))
    assert days_excluded([auction, stay, inside], date(2026, 6, 1)) == 40  # 1 March to 10 April
    assert days_excluded([stay, auction], date(2026, 6, 1)) == 40
    assert days_excluded([auction, running], date(2026, 5, 11)) == 30 + 10
    view = term(date(2026, 1, 10), date(2026, 6, 1), PARAMS, excluded=[auction, stay, inside])
    assert view.excluded_days == 40 and view.due_on == view.base_due_on + timedelta(days=40)
