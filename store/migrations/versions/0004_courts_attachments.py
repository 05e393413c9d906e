"""Courts as tenants and task attachments (法院租户与附件): users' courts, the court of each inbox task,
and which task an uploaded file belongs to.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from store.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("courts_json", sa.Text(), nullable=False, server_default="[]"))
    with op.batch_alter_table("agency_tasks") as batch:
        batch.add_column(sa.Column("court", sa.String(100), nullable=True))
        batch.create_index("ix_agency_tasks_court", ["court"])
    # Tasks projected before this revision: their court is in the projected view (still plaintext then).
    conn = op.get_bind()
    tasks = sa.table("agency_tasks", sa.column("task_id", sa.String), sa.column("view_json", sa.Text))
    court = sa.table("agency_tasks", sa.column("task_id", sa.String), sa.column("court", sa.String))
    for task_id, view_json in conn.execute(sa.select(tasks.c.task_id, tasks.c.view_json)).all():
        try:
            value = json.loads(view_json)["spec"]["court"]
        except (ValueError, KeyError, TypeError):
            continue
        conn.execute(sa.update(court).where(court.c.task_id == task_id).values(court=value))
    op.create_table(
        "attachments",
        sa.Column("task_id", sa.String(200), primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("workflow_id", sa.String(200), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("court", sa.String(100), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])


def downgrade() -> None:
    op.drop_table("attachments")
    with op.batch_alter_table("agency_tasks") as batch:
        batch.drop_index("ix_agency_tasks_court")
        batch.drop_column("court")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("courts_json")
