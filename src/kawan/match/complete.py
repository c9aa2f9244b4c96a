"""A complete read of the indicator index from the store, on every core (I/O).

The index table's rows are cut into one range per core; each range is read by a forked
process on a connection of its own (`indicator_entries`) and turned into arrays
(`build.part_of`) there, and the parts come back through a pipe, a batch at a time (the
pipe holds one: memory stays bounded). On a machine of one core, or for a store that
fits in one batch, the read happens here, in this process.

Each reader reads in its own transaction, begun after the one that took the cursor, so
it may see a newer store than the cursor says. The table is then what some later state
of the store holds for each range; the caller reads what was added after the cursor
(`compile._read` with `since`) and so ends at one state of the store.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from multiprocessing.connection import Connection as Pipe
from multiprocessing.connection import wait

from sqlalchemy import Engine

from kawan.errors import CannotRun
from kawan.match.build import PREFIXES, EntriesBuilder, Part, part_of
from kawan.store.engine import engine_like, reading
from kawan.store.indicators import BATCH, index_rows, indicator_entries, latest_indicator_stamp

MAX_READERS = 4


def read_complete(
    engine: Engine, readers: int | None = None, window: int = BATCH
) -> EntriesBuilder:
    """Every indicator version the index holds, read by `readers` processes (default:
    one per core, at most MAX_READERS), `window` index rows per batch."""
    with reading(engine) as conn:
        builder = EntriesBuilder(latest_indicator_stamp(conn))
        first, last = index_rows(conn)
        ranges = _ranges(first, last, _count(readers), window)
        if len(ranges) < 2:
            for batch in indicator_entries(conn, PREFIXES, (first, last), window):
                builder.add(batch)
            return builder
    for part in _forked(engine, ranges, window):
        builder.add_part(part)
    return builder


def _count(readers: int | None) -> int:
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return readers if readers is not None else min(MAX_READERS, os.cpu_count() or 1)


def _ranges(first: int, last: int, readers: int, window: int) -> list[tuple[int, int]]:
    """`readers` ranges of about equal size covering first..last; one range when the rows
    fit in one window."""
    size = last - first + 1
    if readers < 2 or size <= window:
        return [(first, last)]
    step = -(-size // readers)
    return [(a, min(a + step - 1, last)) for a in range(first, last + 1, step)]


def _forked(engine: Engine, ranges: list[tuple[int, int]], window: int) -> Iterator[Part]:
    """The parts the readers send, as they come; CannotRun if one of them fails."""
    context = multiprocessing.get_context("fork")
    pipes: list[Pipe] = []
    processes = []
    for rows in ranges:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_reader, args=(engine, rows, window, send), daemon=True)
        process.start()
        send.close()
        pipes.append(receive)
        processes.append(process)
    try:
        while pipes:
            for ready in wait(pipes):
                pipe = pipes[pipes.index(ready)]  # type: ignore[arg-type]
                message = _received(pipe)
                if isinstance(message, Part):
                    yield message
                    continue
                pipes.remove(pipe)
                if message is not None:
                    raise CannotRun(f"reading the indicator index failed: {message}")
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()


def _received(pipe: Pipe) -> Part | str | None:
    """A part, the end of a reader's range (None) or its error."""
    try:
        message: Part | str | None = pipe.recv()
    except EOFError:
        return "a reader process ended without finishing its part"
    return message


def _reader(engine: Engine, rows: tuple[int, int], window: int, send: Pipe) -> None:
    """In a forked process: read one range of the index, send its parts, then None (or
    the error that stopped it)."""
    own = engine_like(engine)
    try:
        with reading(own) as conn:
            for batch in indicator_entries(conn, PREFIXES, rows, window):
                send.send(part_of(batch))
        send.send(None)
    except Exception as exc:  # told to the parent, which raises it
        send.send(f"{type(exc).__name__}: {exc}")
    finally:
        own.dispose()
        send.close()
