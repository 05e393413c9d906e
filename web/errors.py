"""One error shape for every 4xx/5xx: ``{"code", "message", "field"}`` (domain.errors.ErrorDetail).

Request validation adds ``errors: [{field, rule, message}]`` listing every failure; ``field`` is the dotted
path inside the body (``debtor.id_number``). Input values are never echoed: they may be personal data.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from temporalio.service import RPCError, RPCStatusCode

from domain.errors import ErrorDetail, OneMatterError
from runtime.logging import get_logger

log = get_logger(__name__)

VALIDATION_FAILED = "VALIDATION_FAILED"
# Where FastAPI found the bad value; the field path inside it is what a caller can act on.
_LOCATION_ROOTS = ("body", "query", "path", "header", "cookie")


class Unauthorized(OneMatterError):
    status = 401


class ServiceUnavailable(OneMatterError):
    status = 503


class GatewayTimeout(OneMatterError):
    status = 504


class TooManyRequests(OneMatterError):
    status = 429


class FieldError(BaseModel):
    field: str | None
    rule: str
    message: str


class ValidationErrorBody(ErrorDetail):
    """422 body: the first failure up front, all of them in ``errors``."""

    errors: list[FieldError]


def _field(loc: Sequence[Any]) -> str | None:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATION_ROOTS:
        parts = parts[1:]
    return ".".join(parts) or None


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err.get("msg", "invalid"))
    # pydantic prefixes messages of plain ValueErrors; the rule is reported separately anyway.
    return msg.removeprefix("Value error, ")


def field_errors(errors: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    out: list[FieldError] = []
    for err in errors:
        rule = str(err.get("type", "invalid"))
        # A JSON syntax error's location is a character offset, not a field.
        field = None if rule == "json_invalid" else _field(err.get("loc", ()))
        out.append(FieldError(field=field, rule=rule, message=_message(err)))
    return out


def validation_response(errors: Sequence[Mapping[str, Any]]) -> JSONResponse:
    items = field_errors(errors) or [FieldError(field=None, rule="invalid", message="invalid request")]
    first = items[0]
    where = f"{first.field}: " if first.field else ""
    body = ValidationErrorBody(
        code=VALIDATION_FAILED,
        message=f"{where}{first.message} (rule: {first.rule})",
        field=first.field,
        errors=items,
    )
    return JSONResponse(body.model_dump(), status_code=422)


def error_body(status: int, code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """What every error answers: a 422 in the documented ``ValidationErrorBody`` shape (the one failure also
    listed in ``errors``), any other status an ``ErrorDetail``."""
    if status == 422:
        one = FieldError(field=field, rule=code, message=message)
        return ValidationErrorBody(code=code, message=message, field=field, errors=[one]).model_dump()
    return ErrorDetail(code=code, message=message, field=field).model_dump()


def error_response(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(status, code, message, field), status, headers=headers)


_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


async def _on_domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OneMatterError)
    return error_response(exc.status, exc.code, exc.message, exc.field)


async def _on_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return validation_response(exc.errors())


BODY_UNREADABLE = "BODY_UNREADABLE"


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path: Starlette's 405 names only the first route's (``POST``
    where another route of the same path serves ``GET``)."""
    allowed = [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in request.app.router.routes)
    ]
    return ", ".join(allowed)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # The framework's only 400: a body that does not parse as the media type it declares (JSON that is
        # not UTF-8, broken multipart). Our routes raise none; a validation failure like any other.
        message = "the body cannot be read as the media type it declares / 请求体无法按其声明的类型解析"
        return error_response(422, BODY_UNREADABLE, message)
    code = _HTTP_CODES.get(exc.status_code, f"HTTP_{exc.status_code}")
    message = exc.detail if isinstance(exc.detail, str) else code.lower().replace("_", " ")
    resp = error_response(exc.status_code, code, message)
    for k, v in (exc.headers or {}).items():
        resp.headers[k] = v
    if exc.status_code == 405:
        resp.headers["Allow"] = _allowed_methods(request)
    return resp


async def _on_rpc_error(request: Request, exc: Exception) -> JSONResponse:
    """Temporal errors that no route handled itself: the server is down, slow or refused the call."""
    assert isinstance(exc, RPCError)
    log.warning("temporal call failed", path=request.url.path, rpc_status=exc.status.name, error=exc.message)
    if exc.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED):
        return error_response(503, "TEMPORAL_UNAVAILABLE", "the workflow service did not answer; try again")
    if exc.status is RPCStatusCode.NOT_FOUND:
        return error_response(404, "NOT_FOUND", "no such workflow or activity")
    return error_response(502, "TEMPORAL_ERROR", f"the workflow service refused the call ({exc.status.name})")


async def _on_unhandled(request: Request, exc: Exception) -> JSONResponse:
    # Formatted here, as a plain field, so the log scrubber sees the text (an exception may quote input).
    trace = "".join(traceback.format_exception(exc))
    log.error("unhandled error", path=request.url.path, error=type(exc).__name__, traceback=trace)
    return error_response(500, "INTERNAL_ERROR", "internal error; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OneMatterError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RPCError, _on_rpc_error)
    app.add_exception_handler(Exception, _on_unhandled)
