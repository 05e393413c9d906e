"""The audit archive table (审计归档): a sealed trail kept, as its JSON, after its workflow closed, so it
outlives Temporal's retention. ``audit.archive`` turns trails into rows and back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow


class ArchivedTrail(Base):
    """A sealed trail kept after its workflow closed; searchable by case, scenario, status and start."""

    __tablename__ = "audit_archive"

    workflow_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64))
    workflow_type: Mapped[str] = mapped_column(String(100))
    scenario: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    case_number: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    court: Mapped[str | None] = mapped_column(String(100), default=None)
    status: Mapped[str | None] = mapped_column(String(64), default=None)
    temporal_status: Mapped[str | None] = mapped_column(String(32), default=None)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    event_count: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    trail_json: Mapped[str] = mapped_column(Text)
    archived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
