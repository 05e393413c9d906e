"""Partner systems (协助执行单位) answering asynchronously: an inquiry callback is relayed to the waiting
workflow as a signal (no cap on how many arrive at once, kept by Temporal once accepted). A partner's
token is bound to its agency, so it can answer only its own requests; the workflow drops duplicates and
answers that come after the partner's deadline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from activities.partners import inquiry_activity_id, parse_request_id
from adapters.registry import read_inquiry_callback
from domain.actors import Actor, Role
from domain.assets import InquiryCallbackAnswer
from domain.errors import Forbidden, NotFound
from domain.partners import PartnerEndpoint
from runtime.logging import get_logger
from security.identity import acting_as
from web.services.access import require_role
from workflows.asset_inquiry.models import WORKFLOW_TYPE as INQUIRY_WORKFLOW_TYPE
from workflows.foundation.messages import PARTNER_ANSWER_SIGNAL

log = get_logger(__name__)


class CallbackAck(BaseModel):
    status: Literal["recorded", "ignored"]
    reason: str | None = None


_IGNORED = CallbackAck(status="ignored", reason="duplicate or late")


def read_callback(
    actor: Actor, partners: Sequence[PartnerEndpoint], partner_id: str, body: bytes
) -> tuple[str, InquiryCallbackAnswer]:
    """The workflow a partner's inquiry callback answers, and the answer, once the caller is shown to be
    that partner and the request to be that partner's inquiry. The partner's protocol reads the body."""
    require_role(actor, Role.AGENCY)
    if actor.agency != partner_id:
        raise Forbidden("WRONG_AGENCY", f"this token belongs to {actor.agency!r}, not {partner_id!r}")
    endpoint = next((p for p in partners if p.id == partner_id), None)
    if endpoint is None:
        raise NotFound("UNKNOWN_PARTNER", f"no partner {partner_id!r} is configured", "partner_id")
    callback = read_inquiry_callback(endpoint, body)
    try:
        workflow_id, activity_id = parse_request_id(callback.request_id)
    except ValueError:
        raise NotFound("UNKNOWN_REQUEST", "request_id is not one we issued", "request_id") from None
    if activity_id != inquiry_activity_id(partner_id):
        # Well-formed, but it names another partner's inquiry: not this token's to answer.
        raise Forbidden("WRONG_REQUEST", "request_id belongs to another partner's inquiry", "request_id")
    return workflow_id, callback


async def record_inquiry_answer(
    client: Client, actor: Actor, workflow_id: str, partner_id: str, callback: InquiryCallbackAnswer
) -> CallbackAck:
    """查询结果回调: relays the answer to the waiting inquiry as a signal, signed as the partner.

    ``recorded`` means Temporal has the answer and will hand it to the workflow, whatever happens to the
    workers meanwhile; the workflow takes the first answer of a partner it asked and drops repeats and
    late ones (the web cannot tell them apart without asking the workflow, which a flood of callbacks
    must not wait on). ``ignored``: the inquiry has ended, or does not exist."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        desc = await handle.describe()
        if desc.workflow_type != INQUIRY_WORKFLOW_TYPE:
            # Well-formed, but not an inquiry: a signal would land in another kind of case's history.
            raise NotFound("UNKNOWN_REQUEST", "request_id is not one we issued", "request_id")
        if desc.status is not WorkflowExecutionStatus.RUNNING:
            log.info("inquiry callback ignored", workflow_id=workflow_id, partner=partner_id)
            return _IGNORED
        with acting_as(actor):
            await handle.signal(PARTNER_ANSWER_SIGNAL, callback.answer)
    except RPCError as exc:
        if exc.status is not RPCStatusCode.NOT_FOUND:
            raise  # Temporal did not take it (503): the partner sends it again
        # The workflow has closed (a very late answer), or was never ours: nothing to do, and no error,
        # so a partner that retries its callback is not pushed into an endless retry.
        log.info("inquiry callback ignored", workflow_id=workflow_id, partner=partner_id)
        return _IGNORED
    log.info(
        "inquiry callback recorded", workflow_id=workflow_id, partner=partner_id, status=callback.answer.outcome.value
    )
    return CallbackAck(status="recorded")
