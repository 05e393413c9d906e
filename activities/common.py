"""What every partner-facing activity shares: the idempotency key of a step, and how a partner's
business refusal becomes a failure Temporal does not retry."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from adapters.base import PartnerRefusal
from domain.calendar import CalendarYearUnavailable


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


# Failures no retry can cure: the same input fails the same way (a date past datetime's range, a year no
# calendar covers, data that does not validate). Each becomes a non-retryable failure with a code, so
# the workflow sees it at once (and shows the judge an incident) instead of retrying forever.
DETERMINISTIC_FAILURES: tuple[tuple[type[BaseException], str], ...] = (
    (OverflowError, "OUT_OF_RANGE"),
    (ZeroDivisionError, "ARITHMETIC_ERROR"),
    (CalendarYearUnavailable, "CALENDAR_YEAR_UNAVAILABLE"),
    (ValidationError, "INVALID_DATA"),
)


def deterministic_failure(exc: BaseException) -> ApplicationError | None:
    for kind, code in DETERMINISTIC_FAILURES:
        if isinstance(exc, kind):
            return ApplicationError(f"{type(exc).__name__}: {exc}", type=code, non_retryable=True)
    return None


@contextlib.contextmanager
def deterministic_failures_not_retried() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        failure = deterministic_failure(exc)
        if failure is None:
            raise
        raise failure from exc


class DeterministicFailuresInterceptor(Interceptor):
    """Applies :func:`deterministic_failures_not_retried` to every activity the worker runs."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _DeterministicFailuresInbound(next)


class _DeterministicFailuresInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        with deterministic_failures_not_retried():
            return await super().execute_activity(input)
