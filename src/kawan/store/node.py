"""The node's own facts (home agency, …) as key/value rows."""

from __future__ import annotations

from sqlalchemy import Connection, select

from kawan.store.engine import upsert
from kawan.store.schema import node


def get(conn: Connection, key: str) -> str | None:
    row = conn.execute(select(node.c.value).where(node.c.key == key)).first()
    return None if row is None else str(row[0])


def put(conn: Connection, key: str, value: str) -> None:
    upsert(conn, node, {"key": key}, {"value": value})
