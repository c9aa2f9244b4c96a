"""SQL of the audit trail: the chain's last link (under the writers' lock), append, read."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, Row, func, select, text

from kawan.audit.chain import GENESIS, Entry, canonical
from kawan.store.schema import audit, clock

_ADVISORY_KEY = 0x6B6177616E  # "kawan": used only before the clock row exists


def hold_chain(conn: Connection) -> None:
    """Serialise appenders, as `Clock` does: SQLite's `BEGIN IMMEDIATE` already holds the
    writers' lock; PostgreSQL locks the clock row (`SELECT … FOR UPDATE`), so an audit
    entry written inside an object write takes no second lock and cannot deadlock."""
    if conn.dialect.name == "sqlite":
        return
    row = conn.execute(select(clock.c.last).where(clock.c.id == 1).with_for_update()).first()
    if row is None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})


def last_link(conn: Connection) -> tuple[int, str]:
    """The last entry's seq and hash; (0, GENESIS) for an empty trail."""
    row = conn.execute(select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc()).limit(1))
    found = row.first()
    return (0, GENESIS) if found is None else (int(found[0]), str(found[1]))


def append(conn: Connection, entry: Entry) -> None:
    values = {**entry.fields(), "detail": canonical(entry.detail).decode()}
    conn.execute(audit.insert().values(**values, prev_hash=entry.prev_hash, hash=entry.hash))


def after(conn: Connection, seq: int, limit: int) -> list[Entry]:
    """Up to `limit` entries after `seq`, oldest first (verification reads in batches)."""
    query = select(audit).where(audit.c.seq > seq).order_by(audit.c.seq).limit(limit)
    return [_entry(row) for row in conn.execute(query)]


def newest(conn: Connection, before: int | None, limit: int) -> list[Entry]:
    """Up to `limit` entries before seq `before` (None: the newest), newest first."""
    query = select(audit).order_by(audit.c.seq.desc()).limit(limit)
    if before is not None:
        query = query.where(audit.c.seq < before)
    return [_entry(row) for row in conn.execute(query)]


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit)).scalar_one())


def _entry(row: Row[Any]) -> Entry:
    return Entry(
        seq=int(row.seq),
        at=int(row.at),
        actor=row.actor,
        action=row.action,
        target=row.target,
        source=row.source,
        outcome=row.outcome,
        detail=_detail(row.detail),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _detail(stored: str) -> dict[str, Any]:
    """The stored detail; text that is not a JSON object is kept as found, so that its
    entry fails verification instead of failing the reader."""
    try:
        value = orjson.loads(stored)
    except orjson.JSONDecodeError:
        return {"unreadable": stored}
    return value if isinstance(value, dict) else {"unreadable": stored}
