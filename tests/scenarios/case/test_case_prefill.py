"""A matter started from its case takes parties, 案号, court and amounts from the case; the judge enters
only the matter's own fields, and another matter's object is picked from the case's register
(``Scenario.from_case``, each scenario's ``from_case.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from domain.errors import ValidationFailed
from domain.parties import Party, PartyKind
from tests.helpers import case_number, credit_code, resident_id
from workflows.foundation.case_link import CaseFacts, CaseRef, RegisteredMeasure, RegisterKind, SeizedUnit
from workflows.registry import SCENARIOS


def facts(measures: list[RegisteredMeasure] | None = None, debtors: int = 1) -> CaseFacts:
    number = case_number()
    return CaseFacts(
        ref=CaseRef(case_id="case-1", workflow_id="case:case-1", case_number=number),
        court="杭州市上城区人民法院",
        applicants=[Party(kind=PartyKind.ORGANISATION, name="某银行", id_number=credit_code())],
        debtors=[Party(kind=PartyKind.PERSON, name=f"张{i}", id_number=resident_id()) for i in range(debtors)],
        title_document_number="(2025)浙0102民初1号",
        title_issuer="杭州市上城区人民法院",
        principal_fen=300_000_00,
        owed_fen=304_400_00,
        balance_fen=302_400_00,
        filed_on=date(2026, 1, 5),
        measures=measures or [],
    )


SEIZED_UNIT = RegisteredMeasure(
    measure_key="seize/2",
    matter_workflow_id="wf-inquiry",
    scenario="asset-inquiry",
    register_kind=RegisterKind.SEIZE,
    description="不动产登记中心 不动产 不动产单元号 ********1001",
    asset_kind="real_estate",
    unit=SeizedUnit(unit_number="330681001001", description="诸暨市某镇厂房"),
)
# What the case's register holds for a scenario that picks its object from it.
REGISTER: dict[str, list[RegisteredMeasure]] = {"real-estate-disposal": [SEIZED_UNIT]}
# What a judge enters for each scenario: only the matter's own fields.
OWN: dict[str, dict[str, Any]] = {
    "asset-inquiry": {},
    "cross-region-seizure": {
        "ruling_ref": "(2026)浙0102执1号之一",
        "vehicle": {"plate": "浙A12345", "vin": "LSVAU2180N2183245"},
    },
    "real-estate-disposal": {"property": {"unit_number": "330681001001", "description": "诸暨市某镇厂房"}},
    "mass-payout": {
        "payee_list": {"sha256": "a" * 64, "count": 2, "total_fen": 1_000},
        "case_account": "6222000000000000",
    },
    "dishonest-list": {},
    "consumption-restriction": {},
    "periodic-reinquiry": {},
    "refusal-referral": {"refusal_grounds": ["serious-1-gratuitous-disposal"], "conduct": "转移名下车辆"},
    "settlement": {"signed_on": "2026-02-01", "instalments": [{"due_on": "2026-03-01", "amount_fen": 302_400_00}]},
}


def test_every_scenario_has_its_own_fields_in_the_request_and_a_case_field() -> None:
    for scenario in SCENARIOS.values():
        fields = scenario.request_model.model_fields
        assert "case" in fields and not fields["case"].is_required(), scenario.name
        unknown = set(scenario.own_fields) - set(fields)
        assert not unknown, f"{scenario.name}: own fields not in the request: {unknown}"
        assert scenario.name in OWN, f"{scenario.name}: no pre-fill case in this test"


@pytest.mark.parametrize("name", sorted(OWN))
def test_a_matter_started_from_the_case_takes_the_case(name: str) -> None:
    case = facts(REGISTER.get(name))
    request = SCENARIOS[name].from_case(case, OWN[name])
    assert isinstance(request, BaseModel)
    dumped = request.model_dump()
    assert dumped["case"]["case_id"] == "case-1"
    assert dumped["case_number"] == case.ref.case_number
    assert dumped["court"] == case.court
    for who in ("debtor", "person"):
        if who in dumped:
            assert dumped[who]["id_number"] == case.debtors[0].id_number
    for amount in ("amount_owed_fen", "outstanding_fen", "owed_fen"):
        if amount in dumped:
            assert dumped[amount] == case.balance_fen, amount


def test_asset_inquiry_with_nothing_entered_inquires_for_the_balance_against_the_picked_debtor() -> None:
    case = facts(debtors=2)
    request: Any = SCENARIOS["asset-inquiry"].from_case(case, {})
    assert request.debtor == case.debtors[0]
    assert request.amount_owed_fen == 302_400_00
    assert request.execution_costs_fen in (None, 0)  # the balance already holds the costs
    second: Any = SCENARIOS["asset-inquiry"].from_case(case, {"debtor": 1})
    assert second.debtor == case.debtors[1]
    with pytest.raises(ValidationFailed) as exc:
        SCENARIOS["asset-inquiry"].from_case(case, {"debtor": 2})
    assert exc.value.code == "NO_SUCH_DEBTOR" and exc.value.field == "debtor"


def test_a_field_the_case_supplies_is_refused_naming_it() -> None:
    with pytest.raises(ValidationFailed) as exc:
        SCENARIOS["asset-inquiry"].from_case(facts(), {"amount_owed_fen": 1})
    assert exc.value.code == "NOT_OWN_FIELD" and exc.value.field == "amount_owed_fen"
    with pytest.raises(ValidationFailed) as typed:
        SCENARIOS["dishonest-list"].from_case(facts(), {"restriction_workflow_id": "wf-typed"})
    assert typed.value.code == "NOT_OWN_FIELD"


def test_an_invalid_own_field_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as exc:
        SCENARIOS["settlement"].from_case(facts(), {"signed_on": "2026-02-01", "instalments": []})
    assert exc.value.code == "INVALID_REQUEST" and exc.value.field == "instalments"


def test_the_dishonest_listing_picks_the_case_restriction_order_from_the_register() -> None:
    order = RegisteredMeasure(
        measure_key="order",
        matter_workflow_id="wf-restriction",
        scenario="consumption-restriction",
        register_kind=RegisterKind.CONSUMPTION_RESTRICTION,
    )
    lifted = order.model_copy(update={"matter_workflow_id": "wf-old", "state": "released"})
    request: Any = SCENARIOS["dishonest-list"].from_case(facts([lifted, order]), {})
    assert request.restriction_workflow_id == "wf-restriction"
    assert request.title_document == "(2025)浙0102民初1号"
    assert request.filed_on == date(2026, 1, 5)
    none: Any = SCENARIOS["dishonest-list"].from_case(facts([lifted]), {})
    assert none.restriction_workflow_id == ""


def test_the_settlement_picks_the_measures_in_force_from_the_register() -> None:
    freeze = RegisteredMeasure(
        measure_key="freeze/1",
        matter_workflow_id="wf-inquiry",
        holder_workflow_id="wf-inquiry:term:1",
        scenario="asset-inquiry",
        register_kind=RegisterKind.FREEZE,
        description="工商银行 存款冻结",
        amount_fen=2_000_00,
        partner_id="bank-icbc",
        partner_measure_id="M-1",
    )
    released = freeze.model_copy(update={"measure_key": "freeze/2", "partner_measure_id": "M-2", "state": "released"})
    listed = RegisteredMeasure(
        measure_key="entry",
        matter_workflow_id="wf-dishonest",
        scenario="dishonest-list",
        register_kind=RegisterKind.DISHONEST_LIST,
    )
    request: Any = SCENARIOS["settlement"].from_case(facts([freeze, released, listed]), OWN["settlement"])
    assert [(m.partner_id, m.measure_id) for m in request.measures] == [("bank-icbc", "M-1")]
    assert request.dishonest_listed and not request.consumption_restricted
    assert request.applicant.name == "某银行"


def test_the_disposal_splits_the_balance_among_the_applicants_to_the_fen() -> None:
    case = facts([SEIZED_UNIT])
    case.applicants.append(Party(kind=PartyKind.PERSON, name="李四", id_number=resident_id()))
    case.balance_fen = 100_01
    request: Any = SCENARIOS["real-estate-disposal"].from_case(case, OWN["real-estate-disposal"])
    assert sum(c.amount_fen for c in request.creditors) == 100_01
    assert [c.creditor for c in request.creditors] == ["某银行", "李四"]


def test_the_disposal_disposes_of_a_unit_the_case_seized_and_refuses_any_other() -> None:
    disposal = SCENARIOS["real-estate-disposal"]
    assert disposal.picks is not None
    # Nothing typed: the case's one seized unit, with the registry's words.
    picked: Any = disposal.from_case(facts([SEIZED_UNIT]), {})
    assert (picked.property.unit_number, picked.property.description) == ("330681001001", "诸暨市某镇厂房")
    # The form from the case offers the seized units to choose from, the first filled in.
    schema = disposal.case_schema(disposal.picks(facts([SEIZED_UNIT])))
    unit_schema = schema["properties"]["property"]["properties"]["unit_number"]
    assert unit_schema["enum"] == ["330681001001"] and unit_schema["default"] == "330681001001"
    assert "enum" not in disposal.case_schema()["$defs"]["PropertyUnit"]["properties"]["unit_number"]
    # A unit this case has not seized (or whose seizure is released) is refused, naming the field.
    released = SEIZED_UNIT.model_copy(update={"state": "released"})
    for register in ([SEIZED_UNIT], [released], []):
        with pytest.raises(ValidationFailed) as exc:
            disposal.from_case(facts(register), {"property": {"unit_number": "330681009999", "description": "某处"}})
        assert exc.value.code == "UNIT_NOT_SEIZED" and exc.value.field == "property.unit_number"
        assert "未在本案查封" in exc.value.message and "330681009999" in exc.value.message
    with pytest.raises(ValidationFailed, match="330681001001"):  # the seized ones are named
        disposal.from_case(facts([SEIZED_UNIT]), {"property": {"unit_number": "330681009999", "description": "x"}})


def test_the_standalone_form_shows_neither_the_case_nor_what_the_register_supplies() -> None:
    for scenario in SCENARIOS.values():
        schema = scenario.input_schema()
        assert "case" not in schema["properties"], scenario.name
        for model in (schema, *schema.get("$defs", {}).values()):
            assert not [n for n, p in model.get("properties", {}).items() if p.get("x-from-case")], scenario.name
    held = SCENARIOS["settlement"].input_schema()["$defs"]["HeldMeasure"]["properties"]
    assert set(held) == {"partner_id", "measure_id", "asset"}
