"""The list of scenario workflows: the visibility query built from the filters (each value quoted so it
cannot inject a clause), one page of rows read straight from visibility, kept to the workflows the web
started (their court and starter from its register, web/services/register.py), always within the actor's
courts."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime

from temporalio.api.workflow.v1 import WorkflowExecutionInfo
from temporalio.api.workflowservice.v1 import ListWorkflowExecutionsRequest
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
)
from temporalio.common import TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from domain.actors import Actor, Role
from domain.errors import ValidationFailed
from runtime.temporal import CASE_NUMBER, COURT, SCENARIO, STARTED_BY, STATUS
from store.db import Database
from store.started import Registered
from web.services import register
from web.services.access import READERS, courts_clause, require_role
from web.services.workflow_views import ListFilter, WorkflowPage, WorkflowSummary

# RUNNING -> Running, CONTINUED_AS_NEW -> ContinuedAsNew: how visibility spells ExecutionStatus.
_TEMPORAL_STATUS_FILTER = {s.name: s.name.title().replace("_", "") for s in WorkflowExecutionStatus}


# Temporal's visibility parser treats backslashes and double quotes inconsistently (a value holding
# either cannot be matched, a trailing backslash breaks the query); neither occurs in a case number,
# a scenario or a status word, so such filters are refused instead of guessed at.
_UNQUOTABLE = re.compile(r'[\\"\x00-\x1f\x7f]')


def quote(value: str, field: str = "filter") -> str:
    """A visibility-query string literal. A single quote is doubled, so a case number such as
    ``(2026)浙0102执1'号`` cannot end the literal and inject a clause."""
    if _UNQUOTABLE.search(value):
        raise ValidationFailed(
            "INVALID_FILTER", "a filter value may not contain backslashes, double quotes or control characters", field
        )
    return "'" + value.replace("'", "''") + "'"


def build_list_query(
    case_number: str | None = None,
    scenario: str | None = None,
    status: str | None = None,
    temporal_status: str | None = None,
    started_by: str | None = None,
) -> str:
    clauses = [f"{SCENARIO.name} IS NOT NULL"]
    filters = (
        ("case_number", CASE_NUMBER, case_number),
        ("scenario", SCENARIO, scenario),
        ("status", STATUS, status),
        ("started_by", STARTED_BY, started_by),
    )
    for field, key, value in filters:
        if value:
            clauses.append(f"{key.name} = {quote(value, field)}")
    if temporal_status:
        wanted = _TEMPORAL_STATUS_FILTER.get(temporal_status.upper())
        if wanted is None:
            raise ValidationFailed(
                "INVALID_TEMPORAL_STATUS",
                f"temporal_status must be one of {', '.join(_TEMPORAL_STATUS_FILTER)}",
                "temporal_status",
            )
        clauses.append(f"ExecutionStatus = {quote(wanted)}")
    # No ORDER BY: SQL visibility (dev server, PostgreSQL) refuses it and already lists newest first.
    return " AND ".join(clauses)


def summary_of(
    workflow_id: str,
    attrs: TypedSearchAttributes,
    status: WorkflowExecutionStatus | None,
    started: datetime | None,
    closed: datetime | None,
    owner: Registered,
) -> WorkflowSummary:
    """A list row from what describe says about a workflow, its trusted fields from the register."""
    own = owner.workflow_id == workflow_id
    return WorkflowSummary(
        workflow_id=workflow_id,
        scenario=(owner.scenario if own else None) or attrs.get(SCENARIO),
        case_number=(owner.case_number if own else None) or attrs.get(CASE_NUMBER),
        court=owner.court,
        started_by=owner.started_by if own else attrs.get(STARTED_BY),
        status=attrs.get(STATUS),
        temporal_status=status.name if status else None,
        started_at=started,
        closed_at=closed,
    )


def _decode_page_token(token: str | None) -> bytes | None:
    if not token:
        return None
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            "INVALID_PAGE_TOKEN", "next_page_token is not one we issued", "next_page_token"
        ) from None


