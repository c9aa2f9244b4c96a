"""An indicator's validity as columns: `objects.valid_from` and `objects.valid_until`

Microseconds since the epoch, NULL for other types and where the indicator has none. The
matcher decides validity from them without reading (and parsing) every indicator's JSON.
Existing indicator versions are filled in from their JSON, in batches.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 16:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kawan.stix.timestamps import parse_us

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 50_000


def upgrade() -> None:
    op.add_column("objects", sa.Column("valid_from", sa.BigInteger(), nullable=True))
    op.add_column("objects", sa.Column("valid_until", sa.BigInteger(), nullable=True))
    _fill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("objects") as batch:
        batch.drop_column("valid_until")
        batch.drop_column("valid_from")


def _fill(bind: sa.Connection) -> None:
    """Each stored indicator version's valid_from / valid_until, parsed from its JSON."""
    if bind.dialect.name == "postgresql":
        texts = "CAST(json AS JSONB) ->> 'valid_from', CAST(json AS JSONB) ->> 'valid_until'"
    else:
        texts = "json_extract(json, '$.valid_from'), json_extract(json, '$.valid_until')"
    read = sa.text(
        f"SELECT date_added, {texts} FROM objects "  # noqa: S608 - constants only
        "WHERE type = 'indicator' AND date_added > :after ORDER BY date_added LIMIT :batch"
    )
    write = sa.text("UPDATE objects SET valid_from = :vf, valid_until = :vu WHERE date_added = :d")
    parsed: dict[str, int] = {}

    def stamp(text: str | None, name: str, oid: int) -> int | None:
        if text is None:
            return None
        if text not in parsed:
            parsed[text] = parse_us(text, field=name, object_id=f"date_added {oid}")
        return parsed[text]

    after = -1
    while rows := bind.execute(read, {"after": after, "batch": BATCH}).all():
        after = rows[-1][0]
        values = [
            {"d": d, "vf": stamp(vf, "valid_from", d), "vu": stamp(vu, "valid_until", d)}
            for d, vf, vu in rows
            if vf is not None or vu is not None
        ]
        if values:
            bind.execute(write, values)
        if len(parsed) > 1_000_000:
            parsed.clear()
