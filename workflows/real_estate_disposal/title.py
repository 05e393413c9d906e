"""The ruling served and title passing: the 成交裁定 (or 以物抵债裁定) is served on the buyer, title passes
on service (网拍规定 Art. 22), and the registry gets its transfer task at once (Zhuji: from 20 days to 2,
shortest 1 hour)."""

from __future__ import annotations

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.auction import AuctionActivities, ServeRulingInput
    from domain.legal_params import P as LP
    from domain.legal_time import CHINA_TZ
    from workflows.foundation import retries
    from workflows.foundation.task_models import TaskOutcome
    from workflows.real_estate_disposal.models import TITLE_TRANSFER_TASK, Status

from workflows.real_estate_disposal.case import CALL, DisposalCase


async def pass_title(case: DisposalCase, taker: str | None) -> asyncio.Task[TaskOutcome]:
    """Serves the ruling (through the platform, on a buyer; at once, on an in-kind taker) and starts the
    registry's title-transfer task, which runs beside the distribution."""
    req, params = case.req, case.params
    ruling_ref = case.ruling_ref or ""
    if taker is None:
        assert case.sold is not None and case.buyer is not None
        served = await workflow.execute_activity_method(
            AuctionActivities.serve_ruling,
            ServeRulingInput(
                platform=req.auction_platform,
                step="ruling",
                auction_id=case.sold.auction_id,
                bidder_id=case.buyer,
                ruling_ref=ruling_ref,
            ),
            start_to_close_timeout=CALL,
            retry_policy=retries.PARTNER,
        )
        served_at = served.served_at
    else:
        served_at = case.legal_now()
    case.timeline.record("ruling_served", ruling_ref=ruling_ref, served_at=served_at.isoformat(), buyer=case.buyer)
    case.set_status(Status.TITLE_TRANSFER)
    task = asyncio.create_task(
        case.agency_task(
            TITLE_TRANSFER_TASK,
            req.registry,
            "成交裁定已送达: 办理不动产转移登记, 注销查封与抵押",
            result_type="title-transfer",
            due=params.duration(LP.TITLE_TRANSFER_DUE),
            context={
                "unit_number": req.property.unit_number,
                "ruling_ref": ruling_ref,
                "buyer": case.buyer,
                "served_at": served_at.isoformat(),
            },
        )
    )
    case.ruling_effective_on = served_at.astimezone(CHINA_TZ).date()
    return task
