"""TAXII collections as views: which object versions are in which collection, since when.

A version enters the collections its effective marking puts it in (`collections_of`): the
community collection for CLEAR and GREEN, the collection of each sharing group an AMBER or
AMBER+STRICT version names. `entered` is its `date_added` in that collection: first the
version's own `date_added`, later (a group gains a member: `reenter_group`) a fresh value
from the node's clock. Both come from the one sequence, under the writers' lock, so a
cursor over `entered` never skips a version committed late.

The queries here filter by id, type and spec_version in SQL; what a viewer may see and
which versions `match[version]` picks are decided above (kawan.taxii.reads).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, bindparam, delete, select

from kawan.stix.markings import Marking, Tlp
from kawan.store.engine import Clock, insert_rows
from kawan.store.records import StoredVersion
from kawan.store.rows import VERSION_FIELDS, version_from
from kawan.store.schema import collection_entries as entries
from kawan.store.schema import objects

NAMESPACE = uuid.UUID("5f0d6a53-6b1e-4c8e-9a55-2d1b8c7e4a10")  # frozen in migration 0003
COMMUNITY = str(uuid.uuid5(NAMESPACE, "community"))
CHUNK = 500


def group_collection_id(group_id: str) -> str:
    """The TAXII collection id of a sharing group: the same on every node."""
    return str(uuid.uuid5(NAMESPACE, group_id))


def collections_of(marking: Marking) -> tuple[str, ...]:
    """The collections a version with this effective marking belongs to (pure)."""
    if marking.tlp in (Tlp.CLEAR, Tlp.GREEN):
        return (COMMUNITY,)
    if marking.tlp in (Tlp.AMBER, Tlp.AMBER_STRICT):
        return tuple(group_collection_id(g) for g in marking.groups)
    return ()


def enter(conn: Connection, versions: Iterable[tuple[int, Marking]]) -> int:
    """Enter newly stored versions, given as (date_added, effective marking), into their
    collections. Call in the transaction that stored them; returns the entries made."""
    rows = [(cid, stamp, stamp) for stamp, marking in versions for cid in collections_of(marking)]
    insert_rows(conn, entries, ("collection_id", "entered", "date_added"), rows)
    return len(rows)


def reenter_group(conn: Connection, group_id: str) -> int:
    """Give every entry of a group's collection a new `entered` (in their old order), so
    cursors see them again: call when the group gains a member, in that transaction."""
    cid = group_collection_id(group_id)
    stmt = select(entries.c.date_added).where(entries.c.collection_id == cid)
    stamps = [r[0] for r in conn.execute(stmt.order_by(entries.c.entered))]
    if not stamps:
        return 0
    first = Clock.take(conn, len(stamps))
    change = (
        entries.update()
        .where(entries.c.collection_id == cid, entries.c.date_added == bindparam("stamp"))
        .values(entered=bindparam("new"))
    )
    conn.execute(change, [{"stamp": s, "new": first + n} for n, s in enumerate(stamps)])
    return len(stamps)


def remove(conn: Connection, collection_id: str, stamps: Iterable[int]) -> int:
    """Take versions (by date_added) out of a collection; the node keeps the objects."""
    removed = 0
    for chunk in _chunks(sorted(set(stamps))):
        stmt = delete(entries).where(
            entries.c.collection_id == collection_id, entries.c.date_added.in_(chunk)
        )
        removed += conn.execute(stmt).rowcount
    return removed


def forget(conn: Connection, stamps: Iterable[int]) -> None:
    """Take deleted versions (by date_added) out of every collection."""
    for chunk in _chunks(sorted(set(stamps))):
        conn.execute(delete(entries).where(entries.c.date_added.in_(chunk)))


# ---- reading ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One version in one collection: since when (`entered`), and the version itself."""

    entered: int
    version: StoredVersion


@dataclass(frozen=True)
class Scan:
    """Entries of one collection in `entered` order, after `after`; the id, type and
    spec_version filters (each OR within itself, AND across; empty: no filter)."""

    collection_id: str
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    spec_versions: tuple[str, ...] = ()
    after: int | None = None
    limit: int = 1000
    not_origin: str | None = None  # leave out versions whose origin is this agency


def scan(conn: Connection, query: Scan) -> list[Entry]:
    if query.ids:  # few entries: found through the objects' id index, sorted here
        found = _of_ids(conn, query.collection_id, query.ids, query.types, query.spec_versions)
        after = -1 if query.after is None else query.after
        kept = (e for e in found if e.entered > after and e.version.origin != query.not_origin)
        return sorted(kept, key=_entered)[: query.limit]
    stmt = _joined(query.collection_id, query.types, query.spec_versions)
    if query.after is not None:
        stmt = stmt.where(entries.c.entered > query.after)
    if query.not_origin is not None:
        stmt = stmt.where(objects.c.origin != query.not_origin)
    stmt = stmt.order_by(entries.c.entered).limit(query.limit)
    return [_entry(r) for r in conn.execute(stmt)]


def entries_of(
    conn: Connection, collection_id: str, ids: Iterable[str], spec_versions: Sequence[str] = ()
) -> list[Entry]:
    """Every entry of these objects in the collection, whenever it entered."""
    return _of_ids(conn, collection_id, ids, (), spec_versions)


def _of_ids(
    conn: Connection,
    collection_id: str,
    ids: Iterable[str],
    types: Sequence[str],
    specs: Sequence[str],
) -> list[Entry]:
    found: list[Entry] = []
    for chunk in _chunks(sorted(set(ids))):
        stmt = _joined(collection_id, types, specs).where(_of_objects(chunk))
        found.extend(_entry(r) for r in conn.execute(stmt))
    return found


def _joined(collection_id: str, types: Sequence[str], specs: Sequence[str]) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = [entries.c.collection_id == collection_id]
    if types:
        conditions.append(objects.c.type.in_(types))
    if specs:
        conditions.append(objects.c.spec_version.in_(specs))
    joined = entries.join(objects, objects.c.date_added == entries.c.date_added)
    columns = [objects.c[name] for name in VERSION_FIELDS]
    return select(entries.c.entered, *columns).select_from(joined).where(and_(*conditions))


def _of_objects(ids: Sequence[str]) -> ColumnElement[bool]:
    """Entries of these objects, found through the objects' id index (a plain join on
    `objects.id` would walk the whole collection)."""
    return entries.c.date_added.in_(select(objects.c.date_added).where(objects.c.id.in_(ids)))


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _entered(entry: Entry) -> int:
    return entry.entered


def _entry(row: Row[Any]) -> Entry:
    """An entry from its `entered` and the version's columns (`VERSION_FIELDS` order)."""
    return Entry(row[0], version_from(row[1:]))
