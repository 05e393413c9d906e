"""Transitional: the kit's names under their old import path, until every scenario imports
``workflows.kit`` directly. Delete when nothing imports this module."""

from __future__ import annotations

from workflows.kit.archive import archive_audit_trail
from workflows.kit.decisions import input_schema
from workflows.kit.messages import DECIDE_UPDATE, PARTNER_ANSWER_UPDATE, STATUS_QUERY
from workflows.kit.models import DecisionInput, DecisionOutcome, PendingDecision, ScenarioStatus, TimelineEntry
from workflows.kit.timeline import Timeline, acting_user, failure_code, refuse, require_role

__all__ = [
    "DECIDE_UPDATE",
    "PARTNER_ANSWER_UPDATE",
    "STATUS_QUERY",
    "DecisionInput",
    "DecisionOutcome",
    "PendingDecision",
    "ScenarioStatus",
    "Timeline",
    "TimelineEntry",
    "acting_user",
    "archive_audit_trail",
    "failure_code",
    "input_schema",
    "refuse",
    "require_role",
]
