"""sandbox-v1 of the SMS gateway (simulators/sms.py): ``POST sms/v1/messages`` with an idempotency key."""

from __future__ import annotations

import httpx
from pydantic import BaseModel

from adapters.base import PartnerHttpClient
from domain.partners import PartnerEndpoint


class _Message(BaseModel):
    phone: str
    text: str


class _Accepted(BaseModel):
    message_id: str


class SandboxSmsGateway:
    def __init__(self, endpoint: PartnerEndpoint, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.http = PartnerHttpClient(endpoint, transport=transport)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def send(self, idempotency_key: str, phone: str, text: str) -> str:
        _, answer = await self.http.post(
            "sms/v1/messages", _Message(phone=phone, text=text), _Accepted, idempotency_key
        )
        return answer.message_id
