"""Who a party is in a case, and their agents (委托代理, DOMAIN §17.1, §19.5).

A party stands in a case when the party index ties their number to it. A lawyer or other agent stands in a
case only once the judge has confirmed their power of attorney (授权委托书): the agent files it, naming the
case and the principal's number; it goes to the case as an ``agency`` request; the judge confirms or
refuses with reasons. A confirmed agent acts for the principal's side, and no other; settling — proposing or
agreeing to instalments — and collecting funds need the special authority (特别授权) the power grants
(执行工作规定 Art 20). Before the judge confirms, the case does not exist for the agent.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy import bindparam, select, update

from domain.actors import Actor
from domain.case_number import normalise_case_number
from domain.documents import addressees_of, party_addressee
from domain.errors import NotFound, ValidationFailed
from domain.party_requests import AGENT_ROLE_PREFIX, PartyRequestKind, places_by_digest, sides_of
from domain.personal import IdNumber
from security.identity import ActorKeys
from store.cases import CaseRegisterEntry, CaseRow, CaseStore
from store.parties import PartyIndexEntry
from web.db import Database, PartyAgent, PartyFile, User, utcnow
from web.services.parties import digests
from web.services.party_accounts import PartyDesk, own_digests, require_party

CONFIRM = "confirm"


@dataclass(frozen=True)
class Standing:
    """A party's place in one case: their roles there (an agent: the principal's), and on what footing."""

    entry: CaseRegisterEntry
    roles: list[str]
    agent: bool = False
    special_authority: bool = False
    principals: tuple[str, ...] = ()  # an agent's: the party-index digests of the parties who signed the powers
    # (side, place) in the case's lists (``places_by_digest``) of the party, or of an agent's principals.
    places: tuple[tuple[str, int], ...] = ()

    def places_on(self, side: str) -> list[int]:
        """Their places (an agent's: the principals') among the parties of ``side``, in the case's order."""
        return sorted(n for s, n in self.places if s == side)


def addressees(st: Standing) -> set[str]:
    """Whom this party answers to among a document's addressees: their sides, and themselves by place in the
    case's lists (a personal notice, ``debtor-2``, reaches that debtor and not the others). A confirmed agent
    answers for the principal who signed the power of attorney (授权委托书), within the authority it gives:
    the side's documents and that party's own, never another party's of the same side."""
    sides = {str(side) for side in sides_of(st.roles)}
    return addressees_of(sides, st.places)


def answers_for(st: Standing, side: str, position: int) -> bool:
    """Whether what names one party of a side (a debtor's sanction: ``debtor-2``) is this party's to see and to
    answer — decided as documents are (``addressees``): their own, or their principal's. An agent confirmed before
    powers of attorney recorded who signed them (no principal) answers for the whole side, as they did then."""
    if st.agent and not st.principals:
        return side in {str(s) for s in sides_of(st.roles)}
    return party_addressee(side, position) in addressees(st)


def roles_in(db: Database, workflow_id: str, wanted: list[str]) -> list[str]:
    return sorted({role for _, role in _named(db, workflow_id, wanted)})


def _named(db: Database, workflow_id: str, wanted: list[str]) -> list[tuple[str, str]]:
    """(digest, role) of the index's entries for these digests in the case, in the order they were written."""
    rows = db.rows(
        select(PartyIndexEntry.digest, PartyIndexEntry.role)
        .where(PartyIndexEntry.workflow_id == workflow_id, PartyIndexEntry.digest.in_(wanted))
        .order_by(PartyIndexEntry.id)
    )
    return [(r.digest, r.role) for r in rows]


# Built once: every party page reads the case's parties from the index (building the statement cost more than
# running it). In the order they were written, which is the order the case names them (``places_by_digest``).
_INDEX = (
    select(PartyIndexEntry.digest, PartyIndexEntry.role)
    .where(PartyIndexEntry.workflow_id == bindparam("workflow_id"))
    .order_by(PartyIndexEntry.id)
)


def _confirmed(db: Database, username: str, case_id: str) -> list[tuple[str, bool, str | None]]:
    rows = db.rows(
        select(PartyAgent.role, PartyAgent.special_authority, PartyAgent.principal_digest)
        .join(User, User.id == PartyAgent.user_id)
        .where(User.username == username, PartyAgent.case_id == case_id, PartyAgent.status == "confirmed")
    )
    return [(r.role, r.special_authority, r.principal_digest) for r in rows]


def not_found() -> NotFound:
    return NotFound("CASE_NOT_FOUND", "没有这个案件 / no such case", "case_id")


def _standing(db: Database, keys: ActorKeys, username: str, case_id: str) -> Standing:
    entry = CaseStore(db).get(case_id)
    if entry is None:
        raise not_found()
    mine = own_digests(db, keys, username)
    index = [(r.digest, r.role) for r in db.rows(_INDEX, {"workflow_id": entry.workflow_id})]
    places = places_by_digest(index)
    own = sorted({role for digest, role in index if digest in mine})
    if own:
        return Standing(entry=entry, roles=own, places=tuple(p for d in mine for p in places.get(d, [])))
    agencies = _confirmed(db, username, case_id)
    if not agencies:
        raise not_found()
    principals = tuple(sorted({digest for _, _, digest in agencies if digest}))
    return Standing(
        entry=entry,
        roles=sorted({role for role, _, _ in agencies}),
        agent=True,
        special_authority=any(special for _, special, _ in agencies),
        principals=principals,
        places=tuple(p for d in principals for p in places.get(d, [])),
    )


