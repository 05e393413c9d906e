"""Dishonest-debtor list (失信被执行人名单, 失信规定 2017): entry, publication on the national list, notices
to the credit and industry agencies, the consumption restriction it obliges, correction and removal."""

from __future__ import annotations

from datetime import datetime

from activities.dishonest_list import DishonestListActivities
from domain.dishonest_list import dishonest_params_at
from domain.legal_time import CHINA_TZ
from domain.refusal import higher_court_agency
from workflows.agency_task.workflow import AgencyTask
from workflows.dishonest_list import from_case
from workflows.dishonest_list.models import (
    NAME,
    NOTICE_RECEIPT,
    RECONSIDERATION_RESULT,
    DishonestListInput,
    DishonestListRequest,
    DishonestNoticeReceipt,
    ReconsiderationDecision,
)
from workflows.dishonest_list.words import WORDS
from workflows.dishonest_list.workflow import DishonestList
from workflows.foundation.child_matters import CONSUMPTION_RESTRICTION
from workflows.foundation.scenario import Scenario, ScenarioContext


def build_input(request: DishonestListRequest, ctx: ScenarioContext) -> DishonestListInput:
    """Resolves the 失信 parameters in force today (Beijing date) and the court's higher court (which decides a
    reconsideration, Art. 12) once, at start; history keeps them."""
    today = datetime.now(CHINA_TZ).date()
    return DishonestListInput(
        request=request,
        context=ctx,
        params=dishonest_params_at(today),
        higher_court_agency=higher_court_agency(request.court),
    )


SCENARIO = Scenario(
    name=NAME,
    package=__name__,
    words=WORDS,
    workflow=DishonestList,
    request_model=DishonestListRequest,
    build_input=build_input,
    activities=(DishonestListActivities,),
    extra_workflows=(AgencyTask,),
    starts=(CONSUMPTION_RESTRICTION,),  # a listed debtor is restricted (限消规定 Art. 1)
    task_results={NOTICE_RECEIPT: DishonestNoticeReceipt, RECONSIDERATION_RESULT: ReconsiderationDecision},
    own_fields=from_case.OWN_FIELDS,
    prefill=from_case.prefill,
    # 失信规定 Art. 8 paras 1–2: the credit bureau and the industry regulator, each an agency of its kind.
    agency_fields={"credit_agency": "credit-reporting", "industry_agency": "market-regulation"},
)

__all__ = ["SCENARIO", "DishonestList"]
