"""The court's issued documents and their number sequences (store/documents.py).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.db import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_sequences",
        sa.Column("court", sa.String(100), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("series", sa.String(64), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("document_id", sa.String(40), primary_key=True),
        sa.Column("idempotency_key", sa.String(300), nullable=False, unique=True),
        sa.Column("workflow_id", sa.String(200), nullable=False),
        sa.Column("case_id", sa.String(100), nullable=True),
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("court", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.String(40), nullable=False),
        sa.Column("number", sa.String(80), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("template_version", sa.String(120), nullable=False),
        sa.Column("president", sa.Boolean(), nullable=False),
        sa.Column("refers_to", sa.String(40), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("issued_at", UTCDateTime(), nullable=True),
        sa.Column("served_json", sa.Text(), nullable=False),
    )
    for column in ("workflow_id", "case_id", "case_number", "court", "sha256"):
        op.create_index(f"ix_documents_{column}", "documents", [column])


def downgrade() -> None:
    op.drop_table("documents")
    op.drop_table("document_sequences")
