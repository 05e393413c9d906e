"""Who may do what, checked by the services themselves: the API's dependencies and the UI's page guards
answer early, these make sure no door leads around a rule.

Courts are tenants (法院即租户): every case belongs to the court that started it (its ``OmCourt``), and a
user sees the cases of their courts only — a judge and an approver one court, a supervisor and an
auditor a set. Outside them a case does not exist: the answer is the same 404 as for an unknown id, so
no one learns that another court's case is there. Agencies see their own tasks, in whichever court;
admins administer accounts and read the cases of their courts, if they have any.
"""

from __future__ import annotations

from domain.actors import Actor, Role
from domain.errors import Forbidden, NotFound

# Who reads cases (each within their courts) and who changes them.
READERS = (Role.JUDGE, Role.APPROVER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
STARTERS = (Role.JUDGE,)  # start and cancel a case, act on its tasks as the court
DECIDERS = (Role.JUDGE, Role.APPROVER)  # the workflow's decision desk says which decision is whose
TASK_REASSIGNERS = (Role.JUDGE, Role.SUPERVISOR)  # 执行指挥中心 reassigns across its courts
# Who fetches an agency's attachments besides that agency: the court's judges, supervisors, auditors.
ATTACHMENT_READERS = (Role.JUDGE, Role.SUPERVISOR, Role.AUDITOR)


def require_role(actor: Actor, *roles: Role) -> None:
    """Raises ``ROLE_FORBIDDEN`` unless the actor has one of ``roles`` (the message the API has always given)."""
    if actor.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden("ROLE_FORBIDDEN", f"role {actor.role.value} may not do this (allowed: {allowed})")


def workflow_not_found(workflow_id: str) -> NotFound:
    """The one answer for an unknown case and for a case of another court: they must not differ."""
    return NotFound("WORKFLOW_NOT_FOUND", f"no workflow {workflow_id!r}", "workflow_id")


def require_court(actor: Actor, court: str | None, workflow_id: str) -> None:
    """404 unless the case's ``court`` is one of the actor's (see the module docstring)."""
    if not actor.in_court(court):
        raise workflow_not_found(workflow_id)


def courts_clause(actor: Actor, field: str) -> str | None:
    """A visibility-query clause keeping the actor's courts only (``field`` is the court attribute);
    None when the actor has no court, whose list is then empty — never "everything". Court names hold
    no quote, backslash or control character (web/accounts.py checks them), so doubling ``'`` is enough."""
    if actor.role is Role.SYSTEM:
        return f"{field} IS NOT NULL"
    if not actor.courts:
        return None
    literals = ", ".join("'" + c.replace("'", "''") + "'" for c in actor.courts)
    return f"{field} IN ({literals})"
