"""Audit archive (审计归档): sealed trails of closed workflows, kept beyond Temporal's retention.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_archive",
        sa.Column("workflow_id", sa.String(200), primary_key=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("workflow_type", sa.String(100), nullable=False),
        sa.Column("scenario", sa.String(64), nullable=True),
        sa.Column("case_number", sa.String(64), nullable=True),
        sa.Column("court", sa.String(100), nullable=True),
        sa.Column("status", sa.String(64), nullable=True),
        sa.Column("temporal_status", sa.String(32), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("trail_json", sa.Text(), nullable=False),
        sa.Column("archived_at", UTCDateTime(), nullable=False),
    )
    for col in ("scenario", "case_number", "started_at"):
        op.create_index(f"ix_audit_archive_{col}", "audit_archive", [col])


def downgrade() -> None:
    op.drop_table("audit_archive")
