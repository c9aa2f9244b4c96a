"""Thai scam SMS as reports by ThaiCERT (TLP:GREEN), citing the identifiers found in each
message by `kawan.ingest.extract` (pure). Messages without an identifier are left out."""

from __future__ import annotations

from typing import Any

from kawan.demo.seeding import BASE_US, DAY_US, Planned, demo_id, stamp
from kawan.fraud.observables import to_sco
from kawan.ingest.extract import extract
from kawan.stix.markings import TLP2_IDS, Tlp


def scos_of(message: str) -> list[dict[str, Any]]:
    """The SCOs of the distinct identifiers in one message, in the order found."""
    found: dict[str, dict[str, Any]] = {}
    for hit in extract(message, country="TH"):
        sco = to_sco(hit.identifier)
        found.setdefault(sco["id"], sco)
    return list(found.values())


def sms_report(message: str, refs: list[str], creator: str, seed: int, n: int) -> dict[str, Any]:
    created = stamp(BASE_US - (n % 180) * DAY_US - 3_600_000_000)
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": demo_id("report", seed, "thai-sms", message),
        "created": created,
        "modified": created,
        "created_by_ref": creator,
        "name": "Scam SMS: " + " ".join(message.split())[:60],
        "description": message,
        "report_types": ["threat-report"],
        "labels": ["sms-scam"],
        "published": created,
        "object_refs": refs,
        "object_marking_refs": [TLP2_IDS[Tlp.GREEN]],
    }


def sms_reports(
    messages: list[str], thaicert: str, origin: str, *, seed: int
) -> tuple[list[Planned], list[Planned]]:
    """(reports, SCOs) for the distinct messages that carry at least one identifier."""
    reports: list[Planned] = []
    scos: dict[str, Planned] = {}
    for n, message in enumerate(dict.fromkeys(messages)):
        found = scos_of(message)
        if not found:
            continue
        obj = sms_report(message, [s["id"] for s in found], thaicert, seed, n)
        reports.append(Planned(obj, origin))
        for sco in found:
            scos.setdefault(sco["id"], Planned(sco, origin))
    return reports, list(scos.values())
