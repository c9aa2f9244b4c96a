from __future__ import annotations

import pytest

from kawan.errors import Conflict, InvalidInput
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
