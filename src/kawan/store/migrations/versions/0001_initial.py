"""initial schema: objects, observables, refs, node, clock

Revision ID: 0001
Revises:
Create Date: 2026-12-01 10:46:19.025133
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "node",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "objects",
        sa.Column("date_added", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=250), nullable=False),
        sa.Column("spec_version", sa.String(length=8), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=True),
        sa.Column("modified", sa.BigInteger(), nullable=True),
        sa.Column("version_text", sa.String(length=40), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("created_by_ref", sa.String(length=300), nullable=True),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("tlp", sa.SmallInteger(), nullable=False),
        sa.Column("groups", sa.Text(), nullable=False),
        sa.Column("marking_from_object", sa.Boolean(), nullable=False),
        sa.Column("recorded_tlp", sa.SmallInteger(), nullable=True),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("date_added"),
    )
    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.create_index("ix_objects_creator", ["created_by_ref"], unique=False)
        batch_op.create_index("ix_objects_id_version", ["id", "modified"], unique=False)
        batch_op.create_index(
            "ix_objects_latest_type", ["is_latest", "type", "date_added"], unique=False
        )

    op.create_table(
        "observables",
        sa.Column(
            "row",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("obs_type", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("object_id", sa.String(length=300), nullable=False),
        sa.Column("object_type", sa.String(length=250), nullable=False),
        sa.Column("date_added", sa.BigInteger(), nullable=False),
        sa.Column("tlp", sa.SmallInteger(), nullable=False),
        sa.Column("groups", sa.Text(), nullable=False),
        sa.Column("creator", sa.String(length=300), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("first_seen", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.BigInteger(), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("row"),
    )
    with op.batch_alter_table("observables", schema=None) as batch_op:
        batch_op.create_index("ix_observables_key", ["obs_type", "value"], unique=False)
        batch_op.create_index("ix_observables_object", ["object_id"], unique=False)

    op.create_table(
        "refs",
        sa.Column("object_id", sa.String(length=300), nullable=False),
        sa.Column("target_id", sa.String(length=300), nullable=False),
    )
    with op.batch_alter_table("refs", schema=None) as batch_op:
        batch_op.create_index("ix_refs_object", ["object_id"], unique=False)
        batch_op.create_index("ix_refs_target", ["target_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refs", schema=None) as batch_op:
        batch_op.drop_index("ix_refs_target")
        batch_op.drop_index("ix_refs_object")

    op.drop_table("refs")
    with op.batch_alter_table("observables", schema=None) as batch_op:
        batch_op.drop_index("ix_observables_object")
        batch_op.drop_index("ix_observables_key")

    op.drop_table("observables")
    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.drop_index("ix_objects_latest_type")
        batch_op.drop_index("ix_objects_id_version")
        batch_op.drop_index("ix_objects_creator")

    op.drop_table("objects")
    op.drop_table("node")
    op.drop_table("clock")
