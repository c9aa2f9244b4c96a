"""The `objects` row ingest inserts holds each value in its own column.

`kawan.store.objects.rows_of` builds the row by position (the first fields of `Meta` are
the row's first columns), so a reordered `Meta` or column list would store values under
the wrong names while every comparison of two ingests still agreed. Checked here by name.
"""

from __future__ import annotations

from typing import Any

import pytest

from kawan.ingest.prepare import Receipt, prepare
from kawan.stix.markings import TLP2_IDS, Tlp
from kawan.store.objects import KEY_INSERT, VERSION_INSERT, rows_of
from kawan.store.records import Incoming

ORIGIN = "identity--7d5e4f3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f"
CREATOR = "identity--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
INDICATOR = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "created": "2026-11-01T10:00:00.000Z",
    "modified": "2026-11-02T10:00:00.000Z",
    "created_by_ref": CREATOR,
    "revoked": True,
    "name": "Fake bank login",
    "pattern_type": "stix",
    "pattern": "[domain-name:value = 'bank.example']",
    "valid_from": "2026-11-01T10:00:00Z",
    "valid_until": "2026-12-01T10:00:00Z",
    "object_marking_refs": [TLP2_IDS[Tlp.AMBER]],
}
# An SCO may carry `created` and `modified` (optional properties): it has no version.
SCO = {
    "type": "domain-name",
    "spec_version": "2.1",
    "id": "domain-name--3c4d5e6f-7a8b-5c9d-8e0f-1a2b3c4d5e6f",
    "value": "bank.example",
    "created": "2026-11-01T10:00:00.000Z",
    "modified": "2026-11-02T10:00:00.000Z",
}
RECEIPT = Receipt(
    origin=ORIGIN, recorded=Tlp.GREEN, brought_by="user-1", readers=("user-2", "user-3")
)


def by_name(item: Incoming) -> dict[str, Any]:
    """The row `put_batch` must store for the item, stamped 7 and latest, by column."""
    meta, marking = item.meta, item.marking
    return {
        "date_added": 7,
        "is_latest": True,
        "id": meta.id,
        "type": meta.type,
        "spec_version": meta.spec_version,
        "created": meta.created,
        "modified": None if meta.is_sco else meta.modified,
        "version_text": None if meta.is_sco else meta.modified_text,
        "revoked": meta.revoked,
        "created_by_ref": meta.created_by_ref,
        "origin": item.origin,
        "tlp": int(marking.tlp),
        "groups": " ".join(marking.groups),
        "marking_from_object": marking.from_object,
        "recorded_tlp": int(Tlp.GREEN),
        "brought_by": "user-1",
        "readers": "user-2 user-3",
        "label": item.label,
        "content_hash": item.content_hash,
        "json": item.canonical.decode("utf-8"),
        "valid_from": meta.valid_from,
        "valid_until": meta.valid_until,
    }


@pytest.mark.parametrize("obj", [INDICATOR, SCO], ids=["indicator", "sco"])
def test_each_value_is_stored_in_its_column(obj: dict[str, Any]) -> None:
    item = prepare(obj, RECEIPT)
    rows = rows_of(item, 7, True)
    assert dict(zip(VERSION_INSERT, rows.version, strict=True)) == by_name(item)


def stored_row(obj: dict[str, Any]) -> dict[str, Any]:
    version = rows_of(prepare(obj, RECEIPT), 7, True).version
    return dict(zip(VERSION_INSERT, version, strict=True))


def test_the_row_keeps_what_the_object_says() -> None:
    row = stored_row(INDICATOR)
    assert row["created_by_ref"] == CREATOR
    assert row["revoked"] is True
    assert row["version_text"] == "2026-11-02T10:00:00.000Z"
    assert row["valid_until"] is not None and row["valid_from"] < row["valid_until"]
    sco = stored_row(SCO)
    assert sco["created"] is not None
    assert (sco["modified"], sco["version_text"]) == (None, None)


def test_an_index_row_holds_the_key_and_its_object() -> None:
    item = prepare(SCO, RECEIPT)
    (key,) = rows_of(item, 7, True).keys
    assert dict(zip(KEY_INSERT[3:], key, strict=True)) == {
        "obs_type": "domain-name",
        "value": "bank.example",
        "object_id": SCO["id"],
        "object_type": "domain-name",
        "tlp": int(item.marking.tlp),
        "groups": "",
        "creator": ORIGIN,
        "origin": ORIGIN,
        "via": "sco",
        "revoked": False,
    }
