"""A scenario built by following docs/adding-a-scenario.md, kept as a test: it proves the guide (a
folder, one registry entry, its tests) and holds the foundation to it."""

from __future__ import annotations

from tests.scenarios.property_lead.models import LEAD_CHECK, NAME, LeadCheck, PropertyLeadInput, PropertyLeadRequest
from tests.scenarios.property_lead.words import WORDS
from tests.scenarios.property_lead.workflow import PropertyLeadCheck
from workflows.agency_task.workflow import AgencyTask
from workflows.foundation.scenario import Scenario, wrap_request

SCENARIO = Scenario(
    name=NAME,
    package=__name__,
    words=WORDS,
    workflow=PropertyLeadCheck,
    request_model=PropertyLeadRequest,
    build_input=wrap_request(PropertyLeadInput),
    activities=(),
    extra_workflows=(AgencyTask,),
    task_results={LEAD_CHECK: LeadCheck},
    own_fields=("lead", "agency", "urgent"),  # the rest (案号, court, the case) comes from the case
)
