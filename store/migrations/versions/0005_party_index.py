"""Party index (当事人盲索引): keyed hashes of parties' ID numbers and the cases that name them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.db import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "party_index",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("workflow_id", sa.String(200), nullable=False),
        sa.Column("scenario", sa.String(64), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("court", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("digest", "workflow_id", "role", name="uq_party_index_entry"),
    )
    op.create_index("ix_party_index_digest", "party_index", ["digest"])
    op.create_index("ix_party_index_workflow_id", "party_index", ["workflow_id"])


def downgrade() -> None:
    op.drop_table("party_index")
