"""Finding cases (案件查询): a judge's own cases (started or decided by them), filters by scenario,
status and start date, a case number, and every case that names one party (through the blind index of
``parties``).

Built on the list of ``workflows``: the same visibility query, and always within the caller's courts
(``search_for``), so a search by party never reveals a case of another court — it only narrows.
"""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, Field
from temporalio.client import Client

from config.settings import Settings
from domain.actors import Actor, Role
from domain.errors import ValidationFailed
from domain.legal_time import CHINA_TZ
from runtime.temporal import DECIDED_BY, STARTED_BY
from store.db import Database
from web.services import parties
from web.services.workflow_list import build_list_query, quote, search_for
from web.services.workflow_views import WorkflowPage


class CaseSearch(BaseModel):
    case_number: str | None = None
    scenario: str | None = None
    status: str | None = None
    temporal_status: str | None = None
    started_by: str | None = Field(default=None, description="user id of who started it")
    involving: str | None = Field(
        default=None, description="user id of who started it or took a decision in it (我经办的: my cases)"
    )
    started_from: date | None = Field(default=None, description="started on or after this day (China time)")
    started_to: date | None = Field(default=None, description="started on or before this day (China time)")
    party: str | None = Field(default=None, description="ID number or credit code of a party the case names")


def _day_start(day: date) -> str:
    return datetime.combine(day, time.min, CHINA_TZ).isoformat()


async def search_cases(
    client: Client,
    db: Database,
    settings: Settings,
    actor: Actor,
    filters: CaseSearch,
    page_size: int = 50,
    page_token: str | None = None,
) -> WorkflowPage:
    """One page of the caller's cases matching every filter given."""
    if filters.started_from and filters.started_to and filters.started_from > filters.started_to:
        raise ValidationFailed("INVALID_DATE_RANGE", "started_from is after started_to", "started_from")
    query = build_list_query(
        filters.case_number, filters.scenario, filters.status, filters.temporal_status, filters.started_by
    )
    clauses = [query]
    if filters.involving:
        # One visibility query: OmDeciders is a keyword list, and ``=`` matches any of its values.
        user = quote(filters.involving, "involving")
        clauses.append(f"({STARTED_BY.name} = {user} OR {DECIDED_BY.name} = {user})")
    if filters.started_from:
        clauses.append(f"StartTime >= {quote(_day_start(filters.started_from))}")
    if filters.started_to:
        clauses.append(f"StartTime < {quote(_day_start(date.fromordinal(filters.started_to.toordinal() + 1)))}")
    if filters.party:
        courts = None if actor.role is Role.SYSTEM else actor.courts
        ids = await parties.cases_of(db, settings.party_index_keys, filters.party, courts)
        if not ids:
            return WorkflowPage(items=[])
        clauses.append(f"WorkflowId IN ({', '.join(quote(i, 'party') for i in ids)})")
    return await search_for(client, db, actor, " AND ".join(clauses), page_size, page_token)
