"""What ingest workers prepare is stored exactly as what the writer prepares itself.

The same batches go into two nodes: one through `put_batch` with plain `prepare`, the
other the way ingest workers hand objects back (`prepare_payload`, then `from_wire`); and
a file is ingested with and without a worker process. Every row of every table a put
writes must match, `date_added` compared by its order (the nodes' clocks differ). The
batches take every path of `put_batch`, so the store's row making is checked as well.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Table, select

from kawan.config import Settings
from kawan.ingest import run
from kawan.ingest.prepare import Receipt, from_wire, prepare
from kawan.node import Node
from kawan.stix.edits import tombstone
from kawan.stix.markings import TLP2_IDS, Tlp
from kawan.store import objects as repo
from kawan.store.engine import reading, writing
from kawan.store.records import Incoming
from kawan.store.schema import collection_entries, objects, observables, refs

PHONE = "phone-number--2f0c6e1a-7a57-5c4b-9d8e-1f2a3b4c5d6e"
IP = "ipv4-addr--5b1e7c9a-3d2f-5a4b-8c6d-7e8f9a0b1c2d"
INDICATOR = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
REPORT = "report--5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
PARTNER = "identity--7d5e4f3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f"
TOMBSTONE = "kawan-tombstone--3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"  # fixed: runs compare
INIT_VERSIONS = 1  # `Node.init` stores the home agency's identity


def sdo(kind: str, oid: str, modified: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": oid,
        "created": "2026-11-01T10:00:00.000Z",
        "modified": modified,
        **extra,
    }


def indicator(modified: str, pattern: str, **extra: Any) -> dict[str, Any]:
    return sdo(
        "indicator",
        INDICATOR,
        modified,
        name="Fake bank login",
        pattern_type="stix",
        pattern=pattern,
        valid_from="2026-11-01T10:00:00Z",
        **extra,
    )


def report(oid: str, modified: str, cites: list[str], **extra: Any) -> dict[str, Any]:
    return sdo(
        "report",
        oid,
        modified,
        name="Scam call",
        published="2026-11-01T10:00:00Z",
        object_refs=cites,
        **extra,
    )


def sco(kind: str, oid: str, value: str) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": oid, "value": value}


def batches() -> list[list[dict[str, Any]]]:
    """Batches that take every path of `put_batch`: references to SCOs not yet stored,
    late SCOs, new versions, the same version again within a batch and across batches,
    an old version arriving late, an AMBER marking, a tombstone."""
    ip = sco("ipv4-addr", IP, "203.0.113.7")
    return [
        [
            report(REPORT, "2026-11-01T10:00:00.000Z", [PHONE, IP]),
            indicator("2026-11-02T10:00:00.000Z", "[domain-name:value = 'a.example']"),
            sdo(
                "relationship",
                "relationship--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                "2026-11-01T10:00:00.000Z",
                relationship_type="indicates",
                source_ref=INDICATOR,
                target_ref=PHONE,
            ),
        ],
        [
            sco("phone-number", PHONE, "+84912345678"),
            sco("phone-number", PHONE, "+84912345678"),  # again in the same batch
            ip,
            indicator(
                "2026-11-03T10:00:00.000Z",
                "[domain-name:value = 'b.example'] OR [domain-name:value = 'b.example'] "
                "OR [ipv4-addr:value = '203.0.113.7']",
            ),
            indicator("2026-11-01T10:00:00.000Z", "[url:value = 'http://old.example/']"),
            report(
                "report--6b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
                "2026-11-02T10:00:00.000Z",
                [IP, PHONE, INDICATOR],
                object_marking_refs=[TLP2_IDS[Tlp.AMBER]],
            ),
        ],
        [
            indicator("2026-11-02T10:00:00.000Z", "[domain-name:value = 'a.example']"),
            report(REPORT, "2026-11-04T10:00:00.000Z", [IP]),
            {**tombstone(ip, PARTNER, 1_790_000_000_000_000), "id": TOMBSTONE},
        ],
    ]


def stored(node: Node) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the puts wrote (not those of `init`), stamps replaced by their order."""
    with reading(node.engine) as conn:
        tables: dict[Table, list[tuple[Any, ...]]] = {
            t: [tuple(r) for r in conn.execute(select(t))]
            for t in (objects, observables, refs, collection_entries)
        }
    order = {s: n for n, s in enumerate(sorted(r[0] for r in tables[objects]))}
    put = {s for s, n in order.items() if n >= INIT_VERSIONS}
    stamped = {"date_added", "first_seen", "last_seen", "entered"}
    out = {}
    for table, rows in tables.items():
        names = [c.name for c in table.columns]
        mine = [r for r in rows if "date_added" not in names or r[names.index("date_added")] in put]
        out[table.name] = sorted(
            (
                tuple(
                    order[v] if n in stamped else v
                    for n, v in zip(names, r, strict=True)
                    if n != "row"  # a surrogate key: PostgreSQL's sequence never reuses one
                )
                for r in mine
            ),
            key=repr,
        )
    return out


RECEIPT = Receipt(origin=PARTNER, recorded=Tlp.GREEN)  # objects from a partner


def put_all(node: Node, made: list[list[Incoming]]) -> list[list[tuple[str, str]]]:
    outcomes = []
    for batch in made:
        with writing(node.engine) as conn:
            outcomes.append([(r.id, r.outcome) for r in repo.put_batch(conn, batch)])
    return outcomes


def as_in_a_worker(objs: list[dict[str, Any]]) -> list[Incoming]:
    wires = run.prepare_payload(orjson.dumps(objs), RECEIPT)
    return [from_wire(obj, RECEIPT, wire) for obj, wire in zip(objs, wires, strict=True)]


def fresh_node(tmp_path: Path, name: str) -> Node:
    node = Node(Settings(home=tmp_path / name, database_url=f"sqlite:///{tmp_path}/{name}.db"))
    node.init("Test CERT", "VN")
    return node


def test_prepared_in_a_worker_is_stored_as_prepared_here(node: Node, tmp_path: Path) -> None:
    reference = fresh_node(tmp_path, "reference")
    objs = batches()
    plain = [[prepare(copy.deepcopy(o), RECEIPT) for o in b] for b in objs]
    in_worker = [as_in_a_worker(copy.deepcopy(b)) for b in objs]
    outcomes = put_all(node, in_worker)
    assert outcomes == put_all(reference, plain)
    assert [o for _, o in outcomes[1]] == ["added", "unchanged", *["added"] * 4]
    mine = stored(node)
    assert mine == stored(reference)
    assert all(mine.values())  # versions, index rows, references and entries were made
    reference.engine.dispose()


def test_ingest_stores_the_same_with_or_without_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the real process pool (batches of two objects, so there is more than one)."""
    monkeypatch.setattr(run, "BATCH", 2)
    monkeypatch.setattr(run, "COMMIT_EVERY", 3)
    objs = [o for b in batches() for o in b]
    bundle = orjson.dumps({"type": "bundle", "id": "bundle--1", "objects": objs})
    results = []
    for workers in (0, 1):
        node = fresh_node(tmp_path, f"workers{workers}")
        summary = run.ingest_stream(node.engine, io.BytesIO(bundle), RECEIPT, workers=workers)
        assert (summary.added, summary.unchanged, summary.rejected) == (10, 2, [])
        results.append(stored(node))
        node.engine.dispose()
    assert results[0] == results[1]
