"""`kawan match` as a service: compile the index, scan the logs, report the hits, store
the sightings (I/O)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import IO, Any

from kawan.ingest.prepare import Receipt
from kawan.ingest.run import Summary, store_items
from kawan.ingest.stream import Item
from kawan.match.compile import Compiled, Visible, compile_index
from kawan.match.formats import check_format
from kawan.match.parallel import Scanner, workers
from kawan.match.scan import Hit
from kawan.match.share import share_markings
from kawan.match.sightings import Tally, sighting
from kawan.node import Node
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import now_us
from kawan.store import groups as group_table
from kawan.store.engine import reading

Progress = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


@dataclass(frozen=True)
class Source:
    name: str
    open: Callable[[], AbstractContextManager[IO[bytes]]]
    size: int  # bytes; 0 when unknown (standard input)


@dataclass
class Outcome:
    compiled: Compiled
    build_seconds: float
    build_cpu_seconds: float  # CPU time of this process and of the build's reader processes
    bytes: int = 0
    hits: int = 0
    tallies: dict[str, Tally] = field(default_factory=dict)
    stored: Summary | None = None


def match(
    node: Node,
    sources: list[Source],
    fmt: str,
    on_hit: Callable[[dict[str, Any]], None],
    *,
    share: bool = False,
    store: bool = True,
    visible: Visible | None = None,
    progress: Progress | None = None,
    processes: int | None = None,
) -> Outcome:
    """Match every source against the index; hits go to `on_hit` as they are found."""
    check_format(fmt)
    home = node.require_home()
    started, cpu = time.perf_counter(), _cpu()
    compiled = compile_index(node.engine, home.id, visible=visible,
                             cache_dir=node.settings.home)  # fmt: skip
    outcome = Outcome(compiled, time.perf_counter() - started, _cpu() - cpu)
    with workers(compiled.index, processes) as pool:
        scanner = Scanner(compiled.index, pool, home.country)
        for source in sources:
            for hit in _scan_one(scanner, source, fmt, progress):
                _record(outcome, source.name, hit, on_hit)
            outcome.bytes += source.size
    if store and outcome.tallies:
        outcome.stored = _store(node, home.id, outcome.tallies, share)
    return outcome


def _scan_one(
    scanner: Scanner, source: Source, fmt: str, progress: Progress | None
) -> Iterator[Hit]:
    with source.open() as stream:
        if progress is None:
            yield from scanner.scan(stream, fmt)
            return
        with progress(source.name, source.size) as advance:
            yield from scanner.scan(stream, fmt, advance)


def _record(
    outcome: Outcome, name: str, hit: Hit, on_hit: Callable[[dict[str, Any]], None]
) -> None:
    row = outcome.compiled.index.rows[hit.row]
    outcome.hits += 1
    when = now_us()
    tally = outcome.tallies.get(row.indicator)
    if tally is None:
        outcome.tallies[row.indicator] = Tally(row.creator, 1, when, when)
    else:
        tally.add(when)
    on_hit(
        {"file": name, "line": hit.line, "field": hit.field, "value": hit.value,
         "indicator": row.indicator, "creator": row.creator, "marking": row.marking}
    )  # fmt: skip


def _store(node: Node, home: str, tallies: dict[str, Tally], share: bool) -> Summary:
    now = now_us()
    markings: dict[str, list[str] | None] = {}
    for creator in {t.creator for t in tallies.values()} if share else ():
        markings[creator] = _markings(node, home, creator)
    objects = [
        sighting(i, t, home, now, markings.get(t.creator)) for i, t in sorted(tallies.items())
    ]
    items = [Item(n + 1, obj) for n, obj in enumerate(objects)]
    with reading(node.engine) as conn:
        groups = group_table.group_markings(conn)
    receipt = Receipt(origin=home, recorded=Tlp.AMBER, group_markings=groups)
    return store_items(node.engine, items, receipt, "kawan match")


def _markings(node: Node, home: str, creator: str) -> list[str] | None:
    """A shared sighting's markings; None (not shared) when the creator is the home agency."""
    return None if creator == home else share_markings(node.engine, home, creator)


def _cpu() -> float:
    """CPU seconds of this process and of its children waited for (the index's readers;
    the scan's workers start after the build)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system
