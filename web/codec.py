"""Remote codec endpoint for Temporal's UI (``--ui-codec-endpoint {public_base_url}/codec``).

Temporal's remote codec protocol: ``POST /codec/decode`` and ``POST /codec/encode`` take and return
``{"payloads": [{"metadata": {key: base64}, "data": base64}]}``. Decoding reveals personal data, so only
admins may call it — with a bearer token, or with the UI's session cookie when
Temporal's UI is set to include cross-origin credentials. CORS admits the Temporal UI's origin only.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.api.common.v1 import Payload

from domain.actors import Actor, Role
from domain.errors import Forbidden, ValidationFailed
from runtime.logging import get_logger
from security.converter import build_codec
from web.api.common import errors
from web.deps import State
from web.errors import Unauthorized
from web.services import users

log = get_logger(__name__)
router = APIRouter(prefix="/codec", tags=["codec"])

SESSION_COOKIE = "om_session"  # the UI's session cookie (web/ui/session.py uses the same name)
# Admins (operators) only. A payload carries no workflow id, so a codec call cannot be held to the
# caller's courts; and Temporal's UI, its only client, is reachable by operators alone
# (docs/security.md). Judges, approvers, supervisors and auditors read cases through the web, by court.
CODEC_ROLES = (Role.ADMIN,)
MAX_PAYLOADS = 1000


# Standard base64 with its padding: exactly what ``_unb64`` takes (the schema says it; the check stays ours).
_BASE64 = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class WirePayload(BaseModel):
    metadata: dict[str, str] = Field(
        default_factory=dict,
        description="values in base64",
        json_schema_extra={"additionalProperties": {"type": "string", "pattern": _BASE64}},
    )
    data: str = Field(default="", description="base64", json_schema_extra={"pattern": _BASE64})


class PayloadsBody(BaseModel):
    payloads: list[WirePayload] = Field(max_length=MAX_PAYLOADS)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _cors_headers(request: Request, allowed_origin: str) -> dict[str, str]:
    origin = request.headers.get("origin")
    if origin != allowed_origin:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Namespace",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }


async def codec_actor(request: Request, state: State) -> Actor:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token:
        token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise Unauthorized("UNAUTHENTICATED", "a bearer token (or a One-Matter session) is required")
    actor = await users.actor_for(state.db, token.strip())
    if actor is None:
        raise Unauthorized("INVALID_TOKEN", "the token is unknown, expired or revoked")
    if actor.role not in CODEC_ROLES:
        raise Forbidden("ROLE_FORBIDDEN", f"role {actor.role.value} may not read encrypted payloads")
    request.state.user = str(actor)
    return actor


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("INVALID_BASE64", f"{field} is not valid base64", field) from None


def _to_proto(p: WirePayload, i: int) -> Payload:
    metadata = {k: _unb64(v, f"payloads.{i}.metadata.{k}") for k, v in p.metadata.items()}
    return Payload(metadata=metadata, data=_unb64(p.data, f"payloads.{i}.data"))


def _to_wire(p: Payload) -> dict[str, Any]:
    return {"metadata": {k: _b64(v) for k, v in p.metadata.items()}, "data": _b64(p.data)}


async def _transform(request: Request, state: State, body: PayloadsBody, encode: bool) -> JSONResponse:
    codec = build_codec(state.settings.codec_keys)
    payloads = [_to_proto(p, i) for i, p in enumerate(body.payloads)]
    try:
        out = await (codec.encode(payloads) if encode else codec.decode(payloads))
    except Exception as exc:  # unknown key id or forged ciphertext: refuse the whole batch, say which kind
        log.warning("codec request failed", error=type(exc).__name__)
        raise ValidationFailed(
            "UNDECODABLE_PAYLOAD", f"a payload could not be processed ({type(exc).__name__})"
        ) from None
    return JSONResponse({"payloads": [_to_wire(p) for p in out]})


CodecActor = Annotated[Actor, Depends(codec_actor)]


def install(app: FastAPI) -> None:
    """Mounts the routes, and answers every /codec response (errors too, so the UI can show a 401)
    with the CORS headers for Temporal's UI."""
    app.include_router(router)
    app.add_middleware(_CodecCorsMiddleware, prefix=router.prefix + "/")


class _CodecCorsMiddleware:
    """Adds the CORS headers to /codec responses only. Plain ASGI, not ``@app.middleware("http")``:
    that wraps every request of the web in a task and a stream, which cost the inbox a third of its
    throughput for a header on one route."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        request = Request(scope)

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                settings = request.app.state.om.settings
                MutableHeaders(scope=message).update(_cors_headers(request, origin_of(settings.temporal_ui_url)))
            await send(message)

        await self.app(scope, receive, with_cors)


@router.options("/{action}", include_in_schema=False)
async def preflight(action: str, request: Request, state: State) -> Response:
    """CORS preflight from Temporal's UI; no credentials are sent with it, so none are asked for."""
    headers = _cors_headers(request, origin_of(state.settings.temporal_ui_url))
    return Response(status_code=204 if headers else 403, headers=headers)


@router.post("/decode", responses=errors(401, 403, 422))
async def decode(request: Request, body: PayloadsBody, _: CodecActor, state: State) -> JSONResponse:
    """Decrypts payloads for Temporal's UI (admins: the operators who reach it)."""
    return await _transform(request, state, body, encode=False)


@router.post("/encode", responses=errors(401, 403, 422))
async def encode(request: Request, body: PayloadsBody, _: CodecActor, state: State) -> JSONResponse:
    """Encrypts payloads (Temporal's UI uses it when a user sends a signal or starts a workflow from it)."""
    return await _transform(request, state, body, encode=True)
