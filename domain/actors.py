"""Who acts: every start, signal, update and decision carries the acting user, role and courts."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer


class Role(StrEnum):
    JUDGE = "judge"  # 法官: starts scenarios, takes decisions the law reserves to the court
    APPROVER = "approver"  # 庭长/院长: the second approval where a court's rules demand four eyes
    FILING_CLERK = "filing_clerk"  # 立案庭: dockets enforcement cases (立案) and assigns their judge
    SUPERVISOR = "supervisor"  # 执行指挥中心: reads and reassigns across its courts
    AGENCY = "agency"  # 协助执行单位 user or partner system, bound to one agency
    AUDITOR = "auditor"  # 审计: reads the cases of its courts, changes nothing
    ADMIN = "admin"  # 系统管理员: users and tokens; reads the cases of its courts (if any)
    PARTY = "party"  # 当事人: an applicant, a debtor or their lawyer, in their own cases' space only
    SYSTEM = "system"  # the platform itself (timers, partner callbacks, benchmarks)


# Roles bound to exactly one court; supervisors and auditors to one or more; admins to any number (none:
# accounts only, no case); agencies to none (an agency serves every court).
ONE_COURT_ROLES = (Role.JUDGE, Role.APPROVER, Role.FILING_CLERK)
MANY_COURT_ROLES = (Role.SUPERVISOR, Role.AUDITOR)
ANY_COURT_ROLES = (Role.ADMIN,)
MAX_COURTS = 200


class Actor(BaseModel):
    """The authenticated caller. No personal data: a user id, a role, for agencies the agency id, and
    the courts (法院, by the name cases carry) whose cases the caller may see — outside them a case
    does not exist for this caller (courts as tenants)."""

    user_id: str = Field(min_length=1, max_length=64)
    role: Role
    agency: str | None = Field(default=None, description="partner id the agency user is bound to")
    courts: tuple[str, ...] = Field(default=(), max_length=MAX_COURTS, description="the courts of the caller")

    @model_serializer(mode="wrap")
    def _without_empty_courts(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """An actor without courts (an agency, the platform, any act recorded before courts existed)
        serialises as it always has: headers, timelines and audit trails keep their shape."""
        data: dict[str, Any] = handler(self)
        if not data.get("courts"):
            data.pop("courts", None)
        return data

    def in_court(self, court: str | None) -> bool:
        """Whether a case of ``court`` belongs to one of this caller's courts (the platform's own acts
        belong to every court)."""
        return self.role is Role.SYSTEM or (court is not None and court in self.courts)

    def __str__(self) -> str:
        return f"{self.user_id} ({self.role.value}{'@' + self.agency if self.agency else ''})"


SYSTEM_ACTOR = Actor(user_id="system", role=Role.SYSTEM)
