"""One asset, one disposal (一物一处置): the disposal claims its unit before anything else, and at its end
frees it (nothing sold) or marks it transferred (title passed on service of the ruling, 网拍规定 Art. 22).
A unit another matter is disposing of, or has transferred, is refused at once, naming that matter."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.asset_disposals import AssetDisposalActivities, ClaimAssetInput, EndAssetInput
    from domain.assets import AssetKind, disposal_key
    from workflows.foundation import retries
    from workflows.real_estate_disposal.models import Status

from workflows.real_estate_disposal.case import CALL, DisposalCase, Stop

# Runs recorded before a disposal claimed its unit neither claim nor free it.
ONE_DISPOSAL_PATCH = "one-asset-one-disposal"


def _key(case: DisposalCase) -> str:
    return disposal_key(AssetKind.REAL_ESTATE, case.req.property.unit_number)


async def claim_asset(case: DisposalCase) -> bool:
    """True once the unit is this disposal's; Stop (refused) when another matter holds it."""
    if not workflow.patched(ONE_DISPOSAL_PATCH):
        return False
    req = case.req
    holder = await workflow.execute_activity_method(
        AssetDisposalActivities.claim,
        ClaimAssetInput(key=_key(case), court=req.court, case_number=req.case_number),
        start_to_close_timeout=CALL,
        retry_policy=retries.ARCHIVE,
    )
    if holder is not None:
        case.timeline.record(
            "asset_held_elsewhere",
            holder.refusal(req.court),
            code="ASSET_UNDER_DISPOSAL",
            holder=holder.workflow_id,
            holder_case=holder.case_number,
            state=holder.state.value,
        )
        raise Stop(Status.REFUSED, f"ASSET_UNDER_DISPOSAL: {holder.refusal(req.court)}")
    return True


async def end_asset(case: DisposalCase) -> None:
    """Transferred when the ruling was served (title passed); free for the next court otherwise."""
    transferred = case.ruling_effective_on is not None
    await workflow.execute_activity_method(
        AssetDisposalActivities.end,
        EndAssetInput(key=_key(case), transferred=transferred),
        start_to_close_timeout=CALL,
        retry_policy=retries.ARCHIVE,
    )
    case.timeline.record("asset_transferred" if transferred else "asset_freed")
