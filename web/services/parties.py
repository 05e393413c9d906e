"""Search by party (按当事人查询): every case that names one person or organisation, found by their ID
number or unified credit code through a blind index — a keyed hash (HMAC-SHA256, keys from
``Settings.party_index_keys``) of the normalised number, stored in the web's database when a judge
starts a case. The number itself is stored nowhere by this index and never goes into a search attribute.

Which parties a case names comes from its request model, generically: every ``Party`` (kind, name, ID
number) at the top of the request or one level down (``vehicle.owner``), and every list of them, with
the path as its role. A new scenario's parties are indexed without any change here.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from domain.errors import ValidationFailed
from domain.parties import Party
from runtime.logging import get_logger
from security.identity import ActorKeys
from store.db import Database
from store.parties import PartyIndexEntry
from web.db import PartyFile

log = get_logger(__name__)

MAX_CASES = 500  # one party's cases a search returns (the list is then filtered and paged by Temporal)
_SEPARATORS = re.compile(r"[\s\-_.·]+")
_VALID = re.compile(r"^[0-9A-Z]{15,18}$")


def normalise(number: str) -> str:
    """The form every spelling of one number shares: no spaces or separators, upper case (the ``X`` of
    an ID number's check digit, the letters of a credit code), full-width digits made ASCII."""
    text = number.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
    return _SEPARATORS.sub("", text).upper()


def checked(number: str) -> str:
    """The normalised number of a search, or a 422: an ID number (18) or a credit code (18), or an old
    15-digit ID number."""
    value = normalise(number)
    if not _VALID.match(value):
        raise ValidationFailed(
            "INVALID_PARTY_NUMBER",
            "party: 请输入身份证号或统一社会信用代码 / an ID number or unified credit code",
            "party",
        )
    return value


def digests(keys: ActorKeys, number: str) -> dict[str, str]:
    """The number's keyed hash under every index key (a search must find entries made before a rotation)."""
    value = normalise(number).encode()
    return {kid: hmac.new(key, value, hashlib.sha256).hexdigest() for kid, key in keys.key_bytes().items()}


def parties_of(request: BaseModel) -> Iterator[tuple[str, Party]]:
    """(role, party) for every party the request names, two levels deep."""

    def visit(path: str, value: object, depth: int) -> Iterator[tuple[str, Party]]:
        if isinstance(value, Party):
            yield path, value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Party):
                    yield path, item
                elif isinstance(item, BaseModel) and depth < 2:
                    yield from visit(path, item, depth + 1)
        elif isinstance(value, BaseModel) and depth < 2:
            for name in type(value).model_fields:
                yield from visit(f"{path}.{name}" if path else name, getattr(value, name), depth + 1)

    yield from visit("", request, 0)


def _entries(
    keys: ActorKeys, workflow_id: str, scenario: str, court: str | None, request: BaseModel
) -> list[dict[str, object]]:
    kid = keys.active
    key = keys.key_bytes()[kid]
    seen: set[tuple[str, str]] = set()
    rows: list[dict[str, object]] = []
    for role, party in parties_of(request):
        digest = hmac.new(key, normalise(party.id_number).encode(), hashlib.sha256).hexdigest()
        if (digest, role) in seen:
            continue
        seen.add((digest, role))
        rows.append(
            {
                "digest": digest,
                "key_id": kid,
                "workflow_id": workflow_id,
                "scenario": scenario,
                "role": role[:64],
                "court": court,
            }
        )
    return rows


def _insert(db: Database, rows: list[dict[str, object]]) -> None:
    # Insert-or-ignore, so a repeated keyed start (the same case) adds nothing.
    insert = sqlite_insert if db.engine.dialect.name == "sqlite" else pg_insert
    with db.session() as s:
        s.execute(insert(PartyIndexEntry).values(rows).on_conflict_do_nothing())


async def index_case(
    db: Database, keys: ActorKeys, workflow_id: str, scenario: str, court: str | None, request: BaseModel
) -> int:
    """Records the parties a case names (before it starts, so no started case is missing from a search;
    a start that then fails leaves an entry that finds nothing). Repeats are harmless."""
    rows = _entries(keys, workflow_id, scenario, court, request)
    if not rows:
        return 0
    try:
        await db.run(_insert, db, rows)
    except IntegrityError:  # a concurrent repeat of the same start
        log.info("party index entries already present", workflow_id=workflow_id)
    return len(rows)


def _find(db: Database, wanted: list[str], courts: tuple[str, ...] | None) -> list[str]:
    where = [PartyIndexEntry.digest.in_(wanted)]
    if courts is not None:
        # Before the limit: a party with many cases elsewhere must not crowd out the caller's own.
        where.append(PartyIndexEntry.court.in_(courts))
    with db.session() as s:
        found = s.execute(select(PartyIndexEntry.workflow_id).where(*where).distinct().limit(MAX_CASES))
        return [str(w) for w in found.scalars()]


async def cases_of(db: Database, keys: ActorKeys, number: str, courts: tuple[str, ...] | None = None) -> list[str]:
    """The workflow ids of the cases that name this party (up to MAX_CASES), within ``courts`` if given."""
    wanted = list(digests(keys, checked(number)).values())
    return await db.run(_find, db, wanted, courts)


def file_type(db: Database, sha256: str) -> str | None:
    """The content type of a file a party or judge uploaded (a title's PDF, a lead's photo), as sniffed on
    upload; None for a file never uploaded."""
    rows = db.rows(select(PartyFile.content_type).where(PartyFile.sha256 == sha256).limit(1))
    return rows[0].content_type if rows else None


def file_types(db: Database, sha256s: list[str]) -> dict[str, str]:
    """The content type of each of these files that was uploaded (by SHA-256)."""
    if not sha256s:
        return {}
    rows = db.rows(select(PartyFile.sha256, PartyFile.content_type).where(PartyFile.sha256.in_(sha256s)))
    return {r.sha256: r.content_type for r in rows}
