"""What the matcher reads: the latest indicator versions, the comparisons the store
indexed from their patterns, and the indicators deleted since a cursor (SQL).

A million indicators are read in one go, so the two big reads come back as columns, not
rows: each batch is one result row whose columns are the batch's values joined into one
text by the database (`group_concat` on SQLite, `string_agg` on PostgreSQL). Python then
makes no object per value; the matcher splits the texts with numpy. Each aggregate sees
the batch's rows in the same order, so the columns line up (which order that is, SQL
does not promise: the reader sorts by `date_added` where it needs to).

- `indicator_versions`: the latest version of every indicator (revoked ones too, so a
  reader can drop what they supersede), with `valid_from` / `valid_until` (columns since
  migration 0009) and the metadata visibility is decided from, packed into four columns
  (`VersionBatch.meta_keys` / `decode_meta` unpack them);
- `pattern_keys`: the rows the store indexed with `via="pattern"` — the comparisons of a
  *simple* STIX pattern (`kawan.ingest.prepare.keys_of` writes them only for
  `pattern_type: stix`), already normalised — as `prefix + value` keys, keyed by the
  indicator version's `date_added`. A complete read scans the index once, in batches; a
  read since a cursor goes through the new indicator versions and the index by object id;
- `deleted_indicators`: the indicators tombstones added since a cursor deleted (deletion
  removes every version, so a cursor over indicator versions alone never sees it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, LargeBinary, Text, and_, case, cast, func, literal, select
from sqlalchemy.sql import Select
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

    def meta_keys(self) -> list[tuple[str, str, str, str]]:
        """Each version's packed metadata (creator, origin, flags, access): equal keys,
        equal metadata; `decode_meta` unpacks one."""
        flags = self.flags.split(",")
        parts = (self.creators, self.origins, self.access)
        creators, origins, access = (p.split(UNIT) if self.count else [] for p in parts)
        return list(zip(creators, origins, flags, access, strict=True))


def decode_meta(key: tuple[str, str, str, str]) -> MetaTuple:
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


def indicator_versions(
    conn: Connection, since: int | None = None, batch: int = BATCH
) -> Iterator[VersionBatch]:
    """The latest indicator versions added after `since` (all without), in batches."""
    o = objects
    recorded = func.coalesce(o.c.recorded_tlp + 1, 0)
    flags = o.c.tlp * 100 + case((o.c.marking_from_object, 10), else_=0) + recorded
    plain = and_(o.c.groups == "", o.c.brought_by.is_(None), o.c.readers == "")
    access = case((plain, ""), else_=o.c.groups + RECORD + func.coalesce(o.c.brought_by, "")
                  + RECORD + o.c.readers)  # fmt: skip
    joined, after = _Joiner(conn), -1 if since is None else since
    while True:
        rows = (
            select(
                o.c.date_added, func.substr(o.c.id, len(_PREFIX) + 1).label("id"),
                case((o.c.revoked, "1"), else_="0").label("revoked"),
                func.coalesce(o.c.valid_from, literal(NO_STAMP)).label("valid_from"),
                func.coalesce(o.c.valid_until, literal(NO_STAMP)).label("valid_until"),
                flags.label("flags"), func.coalesce(o.c.created_by_ref, "").label("creator"),
                o.c.origin, access.label("access"),
            )
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


def pattern_keys(
    conn: Connection, prefixes: Mapping[str, str], since: int | None = None, batch: int = BATCH
) -> Iterator[KeyBatch]:
    """The pattern comparisons of the latest indicator versions added after `since` (all
    without) whose observable type `prefixes` names, as `prefixes[type] + value`."""
    x = observables
    prefix = case(*((x.c.obs_type == t, p) for t, p in prefixes.items()), else_=None)
    key = prefix + x.c.value
    # not `obs_type IN (...)`: SQLite would read through the index on (obs_type, value) and
    # sort every batch, instead of one pass over the table in `row` order
    wanted = [x.c.via == "pattern", x.c.object_type == "indicator", prefix.is_not(None)]
    joined = _Joiner(conn)
    if since is not None:  # the new versions' comparisons: few, in one batch
        o = objects
        on = and_(x.c.object_id == o.c.id, x.c.date_added == o.c.date_added)
        part = (
            select(x.c.date_added, key.label("key"))
            .select_from(o.join(x, on))
            .where(*_latest_indicators(since), *wanted)
            .subquery()
        )
        found = conn.execute(_key_columns(joined, part)).one()
        if found[0]:
            yield KeyBatch(found[0], *found[2:])
        return
    after = -1
    while True:
        part = (
            select(x.c.row, x.c.date_added, key.label("key"))
            .where(*wanted, x.c.row > after)
            .order_by(x.c.row)
            .limit(batch)
            .subquery()
        )
        found = conn.execute(_key_columns(joined, part)).one()
        if not found[0]:
            _let_go(conn)
            return
        yield KeyBatch(found[0], *found[2:])
        after = found[1]


def _key_columns(joined: _Joiner, rows: Any) -> Select[Any]:
    last = func.max(rows.c.row) if "row" in rows.c else literal(0)
    return select(func.count(), last, joined(rows.c.date_added, ","), joined(rows.c.key, ""),
                  joined(joined.octets(rows.c.key), ","))  # fmt: skip


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


def _let_go(conn: Connection) -> None:
    """After a read of the whole table: SQLite frees the connection's page cache (it is
    kept with the pooled connection otherwise, 64 MB each)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA shrink_memory")


class _Joiner:
    """The aggregate that joins a column's values into one text, with a separator."""

    def __init__(self, conn: Connection) -> None:
        self.postgres = conn.dialect.name == "postgresql"

    def __call__(self, column: Any, sep: str) -> ColumnElement[Any]:
        if self.postgres:
            return func.string_agg(cast(column, Text), literal(sep))
        return func.group_concat(column, literal(sep))

    def octets(self, column: Any) -> ColumnElement[Any]:
        """The length of a text in UTF-8 bytes."""
        if self.postgres:
            return func.octet_length(column)
        return func.length(cast(column, LargeBinary))
