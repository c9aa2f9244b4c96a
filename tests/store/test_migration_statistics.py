"""Migration 0008 rebuilds SQLite tables; statistics a node had must survive it."""

from __future__ import annotations

from sqlalchemy import text

from kawan.node import Node
from kawan.store.engine import reading, writing
from tests.store.conftest import migrate_to


def _analysed(node: Node) -> set[str]:
    with reading(node.engine) as conn:
        exists = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"))
        if exists.first() is None:
            return set()
        return {r[0] for r in conn.execute(text("SELECT tbl FROM sqlite_stat1"))}


def test_an_analysed_node_keeps_statistics_for_the_rebuilt_tables(sqlite_node: Node) -> None:
    migrate_to(sqlite_node, "0007", down=True)
    with writing(sqlite_node.engine) as conn:
        conn.execute(text("ANALYZE"))
    assert {"objects", "collection_entries"} <= _analysed(sqlite_node)
    migrate_to(sqlite_node, "head", down=False)
    assert {"objects", "collection_entries"} <= _analysed(sqlite_node)


def test_a_node_never_analysed_is_not_given_statistics(sqlite_node: Node) -> None:
    migrate_to(sqlite_node, "0007", down=True)
    migrate_to(sqlite_node, "head", down=False)
    assert _analysed(sqlite_node) == set()
