"""The policy as DESIGN.md states it, case by case and as properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kawan.sharing.policy import Facts, Viewer, World, visible
from kawan.stix.markings import Tlp

HOME = "identity--00000000-0000-4000-8000-000000000001"
P = "identity--00000000-0000-4000-8000-000000000002"
Q = "identity--00000000-0000-4000-8000-000000000003"
WORLD = World(
    HOME, {"g-asean": frozenset({P}), "g-empty": frozenset()}, public_counts=frozenset({HOME})
)
ALICE = Viewer.home_user("alice", "analyst")
BOB = Viewer.home_user("bob", "admin")


@pytest.mark.parametrize(
    ("viewer", "facts", "expected"),
    [
        (ALICE, Facts(Tlp.AMBER_STRICT, origin=Q), True),
        (ALICE, Facts(Tlp.RED, brought_by="alice"), True),
        (BOB, Facts(Tlp.RED, brought_by="alice"), False),  # even an admin
        (BOB, Facts(Tlp.RED, brought_by="alice", readers=("bob",)), True),
        (Viewer.operator(), Facts(Tlp.RED, brought_by="alice"), True),
        (Viewer.partner(P), Facts(Tlp.GREEN), True),
        (Viewer.partner(Q), Facts(Tlp.CLEAR), True),
        (Viewer.partner(P), Facts(Tlp.AMBER, ("g-asean",)), True),
        (Viewer.partner(Q), Facts(Tlp.AMBER, ("g-asean",)), False),
        (Viewer.partner(P), Facts(Tlp.AMBER), False),  # AMBER naming no group
        (Viewer.partner(P), Facts(Tlp.AMBER_STRICT, ("g-asean",), origin=HOME), True),
        (Viewer.partner(P), Facts(Tlp.AMBER_STRICT, ("g-asean",), origin=Q), False),
        (Viewer.partner(P), Facts(Tlp.RED, ("g-asean",), origin=HOME), False),
        (Viewer.public(), Facts(Tlp.CLEAR), True),
        (Viewer.public(), Facts(Tlp.GREEN, creator=HOME), False),
        (Viewer.public(counts_only=True), Facts(Tlp.AMBER, creator=HOME), True),
        (Viewer.public(counts_only=True), Facts(Tlp.AMBER, creator=Q), False),
        (Viewer.public(counts_only=True), Facts(Tlp.RED, creator=HOME), False),
    ],
)
def test_rules(viewer: Viewer, facts: Facts, expected: bool) -> None:
    assert visible(viewer, facts, WORLD) is expected


def test_a_relationship_needs_both_ends_visible() -> None:
    rel = Facts(Tlp.GREEN, ends=("indicator--a", "malware--b"))
    ends = {"indicator--a": [Facts(Tlp.GREEN)], "malware--b": [Facts(Tlp.RED)]}
    assert not visible(Viewer.partner(P), rel, WORLD, ends)
    ends["malware--b"].append(Facts(Tlp.AMBER, ("g-asean",)))  # a version P may see
    assert visible(Viewer.partner(P), rel, WORLD, ends)
    assert not visible(Viewer.partner(Q), rel, WORLD, ends)
    assert visible(ALICE, rel, WORLD, {})  # home users are not bound by ends


def test_an_end_the_node_does_not_hold_fails_closed() -> None:
    rel = Facts(Tlp.CLEAR, ends=("indicator--a", "malware--unknown"))
    assert not visible(Viewer.partner(P), rel, WORLD, {"indicator--a": [Facts(Tlp.CLEAR)]})
    assert not visible(Viewer.public(), rel, WORLD, {"indicator--a": [Facts(Tlp.CLEAR)]})


tlps = st.sampled_from(list(Tlp))
group_sets = st.lists(
    st.sampled_from(["g-asean", "g-empty", "g-unknown"]), max_size=3, unique=True
).map(tuple)
agencies = st.sampled_from([HOME, P, Q])
facts_strategy = st.builds(
    Facts,
    tlp=tlps,
    groups=group_sets,
    origin=agencies,
    creator=agencies,
    brought_by=st.sampled_from([None, "alice"]),
    readers=st.sampled_from([(), ("bob",)]),
)
partners = st.sampled_from([Viewer.partner(P), Viewer.partner(Q)])


@given(facts_strategy, partners)
def test_red_never_reaches_a_partner_or_the_public(facts: Facts, partner: Viewer) -> None:
    if facts.tlp is Tlp.RED:
        assert not visible(partner, facts, WORLD)
        assert not visible(Viewer.public(counts_only=True), facts, WORLD)


@given(facts_strategy, partners)
def test_amber_strict_is_amber_plus_origin(facts: Facts, partner: Viewer) -> None:
    if facts.tlp is Tlp.AMBER_STRICT and visible(partner, facts, WORLD):
        assert facts.origin == HOME
        amber = Facts(Tlp.AMBER, facts.groups, facts.origin)
        assert visible(partner, amber, WORLD)


@given(facts_strategy)
def test_the_public_sees_only_clear(facts: Facts) -> None:
    assert visible(Viewer.public(), facts, WORLD) is (facts.tlp is Tlp.CLEAR)


@given(facts_strategy, partners)
def test_more_restrictive_markings_never_show_more(facts: Facts, partner: Viewer) -> None:
    for tighter in Tlp:
        if tighter > facts.tlp and visible(
            partner, Facts(tighter, facts.groups, facts.origin), WORLD
        ):
            assert visible(partner, Facts(facts.tlp, facts.groups, facts.origin), WORLD)


@given(facts_strategy)
def test_home_users_see_all_but_red_that_is_not_theirs(facts: Facts) -> None:
    expected = facts.tlp is not Tlp.RED or facts.brought_by == "alice"
    assert visible(ALICE, facts, WORLD) is expected
