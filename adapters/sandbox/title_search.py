"""sandbox-v1 title search (不动产登记簿查询) at the real-estate registry, for the joint review (一门联审)."""

from __future__ import annotations

from adapters.base import HttpPartnerAdapter, path_segment
from domain.joint_review import TitleRecord


class SandboxTitleSearchAdapter(HttpPartnerAdapter):
    """The registry's title search (不动产登记簿查询) for the joint review: ``GET units/{unit_number}``."""

    async def title_record(self, unit_number: str) -> TitleRecord:
        return await self.http.get(f"units/{path_segment(unit_number)}", TitleRecord)
