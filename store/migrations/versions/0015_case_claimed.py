"""The case register keeps the amount applied for (申请执行标的, ``claimed_fen``): what the dashboard's
执行到位率 divides by. Rows filed before it take what they owed at their last projection.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_register") as batch:
        batch.add_column(sa.Column("claimed_fen", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute("UPDATE case_register SET claimed_fen = owed_fen WHERE claimed_fen = 0")


def downgrade() -> None:
    with op.batch_alter_table("case_register") as batch:
        batch.drop_column("claimed_fen")
