"""Asset inquiry and control (网络查控): ask every partner, report, let the judge decide, freeze up to
the claim and never beyond, seize, deduct, and watch each measure's term."""

from __future__ import annotations

from datetime import datetime

from activities.partners import PartnerActivities
from domain.legal_params import params_at
from domain.legal_time import CHINA_TZ
from workflows.asset_inquiry import from_case
from workflows.asset_inquiry.measure_term import MeasureTermWatch
from workflows.asset_inquiry.models import NAME, PATCH_LEVEL
from workflows.asset_inquiry.words import WORDS
from workflows.asset_inquiry.workflow import AssetInquiry
from workflows.foundation.child_matters import AssetInquiryInput, AssetInquiryRequest, inquiry_context
from workflows.foundation.scenario import Scenario, ScenarioContext


def _build_input(request: AssetInquiryRequest, ctx: ScenarioContext) -> AssetInquiryInput:
    # Costs left out: the application fee under the law in force today (Beijing date), fixed at the start.
    request = request.with_proposed_costs(params_at(datetime.now(CHINA_TZ).date()))
    return AssetInquiryInput(request=request, context=inquiry_context(ctx), patch_level=PATCH_LEVEL)


SCENARIO = Scenario(
    name=NAME,
    package=__name__,
    words=WORDS,
    workflow=AssetInquiry,
    request_model=AssetInquiryRequest,
    build_input=_build_input,
    activities=(PartnerActivities,),
    extra_workflows=(MeasureTermWatch,),
    own_fields=from_case.OWN_FIELDS,
)

__all__ = ["SCENARIO", "AssetInquiry", "MeasureTermWatch"]
