"""Compiling from the store and storing sightings, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import io
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import event

from kawan.errors import CannotRun
from kawan.ingest.prepare import Receipt
from kawan.ingest.run import store_items
from kawan.ingest.stream import Item
from kawan.match import complete
from kawan.match.compile import CACHE_NAME, _read_since, compile_index
from kawan.match.complete import read_complete
from kawan.match.run import Source, match
from kawan.match.table import Table
from kawan.node import Node
from kawan.sharing.groups import find_group
from kawan.sharing.policy import Viewer
from kawan.sharing.reads import Access
from kawan.stix.edits import tombstone
from kawan.stix.markings import TLP2_IDS, Tlp
from kawan.stix.timestamps import parse_us
from kawan.store import versions as stored_versions
from kawan.store.engine import reading

PARTNER = "identity--0b6d2f5c-5a4e-4b8e-9c55-000000000001"
STRANGER = "identity--0b6d2f5c-5a4e-4b8e-9c55-000000000002"


def indicator(pattern: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "pattern": pattern, "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00.000Z",
        **extra,
    }  # fmt: skip


def put(node: Node, objs: list[dict[str, Any]], origin: str, tlp: Tlp = Tlp.GREEN) -> None:
    summary = store_items(node.engine, [Item(n, o) for n, o in enumerate(objs, 1)],
                          Receipt(origin, tlp), "test")  # fmt: skip
    assert not summary.rejected, summary.rejected


def test_compile_match_and_store_sightings(node: Node, tmp_path: Path) -> None:
    home = node.require_home().id
    valid = indicator("[domain-name:value = 'evil.com']")
    either = indicator("[ipv4-addr:value = '203.0.113.0/24'] OR [url:value = 'http://x.org/a']")
    expired = indicator("[domain-name:value = 'old.com']", valid_until="2026-02-01T00:00:00Z")
    future = indicator("[domain-name:value = 'later.com']", valid_from="2099-01-01T00:00:00Z")
    revoked = indicator("[domain-name:value = 'gone.com']")
    complex_ = indicator("[domain-name:value = 'both.com' AND domain-name:value = 'x.com']")
    red = indicator("[domain-name:value = 'secret.com']")
    put(node, [valid, either, expired, future, revoked, complex_], home)
    put(node, [red], PARTNER, Tlp.RED)
    put(node, [{**revoked, "modified": "2026-01-02T00:00:00.000Z", "revoked": True}], home)
    log = b"a.evil.com old.com later.com gone.com both.com secret.com\n203.0.113.9 evil.com\n"
    hits: list[dict[str, Any]] = []
    source = Source("dns.txt", lambda: contextlib.nullcontext(io.BytesIO(log)), len(log))
    outcome = match(node, [source], "text", hits.append, share=True, processes=1)
    assert outcome.compiled.indicators == 2
    assert {(h["line"], h["value"], h["indicator"]) for h in hits} == {
        (1, "a.evil.com", valid["id"]), (2, "203.0.113.9", either["id"]),
        (2, "evil.com", valid["id"]),
    }  # fmt: skip
    with reading(node.engine) as conn:
        stored = [orjson.loads(v.json) for v in stored_versions.select_versions(
            conn, stored_versions.Query(types=("sighting",)))]  # fmt: skip
    by_target = {s["sighting_of_ref"]: s for s in stored}
    assert by_target[valid["id"]]["count"] == 2
    assert by_target[valid["id"]]["where_sighted_refs"] == [home]
    assert by_target[either["id"]]["created_by_ref"] == home
    assert (node.settings.home / CACHE_NAME).exists()


def test_the_cache_is_updated_incrementally(node: Node) -> None:
    home = node.require_home().id
    first = indicator("[domain-name:value = 'one.com']")
    put(node, [first], home)
    cold = compile_index(node.engine, home, cache_dir=node.settings.home)
    assert (cold.cached, cold.indicators, cold.read) == (False, 1, 1)
    put(node, [indicator("[domain-name:value = 'two.com']")], home)
    put(node, [{**first, "modified": "2026-01-02T00:00:00.000Z", "revoked": True}], home)
    warm = compile_index(node.engine, home, cache_dir=node.settings.home)
    assert (warm.cached, warm.indicators, warm.read) == (True, 1, 2)
    assert [r.key for r in warm.index.rows] == ["d:two.com"]
    again = compile_index(node.engine, home, cache_dir=node.settings.home)
    assert (again.read, again.digest) == (0, warm.digest)


def test_the_cache_drops_deleted_and_expired_indicators(node: Node) -> None:
    home = node.require_home().id
    doomed = indicator("[domain-name:value = 'doomed.com']")
    brief = indicator("[domain-name:value = 'brief.com']", valid_until="2026-03-01T00:00:00Z")
    kept = indicator("[domain-name:value = 'kept.com'] OR [ipv4-addr:value = '198.51.100.7']")
    put(node, [doomed, brief, kept], home)
    before = parse_us("2026-02-01T00:00:00Z", field="now")
    cold = compile_index(node.engine, home, cache_dir=node.settings.home, now=before)
    assert sorted(r.key for r in cold.index.rows) == [
        "4:198.51.100.7", "d:brief.com", "d:doomed.com", "d:kept.com"
    ]  # fmt: skip
    put(node, [tombstone(doomed, home, before)], home)
    with reading(node.engine) as conn:
        assert stored_versions.latest_of(conn, {doomed["id"]}) == {}
    warm = compile_index(node.engine, home, cache_dir=node.settings.home, now=before)
    assert (warm.cached, warm.read) == (True, 0)
    assert sorted(r.key for r in warm.index.rows) == ["4:198.51.100.7", "d:brief.com", "d:kept.com"]
    later = compile_index(node.engine, home, cache_dir=node.settings.home)  # brief.com expired
    assert sorted(r.key for r in later.index.rows) == ["4:198.51.100.7", "d:kept.com"]
    assert later.digest == warm.digest  # the same entries; validity is decided per run
    fresh = compile_index(node.engine, home)
    assert sorted(r.key for r in fresh.index.rows) == sorted(r.key for r in later.index.rows)


def test_the_policy_decides_what_is_matched(node: Node) -> None:
    home = node.require_home().id
    own_red = indicator("[domain-name:value = 'own-red.com']")
    amber = indicator("[domain-name:value = 'amber.com']", created_by_ref=PARTNER)
    put(node, [own_red], home, Tlp.RED)
    put(node, [amber], PARTNER, Tlp.AMBER)
    compiled = compile_index(node.engine, home)
    assert [r.key for r in compiled.index.rows] == ["d:amber.com"]  # RED: named users only


def test_shared_sightings_reach_the_creator_through_a_group(node: Node) -> None:
    home = node.require_home().id
    theirs = indicator("[domain-name:value = 'evil.com']", created_by_ref=PARTNER)
    ours = indicator("[domain-name:value = 'ours.com']")
    put(node, [theirs], PARTNER)
    put(node, [ours], home)
    log = b"evil.com ours.com\nevil.com\n"
    source = Source("x.txt", lambda: contextlib.nullcontext(io.BytesIO(log)), len(log))
    match(node, [source], "text", lambda hit: None, share=True, processes=1)
    match(node, [source], "text", lambda hit: None, share=True, processes=1)
    group = find_group(node.engine, "sightings: " + PARTNER)
    assert group.members == tuple(sorted({home, PARTNER}))
    with reading(node.engine) as conn:
        stored = [orjson.loads(v.json) for v in stored_versions.select_versions(
            conn, stored_versions.Query(types=("sighting",)))]  # fmt: skip
    shared = [s for s in stored if s["sighting_of_ref"] == theirs["id"]]
    assert len(shared) == 2
    assert all(s["object_marking_refs"] == [TLP2_IDS[Tlp.AMBER], group.marking_id]
               for s in shared)  # fmt: skip
    assert all("object_marking_refs" not in s for s in stored if s["sighting_of_ref"] == ours["id"])
    partner = Access(node.engine, Viewer.partner(PARTNER))
    stranger = Access(node.engine, Viewer.partner(STRANGER))
    assert partner.latest(shared[0]["id"]) is not None
    assert stranger.latest(shared[0]["id"]) is None


def _entries(table: Table) -> dict[str, tuple[Any, ...]]:
    """Each entry of a table: its version, validity, metadata and keys, by indicator id."""
    keys: dict[int, list[str]] = {}
    for n, entry in enumerate(table.entry.tolist()):
        keys.setdefault(entry, []).append(table.keys[n])
    return {
        table.ids[n]: (int(table.date_added[n]), int(table.valid_from[n]),
                       int(table.valid_until[n]), table.metas[int(table.meta[n])],
                       sorted(keys.get(n, [])))
        for n in range(len(table.ids))
    }  # fmt: skip


def test_readers_in_processes_read_what_an_incremental_read_reads(node: Node) -> None:
    home = node.require_home().id
    ors = " OR ".join(f"[domain-name:value = 'd{n}.example.com']" for n in range(3))
    mixed = [
        indicator(ors if n % 3 == 0 else f"[ipv4-addr:value = '10.0.{n}.0/24']",
                  valid_until="2099-01-01T00:00:00Z") if n % 4 == 0
        else indicator(f"[url:value = 'http://x{n}.org/a'] OR {ors}" if n % 2 else ors)
        for n in range(40)
    ]  # fmt: skip
    put(node, mixed[:20], home)
    put(node, mixed[20:30], PARTNER, Tlp.AMBER)
    put(node, mixed[30:], STRANGER, Tlp.RED)
    put(node, [{**mixed[5], "modified": "2026-01-02T00:00:00.000Z", "revoked": True}], home)
    with reading(node.engine) as conn:
        incremental = _read_since(conn, 0)[0].table()
    one = read_complete(node.engine, readers=1, window=4).table()
    three = read_complete(node.engine, readers=3, window=4).table()
    assert len(incremental.ids) == 39  # one revoked
    assert _entries(one) == _entries(incremental)
    assert _entries(three) == _entries(incremental)
    assert one.digest() == three.digest() == incremental.digest()


def test_the_complete_read_binds_only_its_window(node: Node) -> None:
    # a bound separator or CASE answer is evaluated again for every row by SQLite (a
    # third of the read): the reads' constants are written into the statement
    put(node, [indicator(f"[domain-name:value = 'd{n}.example.com']") for n in range(6)],
        node.require_home().id)  # fmt: skip
    bound: list[int] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        if "group_concat" in statement or "string_agg" in statement:
            bound.append(len(parameters))

    event.listen(node.engine, "before_cursor_execute", seen)
    try:
        table = read_complete(node.engine, readers=1, window=4).table()
    finally:
        event.remove(node.engine, "before_cursor_execute", seen)
    assert len(table.ids) == 6
    assert bound and all(count == 2 for count in bound), bound  # the window's two ends


def test_a_reader_that_fails_stops_the_read_with_its_error(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(node, [indicator(f"[domain-name:value = 'd{n}.example.com']") for n in range(8)],
        node.require_home().id)  # fmt: skip

    def broken(batch: Any) -> Any:
        raise ValueError("a batch the reader cannot read")

    monkeypatch.setattr(complete, "part_of", broken)  # inherited by the forked readers
    with pytest.raises(CannotRun, match="ValueError: a batch the reader cannot read"):
        read_complete(node.engine, readers=2, window=2)
