"""An agent collecting the applicant's money (代为收取执行款, DOMAIN §17.1, §19.5).

执行工作规定 Art 20: an agent collects enforcement money for the principal only with the principal's special
authority (特别授权). A payout of the case's money (案款发放) may name the applicant's agent as the payee — the
money then goes to the agent's account — only where the judge confirmed that agent's power of attorney with
special authority, for the applicant's side. A list naming an agent of the case on any other footing (authority
pending or refused, general authority only, the debtor's agent) is refused before anything starts.

Paying an agent instead of the party is a change of payee, and a change of payee takes four eyes (双人审批,
执行款物管理规定 Art 14; the mass payout's payee corrections are checked by a second person too): the payout
then needs a second approval whatever its total (``MassPayoutRequest.collecting_agents``).

The list's rows are matched to the agents by the party index's keyed hashes of their numbers: no number is
compared, logged or stored in clear.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import select

from config.settings import Settings
from domain.errors import ValidationFailed
from security.identity import ActorKeys
from store.blobs import BlobStore
from store.cases import CaseRow
from store.db import Database
from web.db import PartyAccount, PartyAgent
from web.services.parties import digests
from workflows.mass_payout.models import MassPayoutRequest

CONFIRMED = "confirmed"
ID_COLUMN = 3  # a stored payee row: row number, name, kind, id number, bank, account, amount (domain/payees.py)


@dataclass(frozen=True)
class AgentOfCase:
    digest: str
    collects: bool  # confirmed, with special authority, for the applicant's side


def _agents(db: Database, case_id: str) -> list[AgentOfCase]:
    rows = db.rows(
        select(PartyAccount.party_digest, PartyAgent.status, PartyAgent.special_authority, PartyAgent.role)
        .join(PartyAccount, PartyAccount.user_id == PartyAgent.user_id)
        .where(PartyAgent.case_id == case_id)
    )
    agents: dict[str, AgentOfCase] = {}
    for r in rows:
        collects = r.status == CONFIRMED and r.special_authority and r.role.startswith("applicant")
        known = agents.get(r.party_digest)
        # One confirmed special authority for the applicant is enough: other filings of theirs do not take it away.
        agents[r.party_digest] = AgentOfCase(r.party_digest, collects or (known is not None and known.collects))
    return list(agents.values())


def _agent_rows(store: BlobStore, keys: ActorKeys, digest: str, agents: list[AgentOfCase]) -> list[tuple[int, bool]]:
    """(row number, may collect) of each payee row naming an agent of the case."""
    by_digest = {a.digest: a for a in agents}
    found = []
    for row in store.read_records(digest):
        for hashed in digests(keys, str(row[ID_COLUMN])).values():
            agent = by_digest.get(hashed)
            if agent is not None:
                found.append((int(row[0]), agent.collects))
                break
    return found


async def collecting_agents(db: Database, store: BlobStore, keys: ActorKeys, case_id: str, list_sha256: str) -> int:
    """How many rows of the case's payout list pay an agent (each with confirmed special authority to collect
    for the applicant); refused ``COLLECTION_AUTHORITY_REQUIRED``, naming the first row, where a row names an
    agent of the case without it. A case without agents reads nothing."""
    agents = await db.run(_agents, db, case_id)
    if not agents:
        return 0
    rows = await asyncio.to_thread(_agent_rows, store, keys, list_sha256, agents)
    refused = [row for row, collects in rows if not collects]
    if refused:
        raise ValidationFailed(
            "COLLECTION_AUTHORITY_REQUIRED",
            f"payee_list: 第 {refused[0]} 行的收款人是本案的代理人, 未经法官确认代为收取执行款的特别授权,"
            " 不得代申请执行人收款 (执行工作规定第二十条) / an agent is paid only with confirmed special authority"
            " to collect for the applicant",
            "payee_list",
        )
    return len(rows)


def _case_id(db: Database, case_number: str, court: str) -> str | None:
    rows = db.rows(select(CaseRow.case_id).where(CaseRow.case_number == case_number, CaseRow.court == court))
    return rows[0].case_id if rows else None


async def checked(db: Database, settings: Settings, request: BaseModel) -> BaseModel:
    """A payout's request with the rows paying an agent counted (``collecting_agents``), those of its case —
    started from the case or naming its number — checked as above; any other request as it is. A count the
    judge sent is kept only if higher: it can add the second approval, never take it away."""
    if not isinstance(request, MassPayoutRequest):
        return request
    case_id = request.case.case_id if request.case else await db.run(_case_id, db, request.case_number, request.court)
    if case_id is None:
        return request
    store = BlobStore.for_settings(settings)
    found = await collecting_agents(db, store, settings.party_index_keys, case_id, request.payee_list.sha256)
    return request.model_copy(update={"collecting_agents": max(found, request.collecting_agents)})
