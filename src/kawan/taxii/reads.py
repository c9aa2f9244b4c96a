"""One read path for every TAXII endpoint (objects, object, versions, manifest, delete).

A page walks the collection's entries in `date_added` order after the position, with the
id, type and spec_version filters applied in SQL; keeps what the policy lets the caller
see (`Access.allowed`, never a rule of its own); then keeps the versions `match[version]`
picks among all the caller may see of each object in the collection; and stops one record
past `limit` to know whether there is more.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from kawan.sharing.reads import Access
from kawan.store import collections as entries
from kawan.store.collections import Entry, Scan
from kawan.store.engine import reading
from kawan.taxii.choose import chosen
from kawan.taxii.query import ALL_VERSIONS, Filters, Paging

MIN_SCAN = 50


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    more: bool

    @property
    def position(self) -> int | None:
        return self.entries[-1].entered if self.entries else None


def page(access: Access, collection_id: str, filters: Filters, paging: Paging) -> Page:
    with reading(access.engine) as conn:
        return _page(conn, access, collection_id, filters, paging)


def _page(
    conn: Connection, access: Access, collection_id: str, filters: Filters, paging: Paging
) -> Page:
    after = _later(filters.added_after, paging.position)
    size = max(paging.limit + 1, MIN_SCAN)
    found: list[Entry] = []
    while len(found) <= paging.limit:
        scan = entries.scan(conn, _scan(collection_id, filters, after, size))
        found.extend(_kept(conn, access, collection_id, filters, scan))
        if len(scan) < size:
            break
        after = scan[-1].entered
    return Page(found[: paging.limit], len(found) > paging.limit)


def _later(a: int | None, b: int | None) -> int | None:
    if a is None or b is None:
        return a if b is None else b
    return max(a, b)


def _scan(collection_id: str, filters: Filters, after: int | None, size: int) -> Scan:
    return Scan(collection_id, filters.ids, filters.types, filters.spec_versions, after, size)


def _kept(
    conn: Connection, access: Access, collection_id: str, filters: Filters, scan: list[Entry]
) -> list[Entry]:
    """The scanned entries the caller may see and `match[version]` picks."""
    if filters.versions.everything:
        seen = access.allowed(conn, [e.version for e in scan])
    else:
        ids = {e.version.id for e in scan}
        siblings = entries.entries_of(conn, collection_id, ids, filters.spec_versions)
        seen = access.allowed(conn, [e.version for e in siblings])
    picked = chosen(seen, filters.versions)
    return [e for e in scan if e.version.date_added in picked]


def every(access: Access, collection_id: str, filters: Filters) -> list[Entry]:
    """Every record the filters select (for DELETE: one object's versions)."""
    out: list[Entry] = []
    position = None
    with reading(access.engine) as conn:
        while True:
            found = _page(conn, access, collection_id, filters, Paging(1000, position))
            out.extend(found.entries)
            if not found.more:
                return out
            position = found.position


def holds(access: Access, collection_id: str, object_id: str) -> bool:
    """Does the collection hold a version of this object the caller may see?"""
    only = Filters(ids=(object_id,), versions=ALL_VERSIONS)
    return bool(page(access, collection_id, only, Paging(1, None)).entries)
