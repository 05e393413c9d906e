"""The register of the workflows the web started (已启动流程登记), and the incidents found against it.

Temporal's search attributes are set by whoever starts a workflow: a plain client can start one with our
court, our judge and a finished status on a task queue nobody polls (issue 23, item 2). What the web lists,
counts and opens therefore comes from here: a row is written by the web before it starts a scenario or a
case workflow (and by nothing else), and a workflow is the web's if its id, or its root's — the workflow
that started it, as Temporal records it, which no client can set — has a row. The court a user's scope is
checked against is the row's, never the search attribute's.

The web records here, too, each cancel it asks for (``CancelRequest``: who, when); a workflow that ended cancelled or
terminated without such a record — ``temporal workflow terminate``, a reset, a plain client's ``cancel()`` —
is an incident (``WorkflowIncident``), found by web/services/incidents.py and shown to the court.

No personal data: ids, a case number, a court, user ids. What Temporal recorded of an incident's caller
(its client identity and the reason it gave, both chosen by the caller) is sealed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Integer, String, Text, UniqueConstraint, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, Database, UTCDateTime, utcnow


class StartedWorkflow(Base):
    __tablename__ = "started_workflows"

    workflow_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "scenario" or "case"
    scenario: Mapped[str | None] = mapped_column(String(64), default=None)
    court: Mapped[str] = mapped_column(String(100), index=True)
    case_number: Mapped[str | None] = mapped_column(String(64), default=None)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CancelRequest(Base):
    """A cancel the web asked Temporal for, on a user's behalf (of a workflow it started or of a child)."""

    __tablename__ = "cancel_requests"

    workflow_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    # The run asked (the web's latest cancel of the workflow): a cancel of another run is not the web's.
    # None on rows written before runs were named (migration 0021): any run of the workflow.
    run_id: Mapped[str | None] = mapped_column(String(64), default=None)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkflowIncident(Base):
    __tablename__ = "workflow_incidents"
    __table_args__ = (UniqueConstraint("workflow_id", "run_id", name="uq_workflow_incident_run"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(200), index=True)
    run_id: Mapped[str] = mapped_column(String(64))
    court: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # terminated, reset, canceled
    case_number: Mapped[str | None] = mapped_column(String(64), default=None)  # the register's, if any
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    caller_sealed: Mapped[str] = mapped_column(Text)


class Registered(BaseModel):
    """A row as the services read it."""

    workflow_id: str
    kind: str
    scenario: str | None
    court: str
    case_number: str | None
    started_by: str
    started_at: datetime


class Incident(BaseModel):
    workflow_id: str
    run_id: str
    court: str
    kind: str
    case_number: str | None = None
    happened_at: datetime
    found_at: datetime
    caller: str


_COLUMNS = [getattr(StartedWorkflow, f) for f in Registered.model_fields]


class StartedStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        workflow_id: str,
        kind: str,
        court: str,
        started_by: str,
        scenario: str | None = None,
        case_number: str | None = None,
    ) -> None:
        """Before the start: a start that fails leaves a row no workflow answers to (harmless); a start
        repeated under the same key keeps the first row."""
        with self.db.session() as s:
            insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
            s.execute(
                insert(StartedWorkflow)
                .values(
                    workflow_id=workflow_id,
                    kind=kind,
                    scenario=scenario,
                    court=court,
                    case_number=case_number,
                    started_by=started_by,
                    started_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["workflow_id"])
            )

    def record_cancel(self, workflow_id: str, run_id: str, by: str) -> None:
        """The web asks Temporal to cancel run ``run_id`` of ``workflow_id`` on ``by``'s behalf (written
        before it asks)."""
        with self.db.session() as s:
            row = s.get(CancelRequest, workflow_id, with_for_update=True)
            if row is None:
                s.add(CancelRequest(workflow_id=workflow_id, run_id=run_id, requested_by=by, requested_at=utcnow()))
            else:
                row.run_id, row.requested_by, row.requested_at = run_id, by, utcnow()

    def withdraw_cancel(self, workflow_id: str, run_id: str) -> None:
        """Temporal refused the cancel of that run (it had ended): the record must not excuse a later one."""
        with self.db.session() as s:
            row = s.get(CancelRequest, workflow_id, with_for_update=True)
            if row is not None and row.run_id == run_id:
                s.delete(row)

    def cancel_requested(self, workflow_id: str, run_id: str) -> bool:
        """Whether the web asked to cancel this run."""
        query = select(CancelRequest.run_id).where(CancelRequest.workflow_id == workflow_id)
        return any(asked is None or asked == run_id for (asked,) in self.db.rows(query))

    def of(self, workflow_ids: Iterable[str]) -> dict[str, Registered]:
        """The rows of those of ``workflow_ids`` the web started."""
        ids = sorted(set(workflow_ids))
        found: dict[str, Registered] = {}
        for at in range(0, len(ids), 500):
            query = select(*_COLUMNS).where(StartedWorkflow.workflow_id.in_(ids[at : at + 500]))
            for row in self.db.rows(query):
                entry = Registered.model_validate(row._asdict())
                found[entry.workflow_id] = entry
        return found

    def add_incident(self, incident: Incident) -> bool:
        """Records it once per run; False if it was known."""
        sealer = self.db.sealer
        if sealer is None:
            raise RuntimeError("an incident keeps what its caller said: the table needs a sealer (codec keys)")
        with self.db.session() as s:
            insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
            done = s.execute(
                insert(WorkflowIncident)
                .values(
                    **incident.model_dump(exclude={"caller"}),
                    caller_sealed=sealer.seal(incident.caller[:500], incident.workflow_id),
                )
                .on_conflict_do_nothing(index_elements=["workflow_id", "run_id"])
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def incidents(
        self, courts: tuple[str, ...], workflow_id: str | Collection[str] | None = None, limit: int = 200
    ) -> list[Incident]:
        """Incidents of ``courts`` (of one workflow, or of several — a case and its matters — if given),
        newest first."""
        query = select(WorkflowIncident).where(WorkflowIncident.court.in_(courts))
        if isinstance(workflow_id, str):
            query = query.where(WorkflowIncident.workflow_id == workflow_id)
        elif workflow_id is not None:
            query = query.where(WorkflowIncident.workflow_id.in_(sorted(set(workflow_id))))
        query = query.order_by(WorkflowIncident.found_at.desc(), WorkflowIncident.id.desc()).limit(limit)
        with self.db.session() as s:
            rows = s.scalars(query).all()
            sealer = self.db.sealer
            return [
                Incident(
                    workflow_id=r.workflow_id,
                    run_id=r.run_id,
                    court=r.court,
                    kind=r.kind,
                    case_number=r.case_number,
                    happened_at=r.happened_at,
                    found_at=r.found_at,
                    caller=sealer.open(r.caller_sealed, r.workflow_id) if sealer else "",
                )
                for r in rows
            ]
