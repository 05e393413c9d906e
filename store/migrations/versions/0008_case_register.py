"""The register of enforcement cases and each court's yearly case-number sequences (store/cases.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.db import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_number_sequences",
        sa.Column("court", sa.String(100), primary_key=True),
        sa.Column("case_type", sa.String(8), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    op.create_table(
        "case_register",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("workflow_id", sa.String(200), nullable=False, unique=True),
        sa.Column("court", sa.String(100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("court_code", sa.String(16), nullable=False),
        sa.Column("case_type", sa.String(8), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("judge", sa.String(64), nullable=False),
        sa.Column("filed_by", sa.String(64), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("late_application", sa.Boolean(), nullable=False),
        sa.Column("term_due_on", sa.Date(), nullable=True),
        sa.Column("term_colour", sa.String(16), nullable=False),
        sa.Column("next_deadline", sa.Date(), nullable=True),
        sa.Column("owed_fen", sa.BigInteger(), nullable=False),
        sa.Column("recovered_fen", sa.BigInteger(), nullable=False),
        sa.Column("balance_fen", sa.BigInteger(), nullable=False),
        sa.Column("closing_mode", sa.String(32), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("court_code", "case_type", "year", "sequence", name="uq_case_register_number"),
    )
    op.create_index("ix_case_register_court", "case_register", ["court"])
    op.create_index("ix_case_register_case_number", "case_register", ["case_number"])
    op.create_index("ix_case_register_judge", "case_register", ["judge"])


def downgrade() -> None:
    op.drop_table("case_register")
    op.drop_table("case_number_sequences")
