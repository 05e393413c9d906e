"""Real-estate disposal (不动产司法处置): the procedure (``workflow.py``) and its steps — the residence guard
and joint review (``review.py``), the reference price (``reference_price.py``), the auction rounds, 变卖 and
buyer default (``rounds.py``), the ruling and title (``title.py``), distribution and payment
(``distribution.py``) — over one case record (``case.py``); the judge's decisions (``decisions.py``);
what it takes, returns and decides (``models.py``) and its words (``words.py``).

``SCENARIO`` is built on first access (PEP 562), not at import: the sandbox imports this package afresh
for every run of the workflow, which needs neither the scenario entry nor the law resolved at start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.foundation.scenario import Scenario, built_on_first_access

if TYPE_CHECKING:
    from workflows.foundation.scenario import ScenarioContext
    from workflows.real_estate_disposal.models import RealEstateDisposalInput, RealEstateDisposalRequest

__all__ = ["SCENARIO"]


def build_input(request: RealEstateDisposalRequest, ctx: ScenarioContext) -> RealEstateDisposalInput:
    """Resolves the law in force today (Beijing date) once, at start; history keeps it."""
    from datetime import datetime

    from domain.errors import ValidationFailed
    from domain.fees import enforcement_fee
    from domain.legal_params import params_at
    from domain.legal_time import CHINA_TZ
    from workflows.real_estate_disposal.models import RealEstateDisposalInput

    for i, creditor in enumerate(request.creditors):
        if creditor.performance_due_on is not None and creditor.principal_fen is None:
            # The doubled interest runs on the principal only (迟延利息解释 Art. 1): never the whole amount.
            raise ValidationFailed(
                "PRINCIPAL_REQUIRED",
                "计算加倍部分债务利息须写明其中本金 / principal_fen is required to compute the doubled interest "
                "(迟延利息解释 第一条)",
                f"creditors[{i}].principal_fen",
            )
    today = datetime.now(CHINA_TZ).date()
    params = params_at(today, request.jurisdiction)
    if request.application_fee_fen is None:
        fee = enforcement_fee(request.amount_owed_fen, params).fee_fen
        request = request.model_copy(update={"application_fee_fen": fee})
    return RealEstateDisposalInput(request=request, context=ctx, params=params)


def _scenario() -> Scenario:
    from activities.asset_disposals import AssetDisposalActivities
    from activities.auction import AuctionActivities
    from activities.disposal_payments import PaymentActivities
    from domain.assets import AssetKind, disposal_key
    from workflows.agency_task.workflow import AgencyTask
    from workflows.real_estate_disposal import from_case
    from workflows.real_estate_disposal.models import NAME, RealEstateDisposalRequest
    from workflows.real_estate_disposal.words import WORDS
    from workflows.real_estate_disposal.workflow import RealEstateDisposal

    return Scenario(
        name=NAME,
        package=__name__,
        words=WORDS,
        workflow=RealEstateDisposal,
        request_model=RealEstateDisposalRequest,
        build_input=build_input,
        activities=(AuctionActivities, PaymentActivities, AssetDisposalActivities),
        disposes_of=lambda req: disposal_key(AssetKind.REAL_ESTATE, req.property.unit_number),
        extra_workflows=(AgencyTask,),
        own_fields=from_case.OWN_FIELDS,
        prefill=from_case.prefill,
        picks=from_case.picks,
    )


__getattr__ = built_on_first_access(__name__, _scenario)
