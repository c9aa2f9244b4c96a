"""The observable index read for many identifiers at once (the bulk check)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection, select, tuple_

from kawan.store.records import ObservableRow
from kawan.store.rows import observable_of
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
            found = observable_of(row)
            out[(found.obs_type, found.value)].append(found)
    return dict(out)
