"""Distribution of proceeds (分配): legal order, pro rata to the fen, and every plan sums to the proceeds."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.distribution import (
    RESIDENCE_RESERVE,
    Claim,
    ClaimKind,
    CostItem,
    DistributionPlan,
    DistributionRules,
    ObjectionOutcome,
    Ordering,
    PrincipalRequired,
    concede_to_debtor,
    debtor_share_hold,
    delayed_interest_fen,
    doubled_interest_base_fen,
    objection_outcome,
    plan_distribution,
    revise_for_objection,
)
from domain.residence import ResidenceException, ResidenceGround, residence_problem


def ordinary(cid: str, fen: int, **kw: object) -> Claim:
    return Claim(claim_id=cid, creditor=cid, kind=ClaimKind.ORDINARY, amount_fen=fen, **kw)


def secured(cid: str, fen: int, registered: str | None, **kw: object) -> Claim:
    at = datetime.fromisoformat(registered).replace(tzinfo=UTC) if registered else None
    return Claim(claim_id=cid, creditor=cid, kind=ClaimKind.SECURED, amount_fen=fen, registered_at=at, **kw)


def tax(cid: str, fen: int, since: str) -> Claim:
    return Claim(
        claim_id=cid, creditor="税务局", kind=ClaimKind.TAX, amount_fen=fen, tax_arrears_since=date.fromisoformat(since)
    )


def paid(plan: DistributionPlan) -> dict[str, int]:
    return {ref: plan.paid_to(ref) for ref in dict.fromkeys(line.ref for line in plan.lines)}


def order_of(plan: DistributionPlan) -> list[tuple[int, str]]:
    return [(line.rank, line.ref) for line in plan.lines]


def test_three_equal_creditors_share_100_yuan_to_the_fen():
    plan = plan_distribution(100_00, [], [ordinary("a", 1_000_00), ordinary("b", 1_000_00), ordinary("c", 1_000_00)])
    assert paid(plan) == {"a": 3334, "b": 3333, "c": 3333}
    assert sum(line.paid_fen for line in plan.lines) == 100_00 and plan.surplus_to_debtor_fen == 0


def test_execution_costs_come_first_and_share_when_short():
    costs = [
        CostItem(cost_id="auction", title="拍辅费", payee="拍辅机构", amount_fen=2_00),
        CostItem(cost_id="appraisal", title="评估费", payee="评估机构", amount_fen=1_00),
    ]
    plan = plan_distribution(100, costs, [ordinary("a", 5_00)])
    assert paid(plan) == {"auction": 67, "appraisal": 33, "a": 0}
    plan = plan_distribution(10_00, costs, [ordinary("a", 5_00)])
    assert paid(plan) == {"auction": 2_00, "appraisal": 1_00, "a": 5_00}
    assert plan.surplus_to_debtor_fen == 2_00
    assert plan.lines[0].class_key == "costs" and "第三十四条" in plan.lines[0].basis


def test_home_buyers_then_construction_then_mortgages_then_ordinary():
    claims = [
        ordinary("bank-loan", 500_00),
        secured("mortgage", 300_00, "2020-01-01T00:00:00"),
        Claim(claim_id="builder", creditor="建筑公司", kind=ClaimKind.CONSTRUCTION, amount_fen=200_00),
        Claim(claim_id="buyer", creditor="购房人", kind=ClaimKind.HOME_BUYER, amount_fen=100_00),
    ]
    plan = plan_distribution(450_00, [], claims)
    assert paid(plan) == {"buyer": 100_00, "builder": 200_00, "mortgage": 150_00, "bank-loan": 0}
    assert [line.class_key for line in plan.lines][:3] == ["home_buyer", "construction", "secured"]


def test_mortgages_rank_by_registration_time_then_unregistered_pro_rata():
    claims = [
        secured("late", 100_00, "2022-05-01T09:00:00"),
        secured("early", 100_00, "2019-03-01T09:00:00"),
        secured("unreg-1", 100_00, None),
        secured("unreg-2", 300_00, None),
    ]
    plan = plan_distribution(300_00, [], claims, DistributionRules())
    assert paid(plan) == {"early": 100_00, "late": 100_00, "unreg-1": 25_00, "unreg-2": 75_00}
    ranks = {ref: rank for rank, ref in order_of(plan)}
    assert ranks["early"] < ranks["late"] < ranks["unreg-1"] == ranks["unreg-2"]


def test_mortgages_registered_at_the_same_moment_share_a_rank():
    claims = [secured("x", 100_00, "2021-01-01T10:00:00"), secured("y", 200_00, "2021-01-01T10:00:00")]
    assert paid(plan_distribution(150_00, [], claims)) == {"x": 50_00, "y": 100_00}


def test_tax_arrears_before_a_mortgage_rank_ahead_of_it_and_after_an_earlier_one():
    # 税收征管法 Art. 45: tax beats a security created after the arrears arose, not one created before.
    claims = [
        secured("m2019", 100_00, "2019-06-01T00:00:00"),
        secured("m2023", 100_00, "2023-06-01T00:00:00"),
        tax("land-tax", 50_00, "2021-01-01"),
        ordinary("o", 100_00),
    ]
    plan = plan_distribution(180_00, [], claims)
    assert [ref for _, ref in order_of(plan)][:3] == ["m2019", "land-tax", "m2023"]
    assert paid(plan) == {"m2019": 100_00, "land-tax": 50_00, "m2023": 30_00, "o": 0}


def test_tax_after_every_security_still_beats_unsecured_claims():
    claims = [secured("m", 100_00, "2019-06-01T00:00:00"), tax("t", 50_00, "2024-01-01"), ordinary("o", 100_00)]
    plan = plan_distribution(160_00, [], claims)
    assert [line.class_key for line in plan.lines] == ["secured", "tax", "ordinary"]
    assert paid(plan) == {"m": 100_00, "t": 50_00, "o": 10_00}


def test_a_maximum_amount_mortgage_is_secured_up_to_its_limit_and_the_rest_is_ordinary():
    claims = [secured("m", 150_00, "2019-06-01T00:00:00", secured_limit_fen=100_00), ordinary("o", 50_00)]
    plan = plan_distribution(130_00, [], claims)
    # 100 secured; the 50 beyond the limit shares pro rata with the ordinary 50 over the remaining 30.
    assert paid(plan) == {"m": 115_00, "o": 15_00}


def test_an_unpaid_priority_balance_joins_the_ordinary_claims_only_with_an_enforcement_title():
    builder = Claim(claim_id="b", creditor="b", kind=ClaimKind.CONSTRUCTION, amount_fen=100_00)
    m = secured("m", 100_00, "2019-01-01T00:00:00")
    assert paid(plan_distribution(100_00, [], [builder, m, ordinary("o", 100_00)])) == {"b": 100_00, "m": 0, "o": 0}
    capped = m.model_copy(update={"amount_fen": 200_00, "secured_limit_fen": 100_00})
    plan = plan_distribution(250_00, [], [builder, capped, ordinary("o", 100_00)])
    assert paid(plan) == {"b": 100_00, "m": 100_00 + 25_00, "o": 25_00}
    no_title = capped.model_copy(update={"has_enforcement_title": False})
    assert paid(plan_distribution(250_00, [], [builder, no_title, ordinary("o", 100_00)])) == {
        "b": 100_00,
        "m": 100_00,
        "o": 50_00,
    }


def test_ordinary_claims_pro_rata_or_by_seizure_order_for_an_enterprise_debtor():
    seized = [
        ordinary("second", 100_00, seized_at=datetime(2025, 5, 2, tzinfo=UTC)),
        ordinary("first", 100_00, seized_at=datetime(2025, 5, 1, tzinfo=UTC)),
        ordinary("none", 100_00),
    ]
    assert paid(plan_distribution(150_00, [], seized)) == {"second": 50_00, "first": 50_00, "none": 50_00}
    by_seizure = DistributionRules(ordinary_ordering=Ordering.SEIZURE_ORDER)
    plan = plan_distribution(150_00, [], seized, by_seizure)
    assert paid(plan) == {"first": 100_00, "second": 50_00, "none": 0}
    assert plan.lines[0].basis.endswith("第五百一十四条")


def test_doubled_interest_is_paid_after_every_claim_then_the_surplus_goes_to_the_debtor():
    claims = [ordinary("a", 100_00, doubled_interest_fen=10_00), ordinary("b", 100_00, doubled_interest_fen=30_00)]
    plan = plan_distribution(220_00, [], claims)
    assert plan.lines[-1].class_key == "doubled_interest"
    assert paid(plan) == {"a": 100_00 + 5_00, "b": 100_00 + 15_00}
    plan = plan_distribution(300_00, [], claims)
    assert paid(plan) == {"a": 110_00, "b": 130_00} and plan.surplus_to_debtor_fen == 60_00
    assert plan.payouts() == {"a": 110_00, "b": 130_00}


def test_wages_priority_only_where_configured():
    wages = Claim(claim_id="w", creditor="职工", kind=ClaimKind.WAGES, amount_fen=100_00)
    claims = [wages, ordinary("o", 100_00)]
    assert paid(plan_distribution(100_00, [], claims)) == {"w": 50_00, "o": 50_00}
    rules = DistributionRules()
    for c in rules.classes:
        if c.key == "wages":
            c.enabled = True
    assert paid(plan_distribution(100_00, [], claims, rules)) == {"w": 100_00, "o": 0}


def test_awkward_splits_always_sum_to_the_proceeds():
    rng = random.Random(20261122)
    kinds = list(ClaimKind)
    for case in range(300):
        claims: list[Claim] = []
        for i in range(rng.randint(1, 9)):
            kind = rng.choice(kinds)
            extra: dict[str, object] = {}
            if kind is ClaimKind.SECURED:
                if rng.random() < 0.8:
                    extra["registered_at"] = datetime(2015 + rng.randint(0, 9), rng.randint(1, 12), 1, tzinfo=UTC)
                if rng.random() < 0.3:
                    extra["secured_limit_fen"] = rng.randint(1, 10**7)
            if kind is ClaimKind.TAX:
                extra["tax_arrears_since"] = date(2015 + rng.randint(0, 9), rng.randint(1, 12), 1)
            claims.append(
                Claim(
                    claim_id=f"c{i}",
                    creditor=f"c{i}",
                    kind=kind,
                    amount_fen=rng.choice([1, 3, 7, 33_33, 10 ** rng.randint(2, 9) + rng.randint(0, 99)]),
                    doubled_interest_fen=rng.choice([0, 0, 1, rng.randint(1, 10**6)]),
                    has_enforcement_title=rng.random() < 0.8,
                    **extra,
                )
            )
        costs = [CostItem(cost_id="k", title="费用", payee="法院", amount_fen=rng.randint(0, 10**6))]
        proceeds = rng.choice([0, 1, 99, 100_00, rng.randint(0, 10**10)])
        rules = DistributionRules(ordinary_ordering=rng.choice([Ordering.PRO_RATA, Ordering.SEIZURE_ORDER]))
        plan = plan_distribution(proceeds, costs, claims, rules)
        assert sum(line.paid_fen for line in plan.lines) + plan.surplus_to_debtor_fen == proceeds, case
        assert all(0 <= line.paid_fen <= line.claimed_fen for line in plan.lines), case
        for c in claims:
            assert plan.paid_to(c.claim_id) <= c.amount_fen + c.doubled_interest_fen, case
        if plan.surplus_to_debtor_fen:
            assert all(line.paid_fen == line.claimed_fen for line in plan.lines), "surplus only when all are paid"
        assert plan_distribution(proceeds, costs, claims, rules) == plan, "deterministic"


def test_a_plan_that_does_not_balance_cannot_exist():
    with pytest.raises(ValueError, match="plan pays"):
        DistributionPlan(proceeds_fen=100, lines=[], surplus_to_debtor_fen=99)


def test_claims_are_checked():
    with pytest.raises(ValueError, match="tax_arrears_since"):
        Claim(claim_id="t", creditor="t", kind=ClaimKind.TAX, amount_fen=1)
    with pytest.raises(ValueError, match="secured claims only"):
        ordinary("o", 1, registered_at=datetime(2020, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="unique"):
        plan_distribution(1, [], [ordinary("a", 1), ordinary("a", 2)])


def test_delayed_performance_interest():
    # ¥1,000,000 × 0.000175 × 100 days = ¥17,500 (迟延利息解释 Art. 1; DOMAIN.md §6.1).
    assert delayed_interest_fen(1_000_000_00, date(2026, 1, 1), date(2026, 4, 11), Decimal("0.000175")) == 17_500_00
    assert delayed_interest_fen(1_000_000_00, date(2026, 1, 1), date(2026, 4, 11), Decimal("0.000175"), 10) == 15_750_00
    assert delayed_interest_fen(100, date(2026, 1, 1), date(2025, 1, 1), Decimal("0.000175")) == 0


def test_doubled_interest_runs_on_the_principal_only():
    """迟延利息解释 Art. 1 and the law's own figures: ¥1,000,000 × 0.000175 × 100 days = ¥17,500 — the
    general interest and the costs in the adjudicated amount are no base of it."""
    claim = ordinary("a", 1_060_000_00, principal_fen=1_000_000_00)  # principal + ¥50,000 interest + ¥10,000 costs
    base = doubled_interest_base_fen(claim)
    assert delayed_interest_fen(base, date(2026, 1, 1), date(2026, 4, 11), Decimal("0.000175")) == 17_500_00
    # No principal named: refused, never the whole amount (which holds interest and costs).
    with pytest.raises(PrincipalRequired, match="principal_fen"):
        doubled_interest_base_fen(ordinary("b", 5_00))
    with pytest.raises(ValueError, match="principal_fen"):
        ordinary("c", 1_00, principal_fen=2_00)


def test_the_rent_reserve_is_the_applicants_concession_not_the_seniors():
    """异议复议规定 Art. 20(1)(3): the applicant agrees that 5 years' rent (¥2,000 a month: ¥120,000) is
    left to the debtor. It comes out of the applicant's share; the mortgagee, senior to it, loses nothing."""
    claims = [secured("bank", 600_000_00, "2020-01-01"), ordinary("applicant", 300_000_00)]
    plan = plan_distribution(500_000_00, [], claims)
    conceded, reserved = concede_to_debtor(plan, "applicant", 120_000_00, "被执行人")
    assert reserved == 0 and conceded.paid_to("bank") == 500_000_00  # nothing of the applicant's to give

    plan = plan_distribution(
        1_000_000_00,
        [],
        [secured("bank", 400_000_00, "2020-01-01"), ordinary("applicant", 500_000_00), ordinary("other", 500_000_00)],
    )
    conceded, reserved = concede_to_debtor(plan, "applicant", 120_000_00, "被执行人")
    assert reserved == 120_000_00
    assert paid(conceded) == {
        "bank": 400_000_00,
        "applicant": 180_000_00,
        "other": 300_000_00,
        RESIDENCE_RESERVE: 120_000_00,
    }
    assert sum(line.paid_fen for line in conceded.lines) + conceded.surplus_to_debtor_fen == 1_000_000_00


