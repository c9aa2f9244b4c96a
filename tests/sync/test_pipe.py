"""`sync_pipe.ahead`: the same items in the same order, the source's error where it
happened, and a consumer that stops early stops the fetching thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kawan.errors import PeerError
from kawan.sharing.sync_pipe import ahead


def numbers(count: int, fail_at: int | None = None) -> Iterator[int]:
    for n in range(count):
        if n == fail_at:
            raise PeerError(f"page {n} was garbage")
        yield n


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_same_items_in_order(depth: int) -> None:
    assert list(ahead(numbers(50), depth)) == list(range(50))


def test_the_error_comes_after_the_items_before_it() -> None:
    got: list[int] = []
    with pytest.raises(PeerError, match="page 7"):
        for n in ahead(numbers(20, fail_at=7), 2):
            got.append(n)
    assert got == list(range(7))


def test_stopping_early_stops_the_thread() -> None:
    fetched: list[int] = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            fetched.append(n)
            yield n
            n += 1

    items = ahead(endless(), 2, name="test-ahead")
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    items.close()
    assert not [t for t in threading.enumerate() if t.name == "test-ahead"]
    assert len(fetched) <= 3 + 2 + 1  # bounded: the consumed, the queue, one in hand
