"""Shared pieces of the API modules: documented error responses."""

from __future__ import annotations

import re
from datetime import date
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


def _iso_day(value: object) -> object:
    """Only ``YYYY-MM-DD``: pydantic would also read ``0`` as a Unix time (1970-01-01), which the schema's
    ``format: date`` does not document (the review's Schemathesis run found ``started_to=0`` accepted)."""
    if isinstance(value, str) and not _ISO_DAY.match(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


# A day in a query string, as the OpenAPI schema documents it.
IsoDay = Annotated[date, BeforeValidator(_iso_day)]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given error statuses, all in the common error shape."""
    return {
        s: {"model": ValidationErrorBody if s == 422 else ErrorDetail, "description": _DESCRIPTIONS.get(s, "error")}
        for s in statuses
    }
