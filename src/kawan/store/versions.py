"""Reading object versions: every version of an object, the latest, listings, counts.

Raw reads, for the node itself (ingest, migrations, the operator's CLI); a surface that
shows objects to a viewer reads through `kawan.sharing.reads.Access` instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import orjson
from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from kawan.store.records import StoredVersion
from kawan.store.rows import version_of
from kawan.store.schema import objects

CHUNK = 500  # ids per IN (...) query
T = TypeVar("T")


def chunks(ids: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def versions(conn: Connection, object_id: str) -> list[StoredVersion]:
    """Every version of one object, oldest first (by version, then date_added)."""
    rows = conn.execute(
        select(objects).where(objects.c.id == object_id).order_by(objects.c.date_added)
    )
    found = [version_of(r) for r in rows]
    return sorted(found, key=lambda v: (v.version, v.date_added))


def versions_of(conn: Connection, ids: Iterable[str]) -> dict[str, list[StoredVersion]]:
    """Every version of each object, oldest first (objects the node lacks are absent)."""
    out: dict[str, list[StoredVersion]] = defaultdict(list)
    for chunk in chunks(sorted(set(ids))):
        for row in conn.execute(select(objects).where(objects.c.id.in_(chunk))):
            out[row.id].append(version_of(row))
    for found in out.values():
        found.sort(key=lambda v: (v.version, v.date_added))
    return dict(out)


def versions_at(conn: Connection, stamps: Iterable[int]) -> dict[int, StoredVersion]:
    """The versions with these `date_added` values (the primary key)."""
    out: dict[int, StoredVersion] = {}
    for chunk in chunks(sorted(set(stamps))):
        stmt = select(objects).where(objects.c.date_added.in_(chunk))
        out.update({r.date_added: version_of(r) for r in conn.execute(stmt)})
    return out


def latest_of(conn: Connection, ids: Iterable[str]) -> dict[str, StoredVersion]:
    """The latest version of each object. (is_latest is tested in Python: in the WHERE
    clause SQLite's planner may pick the (is_latest, type) index and scan.)"""
    out: dict[str, StoredVersion] = {}
    for chunk in chunks(sorted(set(ids))):
        stmt = select(objects).where(objects.c.id.in_(chunk))
        out.update({r.id: version_of(r) for r in conn.execute(stmt) if r.is_latest})
    return out


@dataclass(frozen=True)
class Query:
    """Filters for listing object versions; every field optional, all combined with AND."""

    types: tuple[str, ...] = ()
    creator: str | None = None
    since: int | None = None  # date_added strictly later than this
    text: str | None = None
    latest_only: bool = True
    after: int | None = None  # keyset cursor: date_added strictly later
    limit: int | None = None


def select_versions(conn: Connection, query: Query) -> list[StoredVersion]:
    stmt = select(objects).order_by(objects.c.date_added)
    conditions: list[ColumnElement[bool]] = []
    if query.latest_only:
        conditions.append(objects.c.is_latest.is_(True))
    if query.types:
        conditions.append(objects.c.type.in_(query.types))
    if query.creator:
        conditions.append(
            or_(
                objects.c.created_by_ref == query.creator,
                and_(objects.c.created_by_ref.is_(None), objects.c.origin == query.creator),
            )
        )
    for bound in (query.since, query.after):
        if bound is not None:
            conditions.append(objects.c.date_added > bound)
    if query.text:
        needle = "%" + _like_prefix(query.text.lower())
        conditions.append(func.lower(objects.c.label).like(needle, escape="\\"))
    if conditions:
        stmt = stmt.where(and_(*conditions))
    if query.limit is not None:
        stmt = stmt.limit(query.limit)
    return [version_of(r) for r in conn.execute(stmt)]


def iter_versions(conn: Connection, query: Query, page: int = 2000) -> Iterator[StoredVersion]:
    """All versions matching `query`, read in keyset pages (bounded memory)."""
    after = query.after
    while True:
        batch = select_versions(
            conn,
            Query(
                query.types, query.creator, query.since, query.text, query.latest_only, after, page
            ),
        )
        yield from batch
        if len(batch) < page:
            return
        after = batch[-1].date_added


def count_versions(conn: Connection, latest_only: bool = False) -> int:
    stmt = select(func.count()).select_from(objects)
    if latest_only:
        stmt = stmt.where(objects.c.is_latest.is_(True))
    return int(conn.execute(stmt).scalar_one())


def find_agency(conn: Connection, name_or_id: str) -> str | None:
    """The id of an identity the node holds, by id or by its unique name (any case)."""
    if name_or_id.startswith("identity--"):
        return name_or_id if latest_of(conn, [name_or_id]) else None
    wanted = name_or_id.strip().lower()
    stmt = select(objects.c.id, objects.c.json).where(
        objects.c.type == "identity",
        objects.c.is_latest.is_(True),
        func.lower(objects.c.label).like(_like_prefix(wanted), escape="\\"),
    )
    matches = [
        r.id
        for r in conn.execute(stmt)
        if str(orjson.loads(r.json).get("name", "")).lower() == wanted
    ]
    return matches[0] if len(matches) == 1 else None


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
