"""Migration 0009: an indicator's valid_from / valid_until as columns, written by ingest
and filled in from the JSON for versions stored before (both databases)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from kawan.ingest.prepare import Receipt, prepare
from kawan.node import Node
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import parse_us
from kawan.store import objects as repo
from kawan.store.engine import reading, writing
from kawan.store.schema import objects
from tests.store.conftest import migrate_to

FROM, UNTIL = "2026-11-01T10:00:00.123456Z", "2027-02-01T00:00:00Z"


def _objects() -> list[dict[str, Any]]:
    def indicator(n: int, **extra: str) -> dict[str, Any]:
        return {
            "type": "indicator", "spec_version": "2.1",
            "id": f"indicator--00000000-0000-4000-8000-{n:012d}",
            "created": "2026-11-01T10:00:00Z", "modified": "2026-11-01T10:00:00Z",
            "pattern_type": "stix", "pattern": f"[domain-name:value = 'phish{n}.example.net']",
            **extra,
        }  # fmt: skip

    return [
        indicator(1, valid_from=FROM),
        indicator(2, valid_from=FROM, valid_until=UNTIL),
        {
            "type": "domain-name",
            "spec_version": "2.1",
            "value": "scam.example.com",
            "id": "domain-name--00000000-0000-5000-8000-000000000001",
        },
    ]


def _columns(node: Node) -> dict[str, tuple[int | None, int | None]]:
    """valid_from / valid_until of the test's objects, by type and number."""
    ids = {o["id"]: o["type"] + o["id"][-1] for o in _objects()}
    with reading(node.engine) as conn:
        rows = conn.execute(select(objects.c.id, objects.c.valid_from, objects.c.valid_until))
        return {ids[r[0]]: (r[1], r[2]) for r in rows if r[0] in ids}


EXPECTED = {
    "indicator1": (parse_us(FROM), None),
    "indicator2": (parse_us(FROM), parse_us(UNTIL)),
    "domain-name1": (None, None),  # not an indicator
}


def _store(node: Node) -> None:
    receipt = Receipt(origin=node.require_home().id, recorded=Tlp.GREEN)
    with writing(node.engine) as conn:
        results = repo.put_batch(conn, [prepare(o, receipt) for o in _objects()])
    assert [r.outcome for r in results] == ["added"] * 3


def test_ingest_writes_an_indicators_validity(node: Node) -> None:
    _store(node)
    assert _columns(node) == EXPECTED


def test_the_migration_fills_in_versions_stored_before(node: Node) -> None:
    _store(node)
    with writing(node.engine) as conn:  # as a node before 0009 would hold them
        conn.execute(update(objects).values(valid_from=None, valid_until=None))
    migrate_to(node, "0008", down=True)
    migrate_to(node, "head", down=False)
    assert _columns(node) == EXPECTED
