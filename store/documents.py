"""The court's issued documents (文书登记) and document numbers (文书编号), in the database web and workers
share.

A document is issued in two steps so that a retried step never takes a second number: ``reserve`` takes the
next number of the series and records it under the step's idempotency key (one transaction); ``complete``
records the sealed PDF's hash once it is in the blob store. A retry of the step finds its reservation and
finishes it with the same number.

The house style numbers a case's documents with the case's number and 之N (docs/documents.md), so a
series is one case's: the sequence is kept per (court, year of the case number, series).

No personal data here: the content exists only inside the encrypted PDF (store/blobs.py), named by
its hash. A service record names the recipient by role or agency id, never by name.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Boolean, Integer, Row, Select, String, Table, Text, bindparam, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from domain.documents import DocumentKind, IssuedDocument
from store.db import Base, Database, UTCDateTime, utcnow


class DocumentSequence(Base):
    __tablename__ = "document_sequences"

    court: Mapped[str] = mapped_column(String(100), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    series: Mapped[str] = mapped_column(String(64), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class DocumentRow(Base):
    __tablename__ = "documents"

    document_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    workflow_id: Mapped[str] = mapped_column(String(200), index=True)
    case_id: Mapped[str | None] = mapped_column(String(100), index=True, nullable=True)
    case_number: Mapped[str] = mapped_column(String(64), index=True)
    court: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(80))
    ordinal: Mapped[int] = mapped_column(Integer)
    template_version: Mapped[str] = mapped_column(String(120))
    president: Mapped[bool] = mapped_column(Boolean, default=False)
    refers_to: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    served_json: Mapped[str] = mapped_column(Text, default="[]")
    addressed_json: Mapped[str] = mapped_column(Text, default="[]")  # roles or agency ids, never names


_YEAR = re.compile(r"^[(（](\d{4})[)）]")


@dataclass(frozen=True)
class Reservation:
    document_id: str
    ordinal: int
    sha256: str | None  # set when an earlier try completed the document


@dataclass(frozen=True)
class Draft:
    """A document about to be numbered: everything the register keeps of it but its hash."""

    workflow_id: str
    case_id: str | None
    case_number: str
    court: str
    kind: DocumentKind
    title: str
    template_version: str
    president: bool
    refers_to: str | None
    addressed_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceRecord:
    """送达: who received it (a role or an agency id), how, when it reached them, who recorded it."""

    recipient: str
    method: str
    served_at: datetime
    recorded_by: str
    receipt_document_id: str | None = None


class _Reserved(Exception):
    """The step's key has a document already: the transaction that took a number for it rolls back."""


class DocumentStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def reserve(self, idempotency_key: str, draft: Draft) -> Reservation:
        """The step's document id and number: taken now, or the ones an earlier try of the step took."""
        for _ in range(5):
            try:
                return self._reserve(idempotency_key, draft)
            except IntegrityError:
                continue  # another process took the key a moment ago: read theirs
        raise RuntimeError(f"could not reserve a document number for {idempotency_key}")

    # Statements of the Core, built once: a document's register work is four small statements in three
    # transactions, and the ORM's unit of work (identity map, flush, attribute events) cost more than them.

    def _reserve(self, key: str, d: Draft) -> Reservation:
        year = int(m.group(1)) if (m := _YEAR.match(d.case_number)) else 0
        series = d.case_number.replace("(", "（").replace(")", "）")
        document_id = f"doc-{secrets.token_hex(12)}"
        try:
            with self.db.engine.begin() as conn:
                # One statement takes the series' next number (the row made at the first): no read-then-write
                # for two processes to interleave. The document's row goes in unless the step's key has one:
                # then the number goes back with the transaction, and the earlier try's reservation is read.
                ordinal = conn.execute(_NEXT_NUMBER, {"court": d.court, "year": year, "series": series}).scalar_one()
                row = {
                    "document_id": document_id,
                    "idempotency_key": key,
                    "workflow_id": d.workflow_id,
                    "case_id": d.case_id,
                    "case_number": d.case_number,
                    "court": d.court,
                    "kind": d.kind.value,
                    "title": d.title,
                    "number": "",
                    "ordinal": ordinal,
                    "template_version": d.template_version,
                    "president": d.president,
                    "refers_to": d.refers_to,
                    "sha256": None,
                    "issued_at": None,
                    "served_json": "[]",
                    "addressed_json": json.dumps(list(d.addressed_to)),
                }
                if conn.execute(_NEW_DOCUMENT[conn.dialect.name], row).first() is not None:
                    return Reservation(document_id, ordinal, None)
                raise _Reserved
        except _Reserved:
            pass
        with self.db.engine.connect() as conn:
            earlier = conn.execute(_BY_KEY, {"key": key}).first()
        if earlier is None:
            raise IntegrityError("reserve", None, Exception(f"the key {key} was taken and is gone"))
        return Reservation(earlier.document_id, earlier.ordinal, earlier.sha256)

    def complete(self, document_id: str, number: str, sha256: str, issued_at: datetime) -> IssuedDocument:
        """The document as registered: with these number and hash, or as an earlier try completed it."""
        with self.db.engine.begin() as conn:
            # A document once complete is never changed (a 补正 refers to it): only a row without a hash is.
            row = conn.execute(
                _COMPLETE, {"id": document_id, "new_number": number, "new_sha256": sha256, "new_issued_at": issued_at}
            ).first()
            if row is None:  # completed before (or never reserved): the row as it is
                row = conn.execute(_BY_ID, {"id": document_id}).first()
            if row is None:
                raise KeyError(document_id)
            return _issued(row)

    def get(self, document_id: str) -> IssuedDocument | None:
        with self.db.engine.connect() as conn:
            row = conn.execute(_BY_ID, {"id": document_id}).first()
            return _issued(row) if row is not None and row.sha256 else None

    def served_on(self, document_id: str) -> list[str]:
        """Whom the document has been served on (送达): the recipients of its receipts."""
        with self.db.session() as s:
            row = s.get(DocumentRow, document_id)
            return [r.recipient for r in _served(row.served_json)] if row is not None else []

    def court_of(self, document_id: str) -> str | None:
        with self.db.session() as s:
            row = s.get(DocumentRow, document_id)
            return row.court if row is not None else None

    def workflow_of(self, document_id: str) -> str:
        with self.db.session() as s:
            row = s.get(DocumentRow, document_id)
            return row.workflow_id if row is not None else ""

    def by_hash(self, sha256: str) -> IssuedDocument | None:
        with self.db.session() as s:
            row = s.scalars(select(DocumentRow).where(DocumentRow.sha256 == sha256)).first()
            return _issued(row) if row is not None else None

    def listing(
        self, *, workflow_id: str | None = None, case_id: str | None = None, case_number: str | None = None
    ) -> list[tuple[IssuedDocument, list[ServiceRecord]]]:
        given = {"workflow_id": workflow_id, "case_id": case_id, "case_number": case_number}
        params = {k: v for k, v in given.items() if v is not None}
        rows = self.db.rows(_listing(*sorted(params)), params)
        return [(_issued(r), _served(r.served_json)) for r in rows]

    def record_service(self, document_id: str, record: ServiceRecord) -> list[ServiceRecord]:
        """Adds a receipt (送达回证); the first receipt per recipient is the one that counts (a second channel
        reaching the same recipient later changes nothing, 在线诉讼规则 Art. 31)."""
        with self.db.engine.begin() as conn:
            # The first receipt of a document (a partner's answer to its notice: the usual case) in one
            # statement, which no concurrent receipt can interleave with; any other through the row's lock.
            first = json.dumps([_service_json(record)], ensure_ascii=False)
            if conn.execute(_FIRST_SERVED, {"id": document_id, "new_served": first}).rowcount == 1:
                return [record]
            row = conn.execute(_SERVED_FOR_UPDATE, {"id": document_id}).first()
            if row is None or row.sha256 is None:
                raise KeyError(document_id)
            served = _served(row.served_json)
            if not any(r.recipient == record.recipient for r in served):
                served.append(record)
                served_json = json.dumps([_service_json(r) for r in served], ensure_ascii=False)
                conn.execute(_SET_SERVED, {"id": document_id, "new_served": served_json})
            return served