async def standing(desk: PartyDesk, actor: Actor, case_id: str) -> Standing:
    """The party's standing in the case: as a party named in it, or as a confirmed agent; any other case,
    or one whose agency the judge has not confirmed, does not exist for them (404). Asked on every party
    page, so one short read (inline on SQLite: the hand-over to a thread costs more than the queries)."""
    require_party(actor)
    return await desk.db.read(_standing, desk.db, desk.keys, actor.user_id, case_id)


def agent_cases(db: Database, username: str) -> list[tuple[str, str, str, str]]:
    """(case id, case number, court, principal's role) of the cases the agent's authority is confirmed in."""
    rows = db.rows(
        select(CaseRow.case_id, CaseRow.case_number, CaseRow.court, PartyAgent.role)
        .join(PartyAgent, PartyAgent.case_id == CaseRow.case_id)
        .join(User, User.id == PartyAgent.user_id)
        .where(User.username == username, PartyAgent.status == "confirmed")
    )
    return [(r.case_id, r.case_number, r.court, f"{AGENT_ROLE_PREFIX}{r.role}") for r in rows]


# --- the power of attorney, filed by the agent ---------------------------------------------------------------


class Appointment(BaseModel):
    """授权委托书, as the agent files it: the case, the principal who signed it, the authority it grants."""

    case_number: str = Field(min_length=6, max_length=64, description="案号")
    principal_id_number: IdNumber = Field(
        min_length=15, max_length=18, description="委托人的身份证号 (单位: 统一社会信用代码)"
    )
    special_authority: bool = Field(default=False, description="特别授权: 代为和解、收取执行款")
    power_of_attorney_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="授权委托书 PDF (先上传)")
    text: str = Field(default="", max_length=2000, description="说明 (律师事务所、执业证号等)")


def _case_by_number(db: Database, case_number: str) -> CaseRegisterEntry | None:
    rows = db.rows(select(CaseRow.case_id).where(CaseRow.case_number == case_number))
    return CaseStore(db).get(rows[0].case_id) if rows else None


def _own_pdf(db: Database, username: str, sha256: str) -> bool:
    rows = db.rows(
        select(PartyFile.content_type)
        .join(User, User.id == PartyFile.user_id)
        .where(User.username == username, PartyFile.sha256 == sha256)
    )
    return bool(rows) and rows[0].content_type == "application/pdf"


def _pending(
    db: Database, username: str, request_id: str, entry: CaseRegisterEntry, named: tuple[str, str], special: bool
) -> None:
    principal, role = named
    with db.session() as s:
        user_id = s.scalar(select(User.id).where(User.username == username))
        s.add(
            PartyAgent(
                request_id=request_id,
                user_id=user_id,
                case_id=entry.case_id,
                workflow_id=entry.workflow_id,
                role=role,
                principal_digest=principal,
                special_authority=special,
                status="pending",
                created_at=utcnow(),
            )
        )


async def appoint(desk: PartyDesk, actor: Actor, body: Appointment) -> tuple[Standing, str]:
    """Checks the power of attorney names a party of the case and is the agent's own PDF, and records it as
    pending; the caller files it in the case for the judge. (The standing, the request id.)"""
    try:
        number = normalise_case_number(body.case_number)
    except ValueError as exc:
        raise ValidationFailed("INVALID_CASE_NUMBER", f"case_number: {exc}", "case_number") from None
    entry = await desk.db.run(_case_by_number, desk.db, number)
    wanted = list(digests(desk.keys, body.principal_id_number).values())
    named = await desk.db.run(_named, desk.db, entry.workflow_id, wanted) if entry else []
    if entry is None or not named:
        # One answer for an unknown case and a principal it does not name: nothing to enumerate.
        raise NotFound("CASE_NOT_FOUND", "case_number: 没有该案号下的该委托人 / no such case naming the principal")
    if not await desk.db.run(_own_pdf, desk.db, actor.user_id, body.power_of_attorney_sha256):
        raise ValidationFailed(
            "POWER_OF_ATTORNEY_REQUIRED",
            "power_of_attorney_sha256: 请先上传授权委托书的 PDF 文件 / upload the power of attorney as a PDF",
            "power_of_attorney_sha256",
        )
    request_id = f"pr-{utcnow():%Y%m%d}-{secrets.token_hex(6)}"
    principal, role = min(named, key=lambda n: n[1])  # as before: the first of the principal's roles by name
    await desk.db.run(_pending, desk.db, actor.user_id, request_id, entry, (principal, role), body.special_authority)
    standing = Standing(
        entry=entry, roles=[role], agent=True, special_authority=body.special_authority, principals=(principal,)
    )
    return standing, request_id


def _decided(db: Database, request_id: str, confirmed: bool) -> None:
    with db.session() as s:
        s.execute(
            update(PartyAgent)
            .where(PartyAgent.request_id == request_id, PartyAgent.status == "pending")
            .values(status="confirmed" if confirmed else "refused", decided_at=utcnow())
        )


async def judge_decided(db: Database, kind: PartyRequestKind, request_id: str, answer: str) -> None:
    """The judge's answer to an agency request takes effect: confirmed, the agent stands in the case."""
    if kind is PartyRequestKind.AGENCY:
        await db.run(_decided, db, request_id, answer == CONFIRM)
