"""Victims' personal data beside fraud reports: on this node only, never shared."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from kawan.store.schema import victims


@dataclass(frozen=True)
class VictimRecord:
    report_id: str
    name: str
    contact: str
    statement: str
    recorded: int  # microseconds since the epoch; retention counts from here


def put(conn: Connection, record: VictimRecord) -> None:
    conn.execute(insert(victims).values(**vars(record)))


def get(conn: Connection, report_id: str) -> VictimRecord | None:
    row = conn.execute(select(victims).where(victims.c.report_id == report_id)).first()
    if row is None:
        return None
    return VictimRecord(row.report_id, row.name, row.contact, row.statement, row.recorded)


def remove(conn: Connection, report_id: str) -> bool:
    return conn.execute(delete(victims).where(victims.c.report_id == report_id)).rowcount > 0


def purge_before(conn: Connection, cutoff: int) -> int:
    """Delete every record made before `cutoff`; how many."""
    return conn.execute(delete(victims).where(victims.c.recorded < cutoff)).rowcount


def count(conn: Connection) -> int:
    return len(conn.execute(select(victims.c.report_id)).all())
