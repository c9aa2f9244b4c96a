"""Migration 0008 rebuilds SQLite tables; statistics a node had must survive it."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import text

from kawan.node import Node
from kawan.store import migrate
from kawan.store.engine import reading, writing


@pytest.fixture
def sqlite_node(sqlite_settings: Any) -> Any:
    the_node = Node(sqlite_settings)
    the_node.init("Test CERT", "VN")
    yield the_node
    the_node.engine.dispose()


def _migrate(node: Node, revision: str, down: bool) -> None:
    cfg = migrate._config()
    with writing(node.engine) as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def _analysed(node: Node) -> set[str]:
    with reading(node.engine) as conn:
        exists = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"))
        if exists.first() is None:
            return set()
        return {r[0] for r in conn.execute(text("SELECT tbl FROM sqlite_stat1"))}


def test_an_analysed_node_keeps_statistics_for_the_rebuilt_tables(sqlite_node: Node) -> None:
    _migrate(sqlite_node, "0007", down=True)
    with writing(sqlite_node.engine) as conn:
        conn.execute(text("ANALYZE"))
    assert {"objects", "collection_entries"} <= _analysed(sqlite_node)
    _migrate(sqlite_node, "head", down=False)
    assert {"objects", "collection_entries"} <= _analysed(sqlite_node)


def test_a_node_never_analysed_is_not_given_statistics(sqlite_node: Node) -> None:
    _migrate(sqlite_node, "0007", down=True)
    _migrate(sqlite_node, "head", down=False)
    assert _analysed(sqlite_node) == set()
