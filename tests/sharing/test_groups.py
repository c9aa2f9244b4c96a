from __future__ import annotations

import pytest

from kawan.errors import Conflict, InvalidInput, PermissionDenied
from kawan.node import Node
from kawan.sharing import groups
from kawan.stix.markings import Tlp, effective
from kawan.stix.validate import check

A = "identity--00000000-0000-4000-8000-00000000000a"
B = "identity--00000000-0000-4000-8000-00000000000b"


def test_a_group_marking_carries_only_the_group_id() -> None:
    group = groups.make_group("VN-TH", [A, B], 1)
    marking = groups.marking_definition(group)
    check(marking)
    extension = marking["extensions"][groups.GROUP_EXTENSION]
    assert extension == {"extension_type": "property-extension", "group_id": group.group_id}
    assert A not in str(marking) and "VN-TH" not in str(marking)
    assert (
        effective(
            {"object_marking_refs": [marking["id"]]}, None, {marking["id"]: group.group_id}
        ).tlp
        is Tlp.AMBER
    )


def test_membership_changes_make_new_versions_with_the_same_marking() -> None:
    group = groups.make_group("VN-TH", [A], 1)
    bigger = groups.with_members(group, [B], [], 2)
    assert (bigger.version, bigger.members, bigger.marking_id) == (2, (A, B), group.marking_id)
    with pytest.raises(InvalidInput, match="not members"):
        groups.with_members(group, [], [B], 3)
    with pytest.raises(InvalidInput, match="agency identity id"):
        groups.make_group("bad", ["ThaiCERT"], 1)


def test_groups_are_stored_versioned(node: Node) -> None:
    home = node.require_home().id
    made = groups.create_group(node.engine, "ASEAN+3", [home, A], home)
    groups.change_members(node.engine, "asean+3", [B], [A])
    current = groups.find_group(node.engine, made.group_id)
    assert current.version == 2 and current.members == tuple(sorted([home, B]))
    with pytest.raises(Conflict):
        groups.create_group(node.engine, "ASEAN+3", [home], home)


# ---- groups sent between nodes -----------------------------------------------------------


def test_a_group_version_travels_as_a_kawan_group_object() -> None:
    group = groups.with_members(groups.make_group("VN-TH", [A], 1_000_000), [B], [], 2_000_000)
    obj = groups.group_object(group, A, 1_000_000)
    meta = check(obj)
    assert (meta.type, meta.id) == ("kawan-group", groups.group_object_id(group.group_id))
    assert effective(obj, None, {group.marking_id: group.group_id}).tlp is Tlp.AMBER_STRICT
    back, owner = groups.group_of(obj)
    assert owner == A
    assert back == groups.Group(
        group.group_id, 2, "VN-TH", (A, B), group.marking_id, group.modified, False, A
    )
    later = groups.with_members(group, [], [B], group.modified)  # same clock: still later
    assert groups.group_object(later, A, 1_000_000)["modified"] > obj["modified"]


@pytest.mark.parametrize(
    ("prop", "value", "message"),
    [
        ("group_id", "group--another", "group_id its id is made from"),
        ("group_version", 0, "group_version"),
        ("group_version", True, "group_version"),
        ("members", "identity--x", "list of member"),
        ("members", ["ThaiCERT"], "agency identity id"),
        ("created_by_ref", None, "owner"),
        ("name", " ", "a name"),
    ],
)
def test_a_broken_group_object_is_invalid_input(prop: str, value: object, message: str) -> None:
    obj = groups.group_object(groups.make_group("VN-TH", [A], 1), A, 1)
    obj[prop] = value
    with pytest.raises(InvalidInput, match=message):
        groups.group_of(obj)


def _received(node: Node, obj: dict[str, object], origin: str) -> list[groups.Group]:
    """Store a partner's kawan-group object as sync does, then apply it."""
    from kawan.ingest.prepare import Receipt, prepare
    from kawan.store import objects as repo
    from kawan.store.engine import writing

    receipt = Receipt(origin, group_markings=groups.carried_markings([obj], origin))
    incoming = prepare(obj, receipt)
    with writing(node.engine) as conn:
        repo.put_batch(conn, [incoming])
        return groups.accept(conn, [incoming])


def test_a_group_version_is_accepted_only_from_its_owner_and_newest_wins(node: Node) -> None:
    home = node.require_home().id
    v1 = groups.make_group("KH-VN", [A, home], 1_000_000)
    v2 = groups.with_members(v1, [B], [], 2_000_000)
    v3 = groups.with_members(v2, [], [B], 3_000_000)
    assert _received(node, groups.group_object(v2, A, v1.modified), origin=B) == []  # relayed
    assert groups.list_groups(node.engine) == []
    [accepted] = _received(node, groups.group_object(v2, A, v1.modified), origin=A)
    assert (accepted.version, accepted.owner) == (2, A)
    assert _received(node, groups.group_object(v1, A, v1.modified), origin=A) == []  # older
    [current] = groups.list_groups(node.engine)
    assert (current.version, current.members, current.owner) == (2, v2.members, A)
    impostor = groups.with_members(v2, [home], [A], 4_000_000)  # B claims A's group
    assert _received(node, groups.group_object(impostor, B, v1.modified), origin=B) == []
    [newest] = _received(node, groups.group_object(v3, A, v1.modified), origin=A)
    assert newest.members == tuple(sorted([A, home]))
    with pytest.raises(PermissionDenied, match="only its node"):
        groups.change_members(node.engine, "KH-VN", [B], [])


def test_a_partner_cannot_take_over_a_group_this_node_owns(node: Node) -> None:
    home = node.require_home().id
    mine = groups.create_group(node.engine, "ASEAN", [home, A], home)
    theirs = groups.with_members(mine, [B], [], mine.modified + 5_000_000)
    assert _received(node, groups.group_object(theirs, A, mine.modified), origin=A) == []
    [current] = groups.list_groups(node.engine)
    assert (current.version, current.owner) == (1, None)
