"""What the matcher reads: the latest indicator versions with their pattern comparisons,
column-light and streamed (SQL).

One row per (indicator version, comparison the store indexed from its pattern); an
indicator with no indexed comparison (revoked, a complex pattern, not STIX) still gives
one row, with `obs_type` and `value` NULL, so that a reader can drop what it supersedes.
`valid_from`, `valid_until` and `pattern_type` are read out of the JSON by the database;
the JSON itself never leaves it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from kawan.store.schema import objects, observables

BATCH = 50_000
JSON_FIELDS = ("pattern_type", "valid_from", "valid_until")


@dataclass(frozen=True)
class IndicatorColumns:
    """A batch of rows as columns, in `date_added` order (an indicator's rows adjacent)."""

    date_added: Sequence[int]
    id: Sequence[str]
    created_by_ref: Sequence[str | None]
    origin: Sequence[str]
    tlp: Sequence[int]
    groups: Sequence[str]  # space-separated group ids
    from_object: Sequence[bool]
    recorded: Sequence[int | None]
    brought_by: Sequence[str | None]
    readers: Sequence[str]  # space-separated user ids
    revoked: Sequence[bool]
    pattern_type: Sequence[str | None]
    valid_from: Sequence[str | None]
    valid_until: Sequence[str | None]
    obs_type: Sequence[str | None]
    value: Sequence[str | None]

    def __len__(self) -> int:
        return len(self.date_added)


def indicator_rows(
    conn: Connection, since: int | None = None, batch: int = BATCH
) -> Iterator[IndicatorColumns]:
    """The latest indicator versions added after `since` (all without), in batches."""
    o, x = objects, observables
    joined = o.outerjoin(
        x, and_(x.c.object_id == o.c.id, x.c.date_added == o.c.date_added, x.c.via == "pattern")
    )
    where = [o.c.is_latest.is_(True), o.c.type == "indicator"]
    if since is not None:
        where.append(o.c.date_added > since)
    stmt = (
        select(
            o.c.date_added,
            o.c.id,
            o.c.created_by_ref,
            o.c.origin,
            o.c.tlp,
            o.c.groups,
            o.c.marking_from_object,
            o.c.recorded_tlp,
            o.c.brought_by,
            o.c.readers,
            o.c.revoked,
            *(_json_text(conn, name) for name in JSON_FIELDS),
            x.c.obs_type,
            x.c.value,
        )
        .select_from(joined)
        .where(and_(*where))
        .order_by(o.c.date_added)
    )
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt)
    for rows in result.partitions(batch):
        yield IndicatorColumns(*_columns(rows))


def _columns(rows: Sequence[Any]) -> list[Sequence[Any]]:
    return list(zip(*rows, strict=True))


def _json_text(conn: Connection, name: str) -> ColumnElement[Any]:
    """One top-level property of the object's JSON, as text (NULL when absent)."""
    if conn.dialect.name == "postgresql":
        text: ColumnElement[Any] = cast(objects.c.json, JSONB)[name].astext
        return text
    return func.json_extract(objects.c.json, f"$.{name}")
