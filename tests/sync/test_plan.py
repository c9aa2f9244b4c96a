"""Sync planning (pure): targets, echoes, backoff."""

from __future__ import annotations

from kawan.sharing import sync_plan as plan
from kawan.sharing.sync_client import Remote
from kawan.store.collections import COMMUNITY


def test_push_goes_to_the_same_collection_else_push_to_else_nowhere() -> None:
    remote = [Remote(COMMUNITY, "c", True, True), Remote("inbox", "i", True, True)]
    local = [(COMMUNITY, "Community"), ("g1", "VN-TH")]
    assert [t.remote for t in plan.outbound(local, remote, None)] == [COMMUNITY, None]
    assert [t.remote for t in plan.outbound(local, remote, "inbox")] == [COMMUNITY, "inbox"]
    read_only = [Remote("inbox", "i", True, False)]
    assert [t.remote for t in plan.outbound(local, read_only, "inbox")] == [None, None]


def test_a_failing_partner_waits_longer_each_time_at_most_an_hour() -> None:
    second = 1_000_000
    waits = [plan.retry_at(0, n, 60 * second) for n in (1, 2, 3, 10, 60)]
    assert waits[:3] == [60 * second, 120 * second, 240 * second]
    assert waits[3] == waits[4] == plan.MAX_BACKOFF_US
    assert plan.due(None, 5) and plan.due(5, 5) and not plan.due(6, 5)
