"""Who acts: every start, signal, update and decision carries the acting user and role."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Role(StrEnum):
    JUDGE = "judge"  # 法官: starts scenarios, takes decisions the law reserves to the court
    AGENCY = "agency"  # 协助执行单位 user or partner system, bound to one agency
    AUDITOR = "auditor"  # 审计: reads everything, changes nothing
    ADMIN = "admin"  # 系统管理员
    SYSTEM = "system"  # the platform itself (timers, partner callbacks, benchmarks)


class Actor(BaseModel):
    """The authenticated caller. No personal data: a user id, a role and, for agencies, the agency id."""

    user_id: str = Field(min_length=1, max_length=64)
    role: Role
    agency: str | None = Field(default=None, description="partner id the agency user is bound to")

    def __str__(self) -> str:
        return f"{self.user_id} ({self.role.value}{'@' + self.agency if self.agency else ''})"


SYSTEM_ACTOR = Actor(user_id="system", role=Role.SYSTEM)
