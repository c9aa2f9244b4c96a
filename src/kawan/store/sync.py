"""Sync with partner nodes: links, cursors and per-partner state.

A pull cursor is written in the transaction that stores the page it moves past, and the
objects-in count with it (`advance`), so a run killed at any point resumes from the last
committed page: nothing lost, nothing stored twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, select

from kawan.store.engine import upsert
from kawan.store.schema import objects, sync_cursors, sync_links, sync_state

CHUNK = 500
PULL = "pull"
PUSH = "push"


@dataclass(frozen=True)
class Link:
    """How this node reaches a partner's node. `sealed_token` is encrypted."""

    agency_id: str
    url: str
    auth_user: str | None
    sealed_token: str
    push_to: str | None
    created: int


@dataclass(frozen=True)
class State:
    agency_id: str
    last_attempt: int | None = None
    last_success: int | None = None
    last_error: str | None = None
    failures: int = 0
    next_attempt: int | None = None
    objects_in: int = 0
    objects_out: int = 0


# ---- links -----------------------------------------------------------------------------


def put_link(conn: Connection, link: Link) -> None:
    """Insert a partner's link, or replace it (a new URL or token)."""
    values = {
        "url": link.url,
        "auth_user": link.auth_user,
        "token": link.sealed_token,
        "push_to": link.push_to,
    }
    upsert(conn, sync_links, {"agency_id": link.agency_id}, values, {"created": link.created})


def links(conn: Connection) -> list[Link]:
    rows = conn.execute(select(sync_links).order_by(sync_links.c.created))
    return [_link(r) for r in rows]


def link_of(conn: Connection, agency_id: str) -> Link | None:
    row = conn.execute(select(sync_links).where(sync_links.c.agency_id == agency_id)).first()
    return None if row is None else _link(row)


def _link(row: Row[Any]) -> Link:
    return Link(row.agency_id, row.url, row.auth_user, row.token, row.push_to, row.created)


# ---- cursors ---------------------------------------------------------------------------


def cursor(conn: Connection, agency_id: str, direction: str, collection_id: str) -> str | None:
    stmt = select(sync_cursors.c.position).where(
        sync_cursors.c.agency_id == agency_id,
        sync_cursors.c.direction == direction,
        sync_cursors.c.collection_id == collection_id,
    )
    row = conn.execute(stmt).first()
    return None if row is None else str(row[0])


def cursors(conn: Connection, agency_id: str) -> dict[tuple[str, str], str]:
    """(direction, collection id) -> position, for one partner."""
    stmt = select(sync_cursors).where(sync_cursors.c.agency_id == agency_id)
    return {(r.direction, r.collection_id): r.position for r in conn.execute(stmt)}


def set_cursor(
    conn: Connection, agency_id: str, direction: str, collection_id: str, position: str, now: int
) -> None:
    where = (
        (sync_cursors.c.agency_id == agency_id)
        & (sync_cursors.c.direction == direction)
        & (sync_cursors.c.collection_id == collection_id)
    )
    changed = conn.execute(
        sync_cursors.update().where(where).values(position=position, updated=now)
    )
    if changed.rowcount == 0:
        conn.execute(
            sync_cursors.insert().values(
                agency_id=agency_id,
                direction=direction,
                collection_id=collection_id,
                position=position,
                updated=now,
            )
        )


def advance(
    conn: Connection,
    agency_id: str,
    direction: str,
    collection_id: str,
    position: str,
    counted: int,
    now: int,
) -> None:
    """Move a cursor past a page and count the page's objects, in the caller's
    transaction (the one that stored the page, for a pull)."""
    set_cursor(conn, agency_id, direction, collection_id, position, now)
    column = "objects_in" if direction == PULL else "objects_out"
    _ensure_state(conn, agency_id)
    col = sync_state.c[column]
    conn.execute(
        sync_state.update()
        .where(sync_state.c.agency_id == agency_id)
        .values({column: col + counted})
    )


def held(conn: Connection, ids: Iterable[str]) -> set[tuple[str, str]]:
    """(id, content hash) of every version the node holds of these objects."""
    wanted = sorted(set(ids))
    found: set[tuple[str, str]] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        stmt = select(objects.c.id, objects.c.content_hash).where(objects.c.id.in_(chunk))
        found.update((r.id, r.content_hash) for r in conn.execute(stmt))
    return found


# ---- state -------------------------------------------------------------------------------


def _ensure_state(conn: Connection, agency_id: str) -> None:
    counters = {"failures": 0, "objects_in": 0, "objects_out": 0}
    upsert(conn, sync_state, {"agency_id": agency_id}, {}, counters)


def state_of(conn: Connection, agency_id: str) -> State:
    row = conn.execute(select(sync_state).where(sync_state.c.agency_id == agency_id)).first()
    return State(agency_id) if row is None else _state(row)


def states(conn: Connection) -> dict[str, State]:
    return {r.agency_id: _state(r) for r in conn.execute(select(sync_state))}


def _state(row: Row[Any]) -> State:
    return State(
        row.agency_id,
        row.last_attempt,
        row.last_success,
        row.last_error,
        row.failures,
        row.next_attempt,
        row.objects_in,
        row.objects_out,
    )


def record_attempt(conn: Connection, agency_id: str, now: int) -> None:
    _ensure_state(conn, agency_id)
    conn.execute(
        sync_state.update().where(sync_state.c.agency_id == agency_id).values(last_attempt=now)
    )


def record_success(conn: Connection, agency_id: str, now: int, note: str | None = None) -> None:
    """A run that worked; `note` (objects the partner sent that were refused) is kept as
    its last error, without counting as a failure."""
    _ensure_state(conn, agency_id)
    conn.execute(
        sync_state.update()
        .where(sync_state.c.agency_id == agency_id)
        .values(
            last_success=now,
            last_error=None if note is None else note[:2000],
            failures=0,
            next_attempt=None,
        )
    )


def record_failure(conn: Connection, agency_id: str, error: str, next_attempt: int) -> None:
    _ensure_state(conn, agency_id)
    conn.execute(
        sync_state.update()
        .where(sync_state.c.agency_id == agency_id)
        .values(
            last_error=error[:2000],
            failures=sync_state.c.failures + 1,
            next_attempt=next_attempt,
        )
    )
