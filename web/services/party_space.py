"""A party's own cases (当事人的案件空间): exactly the cases whose requests name the party's number, found
through the party index (web/services/parties.py) — never a search over case data — and shown with what
the party may see of each (DOMAIN §19.4): its number, court, how it names the party, and its matters'
states. Nothing here reaches another party's data."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from pydantic import BaseModel, Field
from sqlalchemy import select
from temporalio.client import Client
from temporalio.service import RPCError

from core.temporal import CASE_NUMBER, STATUS
from domain.actors import Actor
from store.cases import CaseRow
from store.parties import PartyIndexEntry
from web.db import Database
from web.services.party_accounts import PartyDesk, party_digests

MAX_MATTERS = 200  # one party's matters a page shows; the party index caps a search at 500


class MyMatter(BaseModel):
    scenario: str
    workflow_id: str
    status: str


class MyCase(BaseModel):
    case_id: str = Field(description="the case's id (a matter filed before cases existed: its case number)")
    case_number: str
    court: str | None
    roles: list[str] = Field(description="how the case names the party: debtor, applicants …")
    matters: list[MyMatter]


def _entries(db: Database, wanted: list[str]) -> list[tuple[str, str, str, str | None]]:
    rows = db.rows(
        select(PartyIndexEntry.workflow_id, PartyIndexEntry.scenario, PartyIndexEntry.role, PartyIndexEntry.court)
        .where(PartyIndexEntry.digest.in_(wanted))
        .order_by(PartyIndexEntry.created_at)
        .limit(MAX_MATTERS)
    )
    return [(r.workflow_id, r.scenario, r.role, r.court) for r in rows]


def _filed(db: Database, workflow_ids: list[str]) -> dict[str, tuple[str, str, str]]:
    """Workflow id → (case id, case number, court) of the filed cases (执行案件) among them."""
    rows = db.rows(
        select(CaseRow.workflow_id, CaseRow.case_id, CaseRow.case_number, CaseRow.court).where(
            CaseRow.workflow_id.in_(workflow_ids)
        )
    )
    return {r.workflow_id: (r.case_id, r.case_number, r.court) for r in rows}


async def _matter(client: Client, workflow_id: str) -> tuple[str, str] | None:
    """(case number, status) as the workflow service has them; None for one it no longer knows."""
    try:
        desc = await client.get_workflow_handle(workflow_id).describe()
    except RPCError:
        return None
    attrs = desc.typed_search_attributes
    status = attrs.get(STATUS) or (desc.status.name.lower() if desc.status else "")
    return attrs.get(CASE_NUMBER) or "", status


async def my_cases(desk: PartyDesk, client: Client, actor: Actor) -> list[MyCase]:
    """The filed cases that name the party, each with the matters that name them; a matter started before
    its case was filed stands under its own case number."""
    entries = await desk.db.run(_entries, desk.db, await party_digests(desk, actor))
    by_workflow: dict[str, tuple[str, str | None, list[str]]] = {}
    for workflow_id, scenario, role, court in entries:
        _, _, roles = by_workflow.setdefault(workflow_id, (scenario, court, []))
        roles.append(role)
    filed = await desk.db.run(_filed, desk.db, list(by_workflow))
    cases: dict[str, MyCase] = {}
    roles_of: dict[str, set[str]] = defaultdict(set)
    for workflow_id, (case_id, number, court) in filed.items():
        cases[number] = MyCase(case_id=case_id, case_number=number, court=court, roles=[], matters=[])
        roles_of[number].update(by_workflow[workflow_id][2])
    matters = [w for w in by_workflow if w not in filed]
    described = await asyncio.gather(*(_matter(client, w) for w in matters))
    for workflow_id, found in zip(matters, described, strict=True):
        if found is None:
            continue
        number, status = found
        scenario, court, roles = by_workflow[workflow_id]
        case = cases.setdefault(number, MyCase(case_id=number, case_number=number, court=court, roles=[], matters=[]))
        case.matters.append(MyMatter(scenario=scenario, workflow_id=workflow_id, status=status))
        roles_of[number].update(roles)
    for number, case in cases.items():
        case.roles = sorted(roles_of[number])
    return list(cases.values())
