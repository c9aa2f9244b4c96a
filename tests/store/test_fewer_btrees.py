"""Migration 0008 (fewer B-trees on insert): the same rows, and every read still finds an
index (both databases; the layout and query plans on SQLite)."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import Connection, inspect, select, text

from kawan.ingest.prepare import Receipt, prepare
from kawan.node import Node
from kawan.stix.markings import TLP2_IDS, Tlp
from kawan.store import collections
from kawan.store import objects as repo
from kawan.store.engine import reading, writing
from kawan.store.schema import collection_entries, objects, observables
from tests.store.conftest import migrate_to

SCOS = 6


def _objects() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for n in range(SCOS):
        found.append(
            {
                "type": "domain-name",
                "spec_version": "2.1",
                "id": f"domain-name--00000000-0000-5000-8000-{n:012d}",
                "value": f"scam{n}.example.com",
            }
        )
        stamp = f"2026-11-0{1 + n % 5}T10:00:00.000Z"
        found.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--00000000-0000-4000-8000-{n:012d}",
                "created": stamp,
                "modified": stamp,
                "name": f"phish {n}",
                "pattern_type": "stix",
                "pattern": f"[domain-name:value = 'phish{n}.example.net']",
                "valid_from": stamp,
                "object_marking_refs": [TLP2_IDS[Tlp.CLEAR if n % 2 else Tlp.RED]],
            }
        )
    return found


def _store(node: Node) -> None:
    receipt = Receipt(origin=node.require_home().id, recorded=Tlp.GREEN)
    with writing(node.engine) as conn:
        results = repo.put_batch(conn, [prepare(copy.deepcopy(o), receipt) for o in _objects()])
    assert [r.outcome for r in results] == ["added"] * (2 * SCOS)


LATER = {"valid_from", "valid_until"}  # objects' columns from migration 0009, not at 0007


def _snapshot(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    tables = (objects, observables, collection_entries)
    return {
        t.name: sorted(
            tuple(r) for r in conn.execute(select(*(c for c in t.c if c.name not in LATER)))
        )
        for t in tables
    }


def test_the_migration_keeps_every_row_both_ways(node: Node) -> None:
    with reading(node.engine) as conn:
        before = _snapshot(conn)
    _store(node)
    with reading(node.engine) as conn:
        stored = _snapshot(conn)
    entered = len(stored["collection_entries"]) - len(before["collection_entries"])
    assert entered == SCOS + SCOS // 2  # the (GREEN) SCOs and the CLEAR half of the indicators
    migrate_to(node, "0007", down=True)
    with reading(node.engine) as conn:
        assert _snapshot(conn) == stored
        assert "ix_entries_version" in {
            i["name"] for i in inspect(conn).get_indexes("collection_entries")
        }
    migrate_to(node, "head", down=False)
    with reading(node.engine) as conn:
        assert _snapshot(conn) == stored
        assert "ix_entries_version" not in {
            i["name"] for i in inspect(conn).get_indexes("collection_entries")
        }


def test_entries_are_still_found_and_removed_by_version(node: Node) -> None:
    _store(node)
    with reading(node.engine) as conn:
        stamps = [r[0] for r in conn.execute(select(collection_entries.c.date_added))]
    with writing(node.engine) as conn:
        collections.forget(conn, stamps[:2])
        assert collections.remove(conn, collections.COMMUNITY, stamps[2:3]) == 1
    with reading(node.engine) as conn:
        left = sorted(r[0] for r in conn.execute(select(collection_entries.c.date_added)))
    assert left == sorted(stamps[3:])


def _plan(conn: Connection, sql: str) -> str:
    return " | ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def test_sqlite_keeps_objects_in_date_added_and_entries_in_their_key(sqlite_node: Node) -> None:
    _store(sqlite_node)
    with reading(sqlite_node.engine) as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM objects WHERE rowid != date_added")).scalar()
            == 0
        )
        assert conn.execute(text("SELECT count(*) FROM objects")).scalar() == 2 * SCOS + 1
        names = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))]
        assert "sqlite_autoindex_objects_1" not in names  # the key is the rowid
        ddl = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'collection_entries'")
        ).scalar()
        assert "WITHOUT ROWID" in str(ddl)


def test_sqlite_reads_of_entries_use_an_index(sqlite_node: Node) -> None:
    with reading(sqlite_node.engine) as conn:
        by_version = _plan(conn, "DELETE FROM collection_entries WHERE date_added IN (1, 2)")
        one = _plan(
            conn,
            "SELECT entered FROM collection_entries WHERE collection_id = 'c' AND date_added = 1",
        )
        in_order = _plan(
            conn,
            "SELECT date_added FROM collection_entries WHERE collection_id = 'c' "
            "AND entered > 5 ORDER BY entered LIMIT 10",
        )
        joined = _plan(conn, "SELECT id FROM objects WHERE date_added = 7")
    assert "PRIMARY KEY" in by_version and "SCAN" not in by_version
    assert "PRIMARY KEY" in one
    assert "ix_entries_collection_entered" in in_order and "TEMP B-TREE" not in in_order
    assert "INTEGER PRIMARY KEY" in joined
