"""What the matcher reads: the comparisons the store indexed from indicator patterns, with
their versions' columns; the versions and comparisons added since a cursor; and the
indicators deleted since a cursor (SQL).

A million indicators are read in one go, so the reads come back as columns, not rows:
each batch is one result row whose columns are the batch's values joined into one text by
the database (`group_concat` on SQLite, `string_agg` on PostgreSQL). Python then makes no
object per value; the matcher splits the texts with numpy. Each aggregate sees the
batch's rows in the same order, so the columns line up (which order that is, SQL does
not promise: the reader sorts by `date_added` where it needs to).

- `indicator_entries`: a complete read. Every row the store indexed with `via="pattern"`
  (the comparisons of a *simple* STIX pattern, which `kawan.ingest.prepare.keys_of`
  writes only for `pattern_type: stix`, already normalised) of a latest indicator version
  not revoked, as its value and observable type, with its version's id, `valid_from` /
  `valid_until` (columns since migration 0009) and the metadata visibility is decided
  from, packed into four columns (`decode_meta` unpacks a row's). One pass
  over the index table in windows of row ids; a range of rows can be read on its own
  (`index_rows`), so that several processes can share the read;
- `indicator_versions` and `pattern_keys`: the latest indicator versions added after a
  cursor (revoked ones too, so a reader can drop what they supersede), and their
  comparisons, through the new versions and the index by object id;
- `deleted_indicators`: the indicators tombstones added since a cursor deleted (deletion
  removes every version, so a cursor over indicator versions alone never sees it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, LargeBinary, Text, and_, case, cast, func, literal, null, select
from sqlalchemy.sql.elements import ColumnElement

from kawan.store.deletions import TOMBSTONE
from kawan.store.schema import objects, observables, refs

BATCH = 100_000
_PREFIX = "indicator--"  # of every indicator id (validated); the reads leave it out
NO_STAMP = -(2**63)  # valid_from / valid_until absent
UNIT, RECORD = "\x1f", "\x1e"  # separators of the text columns, and of `access`'s parts

# created_by_ref, origin, tlp, groups, from_object, recorded tlp, brought_by, readers
MetaTuple = tuple[str | None, str, int, str, bool, int | None, str | None, str]


@dataclass(frozen=True)
class VersionBatch:
    """A batch of latest indicator versions, each column one text."""

    count: int
    last: int  # the highest date_added of the batch
    date_added: str  # comma-separated
    ids: str  # without their `indicator--` prefix, joined; `id_lengths` (bytes) split them
    id_lengths: str
    revoked: str  # "0" or "1" per version
    valid_from: str  # comma-separated microseconds, NO_STAMP where absent
    valid_until: str
    flags: str  # comma-separated tlp * 100 + 10 if the marking is the object's + recorded tlp + 1
    creators: str  # created_by_ref ("" where absent), UNIT-separated
    origins: str  # UNIT-separated
    access: str  # "" or groups RECORD brought_by RECORD readers, UNIT-separated


def decode_meta(key: Sequence[str]) -> MetaTuple:
    """A row's metadata from its four packed texts: creator, origin, flags, access (one
    field each of the batch's `creators`, `origins`, `flags` and `access`)."""
    creator, origin, flags, access = key
    value = int(flags)
    tlp, from_object, recorded = value // 100, (value // 10) % 10 == 1, value % 10 - 1
    groups, brought_by, readers = access.split(RECORD) if access else ("", "", "")
    return (creator or None, origin, tlp, groups, from_object, None if recorded < 0 else recorded,
            brought_by or None, readers)  # fmt: skip


@dataclass(frozen=True)
class KeyBatch:
    """A batch of indexed pattern comparisons: the indicator version and `prefix + value`."""

    count: int
    date_added: str  # comma-separated
    keys: str  # joined without separator; `key_lengths` (bytes) split them
    key_lengths: str


@dataclass(frozen=True)
class EntryBatch:
    """A batch of the comparisons of the latest indicator versions not revoked, each with
    its version's columns (a version of n comparisons comes n times, in consecutive rows
    unless a batch ends between them)."""

    count: int
    date_added: str  # comma-separated
    ids: str  # whole ids (`indicator--` and a UUID), joined: ID_WIDTH bytes each
    values: str  # the compared values, UNIT-separated; joined without one if `value_lengths`
    value_lengths: str | None  # None, or the values' lengths in bytes (a value holds a UNIT)
    types: str  # their observable types, UNIT-separated (the reader makes the keys' prefixes)
    valid_from: str  # comma-separated microseconds, NO_STAMP where absent
    valid_until: str
    flags: str  # as VersionBatch's
    creators: str
    origins: str
    access: str


ID_WIDTH = len(_PREFIX) + 36  # an indicator's id: the prefix and a UUID (validated)


