"""What the matcher reads: the latest indicator versions, the comparisons the store
indexed from their patterns, and the indicators deleted since a cursor (SQL).

Three plain SELECTs on the driver's own cursor, fetched in batches of tuples (no
SQLAlchemy `Row` per row): the matcher reads a million rows in one go and the row
objects were most of its time.

- `indicator_versions`: the latest version of every indicator (revoked ones too, so a
  reader can drop what they supersede), with the metadata visibility is decided from and
  `valid_from` / `valid_until`, the only two values read out of the JSON (by the
  database; the JSON itself never leaves it);
- `pattern_keys`: the rows the store indexed with `via="pattern"` — the comparisons of a
  *simple* STIX pattern (`kawan.ingest.prepare.keys_of` writes them only for
  `pattern_type: stix`), already normalised — keyed by the indicator version's
  `date_added`. A complete read scans the index once; a read since a cursor goes through
  the new indicator versions and the index by object id instead;
- `deleted_indicators`: the indicators tombstones added since a cursor deleted (deletion
  removes every version, so a cursor over indicator versions alone never sees it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from kawan.store.deletions import TOMBSTONE
from kawan.store.schema import objects, observables, refs

BATCH = 50_000


@dataclass(frozen=True)
class IndicatorVersions:
    """A batch of latest indicator versions as columns, in `date_added` order."""

    date_added: Sequence[int]
    id: Sequence[str]
    revoked: Sequence[bool]
    created_by_ref: Sequence[str | None]
    origin: Sequence[str]
    tlp: Sequence[int]
    groups: Sequence[str]  # space-separated group ids
    from_object: Sequence[bool]
    recorded: Sequence[int | None]
    brought_by: Sequence[str | None]
    readers: Sequence[str]  # space-separated user ids
    valid_from: Sequence[str | None]
    valid_until: Sequence[str | None]

    def __len__(self) -> int:
        return len(self.date_added)


@dataclass(frozen=True)
class PatternKeys:
    """A batch of indexed pattern comparisons: the indicator version, type and value."""

    date_added: Sequence[int]
    obs_type: Sequence[str]
    value: Sequence[str]

    def __len__(self) -> int:
        return len(self.date_added)


def indicator_versions(
    conn: Connection, since: int | None = None, batch: int = BATCH
) -> Iterator[IndicatorVersions]:
    """The latest indicator versions added after `since` (all without), in batches."""
    o = objects
    stmt = (
        select(
            o.c.date_added, o.c.id, o.c.revoked, o.c.created_by_ref, o.c.origin, o.c.tlp,
            o.c.groups, o.c.marking_from_object, o.c.recorded_tlp, o.c.brought_by, o.c.readers,
            _json_text(conn, "valid_from"), _json_text(conn, "valid_until"),
        )
        .where(*_latest_indicators(since))
        .order_by(o.c.date_added)
    )  # fmt: skip
    for rows in _fetched(conn, stmt, batch):
        yield IndicatorVersions(*zip(*rows, strict=True))


def pattern_keys(
    conn: Connection, since: int | None = None, batch: int = BATCH
) -> Iterator[PatternKeys]:
    """The pattern comparisons of the latest indicator versions added after `since`."""
    x = observables
    columns = (x.c.date_added, x.c.obs_type, x.c.value)
    if since is None:
        stmt = select(*columns).where(x.c.via == "pattern", x.c.object_type == "indicator")
    else:
        o = objects
        on = and_(x.c.object_id == o.c.id, x.c.date_added == o.c.date_added, x.c.via == "pattern")
        stmt = select(*columns).select_from(o.join(x, on)).where(*_latest_indicators(since))
    for rows in _fetched(conn, stmt, batch):
        yield PatternKeys(*zip(*rows, strict=True))


def deleted_indicators(conn: Connection, since: int) -> tuple[list[str], int]:
    """Ids of the indicators tombstones added after `since` deleted, and the highest
    `date_added` of those tombstones (`since` when there is none)."""
    o, r = objects, refs
    stmt = (
        select(o.c.date_added, r.c.target_id)
        .select_from(o.outerjoin(r, r.c.object_id == o.c.id))
        .where(o.c.is_latest.is_(True), o.c.type == TOMBSTONE, o.c.date_added > since)
    )
    rows = [row for rows in _fetched(conn, stmt, BATCH) for row in rows]
    targets = sorted({t for _, t in rows if t is not None and t.startswith("indicator--")})
    return targets, max((stamp for stamp, _ in rows), default=since)


def _latest_indicators(since: int | None) -> list[ColumnElement[bool]]:
    where = [objects.c.is_latest.is_(True), objects.c.type == "indicator"]
    if since is not None:
        where.append(objects.c.date_added > since)
    return where


def _fetched(conn: Connection, stmt: Select[Any], batch: int) -> Iterator[list[tuple[Any, ...]]]:
    """The statement's rows in lists of tuples, from the driver's cursor (streamed)."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    driver: Any = conn.connection.driver_connection
    postgres = conn.dialect.name == "postgresql"
    cursor = driver.cursor(name="kawan_match_read") if postgres else driver.cursor()
    try:
        cursor.execute(str(compiled))
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()


def _json_text(conn: Connection, name: str) -> ColumnElement[Any]:
    """One top-level property of the object's JSON, as text (NULL when absent)."""
    if conn.dialect.name == "postgresql":
        text: ColumnElement[Any] = cast(objects.c.json, JSONB)[name].astext
        return text
    return func.json_extract(objects.c.json, f"$.{name}")
