"""National dishonest-debtor list simulator (全国失信被执行人名单库, 失信规定 Arts. 6–7, 9–10, 12), sandbox-v1:

- ``POST /partners/{id}/dishonest-entries`` publishes an entry (201); a minor is refused (Art. 4), and so
  is a second active entry for the same debtor, case and ground;
- ``POST /partners/{id}/dishonest-entries/{entry_id}/corrections`` corrects its published texts (Art. 12);
- ``POST /partners/{id}/dishonest-entries/{entry_id}/removal`` deletes (Art. 10) or revokes (Art. 9) it;
- ``GET /partners/{id}/dishonest-entries?id_number=…`` is the public query (active entries of a party).

Every mutating call needs an ``Idempotency-Key``; a repeated key gets the stored first answer (refusals
included), the effect and its answer committed in one transaction. The partner's bearer token and its
fault knobs (latency, errors) are those of the simulator's partner runtime. State: ``dishonest_list.db``.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from domain.dishonest_list import (
    ADULT_AGE,
    EntryCorrection,
    EntryRemoval,
    ListEntry,
    PublishedEntry,
    RemovalGround,
    age_on,
)
from domain.parties import PartyKind
from simulators.errors import SimulatorError
from simulators.faults import after_effect, before_effect
from simulators.guards import REPLAYED_HEADER, idempotency_key, require_bearer
from simulators.sqlite import LockedSqlite, StoredAnswer

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    partner TEXT NOT NULL, entry_id TEXT NOT NULL, id_number TEXT NOT NULL, case_number TEXT NOT NULL,
    ground TEXT NOT NULL, status TEXT NOT NULL, body TEXT NOT NULL, published_at TEXT NOT NULL,
    removed_at TEXT, PRIMARY KEY (partner, entry_id));
"""


# What a mutating call does on the call's transaction: the body of its answer (a refusal raises).
Effect = Callable[[sqlite3.Connection], bytes]


class DishonestListStore(LockedSqlite):
    def __init__(self, path: Path | None) -> None:
        super().__init__(path, SCHEMA)

    def idempotent(self, partner: str, key: str, operation: str, effect: Effect, ok: int = 200) -> StoredAnswer:
        """Runs ``effect(db)`` once per key; its answer (or refusal, with nothing it wrote kept) is stored with
        the effect in the simulators' one store of answers."""
        return self.once(partner, key, operation, lambda db: (ok, effect(db)))

    def active(self, partner: str, id_number: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT entry_id, body, published_at FROM entries "
                "WHERE partner=? AND id_number=? AND status='published'",
                (partner, id_number),
            ).fetchall()
        return [{"entry_id": r[0], "published_at": r[2], **_public(json.loads(r[1]))} for r in rows]


def _public(body: dict[str, Any]) -> dict[str, Any]:
    """What the public query shows of an entry (Art. 6): the ID number partly hidden, as the list does."""
    debtor = dict(body["debtor"])
    if debtor.get("kind") == PartyKind.PERSON.value:
        number = str(debtor["id_number"])
        debtor["id_number"] = number[:10] + "****" + number[14:]
    return {**body, "debtor": debtor}


def _now() -> datetime:
    return datetime.now(UTC)


def _publish(partner: str, entry: ListEntry) -> Effect:
    def effect(db: sqlite3.Connection) -> bytes:
        debtor = entry.debtor
        if debtor.kind is PartyKind.PERSON and age_on(debtor.id_number, date.today()) < ADULT_AGE:
            raise SimulatorError(422, "MINOR_NOT_LISTABLE", "a minor is never entered on the list (失信规定 第四条)")
        clash = db.execute(
            "SELECT entry_id FROM entries WHERE partner=? AND id_number=? AND case_number=? AND ground=? "
            "AND status='published'",
            (partner, debtor.id_number, entry.case_number, entry.ground.value),
        ).fetchone()
        if clash:
            raise SimulatorError(409, "ALREADY_LISTED", f"entry {clash[0]} is already published for this case")
        now = _now()
        entry_id = f"SX{now:%Y%m%d}{uuid.uuid4().hex[:10].upper()}"
        db.execute(
            "INSERT INTO entries VALUES (?, ?, ?, ?, ?, 'published', ?, ?, NULL)",
            (
                partner,
                entry_id,
                debtor.id_number,
                entry.case_number,
                entry.ground.value,
                entry.model_dump_json(),
                now.isoformat(),
            ),
        )
        return PublishedEntry(entry_id=entry_id, status="published", published_at=now).model_dump_json().encode()

    return effect


