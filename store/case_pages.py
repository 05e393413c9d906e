"""The case pages the web has built (案件页缓存), shared by its processes and replicas.

A workflow's state changes only by events appended to its history, so the page built from its status query
at one (run id, history length) is the page at that length, for every process that describes the case
at that length. Each process keeps the pages it used last in memory (web/services/workflows.py); this
table is the tier behind it, so that a case one process (or a restarted one) has already read is not a
status query again in the next — a query waits in the worker's queue behind every running workflow's
tasks, which under load was the slowest part of a case page.

A page names parties and their assets, so it is sealed under the codec keys (store/sealing.py), bound to
its workflow id. One row per case, overwritten as the case moves on; rows not rebuilt for
``KEEP`` are pruned.

``built_at`` is when the page was last known current: the moment the describe that said its history length was
sent (a party's load within ``OM_PARTY_VIEW_MAX_AGE_SECONDS`` of it is answered without asking Temporal,
web/services/cases.py), moved on by :meth:`CasePageStore.confirm` when a later describe finds it unchanged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Integer, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, Database, UTCDateTime, utcnow
from store.sealing import Sealer

KEEP = timedelta(days=7)
PRUNE_EVERY = 500  # pages written by one process between two prunings


class CasePage(Base):
    """The last page built of one case: at which run and history length, sealed, and since when it is known
    current (``built_at``)."""

    __tablename__ = "case_pages"

    workflow_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64))
    history_length: Mapped[int] = mapped_column(Integer)
    page_sealed: Mapped[str] = mapped_column(Text)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class CasePageStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._written = 0

    @property
    def _sealer(self) -> Sealer:
        if self.db.sealer is None:
            raise RuntimeError("case pages name parties: their table needs a sealer (codec keys)")
        return self.db.sealer

    def get(self, workflow_id: str, run_id: str, history_length: int) -> str | None:
        """The page built at exactly this run and history length (JSON), if any process built it."""
        row = self.db.rows(
            select(CasePage.page_sealed).where(
                CasePage.workflow_id == workflow_id,
                CasePage.run_id == run_id,
                CasePage.history_length == history_length,
            )
        )
        return self._sealer.open(row[0].page_sealed, workflow_id) if row else None

    def latest(self, workflow_id: str) -> tuple[str, int, datetime, str] | None:
        """The case's newest page, whatever its length: (run id, history length, known current since, JSON)."""
        row = self.db.rows(
            select(CasePage.run_id, CasePage.history_length, CasePage.built_at, CasePage.page_sealed).where(
                CasePage.workflow_id == workflow_id
            )
        )
        if not row:
            return None
        r = row[0]
        return r.run_id, r.history_length, r.built_at, self._sealer.open(r.page_sealed, workflow_id)

    def confirm(self, workflow_id: str, run_id: str, history_length: int, at: datetime) -> None:
        """A describe sent at ``at`` found the case still at this page's run and length."""
        with self.db.session() as s:
            s.execute(
                update(CasePage)
                .where(
                    CasePage.workflow_id == workflow_id,
                    CasePage.run_id == run_id,
                    CasePage.history_length == history_length,
                    CasePage.built_at < at,
                )
                .values(built_at=at)
            )

    def put(
        self, workflow_id: str, run_id: str, history_length: int, page_json: str, at: datetime | None = None
    ) -> None:
        """Keeps this page unless a newer one of the same run is there (two processes may build at once, and
        a page stored late from an older describe must not replace a newer); one of the same length is
        sealed again — it may be the page that no longer opened. ``at``: when the describe that said this length
        was sent (default now)."""
        now = at or utcnow()
        with self.db.session() as s:
            row = s.get(CasePage, workflow_id, with_for_update=True)
            if row is not None and row.run_id == run_id and row.history_length > history_length:
                return
            if row is None:
                row = CasePage(workflow_id=workflow_id)
                s.add(row)
            row.run_id, row.history_length, row.built_at = run_id, history_length, now
            row.page_sealed = self._sealer.seal(page_json, workflow_id)
            self._written += 1
            if self._written % PRUNE_EVERY == 0:
                s.execute(delete(CasePage).where(CasePage.built_at < now - KEEP))
