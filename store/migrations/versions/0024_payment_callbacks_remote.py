"""The payment notices refused from one address lately: what the notice endpoint's rate limit counts.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_payment_callbacks_remote_received", "payment_callbacks", ["remote", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_payment_callbacks_remote_received", table_name="payment_callbacks")
