"""Filing fraud reports, and the victim's personal data beside them (I/O).

A report's STIX objects and its victim record are written in one transaction: both or
neither. The victim record stays on this node: it is in no STIX object, no TAXII
collection, no check. It is deleted after `KAWAN_VICTIM_RETENTION_DAYS` by `purge`
(`kawan reports purge`, and each time `kawan serve` starts), or on request.
Every export and deletion of personal data is written to the audit trail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from kawan.audit.trail import Who, record_as
from kawan.errors import InvalidInput, NotFound
from kawan.fraud.reports import Draft, IdMaker, build
from kawan.ingest.prepare import Receipt, prepare
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import format_us
from kawan.store import disputes as dispute_table
from kawan.store import objects as repo
from kawan.store import victims as victim_table
from kawan.store.engine import writing
from kawan.store.victims import VictimRecord

DAY_US = 86_400 * 1_000_000


def random_id(stix_type: str) -> str:
    return f"{stix_type}--{uuid.uuid4()}"


@dataclass(frozen=True)
class Filed:
    report_id: str
    object_ids: list[str]
    victim_kept: bool
    marking: str

    def as_dict(self) -> dict[str, Any]:
        return vars(self).copy()


def file_report(
    engine: Engine,
    found: Draft,
    *,
    home: str,
    marking: Tlp,
    who: Who,
    now_us: int,
    brought_by: str | None = None,
    new_id: IdMaker = random_id,
) -> Filed:
    """Store the report's STIX objects under `marking` (the reporting agency's) and the
    victim's data on the node; InvalidInput when any object is refused."""
    objs = build(found, creator=home, now_us=now_us, new_id=new_id)
    items = [prepare(obj, Receipt(origin=home, recorded=marking)) for obj in objs]
    for item in items:
        item.brought_by = brought_by
    report_id = objs[-1]["id"]
    with writing(engine) as conn:
        refused = [r for r in repo.put_batch(conn, items) if r.outcome == "rejected"]
        if refused:
            raise InvalidInput(refused[0].reason or "refused", object_id=refused[0].id)
        if not found.victim.empty:
            victim = found.victim
            record = VictimRecord(report_id, victim.name, victim.contact, victim.statement, now_us)
            victim_table.put(conn, record)
        record_as(conn, who, "report_file", report_id, detail={"marking": marking.label})
    return Filed(report_id, [o["id"] for o in objs], not found.victim.empty, marking.label)


def export_victim(engine: Engine, report_id: str, who: Who) -> dict[str, Any]:
    """The victim's data of one report, for the victim's request to see it (audited)."""
    with writing(engine) as conn:
        found = victim_table.get(conn, report_id)
        outcome = "ok" if found is not None else "failed"
        record_as(conn, who, "victim_export", report_id, outcome=outcome)
    if found is None:
        raise NotFound(f"no victim data kept for {report_id}", object_id=report_id)
    return {
        "report_id": found.report_id,
        "name": found.name,
        "contact": found.contact,
        "statement": found.statement,
        "recorded": format_us(found.recorded),
    }


def delete_victim(engine: Engine, report_id: str, who: Who) -> None:
    """Delete the victim's data of one report on request (audited); the report stays."""
    with writing(engine) as conn:
        gone = victim_table.remove(conn, report_id)
        record_as(conn, who, "victim_delete", report_id, outcome="ok" if gone else "failed")
    if not gone:
        raise NotFound(f"no victim data kept for {report_id}", object_id=report_id)


@dataclass(frozen=True)
class Purged:
    victims: int
    dispute_contacts: int
    cutoff: str

    def as_dict(self) -> dict[str, Any]:
        return vars(self).copy()


def purge(engine: Engine, *, retention_days: int, now_us: int, who: Who) -> Purged:
    """Delete personal data older than the retention period: victims' records and the
    contact details of disputes. The STIX reports and opinions stay."""
    cutoff = now_us - retention_days * DAY_US
    with writing(engine) as conn:
        victims = victim_table.purge_before(conn, cutoff)
        contacts = dispute_table.forget_contacts_before(conn, cutoff)
        detail = {"victims": victims, "dispute_contacts": contacts, "days": retention_days}
        record_as(conn, who, "personal_data_purge", format_us(cutoff), detail=detail)
    return Purged(victims, contacts, format_us(cutoff))
