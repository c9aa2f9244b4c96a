"""Reads of the observable index for check and search (writes happen in objects.py).

The check's statements are built once (bound parameters, `expanding` for lists), so a
check spends no time building or hashing SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import Connection, Row, Select, bindparam, select

from kawan.store.records import ObservableRow, StoredVersion
from kawan.store.rows import observable_of, version_of
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
