"""Fewer B-trees to maintain on insert: `objects.date_added` is SQLite's rowid, and a
collection entry is found by its version first

SQLite: `objects` is rebuilt with `date_added INTEGER PRIMARY KEY`, an alias of the rowid,
so the table no longer carries a separate index of its primary key (PostgreSQL keeps its
BIGINT key). `collection_entries` gets the primary key (date_added, collection_id): it
serves both the lookups by version that `ix_entries_version` served and those by
(collection, version), so that index goes; on SQLite the table is `WITHOUT ROWID`, stored
in its primary key. Same rows, same constraints, same answers: only the B-trees change.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ENTRIES = "collection_entries"
_COPY = "collection_entries_copy"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        had_statistics = _has_statistics(bind)
        with op.batch_alter_table("objects", recreate="always") as batch_op:
            batch_op.alter_column("date_added", type_=sa.Integer(), existing_type=sa.BigInteger())
        _rebuild_entries(("date_added", "collection_id"), with_rowid=False, version_index=False)
        if had_statistics:  # the rebuilt tables lost theirs; without them plans go bad
            op.execute("ANALYZE objects")
            op.execute("ANALYZE collection_entries")
        return
    op.drop_constraint("collection_entries_pkey", _ENTRIES, type_="primary")
    op.create_primary_key("collection_entries_pkey", _ENTRIES, ["date_added", "collection_id"])
    op.drop_index("ix_entries_version", table_name=_ENTRIES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_entries(("collection_id", "date_added"), with_rowid=True, version_index=True)
        with op.batch_alter_table("objects", recreate="always") as batch_op:
            batch_op.alter_column("date_added", type_=sa.BigInteger(), existing_type=sa.Integer())
        return
    op.create_index("ix_entries_version", _ENTRIES, ["date_added"], unique=False)
    op.drop_constraint("collection_entries_pkey", _ENTRIES, type_="primary")
    op.create_primary_key("collection_entries_pkey", _ENTRIES, ["collection_id", "date_added"])


def _has_statistics(bind: sa.Connection) -> bool:
    """SQLite: whether ANALYZE has ever run on this database."""
    query = sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    return bind.execute(query).first() is not None


def _rebuild_entries(key: tuple[str, ...], *, with_rowid: bool, version_index: bool) -> None:
    """SQLite: copy `collection_entries` into a table of the given shape, in place of it."""
    op.create_table(
        _COPY,
        sa.Column("collection_id", sa.String(length=64), nullable=False),
        sa.Column("entered", sa.BigInteger(), nullable=False),
        sa.Column("date_added", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*key),
        sqlite_with_rowid=with_rowid,
    )
    op.execute(
        f"INSERT INTO {_COPY} (collection_id, entered, date_added) "  # noqa: S608 - constants
        f"SELECT collection_id, entered, date_added FROM {_ENTRIES}"
    )
    op.drop_table(_ENTRIES)
    op.rename_table(_COPY, _ENTRIES)
    op.create_index(
        "ix_entries_collection_entered", _ENTRIES, ["collection_id", "entered"], unique=True
    )
    if version_index:
        op.create_index("ix_entries_version", _ENTRIES, ["date_added"], unique=False)
