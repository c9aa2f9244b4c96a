"""The storage contract, run on SQLite and PostgreSQL alike."""

from __future__ import annotations

import copy
from typing import Any

from kawan.ingest.prepare import Receipt, prepare
from kawan.node import Node
from kawan.stix.markings import TLP2_IDS, Tlp
from kawan.store import index
from kawan.store import objects as repo
from kawan.store import versions as stored_versions
from kawan.store.engine import reading, writing
from kawan.store.records import PutResult

PARTNER = "identity--7d5e4f3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f"


def indicator(modified: str = "2026-11-01T10:00:00.000Z", **extra: Any) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2026-11-01T10:00:00.000Z",
        "modified": modified,
        "name": "Fake Vietcombank login",
        "pattern_type": "stix",
        "pattern": "[domain-name:value = 'vietcombank-secure.example']",
        "valid_from": "2026-11-01T10:00:00Z",
        **extra,
    }


def phone(value: str = "+84912345678", **extra: Any) -> dict[str, Any]:
    return {
        "type": "phone-number",
        "spec_version": "2.1",
        "id": "phone-number--2f0c6e1a-7a57-5c4b-9d8e-1f2a3b4c5d6e",
        "value": value,
        **extra,
    }


def put(
    node: Node, *objs: dict[str, Any], origin: str | None = None, recorded: Tlp | None = Tlp.GREEN
) -> list[PutResult]:
    home = node.require_home().id
    receipt = Receipt(origin=origin or home, recorded=recorded)
    with writing(node.engine) as conn:
        return repo.put_batch(conn, [prepare(copy.deepcopy(o), receipt) for o in objs])


def test_the_same_version_again_is_unchanged(node: Node) -> None:
    first = put(node, indicator())
    again = put(node, indicator())
    assert first[0].outcome == "added" and again[0].outcome == "unchanged"
    assert again[0].date_added == first[0].date_added
    with reading(node.engine) as conn:
        assert len(stored_versions.versions(conn, indicator()["id"])) == 1


def test_a_newer_modified_is_a_new_version_and_the_latest(node: Node) -> None:
    put(node, indicator())
    put(node, indicator("2026-11-02T10:00:00.000Z", revoked=True))
    with reading(node.engine) as conn:
        found = stored_versions.versions(conn, indicator()["id"])
        latest = stored_versions.latest_of(conn, [indicator()["id"]])[indicator()["id"]]
    assert [v.version_text for v in found] == [
        "2026-11-01T10:00:00.000Z",
        "2026-11-02T10:00:00.000Z",
    ]
    assert latest.revoked and latest.is_latest
    assert [v.is_latest for v in found] == [False, True]


def test_an_older_version_arriving_late_is_kept_but_not_latest(node: Node) -> None:
    put(node, indicator("2026-11-03T10:00:00.000Z"))
    put(node, indicator("2026-11-02T10:00:00.000Z"))
    with reading(node.engine) as conn:
        found = stored_versions.versions(conn, indicator()["id"])
    assert [(v.version_text, v.is_latest) for v in found] == [
        ("2026-11-02T10:00:00.000Z", False),
        ("2026-11-03T10:00:00.000Z", True),
    ]


def test_a_different_object_with_the_same_version_is_rejected(node: Node) -> None:
    put(node, indicator())
    result = put(node, indicator(name="changed without a new modified"))
    assert result[0].outcome == "rejected"
    assert "later 'modified'" in (result[0].reason or "")


def test_date_added_strictly_increases_across_batches(node: Node) -> None:
    stamps: list[int] = []
    for n in range(3):
        results = put(node, *[phone(f"+8491234567{n}{m}", id=_sco_id(n, m)) for m in range(5)])
        stamps.extend(r.date_added or 0 for r in results)
    assert stamps == sorted(set(stamps)) and len(stamps) == 15


def _sco_id(n: int, m: int) -> str:
    return f"phone-number--2f0c6e1a-7a57-5c4b-9d8e-1f2a3b4c5d{n}{m}"


def test_sco_versions_follow_content_origin_and_recorded_marking(node: Node) -> None:
    assert put(node, phone())[0].outcome == "added"
    assert put(node, phone())[0].outcome == "unchanged"
    assert put(node, phone(), recorded=Tlp.AMBER)[0].outcome == "added"
    assert put(node, phone(), origin=PARTNER)[0].outcome == "added"
    with reading(node.engine) as conn:
        found = stored_versions.versions(conn, phone()["id"])
    assert [v.origin for v in found][-1] == PARTNER
    assert sum(v.is_latest for v in found) == 1


