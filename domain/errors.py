"""Errors that carry a machine-readable code, the field they concern and a human-readable message."""

from __future__ import annotations

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    """What an API caller or a partner sees: ``code`` for machines, ``message`` for people."""

    code: str
    message: str
    field: str | None = None


class OneMatterError(Exception):
    """Base of every error we raise on purpose. ``status`` is the HTTP status the web maps it to."""

    status: int = 400

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{code}: {message}" + (f" (field: {field})" if field else ""))
        self.code = code
        self.message = message
        self.field = field

    def detail(self) -> ErrorDetail:
        return ErrorDetail(code=self.code, message=self.message, field=self.field)


class ValidationFailed(OneMatterError):
    status = 422


class NotFound(OneMatterError):
    status = 404


class Forbidden(OneMatterError):
    status = 403


class Conflict(OneMatterError):
    status = 409
