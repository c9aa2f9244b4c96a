"""Scanning logs on every core: chunks of whole lines go to worker processes (I/O).

Workers are forked after the index is built, so they share its memory; at most two
chunks per worker are in flight, so memory stays bounded whatever the log size.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from typing import IO

from kawan.match.formats import Layout, detect, layout
from kawan.match.index import Index
from kawan.match.scan import Hit, line_count, scan_chunk

CHUNK = 4 << 20
_WORKER: dict[str, Index] = {}  # the index a forked worker inherited


@dataclass(frozen=True)
class Scanner:
    index: Index
    pool: Pool | None
    country: str | None = None
    chunk: int = CHUNK

    def scan(
        self, stream: IO[bytes], fmt: str, progress: Callable[[int], None] | None = None
    ) -> Iterator[Hit]:
        """Every hit in one log, numbered from its first line."""
        chunks = read_chunks(stream, self.chunk)
        first = next(chunks, b"")
        lay = layout_of(first, fmt)
        done = 0
        for size, hits in self._results(lay, first, chunks):
            yield from hits
            done += size
            if progress is not None:
                progress(done)

    def _results(
        self, lay: Layout, first: bytes, rest: Iterator[bytes]
    ) -> Iterator[tuple[int, list[Hit]]]:
        """(bytes, hits) of each chunk, in order; a chunk's hits numbered from the line
        after the lines of the chunks before it."""
        country, base = self.country, 0
        if self.pool is None:
            for n, chunk in enumerate(_prepend(first, rest)):
                yield len(chunk), scan_chunk(self.index, lay, chunk, n == 0, country, base)
                base += line_count(chunk)
            return
        # a worker numbers its chunk's lines from 1 and counts them; here they are moved
        # past the lines before (this process does not read every chunk for newlines)
        window: deque[tuple[int, AsyncResult[tuple[list[Found], int]]]] = deque()
        limit = 2 * (self.pool._processes or 1)  # type: ignore[attr-defined]

        def finished() -> tuple[int, list[Hit]]:
            nonlocal base
            size, result = window.popleft()
            hits, lines = result.get()
            moved = _moved(hits, base)
            base += lines
            return size, moved

        for n, chunk in enumerate(_prepend(first, rest)):
            window.append((len(chunk), self.pool.apply_async(_work, (lay, chunk, n == 0, country))))
            while len(window) >= limit:
                yield finished()
        while window:
            yield finished()


Found = tuple[int, str, str, int]  # a hit as a worker sends it: plain tuples pickle fastest


def _work(
    lay: Layout, chunk: bytes, at_start: bool, country: str | None
) -> tuple[list[Found], int]:
    """In a worker: the chunk's hits, its lines numbered from 1, and how many lines."""
    hits = scan_chunk(_WORKER["index"], lay, chunk, at_start, country)
    return [(h.line, h.field, h.value, h.row) for h in hits], line_count(chunk)


def _moved(found: list[Found], lines: int) -> list[Hit]:
    """The hits with `lines` more lines before them."""
    return [Hit(line + lines, field, value, row) for line, field, value, row in found]


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def read_chunks(stream: IO[bytes], size: int) -> Iterator[bytes]:
    """Chunks of about `size` bytes ending at a line end (or the end of the stream)."""
    while True:
        block = stream.read(size)
        if not block:
            return
        if not block.endswith(b"\n"):
            block += stream.readline()
        yield block


def layout_of(first: bytes, fmt: str) -> Layout:
    head = first[:65536].decode("utf-8", "replace").splitlines()[:50]
    return layout(detect(head) if fmt == "auto" else fmt, head)


@contextmanager
def workers(index: Index, count: int | None = None) -> Iterator[Pool | None]:
    """A pool of forked workers sharing `index`; None when one core is all there is."""
    wanted = count if count is not None else (os.cpu_count() or 1)
    if wanted <= 1:
        yield None
        return
    _WORKER["index"] = index
    gc.collect()
    gc.freeze()  # the index stays shared: no collector writes to its pages
    pool = multiprocessing.get_context("fork").Pool(wanted)
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()
        gc.unfreeze()
        _WORKER.clear()
