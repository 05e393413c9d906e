"""sandbox-v1's inquiry callback (查询结果回调): a partner's late answer, read into the domain's terms."""

from __future__ import annotations

from pydantic import ValidationError

from adapters.sandbox.partner import found_assets
from adapters.sandbox.wire import InquiryCallback
from domain.assets import InquiryAnswer, InquiryCallbackAnswer, InquiryOutcome
from domain.errors import Forbidden, ValidationFailed


def read_inquiry_callback(partner_id: str, body: bytes) -> InquiryCallbackAnswer:
    """The answer a callback body carries, from ``partner_id`` (the caller the web has authenticated).
    A body that is not a sandbox-v1 callback, or names another partner, is refused naming the field."""
    try:
        callback = InquiryCallback.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise ValidationFailed("VALIDATION_FAILED", f"回调内容无效 (invalid callback): {first['msg']}", where) from None
    if callback.partner_id != partner_id:
        raise Forbidden("PARTNER_MISMATCH", "partner_id in the body differs from the one in the path", "partner_id")
    if callback.status == "refused":
        answer = InquiryAnswer(
            partner_id=partner_id,
            outcome=InquiryOutcome.REFUSED,
            reason_code=callback.code or "REFUSED",
            reason=callback.message,
        )
    else:
        answer = found_assets(partner_id, callback.assets)
    return InquiryCallbackAnswer(request_id=callback.request_id, answer=answer)
