"""Reads of the observable index for check and search (writes happen in objects.py).

The check's statements are built once (bound parameters, `expanding` for lists), so a
check spends no time building or hashing SQL. The checks themselves read through a
`Snapshot`: one read transaction on the database driver's own cursor, the same
statements written out as SQL text, and no SQLAlchemy work per statement (which cost
more than the statements: about 0.3 ms of a check's 0.4 ms of reading).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, Row, Select, bindparam, select

from kawan.store.allowlist import Official
from kawan.store.records import ObservableRow, StoredVersion
from kawan.store.rows import (
    OBSERVABLE_FIELDS,
    VERSION_FIELDS,
    observable_from,
    observable_of,
    version_from,
    version_of,
)
from kawan.store.schema import objects, observables

CHUNK = 500

_KEY = (observables.c.obs_type == bindparam("obs_type"), observables.c.value == bindparam("value"))
_OF_OBJECTS = observables.c.object_id.in_(bindparam("ids", expanding=True))
_ROWS_FOR = select(observables).where(*_KEY).order_by(observables.c.first_seen)
_ROWS_OF_OBJECTS = select(observables).where(_OF_OBJECTS)
# Every version of the objects, the latest kept in Python: with `is_latest` in the WHERE
# clause, SQLite without fresh statistics may walk `ix_objects_latest_type` (every latest
# object) instead of the id index.
_SUMMARIES = select(objects.c.id, objects.c.json, objects.c.is_latest).where(
    objects.c.id.in_(bindparam("ids", expanding=True))
)
# index rows with the object version each one indexes (the policy's input), in one read
_VERSION_COLUMNS = [c.label(f"v_{c.name}") for c in objects.c]
_WITH_VERSIONS = select(observables, *_VERSION_COLUMNS).join(
    objects, objects.c.date_added == observables.c.date_added
)
_ROWS_FOR_WITH_VERSIONS = _WITH_VERSIONS.where(*_KEY).order_by(observables.c.first_seen)
_ROWS_OF_OBJECTS_WITH_VERSIONS = _WITH_VERSIONS.where(_OF_OBJECTS)

Versioned = tuple[list[ObservableRow], dict[int, StoredVersion]]  # rows; date_added -> version


def rows_for(conn: Connection, obs_type: str, value: str) -> list[ObservableRow]:
    """Every index row of one (type, value): one per object that mentions it."""
    return [
        observable_of(r) for r in conn.execute(_ROWS_FOR, {"obs_type": obs_type, "value": value})
    ]


def rows_of_objects(conn: Connection, object_ids: Iterable[str]) -> list[ObservableRow]:
    """Every index row of the given objects (the identifiers each one mentions)."""
    ids = sorted(set(object_ids))
    out: list[ObservableRow] = []
    for start in range(0, len(ids), CHUNK):
        out.extend(
            observable_of(r)
            for r in conn.execute(_ROWS_OF_OBJECTS, {"ids": ids[start : start + CHUNK]})
        )
    return out


def versioned_rows_for(conn: Connection, obs_type: str, value: str) -> Versioned:
    """`rows_for`, with the object version each row indexes (for `Access.rows_in`)."""
    return _versioned(conn.execute(_ROWS_FOR_WITH_VERSIONS, {"obs_type": obs_type, "value": value}))


def versioned_rows_of_objects(conn: Connection, object_ids: Iterable[str]) -> Versioned:
    """`rows_of_objects`, with the object version each row indexes."""
    ids = sorted(set(object_ids))
    rows: list[ObservableRow] = []
    versions: dict[int, StoredVersion] = {}
    for start in range(0, len(ids), CHUNK):
        found = _versioned(
            conn.execute(_ROWS_OF_OBJECTS_WITH_VERSIONS, {"ids": ids[start : start + CHUNK]})
        )
        rows.extend(found[0])
        versions.update(found[1])
    return rows, versions


def values_with_prefix(
    conn: Connection, prefix: str, obs_type: str | None, limit: int
) -> list[ObservableRow]:
    """Index rows whose value starts with `prefix` (a range scan on the key index)."""
    stmt: Select[Any] = select(observables).where(
        observables.c.value >= prefix, observables.c.value < prefix + "\U0010ffff"
    )
    if obs_type is not None:
        stmt = stmt.where(observables.c.obs_type == obs_type)
    stmt = stmt.order_by(observables.c.value, observables.c.first_seen).limit(limit)
    return [observable_of(r) for r in conn.execute(stmt)]


def summaries(conn: Connection, object_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The latest JSON of each object (for names, labels, published dates)."""
    ids = sorted(set(object_ids))
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        found = conn.execute(_SUMMARIES, {"ids": ids[start : start + CHUNK]})
        out.update({r.id: orjson.loads(r.json) for r in found if r.is_latest})
    return out


def _versioned(found: Iterable[Row[Any]]) -> Versioned:
    rows: list[ObservableRow] = []
    versions: dict[int, StoredVersion] = {}
    for r in found:
        rows.append(observable_of(r))
        if r.v_date_added not in versions:  # an object's rows all carry its one version
            versions[r.v_date_added] = version_of(r, "v_")
    return rows, versions


