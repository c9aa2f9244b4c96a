"""Sync with partner nodes: links (URL, encrypted token), cursors, per-partner state

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_links",
        sa.Column("agency_id", sa.String(length=300), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("auth_user", sa.String(length=300), nullable=True),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("push_to", sa.String(length=64), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id"),
    )
    op.create_table(
        "sync_cursors",
        sa.Column("agency_id", sa.String(length=300), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("collection_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "direction", "collection_id"),
    )
    op.create_table(
        "sync_state",
        sa.Column("agency_id", sa.String(length=300), nullable=False),
        sa.Column("last_attempt", sa.BigInteger(), nullable=True),
        sa.Column("last_success", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt", sa.BigInteger(), nullable=True),
        sa.Column("objects_in", sa.BigInteger(), nullable=False),
        sa.Column("objects_out", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id"),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
    op.drop_table("sync_cursors")
    op.drop_table("sync_links")
