"""A confirmed agent receives the documents addressed to their own principal (``debtor-2``), not only the
side's: the power of attorney keeps which party signed it, by the party index's digest.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("party_agents") as batch:
        batch.add_column(sa.Column("principal_digest", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("party_agents") as batch:
        batch.drop_column("principal_digest")
