"""A 执恢 application refers to the earlier case's title as that case holds it: a case filed on paper holds no
PDF, so the queue's ``title_sha256`` may be empty (never a placeholder hash).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("party_applications") as batch:
        batch.alter_column("title_sha256", existing_type=sa.String(64), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("party_applications") as batch:
        batch.alter_column("title_sha256", existing_type=sa.String(64), nullable=False)
