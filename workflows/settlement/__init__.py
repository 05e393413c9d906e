"""Settlement in enforcement (执行和解): the agreement recorded, enforcement suspended, instalments
watched, resumption on default (an asset inquiry for what is unpaid), full performance ends the case."""

from __future__ import annotations

from datetime import datetime

from activities.partners import PartnerActivities
from domain.legal_params import P, params_at
from domain.legal_time import CHINA_TZ
from workflows.agency_task.workflow import AgencyTask
from workflows.foundation.child_matters import ASSET_INQUIRY, inquiry_context
from workflows.foundation.scenario import Scenario, ScenarioContext
from workflows.settlement import from_case
from workflows.settlement.models import CREDIT_NOTICE, NAME, CaseAccountCredit, SettlementInput, SettlementRequest
from workflows.settlement.words import WORDS
from workflows.settlement.workflow import Settlement


def _build_input(request: SettlementRequest, ctx: ScenarioContext) -> SettlementInput:
    """The law in force today (Beijing date) is resolved once, at start; history keeps it. A resumed
    inquiry asks the partners a network inquiry covers."""
    params = params_at(datetime.now(CHINA_TZ).date())
    return SettlementInput(
        request=request,
        context=ctx,
        inquiry_context=inquiry_context(ctx),
        resumption_period=params.duration(P.SETTLEMENT_RESUMPTION_PERIOD),
    )


SCENARIO = Scenario(
    name=NAME,
    package=__name__,
    words=WORDS,
    workflow=Settlement,
    request_model=SettlementRequest,
    build_input=_build_input,
    activities=(PartnerActivities,),
    extra_workflows=(AgencyTask,),
    starts=(ASSET_INQUIRY,),  # on default, an asset inquiry for what is unpaid
    task_results={CREDIT_NOTICE: CaseAccountCredit},
    own_fields=from_case.OWN_FIELDS,
    prefill=from_case.prefill,
)

__all__ = ["SCENARIO", "Settlement"]