# ---- the checks' snapshot: the driver's cursor, statements as text -------------------------

_OFFICIAL_COLUMNS = ("obs_type", "value", "kind", "name", "country", "demo", "source", "loaded")


def _listed(table: str, names: Sequence[str]) -> str:
    return ", ".join(f'{table}."{name}"' for name in names)


_RAW_WITH_VERSIONS = (
    f"SELECT {_listed('o', OBSERVABLE_FIELDS)}, {_listed('v', VERSION_FIELDS)} "  # noqa: S608 - constants
    "FROM observables o JOIN objects v ON v.date_added = o.date_added"
)
_RAW_ROWS_FOR = f"{_RAW_WITH_VERSIONS} WHERE o.obs_type = ? AND o.value = ? ORDER BY o.first_seen"
_RAW_ROWS_OF_OBJECTS = f"{_RAW_WITH_VERSIONS} WHERE o.object_id IN ({{marks}})"
_RAW_SUMMARIES = "SELECT id, json, is_latest FROM objects WHERE id IN ({marks})"
_RAW_VERSIONS_OF = (
    f"SELECT {_listed('v', VERSION_FIELDS)} FROM objects v "  # noqa: S608 - constants
    "WHERE v.id IN ({marks})"
)
_RAW_OFFICIAL = (
    f"SELECT {_listed('a', _OFFICIAL_COLUMNS)} FROM allowlist a "  # noqa: S608 - constants
    "WHERE a.obs_type = ? AND a.value = ?"
)
_ROW_WIDTH = len(OBSERVABLE_FIELDS)


class Snapshot:
    """The check's reads, in one read transaction on the driver's own cursor (`snapshot`).
    Each answers what the function of the same name above answers."""

    def __init__(self, cursor: Any, qmark: bool) -> None:
        self._cursor = cursor
        self._qmark = qmark  # SQLite's `?`; psycopg takes `%s`

    def _all(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        self._cursor.execute(sql if self._qmark else sql.replace("?", "%s"), params)
        return list(self._cursor.fetchall())

    def _chunked(self, sql: str, keys: Iterable[Any]) -> Iterator[Sequence[Any]]:
        ordered = sorted(set(keys))
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            yield from self._all(sql.format(marks=", ".join("?" * len(chunk))), chunk)

    def official(self, obs_type: str, value: str) -> Official | None:
        """`kawan.store.allowlist.find_one`."""
        found = self._all(_RAW_OFFICIAL, (obs_type, value))
        if not found:
            return None
        (obs_type, value, kind, name, country, demo, source, loaded) = found[0]
        return Official(obs_type, value, kind, name, country, bool(demo), source, loaded)

    def versioned_rows_for(self, obs_type: str, value: str) -> Versioned:
        """`versioned_rows_for`."""
        return _raw_versioned(self._all(_RAW_ROWS_FOR, (obs_type, value)))

    def versioned_rows_of_objects(self, object_ids: Iterable[str]) -> Versioned:
        """`versioned_rows_of_objects`."""
        return _raw_versioned(self._chunked(_RAW_ROWS_OF_OBJECTS, object_ids))

    def summaries(
        self, object_ids: Iterable[str], known: Iterable[StoredVersion] = ()
    ) -> dict[str, dict[str, Any]]:
        """`summaries`. `known`: versions read before in this snapshot; an object whose
        latest version is among them is not read again."""
        wanted = set(object_ids)
        out = {v.id: orjson.loads(v.json) for v in known if v.is_latest and v.id in wanted}
        found = self._chunked(_RAW_SUMMARIES, wanted - out.keys())
        out.update({oid: orjson.loads(doc) for oid, doc, latest in found if latest})
        return out

    def versions_of(self, ids: Iterable[str]) -> dict[str, list[StoredVersion]]:
        """`kawan.store.versions.versions_of`: every version of each object, oldest first."""
        out: dict[str, list[StoredVersion]] = {}
        for r in self._chunked(_RAW_VERSIONS_OF, ids):
            version = version_from(r)
            out.setdefault(version.id, []).append(version)
        for found in out.values():
            found.sort(key=lambda v: (v.version, v.date_added))
        return out


@contextmanager
def snapshot(engine: Engine) -> Iterator[Snapshot]:
    """One read transaction on a pooled connection's driver cursor (SQLite: `BEGIN` …
    `COMMIT`, as `kawan.store.engine.reading` does; PostgreSQL: the driver's own
    transaction), so what the reads see is consistent."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            cursor.execute("BEGIN")
        try:
            yield Snapshot(cursor, qmark=sqlite)
        finally:
            raw.rollback()  # a read: nothing to keep, and it ends the transaction either way
            cursor.close()
    finally:
        raw.close()


def _raw_versioned(found: Iterable[Sequence[Any]]) -> Versioned:
    rows: list[ObservableRow] = []
    versions: dict[int, StoredVersion] = {}
    for r in found:
        row = observable_from(r[:_ROW_WIDTH])
        rows.append(row)
        if row.date_added not in versions:  # an object's rows all carry its one version
            versions[row.date_added] = version_from(r[_ROW_WIDTH:])
    return rows, versions
