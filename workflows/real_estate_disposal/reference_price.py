"""The reference price (参考价): online inquiry to every platform (the average of the reports in time, 3 days,
one 3-day extension) or appraisal (30 days); then the parties' 5-day objection window (参考价规定)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.auction import (
        AuctionActivities,
        AwaitValuationInput,
        ValuationInput,
        ValuationRequest,
    )
    from domain.actors import SYSTEM_ACTOR
    from domain.auction import average_fen
    from domain.legal_params import P as LP
    from domain.partners import PartnerCategory
    from domain.tasks import TaskState
    from workflows.foundation import retries
    from workflows.real_estate_disposal.models import (
        APPRAISAL_TASK,
        CORRECT_REFERENCE,
        CorrectedReference,
        ReferenceMethod,
        Status,
    )

from workflows.real_estate_disposal.case import CALL, DisposalCase, Stop


async def fix_reference_price(case: DisposalCase) -> None:
    req, params = case.req, case.params
    case.set_status(Status.REFERENCE_PRICE)
    price, method = None, req.reference_method
    if method is ReferenceMethod.ONLINE_INQUIRY:
        price = await _online_inquiry(case)
    if price is None:
        price, method = await _appraisal(case), ReferenceMethod.APPRAISAL
    case.reference_fen = price
    case.timeline.record("reference_price", reference_price_fen=price, method=method.value)
    # Reports go to the parties, who may object within 5 days (参考价规定 Arts. 21–23).
    case.set_status(Status.REFERENCE_OBJECTION_WINDOW)
    window = await case.period("reference_objection", params.duration(LP.REFERENCE_OBJECTION))
    while (decision := await case.decision_within(CORRECT_REFERENCE, window)) is not None:
        corrected = CorrectedReference.model_validate(decision.payload)
        case.reference_fen = corrected.reference_price_fen
        case.timeline.record("reference_price_corrected", decision.reason, reference_price_fen=case.reference_fen)


async def _online_inquiry(case: DisposalCase) -> int | None:
    """Every platform is asked; the average of the reports in time is the price (Arts. 10–13). If none
    answers in 3 days, 3 more; if still none, appraisal (Art. 11 para 3)."""
    req, params = case.req, case.params
    platforms = req.inquiry_platforms or [
        p.id for p in case.inp.context.partners if p.category is PartnerCategory.AUCTION
    ]
    if not platforms:
        case.timeline.record("online_inquiry_impossible", reason="no inquiry platform configured")
        return None
    due = (await case.deadline(params.duration(LP.ONLINE_INQUIRY))).due_at
    wire = case.wire_clock()
    requested = await asyncio.gather(
        *(
            workflow.execute_activity_method(
                AuctionActivities.request_valuation,
                ValuationInput(
                    platform=p,
                    step=f"valuation/{p}",
                    request=ValuationRequest(
                        request_id=f"{workflow.info().workflow_id}/valuation/{p}",
                        case_number=req.case_number,
                        court=req.court,
                        unit_number=req.property.unit_number,
                        land_use=case.title.land_use,
                        area_m2=case.title.area_m2,
                        address=case.title.address,
                        due_at=due,
                        clock=wire,
                    ),
                ),
                start_to_close_timeout=CALL,
                retry_policy=retries.PARTNER,
            )
            for p in platforms
        )
    )
    ids = {p: v.valuation_id for p, v in zip(platforms, requested, strict=True)}
    prices = await _collect_valuations(case, ids, due)
    if not prices:
        extended = await case.deadline(params.duration(LP.ONLINE_INQUIRY_EXTENSION), start=due)
        due = extended.due_at
        case.timeline.record("online_inquiry_extended", until=due.isoformat(), provisional=extended.provisional)
        prices = await _collect_valuations(case, ids, due)
    if not prices:
        case.timeline.record("online_inquiry_failed")
        return None
    case.timeline.record("online_inquiry_reports", prices=prices)
    return average_fen(list(prices.values()))


async def _collect_valuations(case: DisposalCase, ids: dict[str, str], due: datetime) -> dict[str, int]:
    window = max(case.clock.real_until(due), timedelta(seconds=1))

    async def one(platform: str, valuation_id: str) -> int | None:
        try:
            view = await workflow.execute_activity_method(
                AuctionActivities.await_valuation,
                AwaitValuationInput(platform=platform, valuation_id=valuation_id, poll_seconds=case.poll()),
                schedule_to_close_timeout=window,
                heartbeat_timeout=case.heartbeat(),
                retry_policy=retries.QUICK,
            )
        except ActivityError:
            return None
        return view.price_fen

    answers = await asyncio.gather(*(one(p, v) for p, v in ids.items()))
    return {p: a for p, a in zip(ids, answers, strict=True) if a is not None}


async def _appraisal(case: DisposalCase) -> int:
    req, params = case.req, case.params
    outcome = await case.agency_task(
        APPRAISAL_TASK,
        req.appraiser,
        "委托评估: 出具评估报告",
        result_type="appraisal-report",
        due=params.duration(LP.APPRAISAL),
        context={"unit_number": req.property.unit_number, "description": req.property.description},
    )
    if outcome.state is not TaskState.COMPLETED or not outcome.result:
        raise Stop(
            Status.STOPPED,
            f"appraisal not delivered ({outcome.state.value}: {outcome.reason})",
            SYSTEM_ACTOR,
            code=f"TASK_{outcome.state.value.upper()}",
            agency=req.appraiser,
            step="appraisal",
        )
    return int(outcome.result["price_fen"])
