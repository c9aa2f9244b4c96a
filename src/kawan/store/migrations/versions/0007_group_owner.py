"""Sharing groups sent between nodes: each group version records its owner

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 13:30:00.000000

The owner is the agency whose node created the group and alone may send new versions of
it; NULL (every group made before) means the home agency.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("owner")
