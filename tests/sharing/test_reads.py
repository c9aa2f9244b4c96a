"""The per-app cache of the policy's world (`WorldCache`): a membership change reaches
the reads that use it once its TTL has passed, never sooner than it is read again."""

from __future__ import annotations

from kawan.node import Node
from kawan.sharing import groups
from kawan.sharing.reads import WorldCache

A = "identity--0a0a0a0a-0000-4000-8000-00000000000a"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_membership_change_is_seen_after_the_ttl(node: Node) -> None:
    home = node.require_home().id
    made = groups.create_group(node.engine, "ASEAN+3", [home], home)
    clock = FakeClock()
    worlds = WorldCache(ttl=5.0, clock=clock)
    assert worlds.get(node.engine).members[made.group_id] == frozenset({home})
    groups.change_members(node.engine, "asean+3", [A], [])
    clock.now += 4.9
    assert A not in worlds.get(node.engine).members[made.group_id]  # within the TTL
    clock.now += 0.1
    assert A in worlds.get(node.engine).members[made.group_id]


def test_a_clock_that_goes_back_reads_again(node: Node) -> None:
    clock = FakeClock()
    worlds = WorldCache(ttl=5.0, clock=clock)
    first = worlds.get(node.engine)
    clock.now -= 1
    assert worlds.get(node.engine) is not first
