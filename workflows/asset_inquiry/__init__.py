"""Asset inquiry and control (网络查控): ask every partner, report, let the judge decide, freeze up to
the claim and never beyond, seize, deduct, and watch each measure's term. The procedure (``workflow.py``),
the measure-term watcher (``measure_term.py``), what they take, return and decide (``models.py``) and
their words (``words.py``).

``SCENARIO`` is built on first access (PEP 562), not at import: the sandbox imports this package afresh
for every run of ``AssetInquiry`` and of each ``MeasureTermWatch``, and neither run needs the other's
module, ``from_case`` or the scenario entry (~40% of the inquiry's per-run import; docs/performance.md,
"loop-2").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.foundation.scenario import Scenario, built_on_first_access

if TYPE_CHECKING:
    from workflows.foundation.child_matters import AssetInquiryInput, AssetInquiryRequest
    from workflows.foundation.scenario import ScenarioContext

__all__ = ["SCENARIO", "build_input"]


def build_input(request: AssetInquiryRequest, ctx: ScenarioContext) -> AssetInquiryInput:
    """Costs left out: the application fee under the law in force today (Beijing date), fixed at the start."""
    from datetime import datetime

    from domain.legal_params import params_at
    from domain.legal_time import CHINA_TZ
    from workflows.asset_inquiry.models import PATCH_LEVEL
    from workflows.foundation.child_matters import AssetInquiryInput, inquiry_context

    request = request.with_proposed_costs(params_at(datetime.now(CHINA_TZ).date()))
    return AssetInquiryInput(request=request, context=inquiry_context(ctx), patch_level=PATCH_LEVEL)


def _scenario() -> Scenario:
    from activities.partners import PartnerActivities
    from workflows.asset_inquiry import from_case
    from workflows.asset_inquiry.measure_term import MeasureTermWatch
    from workflows.asset_inquiry.models import NAME
    from workflows.asset_inquiry.words import WORDS
    from workflows.asset_inquiry.workflow import AssetInquiry
    from workflows.foundation.child_matters import AssetInquiryRequest

    return Scenario(
        name=NAME,
        package=__name__,
        words=WORDS,
        workflow=AssetInquiry,
        request_model=AssetInquiryRequest,
        build_input=build_input,
        activities=(PartnerActivities,),
        extra_workflows=(MeasureTermWatch,),
        own_fields=from_case.OWN_FIELDS,
        prefill=from_case.prefill,
    )


__getattr__ = built_on_first_access(__name__, _scenario)
