"""Whether the schema is current, answered without alembic, agrees with alembic."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from kawan.config import Settings
from kawan.node import Node
from kawan.store import migrate
from tests.store.conftest import migrate_to


def alembic_current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        revision: str | None = MigrationContext.configure(conn).get_current_revision()
    return revision


def test_the_newest_revision_is_alembics_head() -> None:
    assert migrate.head() == migrate.alembic_head()


def test_the_database_revision_is_alembics_before_and_after_migrating(
    settings: Settings,
) -> None:
    node = Node(settings)
    try:
        assert migrate.current(node.engine) is None
        assert alembic_current(node.engine) is None
        assert not migrate.is_current(node.engine)
        migrate_to(node, "0005", down=False)
        assert migrate.current(node.engine) == alembic_current(node.engine) == "0005"
        assert not migrate.is_current(node.engine)
        node.ensure_schema()
        assert migrate.current(node.engine) == alembic_current(node.engine) == migrate.head()
        assert migrate.is_current(node.engine)
    finally:
        node.engine.dispose()
