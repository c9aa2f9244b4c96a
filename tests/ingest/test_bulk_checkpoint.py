"""Ingest's bulk transactions: SQLite checkpoints the WAL less often during them, and the
pooled connection goes back to the pool with SQLite's usual setting."""

from __future__ import annotations

import io
from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from kawan.ingest.prepare import Receipt
from kawan.ingest.run import ingest_stream
from kawan.node import Node
from kawan.store.engine import (
    BULK_CHECKPOINT_PAGES,
    CHECKPOINT_PAGES,
    checkpoint,
    reading,
    writing,
)
from kawan.store.schema import objects


def autocheckpoint(conn: Connection) -> int | None:
    """The connection's `wal_autocheckpoint` (None: not SQLite)."""
    if conn.dialect.name != "sqlite":
        return None
    driver: Any = conn.connection.driver_connection
    return int(driver.execute("PRAGMA wal_autocheckpoint").fetchone()[0])


def test_a_bulk_transaction_checkpoints_later_and_restores_the_setting(node: Node) -> None:
    sqlite = node.engine.dialect.name == "sqlite"
    with writing(node.engine, bulk=True) as conn:
        assert autocheckpoint(conn) == (BULK_CHECKPOINT_PAGES if sqlite else None)
    with writing(node.engine) as conn:
        assert autocheckpoint(conn) == (CHECKPOINT_PAGES if sqlite else None)
    checkpoint(node.engine)  # on PostgreSQL: nothing to do


def test_an_ingest_stores_everything_and_leaves_the_usual_setting(node: Node) -> None:
    objs = [
        {"type": "domain-name", "spec_version": "2.1", "id": f"domain-name--{n}", "value": v}
        for n, v in (
            ("0a1b2c3d-4e5f-5a6b-8c7d-9e0f1a2b3c4d", "a.example"),
            ("1b2c3d4e-5f6a-5b7c-8d9e-0f1a2b3c4d5e", "b.example"),
        )
    ]
    data = orjson.dumps({"type": "bundle", "id": "bundle--x", "objects": objs})
    receipt = Receipt(origin=node.require_home().id)
    summary = ingest_stream(node.engine, io.BytesIO(data), receipt, name="b.json", workers=0)
    assert (summary.added, summary.rejected) == (2, [])
    with reading(node.engine) as conn:
        assert conn.execute(select(func.count()).select_from(objects)).scalar() == 3  # + home
        assert autocheckpoint(conn) in (CHECKPOINT_PAGES, None)
