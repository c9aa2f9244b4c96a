"""Disputes: a reported party says an identifier is theirs and not a scam (I/O).

A dispute is stored as a STIX `opinion` (`strongly-disagree`) by the home agency about
the identifier's SCO and the reports the node holds that cite it, recorded TLP:AMBER
naming no group, so it never leaves the node. How to reach whoever filed it is personal
data, kept in the `disputes` table and blanked after the retention period. Analysts
review the queue with `kawan disputes list` and close each with `kawan disputes close`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from kawan.errors import InvalidInput, NotFound
from kawan.fraud.check import identify
from kawan.fraud.observables import to_sco
from kawan.fraud.reporting import random_id
from kawan.fraud.reports import IdMaker
from kawan.ingest.prepare import Receipt, prepare
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import format_ms, format_us
from kawan.store import disputes as table
from kawan.store import index
from kawan.store import objects as repo
from kawan.store.disputes import STATUSES, DisputeRow
from kawan.store.engine import reading, writing

MAX_EXPLANATION = 2000
MAX_CONTACT = 300
MAX_REFS = 50


@dataclass(frozen=True)
class Dispute:
    dispute_id: str
    kind: str
    value: str
    explanation: str
    contact: str
    filed: str
    status: str
    reports: int

    def as_dict(self) -> dict[str, Any]:
        return vars(self).copy()


def file_dispute(
    engine: Engine,
    raw: str,
    *,
    explanation: str,
    contact: str,
    home: str,
    now_us: int,
    kind: str | None = None,
    country: str | None = None,
    new_id: IdMaker = random_id,
) -> str:
    """Store one dispute; its opinion id. InvalidInput names a bad field."""
    ident = identify(raw, kind, country)
    text = _bounded(explanation, "explanation", MAX_EXPLANATION)
    reach = _bounded(contact, "contact", MAX_CONTACT)
    sco_id = to_sco(ident)["id"]
    with reading(engine) as conn:
        cited = sorted({r.object_id for r in index.rows_for(conn, *ident.key)} - {sco_id})
    opinion = _opinion(new_id("opinion"), home, now_us, text, [sco_id, *cited[:MAX_REFS]])
    item = prepare(opinion, Receipt(origin=home, recorded=Tlp.AMBER))
    with writing(engine) as conn:
        repo.put_batch(conn, [item])
        table.put(conn, DisputeRow(opinion["id"], ident.stix_type, ident.value, reach, now_us,
                                   "open"))  # fmt: skip
    return str(opinion["id"])


def _bounded(text: str, name: str, most: int) -> str:
    value = text.strip()
    if not value or len(value) > most:
        raise InvalidInput(f"{name} must be 1 to {most} characters", field=name)
    return value


def _opinion(oid: str, home: str, now_us: int, explanation: str, refs: list[str]) -> dict[str, Any]:
    stamp = format_ms(now_us)
    return {
        "type": "opinion",
        "spec_version": "2.1",
        "id": oid,
        "created": stamp,
        "modified": stamp,
        "created_by_ref": home,
        "opinion": "strongly-disagree",
        "explanation": explanation,
        "authors": ["a reported party, through the public check"],
        "labels": ["kawan-dispute"],
        "object_refs": refs,
    }


def review_queue(engine: Engine, *, status: str | None = "open", limit: int = 100) -> list[Dispute]:
    """Disputes, oldest first, with their explanation and how many reports they dispute."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", field="status")
    with reading(engine) as conn:
        rows = table.listed(conn, status, limit)
        docs = index.summaries(conn, [r.dispute_id for r in rows])
    return [_dispute(row, docs.get(row.dispute_id, {})) for row in rows]


def _dispute(row: DisputeRow, opinion: dict[str, Any]) -> Dispute:
    refs = opinion.get("object_refs", [])
    return Dispute(
        dispute_id=row.dispute_id,
        kind=row.obs_type,
        value=row.value,
        explanation=str(opinion.get("explanation", "")),
        contact=row.contact,
        filed=format_us(row.filed),
        status=row.status,
        reports=sum(1 for r in refs if isinstance(r, str) and r.startswith("report--")),
    )


def close(engine: Engine, dispute_id: str, status: str) -> None:
    if status not in STATUSES[1:]:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES[1:])}", field="status")
    with writing(engine) as conn:
        if not table.set_status(conn, dispute_id, status):
            raise NotFound(f"no dispute {dispute_id}", object_id=dispute_id)
