"""Disputes filed on the public check: who to reach (personal data) beside the opinion."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from kawan.store.schema import disputes

STATUSES = ("open", "upheld", "rejected")


@dataclass(frozen=True)
class DisputeRow:
    dispute_id: str  # the STIX opinion's id
    obs_type: str
    value: str
    contact: str
    filed: int
    status: str


def put(conn: Connection, row: DisputeRow) -> None:
    conn.execute(insert(disputes).values(**vars(row)))


def listed(conn: Connection, status: str | None, limit: int) -> list[DisputeRow]:
    """The oldest first: the review queue."""
    stmt = select(disputes).order_by(disputes.c.filed).limit(limit)
    if status is not None:
        stmt = stmt.where(disputes.c.status == status)
    return [DisputeRow(*r) for r in conn.execute(stmt)]


def set_status(conn: Connection, dispute_id: str, status: str) -> bool:
    stmt = update(disputes).where(disputes.c.dispute_id == dispute_id)
    return conn.execute(stmt.values(status=status)).rowcount > 0


def forget_contacts_before(conn: Connection, cutoff: int) -> int:
    """Blank the contact details of disputes filed before `cutoff`; how many."""
    stmt = update(disputes).where(disputes.c.filed < cutoff, disputes.c.contact != "")
    return conn.execute(stmt.values(contact="")).rowcount