def indicator_entries(
    conn: Connection,
    prefixes: Mapping[str, str],
    rows: tuple[int, int] | None = None,
    window: int = BATCH,
) -> Iterator[EntryBatch]:
    """Every comparison the store indexed from a simple pattern of the latest indicator
    versions not revoked, whose observable type `prefixes` names, with its version's
    columns: all a complete read of the matcher's index needs, in one pass over the index
    table (each row finds its version by the version's key). `rows`: only index rows in
    this range (both ends included; default `index_rows`), read `window` rows at a time
    (a window with no such row gives no batch)."""
    x, o = observables, objects
    value = x.c.value
    v = {c.name: c for c in _version_columns()}
    joined = _Joiner(conn)
    # the values UNIT-separated (one aggregate fewer than their lengths: a tenth of the
    # read), unless a value of the window holds a UNIT: that window is read again with
    # them. Value and type apart, not `prefix || value`: a CASE and a concatenation per
    # row were a fifth of the read.
    texts = [[joined(value, UNIT), null()], [joined(value, ""), joined(joined.octets(value), ",")]]
    columns = [
        select(
            func.count(), joined(v["date_added"], ","), joined(x.c.object_id, ""), *valued,
            joined(x.c.obs_type, UNIT), joined(v["valid_from"], ","),
            joined(v["valid_until"], ","), joined(v["flags"], ","), joined(v["creator"], UNIT),
            joined(v["origin"], UNIT), joined(v["access"], UNIT),
        ).select_from(x.join(o, o.c.date_added == x.c.date_added))
        for valued in texts
    ]  # fmt: skip
    wanted = [*_pattern_rows(_prefix_of(prefixes)), x.c.revoked.is_(False)]
    first, last = index_rows(conn) if rows is None else rows
    try:
        # windows of row ids, not LIMIT: an aggregate over a LIMITed subquery copies each
        # value once more, and on SQLite that was a fifth of the read
        for after in range(first - 1, last, window):
            within = [*wanted, x.c.row > after, x.c.row <= min(after + window, last)]
            _map(conn, _MAPPED)
            found = conn.execute(columns[0].where(*within)).one()
            if found[0] and found[3].count(UNIT) != found[0] - 1:
                found = conn.execute(columns[1].where(*within)).one()
            _map(conn, 0)
            if found[0]:
                yield EntryBatch(*found)
    finally:
        _map(conn, 0)
        _let_go(conn)


def index_rows(conn: Connection) -> tuple[int, int]:
    """The lowest and highest row of the observable index ((0, -1) when it is empty)."""
    x = observables
    # two scalar subqueries: SQLite reads one end of the table for a lone min() or max(),
    # but the whole table for both in one select
    ends = [select(f(x.c.row)).scalar_subquery() for f in (func.min, func.max)]
    low, high = conn.execute(select(*ends)).one()
    return (0, -1) if low is None else (int(low), int(high))


def latest_indicator_stamp(conn: Connection) -> int:
    """The highest `date_added` of a latest indicator version (0 without one): where a
    complete read leaves the cursor of later reads."""
    stmt = select(func.max(objects.c.date_added)).where(*_latest_indicators(None))
    return int(conn.execute(stmt).scalar() or 0)


def _version_columns() -> list[ColumnElement[Any]]:
    """A version's columns as the batches carry them: id (without prefix), validity, and
    the metadata packed in four (see `decode_meta`)."""
    o = objects
    c, none = _const, _const("")
    recorded = func.coalesce(o.c.recorded_tlp + c(1), c(0))
    flags = o.c.tlp * c(100) + case((o.c.marking_from_object, c(10)), else_=c(0)) + recorded
    plain = and_(o.c.groups == none, o.c.brought_by.is_(None), o.c.readers == none)
    access = case((plain, none), else_=o.c.groups + c(RECORD)
                  + func.coalesce(o.c.brought_by, none) + c(RECORD) + o.c.readers)  # fmt: skip
    return [
        o.c.date_added, func.substr(o.c.id, c(len(_PREFIX) + 1)).label("id"),
        func.coalesce(o.c.valid_from, c(NO_STAMP)).label("valid_from"),
        func.coalesce(o.c.valid_until, c(NO_STAMP)).label("valid_until"),
        flags.label("flags"), func.coalesce(o.c.created_by_ref, none).label("creator"),
        o.c.origin, access.label("access"),
    ]  # fmt: skip


