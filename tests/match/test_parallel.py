"""Hits are numbered by their line in the whole log, however it is cut into chunks."""

from __future__ import annotations

import io

import pytest

from kawan.match.formats import Layout
from kawan.match.index import Index, Row
from kawan.match.parallel import Scanner, workers
from kawan.match.scan import scan_chunk

ROWS = [
    Row("indicator--1", "c", "amber", "d:evil.com"),
    Row("indicator--2", "c", "amber", "4:10.0.0.0/8"),
]
LOG = b"".join(
    (
        f"{n} a.evil.com\n"
        if n % 7 == 0
        else f"{n} 10.1.2.{n % 250}\n"
        if n % 5 == 0
        else f"{n} ok\n"
    ).encode()
    for n in range(400)
)


@pytest.mark.parametrize("count", [1, 2])
@pytest.mark.parametrize("chunk", [16, 100, 1 << 20])
def test_line_numbers_do_not_depend_on_chunks_or_workers(count: int, chunk: int) -> None:
    index = Index(ROWS)
    whole = scan_chunk(index, Layout("squid"), LOG, True)
    assert {(h.line, h.row) for h in whole} == {
        (n + 1, 0 if n % 7 == 0 else 1) for n in range(400) if n % 7 == 0 or n % 5 == 0
    }
    with workers(index, count) as pool:
        got = list(Scanner(index, pool, chunk=chunk).scan(io.BytesIO(LOG), "squid"))
    assert got == whole
