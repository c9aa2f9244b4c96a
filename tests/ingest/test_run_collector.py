"""The cycle collector is off during an ingest and back as it was afterwards."""

from __future__ import annotations

import gc

import pytest

from kawan.ingest.run import without_cycle_collection


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    assert gc.isenabled()
    with without_cycle_collection():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    try:
        with without_cycle_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_is_on_again_after_an_error() -> None:
    with pytest.raises(RuntimeError), without_cycle_collection():
        raise RuntimeError("boom")
    assert gc.isenabled()
