"""The public check's allowlist: official numbers, sender ids, accounts and domains."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, delete, select, tuple_

from kawan.store.engine import insert_rows
from kawan.store.schema import allowlist

CHUNK = 400
COLUMNS = ("obs_type", "value", "kind", "name", "country", "demo", "source", "loaded")


@dataclass(frozen=True)
class Official:
    obs_type: str
    value: str
    kind: str
    name: str  # whose it is: "Vietcombank hotline"
    country: str | None
    demo: bool
    source: str
    loaded: int


def replace_all(conn: Connection, entries: Sequence[Official]) -> None:
    """The allowlist becomes exactly `entries` (one transaction: never half loaded)."""
    conn.execute(delete(allowlist))
    insert_rows(conn, allowlist, COLUMNS, [tuple(vars(e).values()) for e in entries])


def find(conn: Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Official]:
    wanted = sorted(set(keys))
    out: dict[tuple[str, str], Official] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        stmt = select(allowlist).where(tuple_(allowlist.c.obs_type, allowlist.c.value).in_(chunk))
        out.update({(r.obs_type, r.value): Official(*r) for r in conn.execute(stmt)})
    return out


_FIND_ONE = select(allowlist).where(
    allowlist.c.obs_type == bindparam("obs_type"), allowlist.c.value == bindparam("value")
)  # built once: the statement is the public check's hot path


def find_one(conn: Connection, obs_type: str, value: str) -> Official | None:
    """The entry of one identifier (the public check's hot path: a primary-key read)."""
    row = conn.execute(_FIND_ONE, {"obs_type": obs_type, "value": value}).first()
    return Official(*row) if row is not None else None


def every(conn: Connection) -> list[Official]:
    stmt = select(allowlist).order_by(allowlist.c.country, allowlist.c.kind, allowlist.c.value)
    return [Official(*r) for r in conn.execute(stmt)]
