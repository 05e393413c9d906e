"""The register of enforcement cases (执行案件登记) and each court's yearly case-number sequences.

The case itself lives in its entity workflow (``workflows/case/``); this table is the web's index of it —
what 我的案件 lists and filters by without asking Temporal about each case: the case number's parts, the
court, the judge, the term's end and colour, the balance, the closing mode. No personal data: parties
are found through the party index (store/parties.py), under the case's workflow id.

The workflow keeps its row current through an activity (``activities/cases.py``): each write carries the
case's history position, and an older one never replaces a newer.

Sequences (顺序号) run per court, per type code (执, 执恢), per year from 1 (案号规定 [S], DOMAIN §17.3) and
are taken by one atomic ``UPDATE … RETURNING``, so two clerks filing at once never share a number.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import BigInteger, Boolean, Date, Integer, String, UniqueConstraint, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from domain.case_closing import ClosingMode
from domain.case_dashboard import CaseGroup
from store.db import Base, Database, UTCDateTime, utcnow


class CaseSequence(Base):
    __tablename__ = "case_number_sequences"

    court: Mapped[str] = mapped_column(String(100), primary_key=True)
    case_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class CaseRow(Base):
    __tablename__ = "case_register"
    __table_args__ = (UniqueConstraint("court_code", "case_type", "year", "sequence", name="uq_case_register_number"),)

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(200), unique=True)
    court: Mapped[str] = mapped_column(String(100), index=True)
    year: Mapped[int] = mapped_column(Integer)
    court_code: Mapped[str] = mapped_column(String(16))
    case_type: Mapped[str] = mapped_column(String(8))
    sequence: Mapped[int] = mapped_column(Integer)
    case_number: Mapped[str] = mapped_column(String(64), index=True)
    judge: Mapped[str] = mapped_column(String(64), index=True)
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_on: Mapped[date] = mapped_column(Date)
    late_application: Mapped[bool] = mapped_column(Boolean, default=False)
    term_due_on: Mapped[date | None] = mapped_column(Date, default=None)
    term_colour: Mapped[str] = mapped_column(String(16), default="green")
    next_deadline: Mapped[date | None] = mapped_column(Date, default=None)
    owed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    # 申请执行标的 as docketed (principal, interest, costs): what 执行到位率 divides by; fixed at filing.
    claimed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    recovered_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    closing_mode: Mapped[str | None] = mapped_column(String(32), default=None)
    closed_on: Mapped[date | None] = mapped_column(Date, default=None)
    # An extension of the term asked and not yet decided (the president's queue).
    extension_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # A fine or detention decided by the judge and not yet approved by the president (the same queue).
    sanction_awaiting: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)  # the case's history position at the write
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseRegisterEntry(BaseModel):
    """A row as the services read it."""

    case_id: str
    workflow_id: str
    court: str
    year: int
    court_code: str
    case_type: str
    sequence: int
    case_number: str
    judge: str
    filed_by: str
    filed_on: date
    late_application: bool
    term_due_on: date | None
    term_colour: str
    next_deadline: date | None
    owed_fen: int
    claimed_fen: int = 0
    recovered_fen: int
    balance_fen: int
    closing_mode: str | None
    closed_on: date | None
    extension_requested: bool = False
    sanction_awaiting: bool = False


_COLUMNS = [getattr(CaseRow, f) for f in CaseRegisterEntry.model_fields]
# Built once: every party page reads its case's row (building the statement cost more than running it).
_BY_ID = select(*_COLUMNS).where(CaseRow.case_id == bindparam("case_id"))
# What the case's workflow writes as it moves on; the rest is fixed at filing.
PROJECTED = frozenset(
    {
        "term_due_on",
        "term_colour",
        "next_deadline",
        "owed_fen",
        "recovered_fen",
        "balance_fen",
        "closing_mode",
        "closed_on",
        "extension_requested",
        "sanction_awaiting",
    }
)


class CaseStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def next_sequence(self, court: str, case_type: str, year: int) -> int:
        """The next 顺序号 of (court, type, year), taken atomically; the first is 1."""
        with self.db.session() as s:
            return self._take(s, court, case_type, year)

    def reserve(self, court: str, case_type: str, year: int, sequence: int) -> bool:
        """Moves the (court, type, year) sequence past an existing 顺序号 (a case docketed before the
        platform, filed here with its number). True when a case of that number is already registered."""
        with self.db.session() as s:
            self._ensure(s, court, case_type, year)
            key = (CaseSequence.court == court, CaseSequence.case_type == case_type, CaseSequence.year == year)
            s.execute(update(CaseSequence).where(*key, CaseSequence.last < sequence).values(last=sequence))
            found = s.execute(
                select(CaseRow.case_id).where(
                    CaseRow.court == court,
                    CaseRow.case_type == case_type,
                    CaseRow.year == year,
                    CaseRow.sequence == sequence,
                )
            ).first()
            return found is not None

    def _take(self, s: Session, court: str, case_type: str, year: int) -> int:
        key = (CaseSequence.court == court, CaseSequence.case_type == case_type, CaseSequence.year == year)
        bump = update(CaseSequence).where(*key).values(last=CaseSequence.last + 1).returning(CaseSequence.last)
        taken = s.execute(bump).scalar_one_or_none()
        if taken is not None:
            return int(taken)
        self._ensure(s, court, case_type, year)
        return int(s.execute(bump).scalar_one())

    @staticmethod
    def _ensure(s: Session, court: str, case_type: str, year: int) -> None:
        """The sequence's row, at 0 if it is new (two sessions adding it at once: one row)."""
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        s.execute(
            insert(CaseSequence)
            .values(court=court, case_type=case_type, year=year, last=0)
            .on_conflict_do_nothing(index_elements=["court", "case_type", "year"])
        )

    def add(self, entry: CaseRegisterEntry) -> None:
        with self.db.session() as s:
            s.add(CaseRow(**entry.model_dump(), version=0, updated_at=utcnow()))

    def project(self, case_id: str, version: int, values: dict[str, Any]) -> None:
        """The workflow's current figures (``PROJECTED`` columns). Idempotent: a write from an older history
        position than the row's is dropped."""
        unknown = set(values) - PROJECTED
        if unknown:
            raise ValueError(f"not projected columns: {sorted(unknown)}")
        with self.db.session() as s:
            s.execute(
                update(CaseRow)
                .where(CaseRow.case_id == case_id, CaseRow.version <= version)
                .values(**values, version=version, updated_at=utcnow())
            )

    def get(self, case_id: str) -> CaseRegisterEntry | None:
        rows = self.db.rows(_BY_ID, {"case_id": case_id})
        return CaseRegisterEntry.model_validate(rows[0]._asdict()) if rows else None

    def groups(self, courts: tuple[str, ...], year: int | None = None) -> list[CaseGroup]:
        """The dashboard's groups (court, judge, colour, mode) with their counts and sums, one query."""
        keys = (CaseRow.court, CaseRow.judge, CaseRow.term_colour, CaseRow.closing_mode)
        query = select(*keys, func.count(), func.sum(CaseRow.claimed_fen), func.sum(CaseRow.recovered_fen)).where(
            CaseRow.court.in_(courts)
        )
        if year is not None:
            query = query.where(CaseRow.year == year)
        return [
            CaseGroup(
                court=court,
                judge=judge,
                term_colour=colour,
                closing_mode=ClosingMode(mode) if mode else None,
                cases=n,
                claimed_fen=int(claimed or 0),
                recovered_fen=int(recovered or 0),
            )
            for court, judge, colour, mode, n, claimed, recovered in self.db.rows(query.group_by(*keys))
        ]

    def extensions_pending(self, courts: tuple[str, ...], limit: int = 200) -> list[CaseRegisterEntry]:
        """Open cases of ``courts`` whose term extension awaits the president, the nearest term end first."""
        return self._awaiting_president(CaseRow.extension_requested, courts, limit)

    def sanctions_pending(self, courts: tuple[str, ...], limit: int = 200) -> list[CaseRegisterEntry]:
        """Open cases of ``courts`` with a fine or detention awaiting the president, the nearest term end first."""
        return self._awaiting_president(CaseRow.sanction_awaiting, courts, limit)

    def _awaiting_president(self, flag: Mapped[bool], courts: tuple[str, ...], limit: int) -> list[CaseRegisterEntry]:
        query = (
            select(*_COLUMNS)
            .where(CaseRow.court.in_(courts), flag.is_(True), CaseRow.closing_mode.is_(None))
            .order_by(CaseRow.term_due_on, CaseRow.case_id)
            .limit(limit)
        )
        return [CaseRegisterEntry.model_validate(r._asdict()) for r in self.db.rows(query)]

    def list(
        self,
        courts: tuple[str, ...],
        judge: str | None = None,
        open_only: bool = False,
        limit: int = 200,
        where: CaseFilter | None = None,
        offset: int = 0,
    ) -> list[CaseRegisterEntry]:
        """Cases of ``courts`` (newest first), a judge's only if ``judge`` is given, narrowed by ``where``."""
        query = select(*_COLUMNS).where(*_scope(courts, judge, open_only, where))
        query = query.order_by(CaseRow.filed_on.desc(), CaseRow.case_id.desc()).offset(offset).limit(limit)
        return [CaseRegisterEntry.model_validate(r._asdict()) for r in self.db.rows(query)]

    def count(self, courts: tuple[str, ...], judge: str | None = None, where: CaseFilter | None = None) -> int:
        query = select(func.count()).select_from(CaseRow).where(*_scope(courts, judge, False, where))
        return int(self.db.rows(query)[0][0])