_DOCUMENTS = cast(Table, DocumentRow.__table__)
_BY_KEY = select(_DOCUMENTS.c.document_id, _DOCUMENTS.c.ordinal, _DOCUMENTS.c.sha256).where(
    _DOCUMENTS.c.idempotency_key == bindparam("key")
)
# The document's row unless its key has one (SQLite 3.24+ and PostgreSQL), so a retry costs no read first.
_NEW_DOCUMENT = {
    name: dialect.insert(_DOCUMENTS)
    .on_conflict_do_nothing(index_elements=[_DOCUMENTS.c.idempotency_key])
    .returning(_DOCUMENTS.c.document_id)
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
_BY_ID = select(*_DOCUMENTS.columns).where(_DOCUMENTS.c.document_id == bindparam("id"))
# SQLite (3.35+) and PostgreSQL alike.
_NEXT_NUMBER = text(
    "INSERT INTO document_sequences (court, year, series, last) VALUES (:court, :year, :series, 1) "
    "ON CONFLICT (court, year, series) DO UPDATE SET last = document_sequences.last + 1 RETURNING last"
)
_COMPLETE = (
    update(_DOCUMENTS)
    .where(_DOCUMENTS.c.document_id == bindparam("id"), _DOCUMENTS.c.sha256.is_(None))
    .values(number=bindparam("new_number"), sha256=bindparam("new_sha256"), issued_at=bindparam("new_issued_at"))
    .returning(*_DOCUMENTS.columns)  # SQLite 3.35+ and PostgreSQL: the completed row without reading it again
)
_SERVED_FOR_UPDATE = (
    select(_DOCUMENTS.c.sha256, _DOCUMENTS.c.served_json)
    .where(_DOCUMENTS.c.document_id == bindparam("id"))
    .with_for_update()
)
_FIRST_SERVED = (
    update(_DOCUMENTS)
    .where(
        _DOCUMENTS.c.document_id == bindparam("id"),
        _DOCUMENTS.c.sha256.is_not(None),
        _DOCUMENTS.c.served_json == "[]",
    )
    .values(served_json=bindparam("new_served"))
)
_SET_SERVED = (
    update(_DOCUMENTS).where(_DOCUMENTS.c.document_id == bindparam("id")).values(served_json=bindparam("new_served"))
)


@cache
def _listing(*filters: str) -> Select[Any]:
    """The issued documents matching these columns, oldest first: built once per set of filters, as a party's
    case page lists its case's documents at every load (building the statement cost more than running it)."""
    q = select(*DocumentRow.__table__.columns).where(DocumentRow.sha256.is_not(None))
    for column in filters:
        q = q.where(getattr(DocumentRow, column) == bindparam(column))
    return q.order_by(DocumentRow.issued_at, DocumentRow.ordinal)


def _issued(row: DocumentRow | Row[Any]) -> IssuedDocument:
    assert row.sha256 is not None and row.issued_at is not None
    return IssuedDocument(
        document_id=row.document_id,
        kind=DocumentKind(row.kind),
        title=row.title,
        number=row.number,
        court=row.court,
        case_number=row.case_number,
        sha256=row.sha256,
        issued_at=row.issued_at,
        template_version=row.template_version,
        president=row.president,
        refers_to=row.refers_to,
        addressed_to=json.loads(row.addressed_json or "[]"),
    )


def _service_json(r: ServiceRecord) -> dict[str, str | None]:
    return {
        "recipient": r.recipient,
        "method": r.method,
        "served_at": r.served_at.isoformat(),
        "recorded_by": r.recorded_by,
        "receipt_document_id": r.receipt_document_id,
    }


def _served(text: str) -> list[ServiceRecord]:
    return [
        ServiceRecord(
            recipient=d["recipient"],
            method=d["method"],
            served_at=datetime.fromisoformat(d["served_at"]),
            recorded_by=d["recorded_by"],
            receipt_document_id=d.get("receipt_document_id"),
        )
        for d in json.loads(text or "[]")
    ]


__all__ = ["DocumentRow", "DocumentSequence", "DocumentStore", "Draft", "Reservation", "ServiceRecord", "utcnow"]
