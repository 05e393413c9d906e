"""Cases (执行案件流程) as the API and the UI see them, one module per job:

- ``workflow_views``   — what they show and take (list rows, a case's page, filters, decision and cancel bodies);
- ``workflow_list``    — the visibility query and one page of the list, within the actor's courts;
- ``workflow_detail``  — one workflow as a user may see it, built once per history length and cached;
- ``workflow_updates`` — the gateway for Updates sent as the acting user, and a judge's decision;
- ``workflow_cancel``  — a judge cancelling a case.

Reads come from Temporal itself — visibility for the list, describe plus the ``status`` query for one
workflow — so what a judge or auditor sees is what the workflow holds, never a stale copy. Changes go to
the workflow as Updates (decisions) or as a recorded signal plus Temporal's cancellation (cancel), always
sent as the acting user. This module names them for the routes and pages that speak of "the cases".
"""

from __future__ import annotations

from web.services.workflow_cancel import cancel
from web.services.workflow_detail import QUERY_TIMEOUT, describe_or_404, get_workflow, visible_case
from web.services.workflow_list import build_list_query, list_workflows, quote, search, search_for, summary_of
from web.services.workflow_updates import (
    DECISION_TIMEOUT_SECONDS,
    decide,
    execute_update_as,
    refusal_error,
    wait_until_settled,
)
from web.services.workflow_views import (
    CancelBody,
    CancelRequested,
    DecisionBody,
    IncidentView,
    ListFilter,
    WorkflowDetail,
    WorkflowPage,
    WorkflowSummary,
)

__all__ = [
    "DECISION_TIMEOUT_SECONDS",
    "QUERY_TIMEOUT",
    "CancelBody",
    "CancelRequested",
    "DecisionBody",
    "IncidentView",
    "ListFilter",
    "WorkflowDetail",
    "WorkflowPage",
    "WorkflowSummary",
    "build_list_query",
    "cancel",
    "decide",
    "describe_or_404",
    "execute_update_as",
    "get_workflow",
    "list_workflows",
    "quote",
    "refusal_error",
    "search",
    "search_for",
    "summary_of",
    "visible_case",
    "wait_until_settled",
]
