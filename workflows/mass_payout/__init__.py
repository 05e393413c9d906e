"""Mass payout (涉众案款发放): the payout workflow (``workflow.py``), its batch children (``batch.py``),
what they take, return and decide (``models.py``) and their words (``words.py``).

``SCENARIO`` is built on first access (PEP 562), not at import: the sandbox imports this package afresh
for every run of ``MassPayout`` and of each ``PayoutBatch``, and a batch needs neither the payout
workflow, the agency-task workflow nor the words.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from workflows.foundation.scenario import Scenario, built_on_first_access

if TYPE_CHECKING:
    from workflows.foundation.scenario import ScenarioContext
    from workflows.mass_payout.models import MassPayoutInput, MassPayoutRequest

__all__ = ["SCENARIO", "build_input"]


def build_input(request: MassPayoutRequest, ctx: ScenarioContext) -> MassPayoutInput:
    """The judge's request plus the court's four-eyes rule in force today (domain/four_eyes.json), never
    anything the request says about approvals: the history records which rule applied."""
    from domain.four_eyes import rule_for
    from domain.legal_time import CHINA_TZ
    from workflows.mass_payout.models import MassPayoutInput

    rule = rule_for(request.court, datetime.now(UTC).astimezone(CHINA_TZ).date())
    return MassPayoutInput(
        request=request,
        context=ctx,
        second_approval_threshold_fen=rule.second_approval_threshold_fen,
        second_approver_roles=rule.second_approver_roles,
    )


def _scenario() -> Scenario:
    from activities.payout import PayoutActivities
    from workflows.agency_task.workflow import AgencyTask
    from workflows.mass_payout import from_case
    from workflows.mass_payout.batch import PayoutBatch
    from workflows.mass_payout.models import NAME, MassPayoutRequest
    from workflows.mass_payout.words import WORDS
    from workflows.mass_payout.workflow import MassPayout

    return Scenario(
        name=NAME,
        package=__name__,
        words=WORDS,
        workflow=MassPayout,
        request_model=MassPayoutRequest,
        build_input=build_input,
        activities=(PayoutActivities,),
        extra_workflows=(PayoutBatch, AgencyTask),
        own_fields=from_case.OWN_FIELDS,
    )


__getattr__ = built_on_first_access(__name__, _scenario)
