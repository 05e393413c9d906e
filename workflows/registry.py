"""The scenarios a judge can start. Adding one = writing its workflow module and one line here;
the web's scenario list, start form and API pick it up without change."""

from __future__ import annotations

from workflows.asset_inquiry import SCENARIO as ASSET_INQUIRY
from workflows.cross_region_seizure import SCENARIO as CROSS_REGION_SEIZURE
from workflows.mass_payout import SCENARIO as MASS_PAYOUT
from workflows.real_estate_disposal import SCENARIO as REAL_ESTATE_DISPOSAL
from workflows.scenario import Scenario, ScenarioContext

SCENARIOS: dict[str, Scenario] = {
    s.name: s for s in (ASSET_INQUIRY, CROSS_REGION_SEIZURE, REAL_ESTATE_DISPOSAL, MASS_PAYOUT)
}

__all__ = ["SCENARIOS", "Scenario", "ScenarioContext", "all_workflows"]


def all_workflows() -> list[type]:
    seen: dict[str, type] = {}
    for s in SCENARIOS.values():
        for wf in (s.workflow, *s.extra_workflows):
            seen[wf.__name__] = wf
    return list(seen.values())
