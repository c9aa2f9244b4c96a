"""What the storage tests share: a SQLite-only node, and moving a node between
migrations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command

from kawan.config import Settings
from kawan.node import Node
from kawan.store import migrate
from kawan.store.engine import writing


@pytest.fixture
def sqlite_node(sqlite_settings: Settings) -> Iterator[Node]:
    """An initialised node on SQLite only (for what only SQLite has: plans, statistics)."""
    the_node = Node(sqlite_settings)
    the_node.init("Test CERT", "VN")
    yield the_node
    the_node.engine.dispose()


def migrate_to(node: Node, revision: str, down: bool) -> None:
    """Upgrade or downgrade the node's database to `revision`."""
    cfg = migrate._config()
    with writing(node.engine) as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)
