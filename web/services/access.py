"""Who may do what, checked by the services themselves: the API's dependencies and the UI's page guards
answer early, these make sure no door leads around a rule."""

from __future__ import annotations

from domain.actors import Actor, Role
from domain.errors import Forbidden

# Judges, auditors and admins read cases; judges alone change them.
READERS = (Role.JUDGE, Role.AUDITOR, Role.ADMIN)
DECIDERS = (Role.JUDGE,)


def require_role(actor: Actor, *roles: Role) -> None:
    """Raises ``ROLE_FORBIDDEN`` unless the actor has one of ``roles`` (the message the API has always given)."""
    if actor.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden("ROLE_FORBIDDEN", f"role {actor.role.value} may not do this (allowed: {allowed})")
