"""An ingest run: stream objects from files into the store in batches, a commit every
`COMMIT_EVERY` objects.

Bad objects are rejected with their reason and position and never block good ones.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import IO

import orjson
from sqlalchemy import Engine

from kawan.errors import InvalidInput
from kawan.ingest.prepare import Receipt, Wire, from_wire, prepare, to_wire
from kawan.ingest.stream import Item, items
from kawan.store import objects as repo
from kawan.store.engine import checkpoint, writing
from kawan.store.records import Incoming

BATCH = 2000  # objects validated together (by one worker)
# Objects stored in one transaction. Each commit writes every index page the transaction
# touched, and ids are random: a page of the `id` index takes several objects of a large
# batch for the price of one.
COMMIT_EVERY = 10_000


@dataclass(frozen=True)
class Rejection:
    source: str
    number: int  # object number in the file (1-based)
    object_id: str | None
    reason: str
    line: int | None = None

    def describe(self) -> str:
        where = f"line {self.line}" if self.line else f"object #{self.number}"
        who = f" {self.object_id}" if self.object_id else ""
        return f"{self.source}: {where}{who}: {self.reason}"


@dataclass
class Summary:
    added: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.added + self.unchanged + len(self.rejected)

    def merge(self, other: Summary) -> None:
        self.added += other.added
        self.unchanged += other.unchanged
        self.rejected.extend(other.rejected)


Progress = Callable[[int], None]  # called with the number of bytes read so far


@dataclass
class Prepared:
    """One batch after validation: what to store, and what was rejected already."""

    ready: list[tuple[Item, Incoming]] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)


def ingest_stream(
    engine: Engine,
    stream: IO[bytes],
    receipt: Receipt,
    *,
    name: str = "-",
    progress: Progress | None = None,
    workers: int | None = None,
) -> Summary:
    """Ingest every object of one file; the summary says what happened to each.

    A file of more than one batch is validated by `workers` processes (default: one per
    core beyond this one) while this process parses the file and writes to the database.
    """
    summary = Summary()
    batches = _batches(items(stream, name=name), BATCH)
    count = _workers() if workers is None else workers
    with without_cycle_collection():
        for prepared in _together(prepare_batches(batches, receipt, name, count), COMMIT_EVERY):
            summary.merge(store_prepared(engine, prepared, name, bulk=True))
            if progress is not None:
                progress(stream.tell())
    checkpoint(engine)  # the bulk transactions left it to the end
    return summary


def _together(batches: Iterator[Prepared], size: int) -> Iterator[Prepared]:
    """Prepared batches joined until each holds at least `size` objects to store."""
    group = Prepared()
    for prepared in batches:
        group.ready.extend(prepared.ready)
        group.summary.merge(prepared.summary)
        if len(group.ready) >= size:
            yield group
            group = Prepared()
    if group.ready or group.summary.seen:
        yield group


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """No automatic runs of the cycle collector inside the block.

    Ingest allocates millions of small objects that hold no reference cycles (parsed JSON,
    rows, tuples) and keeps a transaction's worth of them alive: every run of the collector
    walks all of those, for nothing (even at one run per 50,000 allocations it took about
    6% of the writer's time). Without cycles, reference counting frees everything as
    before; the few cycles the block makes (a database transaction's bookkeeping) wait for
    the first collection after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def store_items(engine: Engine, batch: Iterable[Item], receipt: Receipt, source: str) -> Summary:
    """Validate, then store one batch in one transaction."""
    return store_prepared(engine, prepare_batch(list(batch), receipt, source), source)


def prepare_batch(batch: list[Item], receipt: Receipt, source: str) -> Prepared:
    """Validate and describe each item of a batch, here in this process."""
    prepared = Prepared()
    for item in batch:
        rejection = _rejection(item, source)
        if rejection is not None:
            prepared.summary.rejected.append(rejection)
            continue
        try:
            prepared.ready.append((item, prepare(item.obj, receipt)))
        except InvalidInput as exc:
            prepared.summary.rejected.append(_invalid(item, source, exc.describe_without_id()))
    return prepared


def store_prepared(
    engine: Engine, prepared: Prepared, source: str, *, bulk: bool = False
) -> Summary:
    """Store the ready items of one batch in one transaction (`bulk`: see `writing`)."""
    summary = Summary()
    summary.merge(prepared.summary)
    if not prepared.ready:
        return summary
    with writing(engine, bulk=bulk) as conn:
        results = repo.put_batch(conn, [incoming for _, incoming in prepared.ready])
    for (item, _), result in zip(prepared.ready, results, strict=True):
        if result.outcome == "added":
            summary.added += 1
        elif result.outcome == "unchanged":
            summary.unchanged += 1
        else:
            summary.rejected.append(
                Rejection(source, item.number, result.id, result.reason or "rejected", item.line)
            )
    return summary


def _invalid(item: Item, source: str, reason: str) -> Rejection:
    return Rejection(source, item.number, _id_of(item.obj), reason, item.line)


# ---- validation in worker processes ----------------------------------------------------

# Batches handed to the workers ahead of the one received (bounds memory): enough to keep
# them busy while the writer stores a transaction's worth.
IN_FLIGHT = COMMIT_EVERY // BATCH + 1


def prepare_batches(
    batches: Iterator[list[Item]], receipt: Receipt, source: str, workers: int
) -> Iterator[Prepared]:
    """Each batch prepared, in order; by worker processes once there is a second batch."""
    first = next(batches, None)
    second = None if first is None else next(batches, None)
    if first is None or second is None or workers < 1:
        yield from (prepare_batch(b, receipt, source) for b in _some(first, second, batches))
        return
    with _pool(workers) as pool:
        pending: deque[tuple[list[Item], Future[list[Wire | str]] | None]] = deque()
        for batch in chain((first, second), batches):
            pending.append((batch, _submit(pool, batch, receipt)))
            if len(pending) > IN_FLIGHT:
                yield _received(*pending.popleft(), receipt, source)
        while pending:
            yield _received(*pending.popleft(), receipt, source)


def _some(
    first: list[Item] | None, second: list[Item] | None, rest: Iterator[list[Item]]
) -> Iterator[list[Item]]:
    yield from (b for b in (first, second) if b is not None)
    yield from rest


def _workers() -> int:
    """One worker per core beyond this process's (at most 4); none without `fork`."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(0, min(4, (os.cpu_count() or 1) - 1))


def _pool(workers: int) -> ProcessPoolExecutor:
    # fork: the workers start at once with everything imported, and never re-run the
    # caller's __main__ (forkserver and spawn do both). They touch no database connection.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))


def _submit(
    pool: ProcessPoolExecutor, batch: list[Item], receipt: Receipt
) -> Future[list[Wire | str]] | None:
    """Send the batch's objects as JSON; None when they cannot travel as JSON."""
    try:
        payload = orjson.dumps([item.obj for item in batch if item.error is None])
    except orjson.JSONEncodeError:
        return None  # e.g. an integer beyond 64 bits: prepared here, where it fails the same
    return pool.submit(prepare_payload, payload, receipt)


def prepare_payload(payload: bytes, receipt: Receipt) -> list[Wire | str]:
    """In a worker: each object prepared, or the reason it is rejected.

    The store's rows are made by the writer (`kawan.store.objects.rows_of`), not here:
    made here they cost the worker more (making them, then pickling a larger answer) than
    they save the writer, and with one worker on two cores the worker became the slower
    (benchmarks/README.md, "Ingest").
    """
    out: list[Wire | str] = []
    with without_cycle_collection():
        for obj in orjson.loads(payload):
            try:
                out.append(to_wire(prepare(obj, receipt)))
            except InvalidInput as exc:
                out.append(exc.describe_without_id())
    return out


def _received(
    batch: list[Item],
    future: Future[list[Wire | str]] | None,
    receipt: Receipt,
    source: str,
) -> Prepared:
    if future is None:
        return prepare_batch(batch, receipt, source)
    answers = iter(future.result())
    prepared = Prepared()
    ready, rejected = prepared.ready, prepared.summary.rejected
    for item in batch:
        if item.error is not None:
            rejected.append(_rejection_of(item, item.error, source))
            continue
        answer = next(answers)
        if isinstance(answer, str):
            rejected.append(_invalid(item, source, answer))
        else:
            ready.append((item, from_wire(item.obj, receipt, answer)))
    return prepared


def _rejection(item: Item, source: str) -> Rejection | None:
    return None if item.error is None else _rejection_of(item, item.error, source)


def _rejection_of(item: Item, error: InvalidInput, source: str) -> Rejection:
    return Rejection(source, item.number, None, error.message, item.line or error.line)


def _id_of(obj: object) -> str | None:
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        return str(obj["id"])[:300]
    return None


def _batches(stream: Iterator[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in stream:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