def _load(db: sqlite3.Connection, partner: str, entry_id: str) -> sqlite3.Row | tuple[Any, ...]:
    row = db.execute(
        "SELECT status, body, published_at FROM entries WHERE partner=? AND entry_id=?", (partner, entry_id)
    ).fetchone()
    if row is None:
        raise SimulatorError(404, "ENTRY_NOT_FOUND", f"no entry {entry_id} on the list")
    if row[0] != "published":
        raise SimulatorError(409, "ENTRY_NOT_ACTIVE", f"entry {entry_id} is {row[0]}")
    return row


def _correct(partner: str, entry_id: str, correction: EntryCorrection) -> Effect:
    def effect(db: sqlite3.Connection) -> bytes:
        row = _load(db, partner, entry_id)
        body = json.loads(row[1])
        body.update({k: v for k, v in correction.model_dump().items() if v})
        db.execute("UPDATE entries SET body=? WHERE partner=? AND entry_id=?", (json.dumps(body), partner, entry_id))
        published = datetime.fromisoformat(row[2])
        return PublishedEntry(entry_id=entry_id, status="published", published_at=published).model_dump_json().encode()

    return effect


def _remove(partner: str, entry_id: str, removal: EntryRemoval) -> Effect:
    def effect(db: sqlite3.Connection) -> bytes:
        row = _load(db, partner, entry_id)
        status = "revoked" if removal.ground is RemovalGround.WRONG_ENTRY else "deleted"
        now = _now()
        db.execute(
            "UPDATE entries SET status=?, removed_at=? WHERE partner=? AND entry_id=?",
            (status, now.isoformat(), partner, entry_id),
        )
        answer = PublishedEntry(
            entry_id=entry_id, status=status, published_at=datetime.fromisoformat(row[2]), removed_at=now
        )
        return answer.model_dump_json().encode()

    return effect


async def _hosted(partner_id: str, request: Request) -> Any:
    """The simulator's runtime of this partner: its token (checked here) and its fault knobs."""
    rt = request.app.state.simulator.runtime(partner_id)
    require_bearer(request.headers.get("authorization"), rt.authorization)
    return rt


# Module level, so FastAPI resolves it from the postponed annotations.
Hosted = Annotated[Any, Depends(_hosted)]


def build_dishonest_list_router(state_dir: Path | None) -> APIRouter:
    """The list's routes for every partner of category ``dishonest-list`` the simulator hosts."""
    store = DishonestListStore(state_dir / "dishonest_list.db" if state_dir else None)
    router = APIRouter(prefix="/partners/{partner_id}/dishonest-entries", tags=["simulator: national dishonest list"])

    async def mutate(rt: Any, request: Request, operation: str, effect: Effect, ok: int = 200) -> Response:
        key = idempotency_key(request.headers.get("Idempotency-Key"))
        plan = rt.faults.plan()
        await before_effect(plan)
        answer = store.idempotent(rt.id, key, operation, effect, ok)
        await after_effect(plan)
        headers = {REPLAYED_HEADER: "true"} if answer.replayed else None
        return Response(content=answer.body, status_code=answer.status, media_type="application/json", headers=headers)

    @router.post("", status_code=201, response_model=PublishedEntry)
    async def publish(partner_id: str, entry: ListEntry, request: Request, rt: Hosted) -> Response:
        return await mutate(rt, request, "publish", _publish(rt.id, entry), ok=201)

    @router.post("/{entry_id}/corrections", response_model=PublishedEntry)
    async def correct(
        partner_id: str, entry_id: str, correction: EntryCorrection, request: Request, rt: Hosted
    ) -> Response:
        return await mutate(rt, request, "correct", _correct(rt.id, entry_id, correction))

    @router.post("/{entry_id}/removal", response_model=PublishedEntry)
    async def remove(partner_id: str, entry_id: str, removal: EntryRemoval, request: Request, rt: Hosted) -> Response:
        return await mutate(rt, request, "remove", _remove(rt.id, entry_id, removal))

    @router.get("")
    async def public_query(partner_id: str, id_number: str, request: Request, rt: Hosted) -> list[dict[str, Any]]:
        return store.active(rt.id, id_number)

    return router
