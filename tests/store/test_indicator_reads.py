"""The matcher's reads as columns (`kawan.store.indicators`): every version's metadata
comes back as the `objects` row holds it, whatever its marking (both databases)."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select

from kawan.match.build import PREFIXES
from kawan.node import Node
from kawan.store.engine import Clock, insert_rows, reading, writing
from kawan.store.indicators import (
    ID_WIDTH,
    UNIT,
    EntryBatch,
    VersionBatch,
    decode_meta,
    index_rows,
    indicator_entries,
    indicator_versions,
    pattern_keys,
)
from kawan.store.objects import INDEX_COLUMNS, OBJECT_COLUMNS
from kawan.store.schema import objects, observables

CREATORS = [None, "identity--00000000-0000-4000-8000-000000000001"]
ORIGINS = ["identity--00000000-0000-4000-8000-000000000002"]
MARKINGS = [  # tlp, groups, from_object, recorded tlp, brought_by, readers
    (0, "", False, None, None, ""),
    (1, "", True, 1, None, ""),
    (2, "group--a group--b", True, None, None, ""),
    (3, "", False, 2, None, ""),
    (4, "", True, 4, "user-7", "user-8 user-9"),
    (4, "", True, None, "user-7", ""),
]


def _rows(first: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    versions, keys = [], []
    combos = itertools.product(CREATORS, ORIGINS, MARKINGS, (None, 1_800_000_000_000_000))
    for n, (creator, origin, marking, until) in enumerate(combos):
        tlp, groups, from_object, recorded, brought_by, readers = marking
        added, oid = first + n, f"indicator--00000000-0000-4000-8000-{n:012d}"
        versions.append((added, oid, "indicator", "2.1", 1, 1, "t", n % 5 == 0, creator, origin,
                         tlp, groups, from_object, recorded, brought_by, readers, True, "p",
                         "h", "{}", -5 + n, until))  # fmt: skip
        keys.append(("domain-name", _value(n), oid, "indicator", added, tlp, groups,
                     creator or origin, origin, added, added, "pattern", n % 5 == 0))  # fmt: skip
    return versions, keys


def _store(node: Node) -> list[tuple[Any, ...]]:
    """Store the indicators' rows as ingest would; their index rows."""
    with writing(node.engine) as conn:
        versions, keys = _rows(Clock.take(conn, 48))
        insert_rows(conn, objects, OBJECT_COLUMNS, versions)
        insert_rows(conn, observables, INDEX_COLUMNS, keys)
    return keys


def meta_columns(batch: VersionBatch | EntryBatch) -> list[list[str]]:
    """The batch's packed metadata as four columns of texts, one field per row."""
    b, unit = batch, UNIT
    return [b.creators.split(unit), b.origins.split(unit), b.flags.split(","), b.access.split(unit)]


def test_versions_come_back_as_stored(node: Node) -> None:
    keys = _store(node)
    with reading(node.engine) as conn:
        stored = _stored(conn)
        read: dict[str, tuple[Any, ...]] = {}
        for batch in indicator_versions(conn, batch=7):
            ids, lengths = batch.ids, [int(x) for x in batch.id_lengths.split(",")]
            starts = list(itertools.accumulate([0, *lengths]))
            stamps = [batch.valid_from.split(","), batch.valid_until.split(",")]
            for n, meta in enumerate(zip(*meta_columns(batch), strict=True)):
                oid = "indicator--" + ids[starts[n] : starts[n + 1]]
                read[oid] = (batch.revoked[n] == "1", *decode_meta(meta), *_valid(stamps, n))
        found = pattern_keys(conn, PREFIXES, since=0)
    assert read == stored
    assert found is not None and found.count == len(keys)
    assert found.keys.count("d:d") == len(keys)


def test_a_complete_read_gives_each_comparison_with_its_version(node: Node) -> None:
    _store(node)
    with reading(node.engine) as conn:
        stored = _stored(conn)
        first, last = index_rows(conn)
        middle = (first + last) // 2
        batches = [*indicator_entries(conn, PREFIXES, (first, middle), window=5),
                   *indicator_entries(conn, PREFIXES, (middle + 1, last), window=7)]  # fmt: skip
    read: dict[str, tuple[Any, ...]] = {}
    for batch in batches:
        if batch.value_lengths is None:  # separated: none of them holds a separator
            values = batch.values.split(UNIT)
        else:
            starts = list(itertools.accumulate([0, *map(int, batch.value_lengths.split(","))]))
            values = [batch.values[a:b] for a, b in itertools.pairwise(starts)]
        types = batch.types.split(UNIT)
        stamps = [batch.valid_from.split(","), batch.valid_until.split(",")]
        for n, meta in enumerate(zip(*meta_columns(batch), strict=True)):
            oid = batch.ids[ID_WIDTH * n : ID_WIDTH * (n + 1)]
            assert oid not in read
            read[oid] = (False, *decode_meta(meta), *_valid(stamps, n))
            assert (types[n], values[n]) == ("domain-name", _value(int(oid[-12:])))
    assert read == {oid: value for oid, value in stored.items() if not value[0]}  # not revoked
    assert len(read) < len(stored)
    # the window holding the value with a separator was read again with their lengths
    assert {b.value_lengths is None for b in batches} == {True, False}


def _value(n: int) -> str:
    """The domain of indicator n; one holds the separator of the keys' column."""
    return f"d{n}.example.com" + ("\x1fodd" if n == 8 else "")


def _stored(conn: Any) -> dict[str, tuple[Any, ...]]:
    """Each indicator as the reads should give it back: revoked, the metadata, validity."""
    o = objects
    rows = conn.execute(
        select(o.c.id, o.c.revoked, o.c.created_by_ref, o.c.origin, o.c.tlp, o.c.groups,
               o.c.marking_from_object, o.c.recorded_tlp, o.c.brought_by, o.c.readers,
               o.c.valid_from, o.c.valid_until).where(o.c.type == "indicator")
    )  # fmt: skip
    return {r[0]: (bool(r[1]), *r[2:6], bool(r[6]), *r[7:]) for r in rows}


def _valid(stamps: list[list[str]], n: int) -> list[int | None]:
    return [None if s[n] == str(-(2**63)) else int(s[n]) for s in stamps]
