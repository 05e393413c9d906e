"""Shared pieces of the API modules: documented error responses."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

from domain.errors import ErrorDetail
from web.errors import ValidationErrorBody

_DESCRIPTIONS = {
    401: "missing, unknown, expired or revoked bearer token",
    403: "the caller's role or agency may not do this",
    404: "no such resource",
    409: "refused in the current state",
    413: "the body is larger than this route accepts",
    415: "the body's media type is not one this route accepts",
    422: "the request failed validation",
    429: "too many failed attempts; retry after the Retry-After header's seconds",
    503: "the workflow service or database is not answering",
}


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A moment: the day, then the time of day (seconds, fraction and zone optional), as RFC 3339 writes it.
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _written_as(pattern: re.Pattern[str], rule: str) -> Callable[[object], object]:
    """Only text of ``pattern``: pydantic would also read ``0`` or ``0.5`` as a Unix time (1970-01-01), which
    the schema's ``format: date`` / ``date-time`` does not document (the review's Schemathesis run found
    ``started_to=0`` accepted, a later run ``due_before=0.5``)."""

    def check(value: object) -> object:
        if isinstance(value, str) and not pattern.match(value):
            raise ValueError(rule)
        return value

    return check


# A day and a moment in a query string, as the OpenAPI schema documents them.
IsoDay = Annotated[date, BeforeValidator(_written_as(_ISO_DAY, "a day is written YYYY-MM-DD"))]
IsoMoment = Annotated[
    datetime, BeforeValidator(_written_as(_ISO_MOMENT, "a moment is written YYYY-MM-DDTHH:MM[:SS][zone]"))
]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given error statuses, all in the common error shape."""
    return {
        s: {"model": ValidationErrorBody if s == 422 else ErrorDetail, "description": _DESCRIPTIONS.get(s, "error")}
        for s in statuses
    }
