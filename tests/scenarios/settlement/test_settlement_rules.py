"""The settlement rules (domain/settlement.py) on plain values: the schedule, instalment states, when
resumption is refused, and what is enforced on resumption."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from domain.legal_params import P, params_at
from domain.legal_time import LegalDuration, TimeUnit
from domain.parties import Party
from domain.settlement import (
    Instalment,
    InstalmentState,
    guarantor_claim,
    in_default,
    instalment_views,
    outstanding_on,
    resumed_claim,
    resumption_problem,
    schedule_problem,
)
from tests.helpers import resident_id
from workflows.settlement.models import SettlementRequest

SCHEDULE = [
    Instalment(due_on=date(2027, 1, 31), amount_fen=300_00),
    Instalment(due_on=date(2027, 2, 28), amount_fen=300_00),
    Instalment(due_on=date(2027, 3, 31), amount_fen=400_00),
]
NOW = datetime(2027, 4, 10, tzinfo=UTC)


def person() -> dict[str, str]:
    return {"kind": "person", "name": "郑某某", "id_number": resident_id()}


def settlement_request(instalments: list[dict[str, Any]], debtor: dict[str, str]) -> SettlementRequest:
    return SettlementRequest.model_validate(
        {
            "case_number": "(2026)浙0102执1号",
            "court": "杭州市上城区人民法院",
            "applicant": {**debtor, "id_number": resident_id()},
            "debtor": debtor,
            "amount_owed_fen": 1000_00,
            "signed_on": "2027-01-01",
            "instalments": instalments,
        }
    )


def states(paid: int, settled: int) -> list[InstalmentState]:
    return [v.state for v in instalment_views(SCHEDULE, paid, settled)]


def test_payments_meet_the_instalments_in_order():
    assert states(0, 0) == ["upcoming"] * 3
    assert states(450_00, 1) == ["paid", "upcoming", "upcoming"]  # an early payment counts towards the next
    assert states(450_00, 2) == ["paid", "partial", "upcoming"]
    assert states(300_00, 2) == ["paid", "missed", "upcoming"]
    assert states(1000_00, 3) == ["paid"] * 3
    assert [v.received_fen for v in instalment_views(SCHEDULE, 450_00, 2)] == [300_00, 150_00, 0]
    assert outstanding_on(SCHEDULE, 2, 450_00) == 150_00
    assert outstanding_on(SCHEDULE, 1, 450_00) == 0
    assert outstanding_on(SCHEDULE, 3, 0) == 400_00


def test_no_resumption_while_not_due_or_being_performed_nor_after_the_period():
    ends = datetime(2029, 4, 2, 15, 59, 59, tzinfo=UTC)
    performing = instalment_views(SCHEDULE, 300_00, 1)
    assert not in_default(performing)
    problem = resumption_problem(performing, NOW, ends)
    assert problem and "Art. 11" in problem
    defaulted = instalment_views(SCHEDULE, 300_00, 2)
    assert resumption_problem(defaulted, NOW, ends) is None
    late = resumption_problem(defaulted, datetime(2029, 4, 3, tzinfo=UTC), ends)
    assert late and "Art. 250" in late
    done = resumption_problem(instalment_views(SCHEDULE, 1000_00, 3), NOW, ends)
    assert done and "performed in full" in done


def test_resumption_enforces_the_original_title_less_what_was_paid_costs_first():
    claim = resumed_claim(owed_fen=1500_00, costs_fen=100_00, paid_fen=200_00)
    assert (claim.owed_fen, claim.costs_fen, claim.total_fen) == (1400_00, 0, 1400_00)
    assert resumed_claim(1500_00, 100_00, 50_00).model_dump() == {"owed_fen": 1500_00, "costs_fen": 50_00}
    assert guarantor_claim(claim, cap_fen=300_00) == 300_00
    assert guarantor_claim(claim, cap_fen=0) == 1400_00  # no cap: the whole unpaid claim


def test_a_schedule_must_run_forward_from_the_signing():
    assert schedule_problem(SCHEDULE, date(2027, 1, 1)) is None
    assert "increase" in (schedule_problem([SCHEDULE[1], SCHEDULE[0]]) or "")
    assert "before the agreement" in (schedule_problem(SCHEDULE, date(2027, 2, 1)) or "")
    with pytest.raises(ValidationError, match="increase"):
        settlement_request(
            [{"due_on": "2027-03-01", "amount_fen": 1}, {"due_on": "2027-02-01", "amount_fen": 1}], person()
        )


def test_the_period_to_resume_is_versioned_law():
    params = params_at(date(2026, 11, 29))
    assert params.duration(P.SETTLEMENT_RESUMPTION_PERIOD) == LegalDuration(amount=2, unit=TimeUnit.YEAR)
    assert "第二百五十条" in params.cite(P.SETTLEMENT_RESUMPTION_PERIOD)


def test_a_credit_counts_when_the_case_accounts_statement_shows_it():
    """Money in is checked against the bank (issue 22): the notice's serial numbers are booked, not counted
    before, add up to its amount, carry its date, and name the instalment watched, or it does not count."""
    from domain.settlement import BookedCredit, credit_notice_problem

    booked = [
        BookedCredit(reference="LS00000001", amount_fen=150_00, received_on=date(2026, 3, 1)),
        BookedCredit(reference="LS00000002", amount_fen=100_00, received_on=date(2026, 3, 2)),
    ]

    def problem(**over: object) -> str | None:
        args: dict[str, object] = dict(
            amount_fen=250_00,
            received_on=date(2026, 3, 2),
            references=["LS00000001", "LS00000002"],
            instalment=None,
            watching=1,
            statement=booked,
            counted=set(),
            today=date(2026, 3, 5),
        )
        return credit_notice_problem(**(args | over))  # type: ignore[arg-type]

    assert problem() is None
    assert (problem(amount_fen=10**15) or "").startswith("CREDIT_AMOUNT_MISMATCH")
    assert (problem(references=["LS99999999"]) or "").startswith("CREDIT_NOT_ON_STATEMENT")
    assert (problem(references=[]) or "").startswith("CREDIT_WITHOUT_REFERENCE")
    assert (problem(counted={"LS00000001"}) or "").startswith("CREDIT_ALREADY_COUNTED")
    assert (problem(received_on=date(2026, 3, 1)) or "").startswith("CREDIT_DATE_MISMATCH")
    assert (problem(today=date(2026, 3, 1)) or "").startswith("CREDIT_DATE_MISMATCH")  # not booked yet
    # The case: ¥25,000 reported for the 2nd instalment is not booked to the 1st.
    assert (problem(instalment=2) or "").startswith("CREDIT_OTHER_INSTALMENT")
    assert problem(instalment=1) is None


def test_art_18_a_guarantor_is_enforced_against_only_on_its_undertaking():
    """执行和解规定 Art. 18: the guarantor's property is enforced on resumption only where the guarantor
    undertook to the court to accept direct enforcement if the debtor does not perform."""
    from domain.settlement import guarantor_problem

    assert guarantor_problem([("陈某某", True)]) is None
    problem = guarantor_problem([("陈某某", True), ("李某某", False)]) or ""
    assert "李某某" in problem and "陈某某" not in problem and "第十八条" in problem
    assert "no guarantee" in (guarantor_problem([]) or "")


def test_art_17_what_was_obtained_under_the_agreement_is_deducted_costs_first():
    """执行和解规定 Art. 17 (not Art. 11): on resumption what the applicant obtained is deducted; a partial
    payment meets the costs first (民法典 Art. 561)."""
    from domain.settlement import resumed_claim

    claim = resumed_claim(owed_fen=1500_00, costs_fen=100_00, paid_fen=200_00)
    assert (claim.owed_fen, claim.costs_fen) == (1400_00, 0)


def test_civil_code_art_578_anticipatory_breach_lets_the_applicant_resume_before_the_due_date():
    """民法典 Art. 578: the debtor made clear it will not perform — the applicant need not wait for the
    instalment to fall due; the two-year period still bounds the application (CPL Art. 250)."""
    ends = datetime(2029, 4, 2, 15, 59, 59, tzinfo=UTC)
    performing = instalment_views(SCHEDULE, 300_00, 1)
    assert resumption_problem(performing, NOW, ends) is not None
    assert resumption_problem(performing, NOW, ends, "被执行人书面表示不再履行第二、三期") is None
    assert resumption_problem(performing, NOW, ends, "  ") is not None  # facts, not a blank
    late = resumption_problem(performing, datetime(2029, 4, 3, tzinfo=UTC), ends, "书面表示不再履行")
    assert late and "Art. 250" in late


def test_cpl_art_250_the_two_years_with_interruption_and_suspension_by_the_civil_code_by_default():
    """CPL Art. 250: two years from the last due date (31 March 2026 → 31 March 2028). A demand on 10 May
    2027 interrupts: two years from it (民法典 Art. 195). An obstacle of 1 January–29 February 2028, within
    the last six months, suspends: the 民法典 (Art. 194, the default) ends the period six months after it
    ends (29 August 2028); 执行程序解释 Art. 19 adds back the 59 days it took (29 May 2028)."""
    from domain.settlement import Obstacle, SuspensionRule, application_period_ends

    last_due = date(2026, 3, 31)
    assert application_period_ends(last_due) == date(2028, 3, 31)
    assert application_period_ends(last_due, interruptions=[date(2027, 5, 10)]) == date(2029, 5, 10)
    assert application_period_ends(last_due, interruptions=[date(2029, 1, 1)]) == date(2028, 3, 31)  # too late
    obstacle = Obstacle(started_on=date(2028, 1, 1), ended_on=date(2028, 2, 29))
    assert application_period_ends(last_due, obstacles=[obstacle]) == date(2028, 8, 29)
    rule = SuspensionRule.ENFORCEMENT_INTERPRETATION
    assert application_period_ends(last_due, obstacles=[obstacle], rule=rule) == date(2028, 5, 29)
    early = Obstacle(started_on=date(2027, 1, 1), ended_on=date(2027, 2, 1))  # not in the last six months
    assert application_period_ends(last_due, obstacles=[early]) == date(2028, 3, 31)


def test_civil_code_art_195_an_interruption_counts_only_after_the_period_began_and_not_in_the_future():
    from domain.settlement import interruption_problem

    last_due = date(2026, 3, 31)
    assert interruption_problem(date(2027, 5, 10), last_due, today=date(2027, 6, 1)) is None
    assert "第一百九十五条" in (interruption_problem(date(2026, 3, 31), last_due, today=date(2027, 6, 1)) or "")
    assert (interruption_problem(date(2027, 7, 1), last_due, today=date(2027, 6, 1)) or "").startswith("payload.on")


def test_civil_code_art_194_an_obstacle_is_recorded_once_it_ended():
    from domain.settlement import Obstacle, obstacle_problem

    ended = Obstacle(started_on=date(2028, 1, 1), ended_on=date(2028, 2, 29))
    assert obstacle_problem(ended, today=date(2028, 3, 1)) is None
    assert (obstacle_problem(ended, today=date(2028, 2, 1)) or "").startswith("payload.ended_on")
    backwards = Obstacle(started_on=date(2028, 2, 1), ended_on=date(2028, 1, 1))
    assert (obstacle_problem(backwards, today=date(2028, 3, 1)) or "").startswith("payload.ended_on")


def test_dishonest_art_10_2_performed_only_when_the_ledger_reaches_the_agreed_sum_and_the_judge_confirms():
    """失信规定 Art. 10(2) and 限消规定 Art. 9 act on a settlement performed: the judge confirms it on the ledger;
    a ledger a fen short cannot be confirmed."""
    from domain.settlement import performance_problem

    assert performance_problem(1_000_00, 1_000_00) is None
    assert (performance_problem(999_99, 1_000_00) or "").startswith("confirm: 已履行 99999 分")


def test_an_asset_inquiry_takes_no_copy_of_the_calendar_and_a_settlement_keeps_its_own(settings):
    """The inquiry counts no working-day period: the calendar's copy (~3.8 KB) stays out of its input, whether
    the web starts it or a settlement resumes into it; the settlement counts its periods on its own copy."""
    from tests.helpers import asset_inquiry_request, context
    from workflows.foundation.child_matters import INQUIRED_CATEGORIES, AssetInquiryInput
    from workflows.registry import SCENARIOS
    from workflows.settlement.models import SettlementInput

    ctx = context(settings, "calendar-x")
    assert ctx.calendar is not None
    debtor = person()
    inquiry = SCENARIOS["asset-inquiry"].build_input(
        asset_inquiry_request(Party.model_validate(debtor), owed=1000_00), ctx
    )
    assert isinstance(inquiry, AssetInquiryInput)
    assert inquiry.context.calendar is None
    assert inquiry.context.partners and all(p.category in INQUIRED_CATEGORIES for p in inquiry.context.partners)
    request = settlement_request([{"due_on": "2027-02-01", "amount_fen": 1000_00}], debtor)
    settlement = SCENARIOS["settlement"].build_input(request, ctx)
    assert isinstance(settlement, SettlementInput)
    assert settlement.context.calendar == ctx.calendar
    assert settlement.inquiry_context.calendar is None
    assert settlement.inquiry_context.partners == inquiry.context.partners