def indicator_versions(
    conn: Connection, since: int | None = None, batch: int = BATCH
) -> Iterator[VersionBatch]:
    """The latest indicator versions added after `since` (all without), in batches."""
    o = objects
    joined, after = _Joiner(conn), -1 if since is None else since
    while True:
        rows = (
            select(*_version_columns(), case((o.c.revoked, "1"), else_="0").label("revoked"))
            .where(*_latest_indicators(after))
            .order_by(o.c.date_added)
            .limit(batch)
            .subquery()
        )  # fmt: skip
        found = conn.execute(
            select(
                func.count(), func.max(rows.c.date_added), joined(rows.c.date_added, ","),
                joined(rows.c.id, ""), joined(joined.octets(rows.c.id), ","),
                joined(rows.c.revoked, ""), joined(rows.c.valid_from, ","),
                joined(rows.c.valid_until, ","), joined(rows.c.flags, ","),
                joined(rows.c.creator, UNIT), joined(rows.c.origin, UNIT),
                joined(rows.c.access, UNIT),
            )
        ).one()  # fmt: skip
        if not found[0]:
            _let_go(conn)
            return
        yield VersionBatch(*found)
        after = found[1]


def pattern_keys(conn: Connection, prefixes: Mapping[str, str], since: int) -> KeyBatch | None:
    """The pattern comparisons of the latest indicator versions added after `since` whose
    observable type `prefixes` names, as `prefixes[type] + value` (None without one): few,
    in one batch, through the new versions and the index by object id."""
    x, o = observables, objects
    prefix = _prefix_of(prefixes)
    joined = _Joiner(conn)
    on = and_(x.c.object_id == o.c.id, x.c.date_added == o.c.date_added)
    rows = (
        select(x.c.date_added, (prefix + x.c.value).label("key"))
        .select_from(o.join(x, on))
        .where(*_latest_indicators(since), *_pattern_rows(prefix))
        .subquery()
    )
    found = conn.execute(
        select(func.count(), joined(rows.c.date_added, ","), joined(rows.c.key, ""),
               joined(joined.octets(rows.c.key), ","))
    ).one()  # fmt: skip
    return KeyBatch(*found) if found[0] else None


def _prefix_of(prefixes: Mapping[str, str]) -> ColumnElement[Any]:
    """An index row's key prefix by its observable type; NULL for types not named."""
    x = observables
    return case(*((x.c.obs_type == _const(t), _const(p)) for t, p in prefixes.items()), else_=None)


def _pattern_rows(prefix: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    """Index rows of simple indicator patterns whose type has a prefix. Not `obs_type IN
    (...)`: SQLite would read through the index on (obs_type, value) and sort, instead of
    one pass over the table in `row` order."""
    x = observables
    via, kind = _const("pattern"), _const("indicator")
    return [x.c.via == via, x.c.object_type == kind, prefix.is_not(None)]


def deleted_indicators(conn: Connection, since: int) -> tuple[list[str], int]:
    """Ids of the indicators tombstones added after `since` deleted, and the highest
    `date_added` of those tombstones (`since` when there is none)."""
    o, r = objects, refs
    stmt = (
        select(o.c.date_added, r.c.target_id)
        .select_from(o.outerjoin(r, r.c.object_id == o.c.id))
        .where(o.c.is_latest.is_(True), o.c.type == TOMBSTONE, o.c.date_added > since)
    )
    rows = conn.execute(stmt).all()
    targets = sorted({t for _, t in rows if t is not None and t.startswith("indicator--")})
    return targets, max((stamp for stamp, _ in rows), default=since)


def _latest_indicators(since: int | None) -> list[ColumnElement[bool]]:
    where = [objects.c.is_latest.is_(True), objects.c.type == "indicator"]
    if since is not None:
        where.append(objects.c.date_added > since)
    return where


_MAPPED = 1 << 31  # bytes of the database file a window of the complete read maps (SQLite)


def _map(conn: Connection, size: int) -> None:
    """SQLite: read the database file through a memory map of `size` bytes, or through
    read calls again (0). A window of the complete read touches most pages of its part of
    the file: mapped, they are not copied in one read call each (that was a fifth of the
    readers' CPU, in the kernel). The map is let go after each window: mapped pages count
    in the process's resident memory, and a whole read's would be gigabytes at 10M."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA mmap_size={int(size)}")


def _let_go(conn: Connection) -> None:
    """After a read of the whole table: SQLite frees the connection's page cache (it is
    kept with the pooled connection otherwise, 64 MB each)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA shrink_memory")


def _const(value: str | int) -> ColumnElement[Any]:
    """A constant written into the statement, not bound: SQLite evaluates a bound value
    again for every row it is used in (a separator, a CASE's answer), and on the complete
    read that was a third of the work."""
    return literal(value, literal_execute=True)


class _Joiner:
    """The aggregate that joins a column's values into one text, with a separator."""

    def __init__(self, conn: Connection) -> None:
        self.postgres = conn.dialect.name == "postgresql"

    def __call__(self, column: Any, sep: str) -> ColumnElement[Any]:
        if self.postgres:
            return func.string_agg(cast(column, Text), _const(sep))
        return func.group_concat(column, _const(sep))

    def octets(self, column: Any) -> ColumnElement[Any]:
        """The length of a text in UTF-8 bytes."""
        if self.postgres:
            return func.octet_length(column)
        return func.length(cast(column, LargeBinary))
