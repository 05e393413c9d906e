"""Refusal-to-execute referral (拒执移送): evidence granules, the referral letter, the police's filing
decision, the procuratorate, the applicant's private prosecution and requests for assistance in
verification — each step a granule of a catalogue kept as data (``domain/refusal_granules.json``)."""

from __future__ import annotations

from workflows.agency_task.workflow import AgencyTask
from workflows.foundation.scenario import Scenario, ScenarioContext
from workflows.refusal_referral import from_case
from workflows.refusal_referral.models import (
    NAME,
    TASK_RESULTS,
    RefusalReferralInput,
    RefusalReferralRequest,
)
from workflows.refusal_referral.words import WORDS
from workflows.refusal_referral.workflow import RefusalReferral


def build_input(request: RefusalReferralRequest, ctx: ScenarioContext) -> RefusalReferralInput:
    """Resolves the granule catalogue the request names (the request checked that it exists and that its
    agency overrides name its departments) once, at start: history keeps it, so a later version of the
    catalogue never changes a running case or its replay. The police and procuratorate are the court's
    district's (拒执解释 Art. 15, ``domain/court_districts.json``) unless the judge named others; a court
    with neither configured nor named is refused, never sent to the catalogue's sample agencies."""
    from domain.errors import ValidationFailed
    from domain.refusal import district_agencies
    from domain.refusal_granules import catalogue

    chosen = catalogue(request.catalogue)
    if any(dept in chosen.departments for dept in ("police", "procuratorate")):
        district = district_agencies(request.court, request.agencies)
        if isinstance(district, str):
            raise ValidationFailed("DISTRICT_NOT_CONFIGURED", district, "agencies")
        request = request.model_copy(update={"agencies": {**request.agencies, **district}})
    return RefusalReferralInput(request=request, context=ctx, catalogue=chosen)


SCENARIO = Scenario(
    name=NAME,
    package=__name__,
    words=WORDS,
    workflow=RefusalReferral,
    request_model=RefusalReferralRequest,
    build_input=build_input,
    activities=(),
    extra_workflows=(AgencyTask,),
    task_results=TASK_RESULTS,
    own_fields=from_case.OWN_FIELDS,
    prefill=from_case.prefill,
)

__all__ = ["SCENARIO", "RefusalReferral", "build_input"]
