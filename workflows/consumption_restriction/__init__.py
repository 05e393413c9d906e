"""Consumption restriction (限制消费令, 限消规定 2015): the order, its notices to the assisting units,
exemptions, breach reports and lifting. Started by a judge, or by the dishonest list (a listed debtor
must be restricted)."""

from __future__ import annotations

from workflows.agency_task.workflow import AgencyTask
from workflows.consumption_restriction import from_case
from workflows.consumption_restriction.models import NAME, NOTICE_RECEIPT, RestrictionNoticeReceipt
from workflows.consumption_restriction.words import WORDS
from workflows.consumption_restriction.workflow import ConsumptionRestriction
from workflows.foundation.child_matters import ConsumptionRestrictionInput, ConsumptionRestrictionRequest
from workflows.foundation.scenario import Scenario, wrap_request

SCENARIO = Scenario(
    name=NAME,
    package=__name__,
    words=WORDS,
    workflow=ConsumptionRestriction,
    request_model=ConsumptionRestrictionRequest,
    build_input=wrap_request(ConsumptionRestrictionInput),
    activities=(),
    extra_workflows=(AgencyTask,),
    task_results={NOTICE_RECEIPT: RestrictionNoticeReceipt},
    own_fields=from_case.OWN_FIELDS,
    # 限消规定 Art. 6: each ban's notice to an agency of the kind that enforces it.
    agency_fields={
        "airlines": "airline",
        "railways": "railway",
        "hotels": "hotel",
        "real_estate_registry": "realestate",
        "vehicle_registry": "vehicle",
        "education_bureau": "education",
        "financial_regulator": "financial-regulator",
    },
)

__all__ = ["SCENARIO", "ConsumptionRestriction"]
