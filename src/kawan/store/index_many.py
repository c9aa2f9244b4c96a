"""The observable index read for many identifiers at once (the bulk check)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Row, select, tuple_

from kawan.stix.markings import Marking, Tlp
from kawan.store.records import ObservableRow
from kawan.store.schema import observables

CHUNK = 400


def rows_for_keys(
    conn: Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[ObservableRow]]:
    """Every index row of each (type, value), in chunks of `CHUNK` keys per query."""
    wanted = sorted(set(keys))
    out: defaultdict[tuple[str, str], list[ObservableRow]] = defaultdict(list)
    key = tuple_(observables.c.obs_type, observables.c.value)
    for start in range(0, len(wanted), CHUNK):
        stmt = select(observables).where(key.in_(wanted[start : start + CHUNK]))
        for row in conn.execute(stmt):
            found = _row(row)
            out[(found.obs_type, found.value)].append(found)
    return dict(out)


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
