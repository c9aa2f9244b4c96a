"""An ingest run: stream objects from files into the store in batches, one commit each.

Bad objects are rejected with their reason and position and never block good ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import Engine

from kawan.errors import InvalidInput
from kawan.ingest.prepare import Receipt, prepare
from kawan.ingest.stream import Item, items
from kawan.store import objects as repo
from kawan.store.engine import writing
from kawan.store.records import Incoming

BATCH = 2000


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


def ingest_stream(
    engine: Engine,
    stream: IO[bytes],
    receipt: Receipt,
    *,
    name: str = "-",
    progress: Progress | None = None,
) -> Summary:
    """Ingest every object of one file; the summary says what happened to each."""
    summary = Summary()
    for batch in _batches(items(stream, name=name), BATCH):
        summary.merge(store_items(engine, batch, receipt, name))
        if progress is not None:
            progress(stream.tell())
    return summary


def store_items(engine: Engine, batch: Iterable[Item], receipt: Receipt, source: str) -> Summary:
    """Validate, then store one batch in one transaction."""
    summary = Summary()
    ready: list[tuple[Item, Incoming]] = []
    for item in batch:
        rejection = _rejection(item, source)
        if rejection is not None:
            summary.rejected.append(rejection)
            continue
        try:
            ready.append((item, prepare(item.obj, receipt)))
        except InvalidInput as exc:
            summary.rejected.append(
                Rejection(
                    source, item.number, _id_of(item.obj), exc.describe_without_id(), item.line
                )
            )
    if not ready:
        return summary
    with writing(engine) as conn:
        results = repo.put_batch(conn, [incoming for _, incoming in ready])
    for (item, _), result in zip(ready, results, strict=True):
        if result.outcome == "added":
            summary.added += 1
        elif result.outcome == "unchanged":
            summary.unchanged += 1
        else:
            summary.rejected.append(
                Rejection(source, item.number, result.id, result.reason or "rejected", item.line)
            )
    return summary


def _rejection(item: Item, source: str) -> Rejection | None:
    if item.error is None:
        return None
    return Rejection(source, item.number, None, item.error.message, item.line or item.error.line)


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
