"""The scenarios a judge can start: one line each. The worker (workflows, activities, sandbox
pass-through), the web (scenario list, start form, words) and the contract test read this list.
How to add one: docs/adding-a-scenario.md."""

from __future__ import annotations

from activities.audit import AuditActivities
from activities.cases import CaseActivities
from activities.documents import DocumentActivities
from activities.resources import ActivityGroup
from activities.tasks import TaskActivities
from domain.task_results import register_results
from workflows.asset_inquiry import SCENARIO as ASSET_INQUIRY
from workflows.case import EnforcementCase
from workflows.consumption_restriction import SCENARIO as CONSUMPTION_RESTRICTION
from workflows.cross_region_seizure import SCENARIO as CROSS_REGION_SEIZURE
from workflows.dishonest_list import SCENARIO as DISHONEST_LIST
from workflows.foundation.scenario import Scenario
from workflows.foundation.words import Words
from workflows.mass_payout import SCENARIO as MASS_PAYOUT
from workflows.periodic_reinquiry import SCENARIO as PERIODIC_REINQUIRY
from workflows.real_estate_disposal import SCENARIO as REAL_ESTATE_DISPOSAL
from workflows.refusal_referral import SCENARIO as REFUSAL_REFERRAL
from workflows.settlement import SCENARIO as SETTLEMENT

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        ASSET_INQUIRY,
        CROSS_REGION_SEIZURE,
        REAL_ESTATE_DISPOSAL,
        MASS_PAYOUT,
        DISHONEST_LIST,
        CONSUMPTION_RESTRICTION,
        PERIODIC_REINQUIRY,
        REFUSAL_REFERRAL,
        SETTLEMENT,
    )
}

for _scenario in SCENARIOS.values():
    register_results(_scenario.task_results)

# What the foundation itself calls for every scenario: the legal calendar and the inbox projection of
# agency tasks, the audit archive at the end, and the court's documents (any step may issue one).
FOUNDATION_ACTIVITIES: tuple[type[ActivityGroup], ...] = (TaskActivities, AuditActivities, DocumentActivities)
# Shared with the sandbox instead of re-imported per run: nothing in them defines a workflow.
FOUNDATION_PASSTHROUGH = ("workflows.foundation", "workflows.agency_task.words")
# Entity workflows the worker runs beside the scenarios': the enforcement case (执行案件), which a filing
# clerk dockets and every matter belongs to — not a scenario, so not on the judge's scenario list.
ENTITY_WORKFLOWS: tuple[type, ...] = (EnforcementCase,)
ENTITY_ACTIVITIES: tuple[type[ActivityGroup], ...] = (CaseActivities,)
ENTITY_PASSTHROUGH = ("workflows.case.models", "workflows.case.words")


def with_scenarios(*extra: Scenario) -> dict[str, Scenario]:
    """The registry plus scenarios that are not in it (a test's own): their task results join the
    catalogue too."""
    for scenario in extra:
        register_results(scenario.task_results)
    return {**SCENARIOS, **{s.name: s for s in extra}}


def all_workflows(scenarios: dict[str, Scenario] = SCENARIOS) -> list[type]:
    """Every workflow the given scenarios run, with those of the scenarios they start (``Scenario.starts``)."""
    seen: dict[str, type] = {wf.__name__: wf for wf in ENTITY_WORKFLOWS}
    known = {**SCENARIOS, **scenarios}
    for s in scenarios.values():
        for wf in (*s.workflows, *(wf for name in s.starts for wf in known[name].workflows)):
            seen[wf.__name__] = wf
    return list(seen.values())


def all_activity_groups(scenarios: dict[str, Scenario] = SCENARIOS) -> list[type[ActivityGroup]]:
    groups: dict[str, type[ActivityGroup]] = {g.__qualname__: g for g in (*FOUNDATION_ACTIVITIES, *ENTITY_ACTIVITIES)}
    for s in scenarios.values():
        groups.update({g.__qualname__: g for g in s.activities})
    return list(groups.values())


def passthrough_modules(scenarios: dict[str, Scenario] = SCENARIOS) -> list[str]:
    return [
        *FOUNDATION_PASSTHROUGH,
        *ENTITY_PASSTHROUGH,
        *(m for s in scenarios.values() for m in s.passthrough_modules),
    ]


def all_words(scenarios: dict[str, Scenario] = SCENARIOS) -> list[Words]:
    from workflows.agency_task.words import WORDS as AGENCY_TASK_WORDS

    return [AGENCY_TASK_WORDS, *(s.words for s in scenarios.values())]
