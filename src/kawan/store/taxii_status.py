"""TAXII status resources, persisted: one row per POST, never held in memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, select

from kawan.store.schema import taxii_status as table


@dataclass(frozen=True)
class StatusRow:
    status_id: str
    owner: str  # the actor who posted
    request_timestamp: int
    total_count: int
    success_count: int
    failure_count: int
    pending_count: int
    details: dict[str, list[dict[str, Any]]]  # successes, failures, pendings


def save(conn: Connection, status: StatusRow) -> None:
    conn.execute(
        table.insert().values(
            status_id=status.status_id,
            owner=status.owner,
            request_timestamp=status.request_timestamp,
            total_count=status.total_count,
            success_count=status.success_count,
            failure_count=status.failure_count,
            pending_count=status.pending_count,
            details=orjson.dumps(status.details).decode(),
        )
    )


def load(conn: Connection, status_id: str) -> StatusRow | None:
    row = conn.execute(select(table).where(table.c.status_id == status_id)).first()
    if row is None:
        return None
    return StatusRow(
        row.status_id,
        row.owner,
        row.request_timestamp,
        row.total_count,
        row.success_count,
        row.failure_count,
        row.pending_count,
        orjson.loads(row.details),
    )
