"""The web's cancel names the run it cancelled; an incident keeps its case's number (store/started.py).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cancel_requests") as batch:
        batch.add_column(sa.Column("run_id", sa.String(64), nullable=True))
    with op.batch_alter_table("workflow_incidents") as batch:
        batch.add_column(sa.Column("case_number", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workflow_incidents") as batch:
        batch.drop_column("case_number")
    with op.batch_alter_table("cancel_requests") as batch:
        batch.drop_column("run_id")
