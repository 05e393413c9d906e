"""Agency task inbox (待办): a projection of AgencyTask workflows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_tasks",
        sa.Column("task_id", sa.String(200), primary_key=True),
        sa.Column("workflow_id", sa.String(200), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("task_type", sa.String(100), nullable=False),
        sa.Column("result_type", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("mark", sa.String(16), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("view_json", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    for col in ("workflow_id", "agency", "case_number", "state", "due_at"):
        op.create_index(f"ix_agency_tasks_{col}", "agency_tasks", [col])
    # The inbox's main query: one agency's open tasks by due date.
    op.create_index("ix_agency_tasks_agency_state_due", "agency_tasks", ["agency", "state", "due_at"])


def downgrade() -> None:
    op.drop_table("agency_tasks")