# Only these search attributes make a list row; decoding nothing else (memo, Temporal's own attributes)
# keeps a 100-row page cheap — the SDK's full decoding of every row was most of the cases list's cost.
_ROW_KEYS = {key.name: key for key in (SCENARIO, CASE_NUMBER, COURT, STARTED_BY, STATUS)}


def _row(info: WorkflowExecutionInfo, owner: Registered) -> WorkflowSummary:
    """A list row straight from visibility's wire form (our keyword attributes are JSON strings), its
    trusted fields from the register (``owner``: the workflow's own row, or its root's)."""
    fields = info.search_attributes.indexed_fields
    values = {key: json.loads(fields[name].data) for name, key in _ROW_KEYS.items() if name in fields}
    own = owner.workflow_id == info.execution.workflow_id
    return WorkflowSummary(
        workflow_id=info.execution.workflow_id,
        scenario=(owner.scenario if own else None) or values.get(SCENARIO),
        case_number=(owner.case_number if own else None) or values.get(CASE_NUMBER),
        court=owner.court,
        started_by=owner.started_by if own else values.get(STARTED_BY),
        status=values.get(STATUS),
        temporal_status=WorkflowExecutionStatus(info.status).name if info.status else None,
        started_at=info.start_time.ToDatetime(UTC) if info.HasField("start_time") else None,
        closed_at=info.close_time.ToDatetime(UTC) if info.HasField("close_time") else None,
    )


async def search(
    client: Client,
    db: Database,
    query: str,
    page_size: int,
    page_token: str | None = None,
    courts: tuple[str, ...] | None = None,
) -> WorkflowPage:
    """One page of scenario workflows matching a visibility ``query`` (from :func:`build_list_query`): only
    those the web started (web/services/register.py), of ``courts`` by the register (None: every court). A
    page may hold fewer rows than asked when visibility answered with workflows that are not the web's."""
    request = ListWorkflowExecutionsRequest(
        namespace=client.namespace,
        query=query,
        page_size=page_size,
        next_page_token=_decode_page_token(page_token) or b"",
    )
    try:
        response = await client.workflow_service.list_workflow_executions(request, retry=True)
    except RPCError as exc:
        # A token Temporal cannot read is the caller's mistake (or a forgery), not an outage; the dev
        # server's SQL visibility answers such a token with UNKNOWN rather than INVALID_ARGUMENT.
        if page_token and exc.status in (RPCStatusCode.INVALID_ARGUMENT, RPCStatusCode.UNKNOWN):
            raise ValidationFailed(
                "INVALID_PAGE_TOKEN", "next_page_token is not one we issued", "next_page_token"
            ) from None
        raise
    found = await register.owners(db, response.executions)
    items = [
        _row(info, found[info.execution.workflow_id])
        for info in response.executions
        if info.execution.workflow_id in found and (courts is None or found[info.execution.workflow_id].court in courts)
    ]
    next_token = response.next_page_token
    token = base64.urlsafe_b64encode(next_token).decode().rstrip("=") if next_token else None
    return WorkflowPage(items=items, next_page_token=token)


async def list_workflows(
    client: Client,
    db: Database,
    actor: Actor,
    filters: ListFilter,
    page_size: int = 50,
    page_token: str | None = None,
) -> WorkflowPage:
    """Scenario workflows of the actor's courts (running first, then by closing time, newest first), filtered."""
    require_role(actor, *READERS)
    query = build_list_query(
        filters.case_number, filters.scenario, filters.status, filters.temporal_status, filters.started_by
    )
    return await search_for(client, db, actor, query, page_size, page_token)


async def search_for(
    client: Client, db: Database, actor: Actor, query: str, page_size: int, page_token: str | None = None
) -> WorkflowPage:
    """:func:`search` within the actor's courts: every list a user sees goes through here. The court
    clause narrows visibility's answer; the register's court decides."""
    require_role(actor, *READERS)
    scope = courts_clause(actor, COURT.name)
    if scope is None:
        return WorkflowPage(items=[])
    courts = None if actor.role is Role.SYSTEM else tuple(actor.courts)
    return await search(client, db, f"{query} AND {scope}", page_size, page_token, courts)
