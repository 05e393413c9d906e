"""The one HTTP client partner adapters use.

httpx with explicit timeouts, over aiohttp's connection pool (the httpx-aiohttp transport): the same
client API for less CPU per request than httpcore's pool, and CPU per request is what bounds a worker
that asks twenty partners per inquiry (docs/performance.md). Transport failures still surface as
``httpx.TransportError``. Tenacity retries *transport* failures only (connection refused, a read
timeout) a few times within one activity attempt; Temporal owns the long retries. Answers are sorted
into a retryable outage (5xx, 408, 429, transport) or a non-retryable business refusal (other 4xx),
which carries the partner's reason code.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from httpx_aiohttp import AiohttpTransport
from pydantic import BaseModel, TypeAdapter, ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

from domain.partners import PartnerEndpoint

IDEMPOTENCY_HEADER = "Idempotency-Key"  # every mutating call carries its step's key


class ErrorBody(BaseModel):
    """A refusal's or an outage's body: ``code`` for machines, ``message`` for people."""

    code: str
    message: str


M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_RETRYABLE_STATUS = frozenset({408, 425, 429})
_LIMITS = httpx.Limits(max_connections=50, max_keepalive_connections=20)


def partner_transport() -> httpx.AsyncBaseTransport:
    """A partner client's own connection pool (one per partner)."""
    return AiohttpTransport(limits=_LIMITS)


