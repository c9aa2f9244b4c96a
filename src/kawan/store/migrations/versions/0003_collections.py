"""TAXII: collection entries (collections are views) and persisted POST statuses

Existing object versions enter the collections their effective marking puts them in, each
with its own date_added as the moment it entered.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 11:10:00.000000
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen copies of kawan.store.collections' ids, so this migration never changes.
_NAMESPACE = uuid.UUID("5f0d6a53-6b1e-4c8e-9a55-2d1b8c7e4a10")
_COMMUNITY = str(uuid.uuid5(_NAMESPACE, "community"))
_CLEAR_GREEN = (0, 1)
_AMBER_LEVELS = (2, 3)


def upgrade() -> None:
    entries = op.create_table(
        "collection_entries",
        sa.Column("collection_id", sa.String(length=64), nullable=False),
        sa.Column("entered", sa.BigInteger(), nullable=False),
        sa.Column("date_added", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("collection_id", "date_added"),
    )
    with op.batch_alter_table("collection_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entries_collection_entered", ["collection_id", "entered"], unique=True
        )
        batch_op.create_index("ix_entries_version", ["date_added"], unique=False)
    op.create_table(
        "taxii_status",
        sa.Column("status_id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=300), nullable=False),
        sa.Column("request_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("pending_count", sa.Integer(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("status_id"),
    )
    _backfill(entries)


def _backfill(entries: sa.Table) -> None:
    conn = op.get_bind()
    objects = sa.table(
        "objects",
        sa.column("date_added", sa.BigInteger),
        sa.column("tlp", sa.SmallInteger),
        sa.column("groups", sa.Text),
    )
    rows = []
    query = sa.select(objects.c.date_added, objects.c.tlp, objects.c.groups).where(
        objects.c.tlp.in_(_CLEAR_GREEN + _AMBER_LEVELS)
    )
    for stamp, tlp, groups in conn.execute(query):
        if tlp in _CLEAR_GREEN:
            rows.append({"collection_id": _COMMUNITY, "entered": stamp, "date_added": stamp})
        for group_id in (groups or "").split() if tlp in _AMBER_LEVELS else ():
            cid = str(uuid.uuid5(_NAMESPACE, group_id))
            rows.append({"collection_id": cid, "entered": stamp, "date_added": stamp})
    if rows:
        op.bulk_insert(entries, rows)


def downgrade() -> None:
    op.drop_table("taxii_status")
    with op.batch_alter_table("collection_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_entries_version")
        batch_op.drop_index("ix_entries_collection_entered")
    op.drop_table("collection_entries")
