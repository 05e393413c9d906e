"""The one error type of the simulators; it renders as the protocol's ``ErrorBody``."""

from __future__ import annotations

from starlette.responses import Response

from adapters.sandbox.wire import ErrorBody


class SimulatorError(Exception):
    """An answer other than success. 4xx from a partner's business rules is a refusal (and is stored as
    the idempotent answer); 5xx, 401 and missing headers are never stored."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> bytes:
        return ErrorBody(code=self.code, message=self.message).model_dump_json().encode()

    def body_response(self) -> Response:
        return Response(content=self.body(), status_code=self.status, media_type="application/json")
