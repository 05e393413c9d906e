"""Mass payout (涉众案款发放): the payout workflow (``workflow.py``), its batch children (``batch.py``),
what they take, return and decide (``models.py``) and their words (``words.py``).

``SCENARIO`` is built on first access (PEP 562), not at import: the sandbox imports this package afresh
for every run of ``MassPayout`` and of each ``PayoutBatch``, and a batch needs neither the payout
workflow, the agency-task workflow nor the words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflows.kit.scenario import Scenario

__all__ = ["SCENARIO"]


def __getattr__(name: str) -> Scenario:
    if name != "SCENARIO":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from activities.payout import PayoutActivities
    from workflows.agency_task.workflow import AgencyTask
    from workflows.kit.scenario import Scenario, wrap_request
    from workflows.mass_payout.batch import PayoutBatch
    from workflows.mass_payout.models import NAME, MassPayoutInput, MassPayoutRequest
    from workflows.mass_payout.words import WORDS
    from workflows.mass_payout.workflow import MassPayout

    scenario = Scenario(
        name=NAME,
        package=__name__,
        words=WORDS,
        workflow=MassPayout,
        request_model=MassPayoutRequest,
        build_input=wrap_request(MassPayoutInput),
        activities=(PayoutActivities,),
        extra_workflows=(PayoutBatch, AgencyTask),
    )
    globals()["SCENARIO"] = scenario  # later lookups find it without this function
    return scenario
