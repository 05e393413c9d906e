"""The enforcement case (执行案件): the entity workflow every matter belongs to. Not a scenario a judge
starts from the scenario list — a filing clerk dockets it (web/services/cases.py) — so it is registered
beside the scenarios in ``workflows.registry`` (``ENTITY_WORKFLOWS``)."""

from __future__ import annotations

from workflows.case.workflow import EnforcementCase

__all__ = ["EnforcementCase"]
