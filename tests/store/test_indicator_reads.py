"""The matcher's reads as columns (`kawan.store.indicators`): every version's metadata
comes back as the `objects` row holds it, whatever its marking (both databases)."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select

from kawan.match.build import PREFIXES
from kawan.node import Node
from kawan.store.engine import Clock, insert_rows, reading, writing
from kawan.store.indicators import decode_meta, indicator_versions, pattern_keys
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
        keys.append(("domain-name", f"d{n}.example.com", oid, "indicator", added, tlp, groups,
                     creator or origin, origin, added, added, "pattern", False))  # fmt: skip
    return versions, keys


def test_versions_come_back_as_stored(node: Node) -> None:
    with writing(node.engine) as conn:
        versions, keys = _rows(Clock.take(conn, 48))
        insert_rows(conn, objects, OBJECT_COLUMNS, versions)
        insert_rows(conn, observables, INDEX_COLUMNS, keys)
    with reading(node.engine) as conn:
        o = objects
        stored = {
            r[0]: r[1:]
            for r in conn.execute(
                select(o.c.id, o.c.revoked, o.c.created_by_ref, o.c.origin, o.c.tlp, o.c.groups,
                       o.c.marking_from_object, o.c.recorded_tlp, o.c.brought_by, o.c.readers,
                       o.c.valid_from, o.c.valid_until).where(o.c.type == "indicator")
            )
        }  # fmt: skip
        read: dict[str, tuple[Any, ...]] = {}
        for batch in indicator_versions(conn, batch=7):
            ids, lengths = batch.ids, [int(x) for x in batch.id_lengths.split(",")]
            starts = list(itertools.accumulate([0, *lengths]))
            stamps = [batch.valid_from.split(","), batch.valid_until.split(",")]
            for n, meta in enumerate(batch.meta_keys()):
                oid = "indicator--" + ids[starts[n] : starts[n + 1]]
                valid = [None if s[n] == str(-(2**63)) else int(s[n]) for s in stamps]
                read[oid] = (batch.revoked[n] == "1", *decode_meta(meta), *valid)
        found = [b for b in pattern_keys(conn, PREFIXES, batch=5)]
    expected = {k: (bool(v[0]), *v[1:5], bool(v[5]), *v[6:]) for k, v in stored.items()}
    assert read == expected
    assert sum(b.count for b in found) == len(keys)
    assert "".join(b.keys for b in found).count("d:d") == len(keys)
