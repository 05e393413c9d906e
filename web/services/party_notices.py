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
from domain.party_requests import PartySide, sides_of
from runtime.logging import get_logger
from store.cases import CaseRow
from store.documents import DocumentRow
from store.parties import PartyIndexEntry
from web.db import Database, PartyAccount, PartyAgent, utcnow
from web.services.party_accounts import PartyDesk

log = get_logger(__name__)

SWEEP_EVERY = timedelta(seconds=5)
PREFIX = "【执行一件事】"


def _accounts(db: Database, workflow_id: str, case_id: str) -> list[tuple[int, set[PartySide], str]]:
    """(account id, sides, sealed personal data) of every party of the case with an account, and of every
    confirmed agent of the case (for their principal's side)."""
    with db.session() as s:
        index = s.execute(
            select(PartyIndexEntry.digest, PartyIndexEntry.role).where(PartyIndexEntry.workflow_id == workflow_id)
        ).all()
        roles: dict[str, list[str]] = {}
        for digest, role in index:
            roles.setdefault(digest, []).append(role)
        found: dict[int, tuple[set[PartySide], str]] = {}
        if roles:
            for acc in s.scalars(select(PartyAccount).where(PartyAccount.party_digest.in_(list(roles)))):
                found[acc.id] = (sides_of(roles[acc.party_digest]), acc.sealed)
        agents = s.execute(
            select(PartyAccount, PartyAgent.role)
            .join(PartyAgent, PartyAgent.user_id == PartyAccount.user_id)
            .where(PartyAgent.case_id == case_id, PartyAgent.status == "confirmed")
        ).all()
        for acc, role in agents:
            sides, sealed = found.get(acc.id, (set(), acc.sealed))
            found[acc.id] = (sides | sides_of([role]), sealed)
    return [(account_id, sides, sealed) for account_id, (sides, sealed) in found.items()]


def _phone(db: Database, account_id: int, sealed: str) -> str:
    assert db.sealer is not None
    return str(json.loads(db.sealer.open(sealed, f"party:{account_id}"))["phone"])


async def notify(desk: PartyDesk, workflow_id: str, case_id: str, sides: set[PartySide], key: str, text: str) -> int:
    """Sends ``text`` to every account of ``sides`` in the case, once per ``key`` and account; how many."""
    if desk.sms is None:
        return 0
    sent = 0
    for account_id, their_sides, sealed in await desk.db.run(_accounts, desk.db, workflow_id, case_id):
        if not their_sides & sides:
            continue
        try:
            await desk.sms.send(f"{key}:{account_id}", _phone(desk.db, account_id, sealed), PREFIX + text)
            sent += 1
        except PartnerError as exc:
            log.warning("party notice not sent", key=key, code=exc.code)
    return sent


# --- documents issued to a side: a sweep over the documents store ---------------------------------------------


def _issued_since(db: Database, since: datetime) -> list[tuple[str, str, set[PartySide], str, datetime]]:
    """(document id, title, sides addressed, case id, issued at) of documents of a case issued after ``since``."""
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
    sides = {str(side): side for side in PartySide}
    return [
        (
            r.document_id,
            r.title,
            {sides[a] for a in json.loads(r.addressed_json or "[]") if a in sides},
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
