"""The party index (当事人盲索引): which cases name which party, found by a keyed hash of the party's
normalised ID number or credit code — never the number itself. Written by the web when a judge starts a
case, read when a judge searches by party (``GET /api/workflows?party=…``).

A keyed hash (HMAC-SHA256) rather than a plain one: China's 18-digit ID numbers are few enough to
enumerate, so an unkeyed hash of one would be as good as the number to anyone holding the table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base, UTCDateTime, utcnow


class PartyIndexEntry(Base):
    """One party named by one case, in one role (debtor, applicant, vehicle.owner …)."""

    __tablename__ = "party_index"
    __table_args__ = (UniqueConstraint("digest", "workflow_id", "role", name="uq_party_index_entry"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64), index=True)  # hex HMAC-SHA256 of the normalised number
    key_id: Mapped[str] = mapped_column(String(32))  # which index key made the digest (keys rotate)
    workflow_id: Mapped[str] = mapped_column(String(200), index=True)
    scenario: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(64))
    court: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
