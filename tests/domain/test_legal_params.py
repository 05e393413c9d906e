"""Legal parameters as versioned data: the version in force on a date, units, citations, overrides."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.auction import (
    AuctionTerms,
    RoundKind,
    deposit_bounds,
    min_reauction_price,
    min_start_price,
    round_floor,
    terms_problems,
)
from domain.legal_params import MissingParameter, P, ParamUnit, load_table, params_at
from domain.legal_time import LegalDuration, TimeUnit

TODAY = date(2026, 11, 22)


def test_every_parameter_has_unit_instrument_and_effective_date():
    params = params_at(TODAY)
    assert set(params.values) >= {k.value for k in P}
    for key, p in params.values.items():
        assert p.key == key and p.instrument and p.effective_from <= TODAY
        assert p.tag in ("V", "S", "I")
        if p.tag == "V":
            assert p.article, f"{key}: a verified value cites its article"


def test_the_numbers_of_the_law():
    p = params_at(TODAY)
    assert p.ratio(P.START_PRICE_FLOOR) == Decimal("0.70")
    assert p.ratio(P.REAUCTION_MAX_CUT) == Decimal("0.20")
    assert (p.ratio(P.DEPOSIT_MIN), p.ratio(P.DEPOSIT_MAX)) == (Decimal("0.05"), Decimal("0.20"))
    day = TimeUnit.CALENDAR_DAY
    assert p.duration(P.FIRST_ANNOUNCEMENT_REAL_ESTATE) == LegalDuration(amount=30, unit=day)
    assert p.duration(P.SECOND_ANNOUNCEMENT_REAL_ESTATE) == LegalDuration(amount=15, unit=day)
    assert p.span(P.BIDDING_MIN) == timedelta(hours=24)
    assert p.span(P.EXTENSION) == timedelta(minutes=5)
    assert p.duration(P.REAUCTION_WITHIN) == LegalDuration(amount=30, unit=day)
    assert p.span(P.DEPOSIT_REFUND_WITHIN) == timedelta(hours=24)
    assert p.duration(P.SALE_PERIOD) == LegalDuration(amount=60, unit=day)
    assert p.duration(P.ONLINE_INQUIRY) == LegalDuration(amount=3, unit=day)
    assert p.duration(P.APPRAISAL) == LegalDuration(amount=30, unit=day)
    assert p.duration(P.REFERENCE_OBJECTION) == LegalDuration(amount=5, unit=day)
    assert p.duration(P.DISTRIBUTION_OBJECTION) == LegalDuration(amount=15, unit=day)
    assert p.ratio(P.DELAYED_INTEREST_DAILY) == Decimal("0.000175")
    assert p.cite(P.START_PRICE_FLOOR).startswith("网拍规定") and p.cite(P.START_PRICE_FLOOR).endswith("第十条")
    assert p.cite(P.DISTRIBUTION_OBJECTION).endswith("第五百零九条")


def test_the_version_in_force_is_picked_by_date():
    table = load_table(
        json.dumps(
            {
                "params": [
                    {
                        "key": "auction.start_price_floor",
                        "title": "t",
                        "value": "0.70",
                        "unit": "ratio",
                        "instrument": "网拍规定",
                        "article": "第十条",
                        "effective_from": "2017-01-01",
                        "tag": "V",
                    },
                    {
                        "key": "auction.start_price_floor",
                        "title": "t",
                        "value": "0.80",
                        "unit": "ratio",
                        "instrument": "a hypothetical amendment",
                        "article": "第十条",
                        "effective_from": "2030-01-01",
                        "tag": "I",
                    },
                ]
            }
        )
    )
    before = table.at(date(2029, 12, 31), required=())
    after = table.at(date(2030, 1, 1), required=())
    assert before.ratio(P.START_PRICE_FLOOR) == Decimal("0.70")
    assert after.ratio(P.START_PRICE_FLOOR) == Decimal("0.80")
    assert after.get(P.START_PRICE_FLOOR).instrument == "a hypothetical amendment"
    with pytest.raises(LookupError, match=r"auction\.start_price_floor"):
        table.at(date(2016, 12, 31), required=(P.START_PRICE_FLOOR,))


def test_a_repealed_entry_is_no_longer_in_force_and_duplicates_are_refused():
    entry = {
        "key": "x.old_rule",
        "title": "t",
        "value": "6",
        "unit": "month",
        "instrument": "法释〔2005〕14号",
        "effective_from": "2005-12-21",
        "effective_until": "2021-01-01",
        "tag": "V",
    }
    table = load_table(json.dumps({"params": [entry]}))
    assert "x.old_rule" in table.at(date(2020, 12, 31), required=()).values
    assert "x.old_rule" not in table.at(date(2021, 1, 1), required=()).values
    with pytest.raises(ValueError, match="duplicate"):
        load_table(json.dumps({"params": [entry, entry]}))


def test_a_jurisdiction_override_beats_the_national_default():
    national = params_at(TODAY)
    zhejiang = params_at(TODAY, "zhejiang")
    assert national.duration(P.TITLE_TRANSFER_DUE).unit is TimeUnit.WORKING_DAY
    assert zhejiang.duration(P.TITLE_TRANSFER_DUE) == LegalDuration(amount=2, unit=TimeUnit.CALENDAR_DAY)
    assert zhejiang.get(P.TITLE_TRANSFER_DUE).jurisdiction == "zhejiang"
    assert zhejiang.ratio(P.START_PRICE_FLOOR) == national.ratio(P.START_PRICE_FLOOR)


def test_units_are_checked_on_use():
    p = params_at(TODAY)
    with pytest.raises(ValueError, match="not a ratio"):
        p.ratio(P.SALE_PERIOD)
    with pytest.raises(ValueError, match="not a legal period"):
        p.duration(P.EXTENSION)  # minutes are a span, not a period of days
    assert p.get(P.EXTENSION).unit is ParamUnit.MINUTE


def test_the_workflow_input_carries_the_parameters_it_started_with():
    p = params_at(TODAY)
    again = type(p).model_validate_json(p.model_dump_json())
    assert again == p and again.ratio(P.DELAYED_INTEREST_DAILY) == Decimal("0.000175")


def test_price_rules_from_the_parameters():
    p = params_at(TODAY)
    assert min_start_price(1_000_000_00, p) == 700_000_00
    assert min_start_price(1_000_001, p) == 700_001  # rounded up: never below 70 %
    assert min_reauction_price(700_000_00, p) == 560_000_00
    assert deposit_bounds(700_000_00, p) == (35_000_00, 140_000_00)
    assert round_floor(RoundKind.SECOND, 1_000_000_00, 800_000_00, p) == 640_000_00
    ok = AuctionTerms(start_price_fen=700_000_00, deposit_fen=70_000_00, increment_fen=5_000_00)
    assert terms_problems(RoundKind.FIRST, ok, 1_000_000_00, 700_000_00, p) == []
    bad = AuctionTerms(start_price_fen=699_999_99, deposit_fen=1_00, increment_fen=5_000_00, bidding_hours=12)
    problems = terms_problems(RoundKind.FIRST, bad, 1_000_000_00, 700_000_00, p)
    assert [x.split(":")[0] for x in problems] == ["start_price_fen", "deposit_fen", "bidding_hours"]


def test_earlier_instruments_carry_the_same_periods_and_the_table_says_what_it_covers():
    """民诉法解释 2015 (Arts. 511–512) had the 15-day objection windows the 2022 text renumbered as
    509–510; a case started in 2021 gets them. Before the table's first covered date, the error names it."""
    p = params_at(date(2021, 6, 1))
    assert p.duration(P.DISTRIBUTION_OBJECTION).amount == 15
    assert "法释〔2015〕5号" in p.cite(P.DISTRIBUTION_OBJECTION)
    covered = load_table().covered_from()
    assert covered is not None and covered <= date(2021, 6, 1)
    with pytest.raises(MissingParameter) as err:
        params_at(covered - timedelta(days=1))
    assert covered.isoformat() in str(err.value)


def test_cases_before_2020_04_01_get_the_earlier_texts_and_the_floor_is_said():
    """params_at does not raise for a case of 2019: the joint review's answer period rests on 参考价规定
    (法释〔2018〕15号) Art. 3 from 2018-09-01 (the system's default, tag I). Before the table's floor the
    error names the floor, the first date every parameter has an instrument."""
    p = params_at(date(2019, 6, 1))
    assert p.duration(P.JOINT_REVIEW_DUE).amount == 5 and "法释〔2018〕15号" in p.cite(P.JOINT_REVIEW_DUE)
    assert params_at(date(2020, 3, 31)).duration(P.DISTRIBUTION_OBJECTION).amount == 15
    assert load_table().covered_from() == date(2018, 9, 1)
    with pytest.raises(MissingParameter, match="2018-09-01"):
        params_at(date(2018, 8, 31))
