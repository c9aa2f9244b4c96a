"""Reads of the observable index for check and search (writes happen in objects.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import Connection, Row, select

from kawan.stix.markings import Marking, Tlp
from kawan.store.records import ObservableRow
from kawan.store.schema import objects, observables

CHUNK = 500


def rows_for(conn: Connection, obs_type: str, value: str) -> list[ObservableRow]:
    """Every index row of one (type, value): one per object that mentions it."""
    stmt = (
        select(observables)
        .where(observables.c.obs_type == obs_type, observables.c.value == value)
        .order_by(observables.c.first_seen)
    )
    return [_row(r) for r in conn.execute(stmt)]


def rows_of_objects(conn: Connection, object_ids: Iterable[str]) -> list[ObservableRow]:
    """Every index row of the given objects (the identifiers each one mentions)."""
    ids = sorted(set(object_ids))
    out: list[ObservableRow] = []
    for start in range(0, len(ids), CHUNK):
        stmt = select(observables).where(observables.c.object_id.in_(ids[start : start + CHUNK]))
        out.extend(_row(r) for r in conn.execute(stmt))
    return out


def values_with_prefix(
    conn: Connection, prefix: str, obs_type: str | None, limit: int
) -> list[ObservableRow]:
    """Index rows whose value starts with `prefix` (a range scan on the key index)."""
    stmt = select(observables).where(
        observables.c.value >= prefix, observables.c.value < prefix + "\U0010ffff"
    )
    if obs_type is not None:
        stmt = stmt.where(observables.c.obs_type == obs_type)
    stmt = stmt.order_by(observables.c.value, observables.c.first_seen).limit(limit)
    return [_row(r) for r in conn.execute(stmt)]


def summaries(conn: Connection, object_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The latest JSON of each object (for names, labels, published dates)."""
    ids = sorted(set(object_ids))
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        stmt = select(objects.c.id, objects.c.json).where(
            objects.c.id.in_(ids[start : start + CHUNK]), objects.c.is_latest.is_(True)
        )
        out.update({r.id: orjson.loads(r.json) for r in conn.execute(stmt)})
    return out


def _row(row: Row[Any]) -> ObservableRow:
    return ObservableRow(
        obs_type=row.obs_type,
        value=row.value,
        object_id=row.object_id,
        object_type=row.object_type,
        date_added=row.date_added,
        marking=Marking(Tlp(row.tlp), tuple(row.groups.split()) if row.groups else ()),
        creator=row.creator,
        origin=row.origin,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        via=row.via,
        revoked=row.revoked,
    )