class PartnerError(Exception):
    def __init__(self, partner_id: str, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{partner_id}: {code}: {message}")
        self.partner_id = partner_id
        self.code = code
        self.message = message
        self.status = status


class PartnerUnavailable(PartnerError):
    """An outage: the partner may succeed later. Temporal retries the activity."""


class PartnerRefusal(PartnerError):
    """A business refusal (account closed, title not found): retrying cannot change the answer."""


class PartnerProtocolError(PartnerRefusal):
    """The partner answered something we cannot read; a person must look, so we do not retry."""


class PartnerHttpClient:
    """One ``httpx.AsyncClient`` per partner, with its timeouts, token and retry budget."""

    def __init__(
        self,
        endpoint: PartnerEndpoint,
        transport: httpx.AsyncBaseTransport | None = None,
        transport_attempts: int = 3,
        transport_budget_seconds: float = 5.0,
    ) -> None:
        self.endpoint = endpoint
        self._attempts = transport_attempts
        self._budget = transport_budget_seconds
        self._transport = transport or partner_transport()
        self._client = httpx.AsyncClient(
            base_url=endpoint.base_url.rstrip("/") + "/",
            timeout=httpx.Timeout(
                connect=endpoint.connect_timeout_seconds,
                read=endpoint.read_timeout_seconds,
                write=endpoint.read_timeout_seconds,
                pool=endpoint.connect_timeout_seconds,
            ),
            headers={"Authorization": f"Bearer {endpoint.token}"} if endpoint.token else {},
            transport=self._transport,
            limits=_LIMITS,
        )
        # Parsing and merging the base URL costs httpx more than the rest of building a request; a partner
        # has a handful of paths, so each is resolved once.
        self._url = functools.lru_cache(maxsize=64)(self._client.base_url.join)

    @property
    def partner_id(self) -> str:
        return self.endpoint.id

    async def aclose(self) -> None:
        await self._client.aclose()

    async def post(
        self,
        path: str,
        body: BaseModel,
        answer: type[M],
        idempotency_key: str | None = None,
    ) -> tuple[int, M]:
        # pydantic's own JSON (compact, UTF-8, as httpx's ``json=`` writes it) in one pass, not a dict then json.dumps.
        headers = {"Content-Type": "application/json"}
        if idempotency_key:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        response = await self._send("POST", path, content=body.model_dump_json().encode(), headers=headers)
        return response.status_code, self._parse(response, answer)

    async def get(self, path: str, answer: type[M], params: dict[str, Any] | None = None) -> M:
        response = await self._send("GET", path, params=params)
        return self._parse(response, answer)

    async def post_json_bytes(self, path: str, body: bytes, idempotency_key: str | None = None) -> httpx.Response:
        """POSTs a body already encoded as JSON; the caller reads the answer (see ``parse_with``)."""
        return await self.post_bytes(path, body, "application/json", idempotency_key)

    async def post_bytes(
        self, path: str, body: bytes, content_type: str, idempotency_key: str | None = None
    ) -> httpx.Response:
        """POSTs an encoded body (JSON, an XML file); the caller reads the answer."""
        headers = {"Content-Type": content_type}
        if idempotency_key:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        return await self._send("POST", path, content=body, headers=headers)

    async def get_response(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        return await self._send("GET", path, params=params)

    def parse_with(self, response: httpx.Response, adapter: TypeAdapter[T], what: str) -> T:
        """The answer read by a pydantic ``TypeAdapter`` (typed dicts for large answers), or a protocol error."""
        try:
            return adapter.validate_json(response.content)
        except ValidationError as exc:
            raise PartnerProtocolError(
                self.partner_id, "MALFORMED_ANSWER", f"answer is not a valid {what}: {exc.error_count()} errors"
            ) from exc

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = self._url(path.lstrip("/"))
        try:
            try:
                response = await self._request(method, url, **kwargs)
            except httpx.TransportError as first:
                # Tenacity's bookkeeping costs more CPU than the request itself, so the usual case — an
                # answer on the first try — skips it; the first failure counts as tenacity's attempt 1.
                response = await self._retry_transport(first, method, url, **kwargs)
        except httpx.TransportError as exc:
            raise PartnerUnavailable(
                self.partner_id, "TRANSPORT_ERROR", f"{type(exc).__name__} calling {path}"
            ) from exc
        self._raise_for_status(response)
        return response

    async def _retry_transport(
        self, first: httpx.TransportError, method: str, url: httpx.URL, **kwargs: Any
    ) -> httpx.Response:
        failure: httpx.TransportError | None = first
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(httpx.TransportError),
            stop=stop_after_attempt(self._attempts) | stop_after_delay(self._budget),
            wait=wait_exponential(multiplier=0.1, max=1.0),
            reraise=True,
        ):
            with attempt:
                if failure is not None:
                    replayed = failure
                    failure = None
                    raise replayed
                return await self._request(method, url, **kwargs)
        raise AssertionError("unreachable: tenacity re-raises the last transport error")

    async def _request(self, method: str, url: httpx.URL, **kwargs: Any) -> httpx.Response:
        """One request, built by the client (its headers, timeouts, query) and handed to the transport
        directly: the client's send path — auth flows, redirect handling, the cookie jar, event hooks — is
        for a browser-like client, and a partner call uses none of it (a token header; no redirects, no
        cookies), while it cost ~25% of a partner call's CPU in the worker (docs/performance.md "worker-loop")."""
        request = self._client.build_request(method, url, **kwargs)
        response = await self._transport.handle_async_request(request)
        response.request = request
        try:
            await response.aread()
        except BaseException:
            await response.aclose()
            raise
        return response

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        try:
            err = ErrorBody.model_validate_json(response.content)
        except ValidationError:
            err = ErrorBody(code=f"HTTP_{status}", message=response.text[:200])
        if status >= 500 or status in _RETRYABLE_STATUS:
            raise PartnerUnavailable(self.partner_id, err.code, err.message, status)
        raise PartnerRefusal(self.partner_id, err.code, err.message, status)

    def _parse(self, response: httpx.Response, answer: type[M]) -> M:
        try:
            return answer.model_validate_json(response.content)
        except ValidationError as exc:
            raise PartnerProtocolError(
                self.partner_id,
                "MALFORMED_ANSWER",
                f"answer is not a valid {answer.__name__}: {exc.error_count()} errors",
            ) from exc


class HttpPartnerAdapter:
    """What every HTTP protocol's adapter holds: its partner's client and id, closed with it."""

    def __init__(self, endpoint: PartnerEndpoint, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.http = PartnerHttpClient(endpoint, transport=transport)
        self.partner_id = endpoint.id

    async def aclose(self) -> None:
        await self.http.aclose()


def path_segment(value: str) -> str:
    """An id as one URL path segment (a unit number or an auction id may hold ``/``)."""
    return quote(value, safe="")
