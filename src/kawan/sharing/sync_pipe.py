"""Overlap a partner's answers with storing them: a generator run ahead in its own thread.

`ahead(source, depth)` yields what `source` yields, in order, while a thread fetches up to
`depth` items beyond the one being consumed (a bounded queue: memory stays bounded). An
exception in `source` is raised to the consumer at the point it happened; closing the
consumer early (an error while storing, the end of the run) stops the thread at its next
item. The thread only fetches: everything it hands over is stored by the consumer, in
order, so cursors still move one committed page at a time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

POLL_S = 0.1  # how often a blocked producer checks whether the consumer has gone


@dataclass(frozen=True)
class _Failed:
    error: BaseException


class _End:
    pass


END = _End()


@dataclass
class _Feed(Generic[T]):
    source: Iterator[T]
    items: queue.Queue[T | _Failed | _End]
    stop: threading.Event

    def run(self) -> None:
        try:
            for item in self.source:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            self._put(_Failed(exc))
        else:
            self._put(END)

    def _put(self, item: T | _Failed | _End) -> bool:
        while not self.stop.is_set():
            try:
                self.items.put(item, timeout=POLL_S)
            except queue.Full:
                continue
            return True
        return False


def ahead(
    source: Iterator[T], depth: int = 2, name: str = "kawan-sync-fetch"
) -> Generator[T, None, None]:
    """`source`'s items, fetched up to `depth` ahead by a thread (depth 0: no thread)."""
    if depth < 1:
        yield from source
        return
    feed: _Feed[T] = _Feed(source, queue.Queue(maxsize=depth), threading.Event())
    thread = threading.Thread(target=feed.run, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item = feed.items.get()
            if isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        feed.stop.set()
        thread.join()