def test_a_delivery_title_is_no_ground_to_sell_the_home_for_a_money_claim():
    """Art. 20 para 2 concerns titles that order the house itself delivered; not a money claim."""
    delivery = ResidenceException(ground=ResidenceGround.DELIVERY_TITLE)
    assert "delivery_title" in (residence_problem(delivery, 5, 8, {"applicant"}) or "")
    assert residence_problem(delivery, 5, 8, {"applicant"}, money_claim=False) is None
    rent = ResidenceException(
        ground=ResidenceGround.RENT_DEDUCTION, rent_years=5, monthly_rent_fen=2_000_00, conceded_by="nobody"
    )
    assert "conceded_by" in (residence_problem(rent, 5, 8, {"applicant"}) or "")
    assert residence_problem(rent.model_copy(update={"conceded_by": "applicant"}), 5, 8, {"applicant"}) is None


def test_art_28_nothing_reaches_the_debtor_while_a_known_security_or_a_dispute_is_open():
    """拍卖变卖规定 Art. 28 and 民诉法解释 Arts. 509–510: the debtor's share waits while a known mortgagee has
    not declared or been paid, or while an objection's disputed amount is in escrow (提存)."""
    assert debtor_share_hold([], 0) is None
    held = debtor_share_hold(["mortgage-1"], 0)
    assert held is not None and "mortgage-1" in held and "第二十八条" in held
    disputed = debtor_share_hold([], 100_000_00)
    assert disputed is not None and "10000000" in disputed and "第五百一十条" in disputed


