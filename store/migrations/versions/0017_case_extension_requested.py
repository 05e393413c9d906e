"""Whether a case's term extension awaits the president (院长审批延长审限): the president's work queue.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_register") as batch:
        batch.add_column(sa.Column("extension_requested", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("case_register") as batch:
        batch.drop_column("extension_requested")
