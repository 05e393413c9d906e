"""The register of the workflows the web started, the cancels it asked for and the incidents (store/started.py).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.db import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "started_workflows",
        sa.Column("workflow_id", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("scenario", sa.String(64), nullable=True),
        sa.Column("court", sa.String(100), nullable=False),
        sa.Column("case_number", sa.String(64), nullable=True),
        sa.Column("started_by", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_started_workflows_court", "started_workflows", ["court"])
    op.create_table(
        "cancel_requests",
        sa.Column("workflow_id", sa.String(200), primary_key=True),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "workflow_incidents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("workflow_id", sa.String(200), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("court", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("happened_at", UTCDateTime(), nullable=False),
        sa.Column("found_at", UTCDateTime(), nullable=False),
        sa.Column("caller_sealed", sa.Text(), nullable=False),
        sa.UniqueConstraint("workflow_id", "run_id", name="uq_workflow_incident_run"),
    )
    op.create_index("ix_workflow_incidents_workflow_id", "workflow_incidents", ["workflow_id"])
    op.create_index("ix_workflow_incidents_court", "workflow_incidents", ["court"])
    op.create_index("ix_workflow_incidents_found_at", "workflow_incidents", ["found_at"])


def downgrade() -> None:
    op.drop_table("workflow_incidents")
    op.drop_table("cancel_requests")
    op.drop_table("started_workflows")
