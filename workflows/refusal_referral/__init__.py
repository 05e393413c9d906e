"""Refusal-to-execute referral (拒执移送): evidence granules, the referral letter, the police's filing
decision, the procuratorate, the applicant's private prosecution and requests for assistance in
verification — each step a granule of a catalogue kept as data (``domain/refusal_granules.json``)."""

from __future__ import annotations

from workflows.agency_task.workflow import AgencyTask
from workflows.kit.scenario import Scenario, ScenarioContext
from workflows.refusal_referral.models import (
    NAME,
    TASK_RESULTS,
    RefusalReferralInput,
    RefusalReferralRequest,
)
from workflows.refusal_referral.words import WORDS
from workflows.refusal_referral.workflow import RefusalReferral


def build_input(request: RefusalReferralRequest, ctx: ScenarioContext) -> RefusalReferralInput:
    """Resolves the granule catalogue the request names once, at start: history keeps it, so a later
    version of the catalogue never changes a running case or its replay. An unknown department in the
    request's agency overrides is refused here, before anything starts."""
    from domain.refusal_granules import catalogue

    cat = catalogue(request.catalogue)
    unknown = sorted(set(request.agencies) - set(cat.departments))
    if unknown:
        raise ValueError(f"agencies: departments not in catalogue {cat.id}: {unknown}")
    return RefusalReferralInput(request=request, context=ctx, catalogue=cat)


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
)

__all__ = ["SCENARIO", "RefusalReferral", "build_input"]