def test_effective_marking_and_origin_are_recorded(node: Node) -> None:
    marked = indicator(object_marking_refs=[TLP2_IDS[Tlp.AMBER_STRICT]])
    put(node, marked, origin=PARTNER, recorded=Tlp.CLEAR)
    with reading(node.engine) as conn:
        v = stored_versions.latest_of(conn, [marked["id"]])[marked["id"]]
    assert (v.marking.tlp, v.marking.from_object, v.recorded) == (Tlp.AMBER_STRICT, True, Tlp.CLEAR)
    assert v.origin == PARTNER and v.creator == PARTNER


def test_listing_filters_and_pages(node: Node) -> None:
    put(node, indicator(), phone())
    with reading(node.engine) as conn:
        indicators = stored_versions.select_versions(
            conn, stored_versions.Query(types=("indicator",))
        )
        by_text = stored_versions.select_versions(conn, stored_versions.Query(text="VIETCOMBANK"))
        first = stored_versions.select_versions(conn, stored_versions.Query(limit=1))
        rest = stored_versions.select_versions(
            conn, stored_versions.Query(after=first[0].date_added)
        )
        everything = stored_versions.select_versions(conn, stored_versions.Query())
    assert [v.type for v in indicators] == ["indicator"]
    assert [v.id for v in by_text] == [indicator()["id"]]
    assert [v.id for v in first + rest] == [v.id for v in everything]
    assert {v.type for v in everything} == {"identity", "indicator", "phone-number"}


def test_observables_are_indexed_from_scos_patterns_and_references(node: Node) -> None:
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": "report--5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "created": "2026-11-01T10:00:00.000Z",
        "modified": "2026-11-01T10:00:00.000Z",
        "name": "Scam call",
        "published": "2026-11-01T10:00:00Z",
        "object_refs": [phone()["id"]],
    }
    put(node, report)  # the report arrives before the phone number it cites
    put(node, indicator(), phone())
    with reading(node.engine) as conn:
        phone_rows = index.rows_for(conn, "phone-number", "+84912345678")
        domain_rows = index.rows_for(conn, "domain-name", "vietcombank-secure.example")
    assert {(r.object_id, r.via) for r in phone_rows} == {
        (phone()["id"], "sco"),
        (report["id"], "ref"),
    }
    assert [(r.object_id, r.via) for r in domain_rows] == [(indicator()["id"], "pattern")]


def test_a_new_version_replaces_its_index_rows(node: Node) -> None:
    put(node, indicator())
    changed = indicator("2026-11-02T10:00:00.000Z", pattern="[domain-name:value = 'other.example']")
    put(node, changed)
    with reading(node.engine) as conn:
        old = index.rows_for(conn, "domain-name", "vietcombank-secure.example")
        new = index.rows_for(conn, "domain-name", "other.example")
    assert old == [] and len(new) == 1


def test_a_tombstone_from_the_creator_deletes_every_trace(node: Node) -> None:
    from kawan.stix.edits import tombstone

    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": "report--5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "created": "2026-11-01T10:00:00.000Z",
        "modified": "2026-11-01T10:00:00.000Z",
        "name": "Scam call",
        "published": "2026-11-01T10:00:00Z",
        "object_refs": [phone()["id"]],
    }
    put(node, report, phone())
    home = node.require_home().id
    results = put(node, tombstone(phone(), home, 1_790_000_000_000_000))
    assert results[0].outcome == "added"
    with reading(node.engine) as conn:
        assert stored_versions.versions(conn, phone()["id"]) == []
        assert index.rows_for(conn, "phone-number", "+84912345678") == []
        assert len(stored_versions.versions(conn, report["id"])) == 1  # the report stays
    again = put(node, phone())  # the deleted object does not come back
    assert again[0].outcome == "rejected" and "deleted by its creator" in (again[0].reason or "")


def test_only_the_creator_may_delete(node: Node) -> None:
    from kawan.stix.edits import tombstone

    put(node, indicator(created_by_ref=PARTNER))
    home = node.require_home().id
    refused = put(node, tombstone(indicator(), home, 1_790_000_000_000_000))
    assert refused[0].outcome == "rejected" and "only the creator" in (refused[0].reason or "")
    with reading(node.engine) as conn:
        assert len(stored_versions.versions(conn, indicator()["id"])) == 1
