"""Whether a case's fine or detention awaits the president (院长批准罚款/拘留, CPL Art 119): the president's queue.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_register") as batch:
        batch.add_column(sa.Column("sanction_awaiting", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("case_register") as batch:
        batch.drop_column("sanction_awaiting")
