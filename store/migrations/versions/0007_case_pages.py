"""The case pages the web has built, shared by its processes (store/case_pages.py), sealed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.db import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_pages",
        sa.Column("workflow_id", sa.String(200), primary_key=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("history_length", sa.Integer(), nullable=False),
        sa.Column("page_sealed", sa.Text(), nullable=False),
        sa.Column("built_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_case_pages_built_at", "case_pages", ["built_at"])


def downgrade() -> None:
    op.drop_table("case_pages")
