"""Two kawan nodes on loopback, real servers: after sync each side holds exactly what the
policy allows; RED never crosses; a second sync changes nothing; corrections travel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kawan.errors import PermissionDenied
from kawan.sharing.groups import change_members, group_object_id
from kawan.sharing.sync import sync_all
from kawan.stix.edits import revoked, tombstone
from kawan.stix.timestamps import now_us
from kawan.store import versions as stored_versions
from kawan.store.engine import reading
from tests.sync.nodes import (
    FAST,
    KR,
    Pair,
    count,
    groups_of,
    ids,
    make_pair,
    seed,
    seed_third,
    versions,
)
from tests.taxii.sites import stop_server, store


@pytest.fixture(params=["sqlite", "postgresql"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    urls: tuple[str | None, str | None] = (None, None)
    if request.param == "postgresql":
        urls = (request.getfixturevalue("postgres_url"), None)
    made = make_pair(tmp_path, *urls)
    yield made
    for side in (made.a, made.b):
        stop_server(side.running)
        side.node.engine.dispose()


def test_each_side_holds_exactly_what_the_policy_allows(pair: Pair) -> None:
    a_objs = seed(pair.a, "vn", pair.group)
    b_objs = seed(pair.b, "th", pair.group)
    kr = seed_third(pair.a, pair.group)
    before_a, before_b = ids(pair.a.node), ids(pair.b.node)

    [outcome] = sync_all(pair.a.node, pair.a.key, FAST)
    assert outcome.error is None, outcome.error

    crossing = ("clear", "green", "amber", "strict", "domain")
    assert (
        ids(pair.b.node) - before_b
        == {a_objs[k]["id"] for k in crossing}
        | {
            kr["kr-green"]["id"],
            KR,  # KR CERT's identity as A holds it: GREEN
            pair.a.home,  # A's identity: GREEN, in the community
            pair.group.marking_id,  # the group's marking-definition: GREEN
            group_object_id(pair.group.group_id),  # the group's version, to a member
        }
        - before_b
    )
    assert (
        ids(pair.a.node) - before_a
        == {b_objs[k]["id"] for k in crossing} | {pair.b.home} - before_a
    )
    assert a_objs["red"]["id"] not in ids(pair.b.node)  # RED never crosses
    assert b_objs["red"]["id"] not in ids(pair.a.node)
    assert kr["kr-strict"]["id"] not in ids(pair.b.node)  # AMBER+STRICT: only from origin
    with reading(pair.a.node.engine) as conn:
        pulled = stored_versions.latest_of(conn, [b_objs["strict"]["id"]])[b_objs["strict"]["id"]]
    assert pulled.origin == pair.b.home  # the partner stays the origin, marking kept
    assert pulled.marking.groups == (pair.group.group_id,)
    [received] = groups_of(pair.b.node)  # the group travelled: B's policy uses it
    assert (received.group_id, received.version, received.members, received.owner) == (
        pair.group.group_id,
        1,
        pair.group.members,
        pair.a.home,
    )

    held_a, held_b = versions(pair.a.node), versions(pair.b.node)
    [again] = sync_all(pair.a.node, pair.a.key, FAST)
    assert (again.error, again.pulled, again.pushed) == (None, 0, 0)
    assert versions(pair.a.node) == held_a and versions(pair.b.node) == held_b
    [other_way] = sync_all(pair.b.node, pair.b.key, FAST)  # B syncing too changes nothing
    assert other_way.error is None
    assert versions(pair.a.node) == held_a and versions(pair.b.node) == held_b


def test_revocation_and_deletion_reach_the_partner(pair: Pair) -> None:
    a_objs = seed(pair.a, "vn", pair.group)
    seed(pair.b, "th", pair.group)
    sync_all(pair.a.node, pair.a.key, FAST)
    green, amber, domain = a_objs["green"], a_objs["amber"], a_objs["domain"]
    assert {green["id"], amber["id"], domain["id"]} <= ids(pair.b.node)

    store(
        pair.a.node,
        [
            revoked(green, now_us()),
            tombstone(amber, pair.a.home, now_us(), "wrong number"),
            tombstone(domain, pair.a.home, now_us(), "a victim's data"),
        ],
    )
    [outcome] = sync_all(pair.a.node, pair.a.key, FAST)
    assert outcome.error is None, outcome.error
    with reading(pair.b.node.engine) as conn:
        latest = stored_versions.latest_of(conn, [green["id"]])[green["id"]]
    assert latest.revoked
    assert amber["id"] not in ids(pair.b.node)
    assert domain["id"] not in ids(pair.b.node)
    assert count(pair.b.node) == len(versions(pair.b.node))


def test_a_partner_down_is_an_error_in_the_status_and_others_go_on(pair: Pair) -> None:
    from kawan.sharing.sync_link import status

    seed(pair.b, "th", pair.group)
    stop_server(pair.b.running)
    [outcome] = sync_all(pair.a.node, pair.a.key, FAST)
    assert outcome.error is not None and "attempts" in outcome.error
    [row] = [s for s in status(pair.a.node.engine) if s.link is not None]
    assert row.link_state == "failing"
    assert row.state.failures == 1 and row.state.last_error == outcome.error
    assert row.state.next_attempt is not None


def test_a_new_group_version_reaches_the_members_from_its_owner_only(pair: Pair) -> None:
    newcomer = "identity--0000c0de-0000-4000-8000-000000000099"
    change_members(pair.a.node.engine, pair.group.group_id, [newcomer], [KR])
    [pulled] = sync_all(pair.b.node, pair.b.key, FAST)  # B pulls the new version from A
    assert pulled.error is None, pulled.error
    [group] = groups_of(pair.b.node)
    assert (group.version, group.owner) == (2, pair.a.home)
    assert group.members == tuple(sorted([pair.a.home, pair.b.home, newcomer]))
    with pytest.raises(PermissionDenied, match="only its node"):
        change_members(pair.b.node.engine, pair.group.group_id, [KR], [])

    change_members(pair.a.node.engine, pair.group.group_id, [KR], [])
    [pushed] = sync_all(pair.a.node, pair.a.key, FAST)  # A pushes version 3 into B's node
    assert pushed.error is None, pushed.error
    assert [g.version for g in groups_of(pair.b.node)] == [3]
    assert [g.version for g in groups_of(pair.a.node)] == [3]
