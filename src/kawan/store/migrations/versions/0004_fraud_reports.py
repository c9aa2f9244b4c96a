"""Fraud reports: victims' personal data (node only), disputes, the public allowlist

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "victims",
        sa.Column("report_id", sa.String(length=300), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("recorded", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("report_id"),
    )
    with op.batch_alter_table("victims", schema=None) as batch_op:
        batch_op.create_index("ix_victims_recorded", ["recorded"], unique=False)
    op.create_table(
        "disputes",
        sa.Column("dispute_id", sa.String(length=300), nullable=False),
        sa.Column("obs_type", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("filed", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("dispute_id"),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index("ix_disputes_status_filed", ["status", "filed"], unique=False)
    op.create_table(
        "allowlist",
        sa.Column("obs_type", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("obs_type", "value"),
    )


def downgrade() -> None:
    op.drop_table("allowlist")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index("ix_disputes_status_filed")
    op.drop_table("disputes")
    with op.batch_alter_table("victims", schema=None) as batch_op:
        batch_op.drop_index("ix_victims_recorded")
    op.drop_table("victims")
