"""Retry policies in one place. Temporal owns the long retries (DESIGN.md "Adapters"); a failure that
would fail the same way again (a partner's refusal, a bug, a date outside the calendar) is raised as a
non-retryable error by the activity and never retried."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

# Errors no retry can cure: raised by Python itself when an input is out of range.
DETERMINISTIC_ERRORS = ["OverflowError", "ValueError", "ValidationError", "CalendarYearUnavailable"]

PARTNER = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=30),
    non_retryable_error_types=DETERMINISTIC_ERRORS,
)
"""A partner's effect (freeze, seize, pay …): idempotent by key, so retried until its deadline."""

QUICK = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    maximum_interval=timedelta(seconds=10),
    non_retryable_error_types=DETERMINISTIC_ERRORS,
)
"""Our own short steps: computing a deadline, projecting a task into the inbox."""

INQUIRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=500),
    maximum_interval=timedelta(seconds=10),
    non_retryable_error_types=DETERMINISTIC_ERRORS,
)
"""A partner that did not answer the first inquiry pass, asked again until its answer deadline."""

FAN_OUT = RetryPolicy(maximum_attempts=3, non_retryable_error_types=DETERMINISTIC_ERRORS)
"""The one activity that asks every partner at once: a failed pass falls back to asking each."""

ARCHIVE = RetryPolicy(maximum_interval=timedelta(seconds=30), non_retryable_error_types=DETERMINISTIC_ERRORS)
