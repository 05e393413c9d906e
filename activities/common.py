"""What every partner-facing activity shares: the idempotency key of a step, and how a partner's
business refusal becomes a failure Temporal does not retry."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters.base import PartnerRefusal


def idempotency_key(step: str) -> str:
    """``<workflow id>/<step>``: the same on every retry of the step, so the partner answers it once."""
    return f"{activity.info().workflow_id}/{step}"


@contextlib.contextmanager
def refusals_not_retried() -> Iterator[None]:
    """A business refusal becomes a non-retryable failure carrying the partner's reason code; an outage
    propagates as it is, and Temporal retries it."""
    try:
        yield
    except PartnerRefusal as exc:
        raise ApplicationError(exc.message, exc.partner_id, type=exc.code, non_retryable=True) from exc
