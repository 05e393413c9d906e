"""Closure of the current procedure (终本) and its five-year watch: the judge closes on the checklist of
终本规定 Art. 1, the debtor's property is inquired every six months for five years, a hit puts
resumption (恢复执行) before the judge, and the applicant's lead runs an inquiry at once."""

from __future__ import annotations

from datetime import datetime

from activities.partners import PartnerActivities
from domain.closure import closure_periods_at
from domain.fees import enforcement_fee
from domain.legal_params import params_at
from domain.legal_time import CHINA_TZ
from workflows.foundation.child_matters import ASSET_INQUIRY, INQUIRED_CATEGORIES
from workflows.foundation.scenario import Scenario, ScenarioContext
from workflows.periodic_reinquiry import from_case
from workflows.periodic_reinquiry.models import NAME, PeriodicReinquiryInput, PeriodicReinquiryRequest
from workflows.periodic_reinquiry.words import WORDS
from workflows.periodic_reinquiry.workflow import PeriodicReinquiry


def _build_input(request: PeriodicReinquiryRequest, ctx: ScenarioContext) -> PeriodicReinquiryInput:
    # The watch inquires through the same partners a network inquiry asks (its children pass them on).
    partners = [p for p in ctx.partners if p.category in INQUIRED_CATEGORIES]
    today = datetime.now(CHINA_TZ).date()
    fee = enforcement_fee(request.outstanding_fen, params_at(today)).fee_fen
    return PeriodicReinquiryInput(
        request=request,
        context=ctx.model_copy(update={"partners": partners}),
        application_fee_fen=fee,
        periods=closure_periods_at(today),  # the 终本 periods in force at start (终本规定 Arts. 1, 9)
    )


SCENARIO = Scenario(
    name=NAME,
    package=__name__,
    words=WORDS,
    workflow=PeriodicReinquiry,
    request_model=PeriodicReinquiryRequest,
    build_input=_build_input,
    activities=(PartnerActivities,),  # its AssetInquiry children call them
    starts=(ASSET_INQUIRY,),
    own_fields=from_case.OWN_FIELDS,
    prefill=from_case.prefill,
)

__all__ = ["SCENARIO", "PeriodicReinquiry"]
