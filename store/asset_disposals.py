"""One asset, one disposal (一物一处置): which matter is disposing of an asset, or has transferred it.

A real-estate unit (不动产单元号) or a vehicle under disposal cannot start another disposal, and one whose
title has passed never can; a disposal that ended without a sale (stopped, released) frees the asset for
the next court in line — a queued seizure (轮候查封) gets its turn when the first ends. Shared by the web
(it refuses the start, naming the other matter) and the worker (the disposal claims the asset as its first
act, so two starts at once cannot both win). Keys (``domain.assets.disposal_key``) are stored as their
SHA-256: the table names no asset.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import String, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.db import Base, Database, UTCDateTime, utcnow


class DisposalState(StrEnum):
    DISPOSING = "disposing"  # a disposal holds it
    TRANSFERRED = "transferred"  # title passed: never disposed of again
    ENDED = "ended"  # the disposal ended without a sale: free for the next


class AssetDisposal(Base):
    __tablename__ = "asset_disposals"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(200))
    court: Mapped[str] = mapped_column(String(100))
    case_number: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AssetHolder(BaseModel):
    """The matter that holds an asset: what a refusal names."""

    workflow_id: str
    court: str
    case_number: str
    state: DisposalState

    def refusal(self, court: str | None = None) -> str:
        """The refusal's words. To another court it names the court and case (as the register's seizure
        does), never the matter itself: outside its courts a case does not exist."""
        done = "已过户" if self.state is DisposalState.TRANSFERRED else "正在处置"
        matter = f", 事项 {self.workflow_id}" if court is None or court == self.court else ""
        return (
            f"该财产{done} ({self.court} {self.case_number}{matter}); 一物不得重复处置 / "
            f"the asset is {self.state.value} by {self.court} {self.case_number}"
        )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def holder(db: Database, key: str) -> AssetHolder | None:
    """Who holds the asset now (disposing or transferred), or None when it is free."""
    with db.session() as s:
        return _holder(s, _hash(key))


def claim(db: Database, key: str, workflow_id: str, court: str, case_number: str) -> AssetHolder | None:
    """Takes the asset for ``workflow_id``; None when taken (or already held by it), else the other holder.
    Idempotent: a retried claim by the same matter succeeds again."""
    h = _hash(key)
    values = {"workflow_id": workflow_id, "court": court, "case_number": case_number}
    with db.session() as s:
        other = _holder(s, h)
        if other is not None and other.workflow_id != workflow_id:
            return other
        # Only a freed asset (or this matter's own) is taken over: the WHERE decides, so of two claims
        # at once one updates and the other finds the row taken.
        mine_or_free = (AssetDisposal.state == DisposalState.ENDED.value) | (AssetDisposal.workflow_id == workflow_id)
        freed = s.execute(
            update(AssetDisposal)
            .where(AssetDisposal.key_hash == h, mine_or_free)
            .values(state=DisposalState.DISPOSING.value, **values)
        )
        if freed.rowcount:  # type: ignore[attr-defined]
            return None
        try:
            with s.begin_nested():
                s.execute(insert(AssetDisposal).values(key_hash=h, state=DisposalState.DISPOSING.value, **values))
        except IntegrityError:  # another disposal claimed it a moment ago
            return _holder(s, h)
        return None


def end(db: Database, key: str, workflow_id: str, transferred: bool) -> None:
    """The matter ended: the asset is transferred for good, or free again. Only its holder ends it."""
    state = DisposalState.TRANSFERRED if transferred else DisposalState.ENDED
    with db.session() as s:
        s.execute(
            update(AssetDisposal)
            .where(AssetDisposal.key_hash == _hash(key), AssetDisposal.workflow_id == workflow_id)
            .values(state=state.value)
        )


def _holder(s: Session, key_hash: str) -> AssetHolder | None:
    row = s.execute(select(AssetDisposal).where(AssetDisposal.key_hash == key_hash)).scalar_one_or_none()
    if row is None or row.state == DisposalState.ENDED.value:
        return None
    return AssetHolder(
        workflow_id=row.workflow_id, court=row.court, case_number=row.case_number, state=DisposalState(row.state)
    )
