"""The next step: from a case's facts and its matters' results, the matters the law and the facts allow
(domain/next_steps.py through workflows/foundation/next_steps.py), pre-filled with the matter's own fields."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest
from temporalio.client import Client

from domain.next_steps import ProposalKind
from tests.helpers import eventually, login, ui_page
from tests.scenarios.case import test_case_api as case_api
from tests.scenarios.case.test_case_prefill import facts
from workflows.foundation.case_link import (
    CaseFacts,
    CaseMatter,
    EffectKind,
    RegisteredMeasure,
    RegisterKind,
    SeizedUnit,
)
from workflows.foundation.next_steps import next_steps
from workflows.registry import SCENARIOS

FILED = date(2026, 1, 5)  # facts() files the case on this day


def inquiry(status: str = "completed", **result: int) -> CaseMatter:
    return CaseMatter(scenario="asset-inquiry", workflow_id=f"inq-{status}", status=status, result=result)


def seized_home() -> RegisteredMeasure:
    return RegisteredMeasure(
        measure_key="seize/2",
        matter_workflow_id="inq-completed",
        scenario="asset-inquiry",
        register_kind=RegisterKind.SEIZE,
        description="realestate-registry real_estate #2",
        asset_kind="real_estate",
    )


def scenarios(case: CaseFacts, today: date = date(2026, 2, 1)) -> list[str | None]:
    return [p.scenario for p in next_steps(case, today)]


def test_real_estate_found_proposes_its_disposal_until_one_is_started() -> None:
    case = facts([seized_home()])
    case.matters = [inquiry(real_estate=1)]
    [proposal] = next_steps(case, date(2026, 2, 1))
    assert proposal.scenario == "real-estate-disposal" and proposal.because_of == "inq-completed"
    assert proposal.prefill == {"property": {"description": "realestate-registry real_estate #2"}}
    case.matters.append(CaseMatter(scenario="real-estate-disposal", workflow_id="d", status="running"))
    assert scenarios(case) == []


def test_a_seized_vehicle_is_not_real_estate() -> None:
    case = facts([seized_home().model_copy(update={"asset_kind": "vehicle"})])
    assert scenarios(case) == []


def test_nothing_found_after_three_months_proposes_the_closure_checklist() -> None:
    case = facts()
    case.matters = [inquiry(assets=0)]
    assert scenarios(case, date(2026, 4, 5)) == []  # three months not yet passed (终本规定 Art. 1(四))
    assert scenarios(case, date(2026, 4, 6)) == ["periodic-reinquiry"]
    case.matters.append(inquiry("running"))
    assert scenarios(case, date(2026, 6, 1)) == []  # an inquiry still running may find something
    case.matters = [inquiry(deducted_fen=2_000_00)]
    assert scenarios(case, date(2026, 6, 1)) == []  # something was found


def test_an_ignored_report_order_proposes_listing_and_the_sanction() -> None:
    case = facts()
    case.property_report_ignored = True
    assert scenarios(case) == ["dishonest-list", "refusal-referral"]
    listed = RegisteredMeasure(
        measure_key="entry",
        matter_workflow_id="l",
        scenario="dishonest-list",
        register_kind=RegisterKind.DISHONEST_LIST,
    )
    case.measures = [listed]
    assert scenarios(case) == ["refusal-referral"]


def test_a_hit_in_the_closure_watch_proposes_a_linked_resumption_case() -> None:
    case = facts()
    case.matters = [CaseMatter(scenario="periodic-reinquiry", workflow_id="w", status="awaiting_resumption")]
    [proposal] = next_steps(case, date(2026, 9, 1))
    assert proposal.kind is ProposalKind.RESUMPTION_CASE and proposal.because_of == "w"


def test_a_paid_case_proposes_nothing() -> None:
    case = facts([seized_home()])
    case.property_report_ignored = True
    case.balance_fen = 0
    assert next_steps(case, date(2026, 9, 1)) == []


def test_every_proposal_prefills_only_its_matters_own_fields() -> None:
    case = facts([seized_home()])
    case.property_report_ignored = True
    case.matters = [inquiry(real_estate=1)]
    proposals = [p for p in next_steps(case, date(2026, 9, 1)) if p.kind is ProposalKind.MATTER]
    assert {p.scenario for p in proposals} == {"real-estate-disposal", "dishonest-list", "refusal-referral"}
    for p in proposals:
        assert p.scenario is not None
        assert set(p.prefill) <= set(SCENARIOS[p.scenario].own_fields), p.scenario
        assert p.reason and p.reason_en and p.law


@pytest.mark.usefixtures("stack")
async def test_the_case_offers_the_disposal_once_real_estate_is_seized(stack: dict[str, str], client: Client) -> None:
    """The seized unit is held on the register structured: the disposal's form from the case offers it,
    pre-filled, and a unit the case has not seized is refused naming the field."""
    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    filed = await case_api.file(clerk)
    case = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
    assert case["next_steps"] == []  # nothing found yet, nothing ignored, filed today
    await case_api.effect(
        client,
        filed["workflow_id"],
        EffectKind.MEASURE_PLACED,
        "seize-2",
        measure_key="seize/2",
        register_kind=RegisterKind.SEIZE,
        description="realestate-registry real_estate #2",
        asset_kind="real_estate",
        unit=SeizedUnit(unit_number="330681001001", description="诸暨市某镇厂房"),
    )

    async def offered() -> list[dict[str, Any]] | None:
        doc = (await judge.get(f"/api/cases/{filed['case_id']}")).json()
        steps: list[dict[str, Any]] = doc["next_steps"]
        return steps or None

    [step] = await eventually(offered)
    assert step["scenario"] == "real-estate-disposal" and step["because_of"] == "asset-inquiry-test"
    assert step["prefill"] == {"property": {"unit_number": "330681001001", "description": "诸暨市某镇厂房"}}
    # The judge's case page offers it as a button that opens the disposal's form already filled in.
    docket = await ui_page(stack["web"], "judge", f"/ui/dockets/{filed['case_id']}")
    steps = docket.split('data-testid="docket-next-steps"')[1].split("</section>")[0]
    assert "CPL" in steps or "民事诉讼法" in steps or step["law"] in steps
    href = html.unescape(re.search(r'href="([^"]*/matters/real-estate-disposal[^"]*)"', steps)[1])  # type: ignore[index]
    assert "f.property.unit_number=330681001001" in href
    form = await ui_page(stack["web"], "judge", href)
    assert 'value="诸暨市某镇厂房"' in form
    defaults = re.findall(r'name="(f\.[a-z_]+)"[^>]*value="([^"]+)"', form.split('name="f.property.unit_number"')[0])
    assert defaults, "the fields the proposal does not name keep their defaults (the registry, the platforms)"
    # Started from the case page without a next step, the form offers the case's seized units to choose.
    plain = await ui_page(stack["web"], "judge", f"/ui/dockets/{filed['case_id']}/matters/real-estate-disposal")
    select = plain.split('name="f.property.unit_number"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"', select) == ["330681001001"]
    assert 'value="诸暨市某镇厂房"' in plain
    for name, value in defaults:
        assert re.search(rf'name="{re.escape(name)}"[^>]*value="{re.escape(value)}"', plain), name
    # Typed through the API, a unit this case has not seized is refused, naming the field; nothing starts.
    r = await judge.post(
        f"/api/cases/{filed['case_id']}/matters/real-estate-disposal",
        json={"property": {"unit_number": "330681009999", "description": "他人房产"}},
    )
    assert r.status_code == 422, r.text
    refused = r.json()
    assert refused["code"] == "UNIT_NOT_SEIZED" and refused["field"] == "property.unit_number"
    assert "未在本案查封" in refused["message"]
    matters = (await judge.get(f"/api/cases/{filed['case_id']}")).json()["matters"]
    assert not [m for m in matters if m["scenario"] == "real-estate-disposal"]
    await clerk.aclose()
    await judge.aclose()
