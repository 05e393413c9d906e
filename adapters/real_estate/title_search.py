"""sandbox-v1 title search (不动产登记簿查询) at the real-estate registry, for the joint review (一门联审)."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from adapters.base import PartnerHttpClient
from domain.joint_review import TitleRecord
from domain.partners import PartnerEndpoint


class SandboxTitleSearchAdapter:
    """The registry's title search (不动产登记簿查询) for the joint review: ``GET units/{unit_number}``."""

    def __init__(self, endpoint: PartnerEndpoint, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.http = PartnerHttpClient(endpoint, transport=transport)
        self.partner_id = endpoint.id

    async def aclose(self) -> None:
        await self.http.aclose()

    async def title_record(self, unit_number: str) -> TitleRecord:
        return await self.http.get(f"units/{_q(unit_number)}", TitleRecord)


def _q(segment: str) -> str:
    return quote(segment, safe="")
