"""Partner systems (协助执行单位) answering asynchronously: an inquiry callback is relayed to the waiting
workflow as an Update. A partner's token is bound to its agency, so it can answer only its own requests;
the workflow drops duplicates and answers that come after the partner's deadline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from activities.partners import answer_from_callback, inquiry_activity_id, parse_request_id
from adapters.protocol import InquiryCallback
from core.identity import acting_as
from core.logging import get_logger
from domain.actors import Actor, Role
from domain.errors import Forbidden, NotFound
from domain.partners import PartnerEndpoint
from web.services.access import require_role
from web.services.workflows import refusal_error
from workflows.kit.messages import PARTNER_ANSWER_UPDATE

log = get_logger(__name__)


class CallbackAck(BaseModel):
    status: Literal["recorded", "ignored"]
    reason: str | None = None


_IGNORED = CallbackAck(status="ignored", reason="duplicate or late")


def callback_target(
    actor: Actor, partners: Sequence[PartnerEndpoint], partner_id: str, callback: InquiryCallback
) -> str:
    """The workflow a partner's inquiry callback answers, once the caller is shown to be that partner and
    the request to be that partner's inquiry."""
    require_role(actor, Role.AGENCY)
    if actor.agency != partner_id:
        raise Forbidden("WRONG_AGENCY", f"this token belongs to {actor.agency!r}, not {partner_id!r}")
    if callback.partner_id != partner_id:
        raise Forbidden("PARTNER_MISMATCH", "partner_id in the body differs from the one in the path", "partner_id")
    if partner_id not in {p.id for p in partners}:
        raise NotFound("UNKNOWN_PARTNER", f"no partner {partner_id!r} is configured", "partner_id")
    try:
        workflow_id, activity_id = parse_request_id(callback.request_id)
    except ValueError:
        raise NotFound("UNKNOWN_REQUEST", "request_id is not one we issued", "request_id") from None
    if activity_id != inquiry_activity_id(partner_id):
        # Well-formed, but it names another partner's inquiry: not this token's to answer.
        raise Forbidden("WRONG_REQUEST", "request_id belongs to another partner's inquiry", "request_id")
    return workflow_id


async def record_inquiry_answer(
    client: Client, actor: Actor, workflow_id: str, partner_id: str, callback: InquiryCallback
) -> CallbackAck:
    """查询结果回调: relays the answer. Repeats and late arrivals are harmless (``ignored``)."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        with acting_as(actor):
            await handle.execute_update(PARTNER_ANSWER_UPDATE, answer_from_callback(callback))
    except WorkflowUpdateFailedError as exc:
        err = refusal_error(exc)
        if err.code != "DUPLICATE_OR_LATE":
            raise err from None
        log.info("inquiry callback ignored", workflow_id=workflow_id, partner=partner_id)
        return _IGNORED
    except RPCError as exc:
        if exc.status is not RPCStatusCode.NOT_FOUND:
            raise
        # The workflow has closed (a very late answer), or was never ours: nothing to do, and no error,
        # so a partner that retries its callback is not pushed into an endless retry.
        log.info("inquiry callback ignored", workflow_id=workflow_id, partner=partner_id)
        return _IGNORED
    log.info("inquiry callback recorded", workflow_id=workflow_id, partner=partner_id, status=callback.status)
    return CallbackAck(status="recorded")
