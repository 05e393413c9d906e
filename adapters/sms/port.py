"""What the web needs of an SMS gateway, in its own terms: send one text to one phone, exactly once."""

from __future__ import annotations

from typing import Protocol


class SmsGateway(Protocol):
    async def send(self, idempotency_key: str, phone: str, text: str) -> str:
        """Sends ``text`` to ``phone`` once per key (a retry sends nothing more); the gateway's message id."""
        ...

    async def aclose(self) -> None: ...
