"""Parties' uploaded files and their online applications for enforcement (web/db.py PartyFile,
PartyApplication).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.db import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "party_files",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "party_applications",
        sa.Column("application_id", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("court", sa.String(100), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("title_sha256", sa.String(64), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("decide_by", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("case_number", sa.String(64), nullable=True),
    )
    op.create_index("ix_party_applications_user_id", "party_applications", ["user_id"])
    op.create_index("ix_party_applications_court", "party_applications", ["court"])


def downgrade() -> None:
    op.drop_table("party_applications")
    op.drop_table("party_files")
