"""Alembic environment: runs on the connection kawan hands over (see kawan.store.migrate)."""

from __future__ import annotations

from alembic import context

from kawan.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite needs batch mode for ALTER
    transaction_per_migration=False,
)
context.run_migrations()