def test_art_506_known_creditors_are_the_registers_mortgagees_and_other_courts_seizures():
    """民诉法解释 Art. 506 with 拍卖变卖规定 Art. 28: a mortgagee not among the creditors, and every other
    case's seizure (首封 or 轮候), is invited to declare; a mortgagee already applying is not invited twice."""
    from domain.joint_review import Mortgage, Seizure, TitleRecord, known_creditors
    from domain.measures import SeizureRank

    def seizure(court: str, case: str, rank: SeizureRank, day: int) -> Seizure:
        return Seizure(
            court=court,
            case_number=case,
            rank=rank,
            registered_at=datetime(2026, 3, day, tzinfo=UTC),
            expires_on=date(2029, 3, 1),
        )

    title = TitleRecord(
        unit_number="330102008002GB00105F00031208",
        owner_id_number="91330100MA2H7K3D4Y",
        owner_name="杭州某某贸易有限公司",
        land_use="commercial",
        area_m2=186.4,
        mortgages=[
            Mortgage(
                holder="杭州某农商银行", secured_amount_fen=1_200_000_00, registered_at=datetime(2021, 4, 8, tzinfo=UTC)
            ),
            Mortgage(holder="申请执行银行", secured_amount_fen=1_00, registered_at=datetime(2022, 1, 1, tzinfo=UTC)),
        ],
        seizures=[
            seizure("杭州市上城区人民法院", "(2026)浙0102执1001号", SeizureRank.FIRST, 2),
            seizure("杭州市西湖区人民法院", "(2026)浙0106执77号", SeizureRank.QUEUED, 9),
        ],
    )
    known = known_creditors(title, "杭州市上城区人民法院", "(2026)浙0102执1001号", {"申请执行银行"})
    assert [(k.claim_id, k.holder, k.kind) for k in known] == [
        ("mortgage-1", "杭州某农商银行", ClaimKind.SECURED),
        ("seizure-2", "杭州市西湖区人民法院", ClaimKind.ORDINARY),
    ]
    assert known[0].secured_amount_fen == 1_200_000_00 and known[1].case_number == "(2026)浙0106执77号"


