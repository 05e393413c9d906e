"""Payments online after the case ended (refund items) and the payment platform's callbacks on record.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.db import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

REFUND_COLUMNS = (
    ("paid_at", UTCDateTime()),
    ("refund_fen", sa.Integer()),
    ("refund_cause", sa.String(16)),
    ("refund_state", sa.String(16)),
    ("refund_found_at", UTCDateTime()),
    ("refund_by", sa.String(64)),
    ("refund_at", UTCDateTime()),
    ("refund_reason", sa.Text()),
    ("refund_ref", sa.String(80)),
)


def upgrade() -> None:
    with op.batch_alter_table("party_payments") as batch:
        for name, kind in REFUND_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.create_index("ix_party_payments_refund_state", "party_payments", ["refund_state"])
    op.create_table(
        "payment_callbacks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("order_id", sa.String(80), nullable=True),
        sa.Column("payment_id", sa.String(80), nullable=True),
        sa.Column("signature_sha256", sa.String(64), nullable=True, unique=True),
        sa.Column("remote", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("payment_callbacks")
    op.drop_index("ix_party_payments_refund_state", "party_payments")
    with op.batch_alter_table("party_payments") as batch:
        for name, _ in reversed(REFUND_COLUMNS):
            batch.drop_column(name)
