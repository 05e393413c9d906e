"""Parties online: orders to pay a case online, agents confirmed by the judge, the judge's read marks.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.db import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "party_payments",
        sa.Column("order_id", sa.String(80), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("workflow_id", sa.String(200), nullable=False),
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payment_id", sa.String(80), nullable=True, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("credited_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_party_payments_user_id", "party_payments", ["user_id"])
    op.create_index("ix_party_payments_case_id", "party_payments", ["case_id"])
    op.create_table(
        "party_agents",
        sa.Column("request_id", sa.String(80), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("workflow_id", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("special_authority", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_party_agents_user_id", "party_agents", ["user_id"])
    op.create_index("ix_party_agents_case_id", "party_agents", ["case_id"])
    op.create_table(
        "case_reads",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("read_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_reads")
    op.drop_table("party_agents")
    op.drop_table("party_payments")
