"""Refusal-to-execute referral (拒执移送): evidence granules, the referral letter, the police's filing
decision, the procuratorate, the applicant's private prosecution and requests for assistance in
verification — each step a granule of a catalogue kept as data (``domain/refusal_granules.json``)."""

from __future__ import annotations

from workflows.agency_task.workflow import AgencyTask
from workflows.kit.scenario import Scenario, ScenarioContext
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
    catalogue never changes a running case or its replay."""
    from domain.refusal_granules import catalogue

    return RefusalReferralInput(request=request, context=ctx, catalogue=catalogue(request.catalogue))


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
