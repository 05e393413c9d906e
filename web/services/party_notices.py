"""SMS notices to the parties of a case (DOMAIN §18.1: 在线诉讼规则 Art 32, SMS alerts): one for each node the
judge pushes and each document addressed to their side (the issuing step names its addressees). Sent once per
(node or document, account): the SMS gateway keeps the idempotency key, so a sweep that runs again, or two web
processes, send nothing twice.

The text names the case and what is new, never a party's name or number; the party reads it in their space.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

from sqlalchemy import select

from adapters.base import PartnerError
from domain.documents import addressees_of
from domain.party_requests import PartySide, places_by_digest, sides_of
from runtime.logging import get_logger
from store.cases import CaseRow
from store.documents import DocumentRow
from store.parties import PartyIndexEntry
from web.db import Database, PartyAccount, PartyAgent, utcnow
from web.services.party_accounts import PartyDesk

log = get_logger(__name__)

SWEEP_EVERY = timedelta(seconds=5)
PREFIX = "【执行一件事】"
SIDES = {str(side) for side in PartySide}


def _accounts(db: Database, workflow_id: str, case_id: str) -> list[tuple[int, set[str], str]]:
    """(account id, what it answers to, sealed personal data) of every party of the case with an account —
    their sides, and themselves by place in the case's lists (``debtor-2``: the index keeps each list's
    parties in the case's order) — and of every confirmed agent of the case (their principal's side)."""
    with db.session() as s:
        index = s.execute(
            select(PartyIndexEntry.digest, PartyIndexEntry.role)
            .where(PartyIndexEntry.workflow_id == workflow_id)
            .order_by(PartyIndexEntry.id)
        ).all()
        roles: dict[str, list[str]] = {}
        for digest, role in index:
            roles.setdefault(digest, []).append(role)
        places = places_by_digest((digest, role) for digest, role in index)
        found: dict[int, tuple[set[str], str]] = {}
        if roles:
            for acc in s.scalars(select(PartyAccount).where(PartyAccount.party_digest.in_(list(roles)))):
                sides = {str(side) for side in sides_of(roles[acc.party_digest])}
                found[acc.id] = (addressees_of(sides, places[acc.party_digest]), acc.sealed)
        agents = s.execute(
            select(PartyAccount, PartyAgent.role)
            .join(PartyAgent, PartyAgent.user_id == PartyAccount.user_id)
            .where(PartyAgent.case_id == case_id, PartyAgent.status == "confirmed")
        ).all()
        for acc, role in agents:
            theirs, sealed = found.get(acc.id, (set(), acc.sealed))
            found[acc.id] = (theirs | {str(side) for side in sides_of([role])}, sealed)
    return [(account_id, theirs, sealed) for account_id, (theirs, sealed) in found.items()]


def _phone(db: Database, account_id: int, sealed: str) -> str:
    assert db.sealer is not None
    return str(json.loads(db.sealer.open(sealed, f"party:{account_id}"))["phone"])


async def notify(
    desk: PartyDesk, workflow_id: str, case_id: str, sides: set[PartySide] | set[str], key: str, text: str
) -> int:
    """Sends ``text`` to every account the case names among ``sides`` (a side, or one party by place:
    ``debtor-2``), once per ``key`` and account; how many."""
    if desk.sms is None:
        return 0
    wanted = {str(side) for side in sides}
    sent = 0
    for account_id, theirs, sealed in await desk.db.run(_accounts, desk.db, workflow_id, case_id):
        if not theirs & wanted:
            continue
        try:
            await desk.sms.send(f"{key}:{account_id}", _phone(desk.db, account_id, sealed), PREFIX + text)
            sent += 1
        except PartnerError as exc:
            log.warning("party notice not sent", key=key, code=exc.code)
    return sent


# --- documents issued to a side: a sweep over the documents store ---------------------------------------------


def _issued_since(db: Database, since: datetime) -> list[tuple[str, str, set[str], str, datetime]]:
    """(document id, title, parties addressed — a side or one party by place, case id, issued at) of documents of
    a case issued after ``since``."""
    rows = db.rows(
        select(
            DocumentRow.document_id,
            DocumentRow.title,
            DocumentRow.addressed_json,
            CaseRow.case_id,
            DocumentRow.issued_at,
        )
        .join(CaseRow, (CaseRow.case_number == DocumentRow.case_number) & (CaseRow.court == DocumentRow.court))
        .where(DocumentRow.issued_at > since)
        .order_by(DocumentRow.issued_at)
        .limit(500)
    )
    return [
        (
            r.document_id,
            r.title,
            {a for a in json.loads(r.addressed_json or "[]") if a.split("-")[0] in SIDES},
            r.case_id,
            r.issued_at,
        )
        for r in rows
    ]


def _case(db: Database, case_id: str) -> tuple[str, str] | None:
    rows = db.rows(select(CaseRow.workflow_id, CaseRow.case_number).where(CaseRow.case_id == case_id))
    return (rows[0].workflow_id, rows[0].case_number) if rows else None


async def sweep_documents(desk: PartyDesk, since: datetime) -> datetime:
    """Notices for the documents issued since ``since``; the newest issue time seen (the next sweep's start)."""
    newest = since
    for document_id, title, sides, case_id, issued_at in await desk.db.run(_issued_since, desk.db, since):
        found = await desk.db.run(_case, desk.db, case_id) if sides else None
        if found is not None:
            workflow_id, number = found
            text = f"法院向您送达了《{title}》(案号 {number}), 请登录执行案件空间查看。"
            await notify(desk, workflow_id, case_id, sides, f"party-doc:{document_id}", text)
        newest = max(newest, issued_at)
    return newest


async def document_notices_forever(desk: PartyDesk) -> None:
    """The web's background sweep: from a little before start-up (a document issued while no web ran is
    noticed: the gateway's keys make a second notice a no-op), every few seconds."""
    since = utcnow() - timedelta(days=1)
    while True:
        try:
            since = await sweep_documents(desk, since)
        except Exception as exc:  # a sweep that fails is tried again; it never takes the web down
            log.warning("document notice sweep failed", error=type(exc).__name__)
        await asyncio.sleep(SWEEP_EVERY.total_seconds())