def test_art_20_rent_reserve_is_capped_at_the_conceding_creditors_share():
    """异议复议规定 Art. 20(1)(3): five years' rent at ¥20,000 a month (¥1,200,000) conceded by an applicant who
    receives only ¥500,000 after the mortgagee: ¥500,000 is reserved, never a fen of the mortgagee's, and the
    shortfall is what the workflow says on the timeline (residence_reserve_capped)."""
    plan = plan_distribution(
        2_000_000_00, [], [secured("bank", 1_500_000_00, "2020-01-01"), ordinary("applicant", 800_000_00)]
    )
    conceded, reserved = concede_to_debtor(plan, "applicant", 1_200_000_00, "被执行人")
    assert reserved == 500_000_00 < 1_200_000_00
    assert paid(conceded) == {"bank": 1_500_000_00, "applicant": 0, RESIDENCE_RESERVE: 500_000_00}
    reserve_line = next(line for line in conceded.lines if line.ref == RESIDENCE_RESERVE)
    assert reserve_line.claimed_fen == 1_200_000_00 and reserve_line.paid_fen == 500_000_00


def test_art_510_an_unopposed_objection_revises_the_plan_per_the_objector():
    """民诉法解释 Art. 510: 未提出异议的债权人、被执行人自收到通知之日起十五日内未提出反对意见的, 执行法院依异议人的
    意见对分配方案审查修正后进行分配. Creditor b objects that ¥30 of a's ¥60 is b's: nobody opposes."""
    plan = plan_distribution(100_00, [], [ordinary("a", 60_00), ordinary("b", 60_00)])
    assert objection_outcome(opposed=False, sued=False) is ObjectionOutcome.REVISED
    revised = revise_for_objection(plan, "a", 30_00, "b")
    assert paid(revised) == {"a": 20_00, "b": 80_00}
    # The debtor's objection (nobody's line named): the amount is the debtor's surplus.
    to_debtor = revise_for_objection(plan, "a", 30_00, None)
    assert paid(to_debtor) == {"a": 20_00, "b": 50_00} and to_debtor.surplus_to_debtor_fen == 30_00
    assert sum(line.paid_fen for line in to_debtor.lines) + to_debtor.surplus_to_debtor_fen == 100_00


def test_art_510_an_opposed_objector_who_does_not_sue_gets_the_original_plan():
    """Art. 510: 提出反对意见的, 应当通知异议人; 异议人逾期未提起诉讼的, 执行法院按照原分配方案进行分配."""
    assert objection_outcome(opposed=True, sued=False) is ObjectionOutcome.ORIGINAL_PLAN


def test_art_510_while_the_objectors_suit_runs_the_disputed_amount_is_deposited():
    """Art. 510: 诉讼期间进行分配的, 执行法院应当提存与争议债权数额相应的款项."""
    assert objection_outcome(opposed=True, sued=True) is ObjectionOutcome.DEPOSITED