def _scope(
    courts: tuple[str, ...], judge: str | None, open_only: bool, where: CaseFilter | None
) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [CaseRow.court.in_(courts)]
    if judge is not None:
        clauses.append(CaseRow.judge == judge)
    if open_only:
        clauses.append(CaseRow.closing_mode.is_(None))
    if where is not None:
        clauses.extend(where.clauses())
    return clauses


class CaseFilter(BaseModel):
    """What a dashboard figure drills down to: the cases of a court, a judge, a term colour (open cases),
    a state (open, closed) or a closing mode, of a filing year."""

    court: str | None = None
    judge: str | None = None
    colour: str | None = None
    state: str | None = Field(default=None, pattern="^(open|closed)$")
    mode: ClosingMode | None = None
    year: int | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.court is not None:
            out.append(CaseRow.court == self.court)
        if self.judge is not None:
            out.append(CaseRow.judge == self.judge)
        if self.colour is not None:
            out += [CaseRow.term_colour == self.colour, CaseRow.closing_mode.is_(None)]
        if self.state == "open":
            out.append(CaseRow.closing_mode.is_(None))
        elif self.state == "closed":
            out.append(CaseRow.closing_mode.is_not(None))
        if self.mode is not None:
            out.append(CaseRow.closing_mode == self.mode.value)
        if self.year is not None:
            out.append(CaseRow.year == self.year)
        return out

    def empty(self) -> bool:
        return not self.model_dump(exclude_none=True)
