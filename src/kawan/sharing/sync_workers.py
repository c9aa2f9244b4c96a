"""Worker processes that validate pulled pages, as `kawan ingest` does (I/O: processes).

The pool is made, and every worker started, before sync starts any thread (the fetching
threads, one thread per partner): the workers are forked from a process with one thread,
so they inherit no lock another thread held. They only run `prepare_payload` (pure
validation) and touch no database connection.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, wait
from contextlib import contextmanager


def default_workers() -> int:
    """One worker per core beyond this process's (at most 4); none without `fork`."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(0, min(4, (os.cpu_count() or 1) - 1))


@contextmanager
def validation_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """A started pool of `workers` processes, or None for 0 (validate in this process)."""
    if workers < 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        wait([pool.submit(os.getpid) for _ in range(workers)])  # fork them all now
        yield pool
