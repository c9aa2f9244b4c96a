"""The checks' reads: the driver-cursor `Snapshot` answers what the SQLAlchemy reads
answer, and `identify` remembers a bounded number of answers (both databases)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from kawan.demo import build_demo
from kawan.errors import InvalidInput
from kawan.fraud import check
from kawan.fraud.check import identify
from kawan.fraud.identifiers import guess, normalise
from kawan.node import Node
from kawan.sharing.policy import Viewer
from kawan.sharing.reads import Access
from kawan.store import allowlist, index, versions
from kawan.store.engine import reading, writing
from kawan.store.schema import objects, observables


@pytest.fixture
def demo(node: Node) -> Iterator[Node]:
    build_demo(node, seed=3, indicators=15, reports=15)
    yield node


def _keys(node: Node) -> list[tuple[str, str]]:
    with reading(node.engine) as conn:
        found = conn.execute(select(observables.c.obs_type, observables.c.value).distinct())
        return sorted((t, v) for t, v in found)


def test_the_snapshot_reads_what_the_sqlalchemy_reads_read(demo: Node) -> None:
    keys = _keys(demo)
    with reading(demo.engine) as conn:
        entries = allowlist.every(conn)
        every_id = list(conn.execute(select(objects.c.id).distinct()).scalars())
    assert len(keys) > 100 and entries
    keys += [(e.obs_type, e.value) for e in entries] + [("phone-number", "+84000000000")]
    with reading(demo.engine) as conn, index.snapshot(demo.engine) as snap:
        for key in keys:
            rows, stored = index.versioned_rows_for(conn, *key)
            assert repr(snap.versioned_rows_for(*key)) == repr((rows, stored))
            ids = {r.object_id for r in rows}
            assert repr(snap.versioned_rows_of_objects(ids)) == repr(
                index.versioned_rows_of_objects(conn, ids)
            )
            wanted = ids | {r.creator for r in rows}
            assert snap.summaries(wanted) == index.summaries(conn, wanted)
            assert snap.summaries(wanted, stored.values()) == index.summaries(conn, wanted)
            assert repr(snap.official(*key)) == repr(allowlist.find_one(conn, *key))
        assert repr(snap.versions_of(every_id)) == repr(versions.versions_of(conn, every_id))


def test_the_snapshot_reads_many_ids_in_chunks(demo: Node) -> None:
    with reading(demo.engine) as conn:
        every_id = sorted(conn.execute(select(objects.c.id).distinct()).scalars())
        expected = index.summaries(conn, every_id)
    assert len(every_id) > index.CHUNK
    with index.snapshot(demo.engine) as snap:
        assert snap.summaries(every_id) == expected
        rows, _ = snap.versioned_rows_of_objects(every_id)
    assert len(rows) == len(_every_row(demo))


def _every_row(node: Node) -> list[object]:
    with reading(node.engine) as conn:
        return list(conn.execute(select(observables.c.row)))


def test_a_known_version_that_is_not_the_latest_is_not_summarised(demo: Node) -> None:
    with reading(demo.engine) as conn:
        key = conn.execute(
            select(observables.c.obs_type, observables.c.value)
            .where(observables.c.object_type == "report")
            .limit(1)
        ).one()
        report = index.rows_for(conn, *key)[0].object_id
    with writing(demo.engine) as conn:  # as when a newer version is being stored
        conn.execute(objects.update().where(objects.c.id == report).values(is_latest=False))
    with reading(demo.engine) as conn, index.snapshot(demo.engine) as snap:
        rows, stored = snap.versioned_rows_for(*key)
        assert [v.id for v in stored.values() if not v.is_latest] == [report]
        ids = {r.object_id for r in rows}
        assert snap.summaries(ids, stored.values()) == index.summaries(conn, ids)
        assert report not in snap.summaries(ids, stored.values())


def test_policy_bound_rows_agree_through_either_read(demo: Node) -> None:
    viewers = [Viewer.public(counts_only=True), Viewer.partner("identity--someone-else")]
    with reading(demo.engine) as conn, index.snapshot(demo.engine) as snap:
        for viewer in viewers:
            access = Access(demo.engine, viewer)
            for key in _keys(demo):
                rows, stored = index.versioned_rows_for(conn, *key)
                assert access.rows_by(rows, stored, snap.versions_of) == access.rows_in(
                    conn, rows, stored
                )


def test_identify_remembers_answers_and_forgets_beyond_its_bound() -> None:
    identify.cache_clear()
    first = identify("0912 345 678", None, "VN")
    assert identify("0912 345 678", None, "VN") is first
    assert first == guess("0912 345 678", country="VN")
    assert identify("0912345678", "phone", "VN") == normalise("phone", "0912345678", country="VN")
    for n in range(check.IDENTIFIED + 50):
        identify(f"+849123{n:05d}")
    assert identify.cache_info().currsize == check.IDENTIFIED
    assert identify("0912 345 678", None, "VN") is not first  # forgotten, worked out anew


def test_identify_does_not_remember_a_refusal() -> None:
    identify.cache_clear()
    for _ in range(2):
        with pytest.raises(InvalidInput) as refused:
            identify("hello world")
        assert refused.value.field == "value"
    assert identify.cache_info().currsize == 0
