from __future__ import annotations

import pytest

from kawan.errors import InvalidInput
from kawan.stix.markings import (
    OPENCTI_AMBER_STRICT,
    TLP1_IDS,
    TLP2_IDS,
    Tlp,
    effective,
    tlp2_definition,
)

GROUP_MARKING = "marking-definition--0c1f3a52-8a8c-4b8d-9d59-5f8a0e0b2f11"
UNKNOWN = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ec"


@pytest.mark.parametrize(
    ("refs", "expected"),
    [
        ([TLP2_IDS[Tlp.CLEAR]], Tlp.CLEAR),
        ([TLP1_IDS[Tlp.CLEAR]], Tlp.CLEAR),  # TLP 1.0 WHITE means CLEAR
        ([TLP1_IDS[Tlp.GREEN]], Tlp.GREEN),
        ([TLP2_IDS[Tlp.AMBER_STRICT]], Tlp.AMBER_STRICT),
        ([OPENCTI_AMBER_STRICT], Tlp.AMBER_STRICT),
        ([TLP1_IDS[Tlp.RED]], Tlp.RED),
        ([TLP2_IDS[Tlp.GREEN], TLP2_IDS[Tlp.AMBER]], Tlp.AMBER),  # the strictest wins
        ([TLP2_IDS[Tlp.CLEAR], UNKNOWN], Tlp.RED),  # unknown fails closed
    ],
)
def test_effective_marking_of_refs(refs: list[str], expected: Tlp) -> None:
    marking = effective({"object_marking_refs": refs}, recorded=Tlp.CLEAR)
    assert marking.tlp is expected and marking.from_object


def test_recorded_marking_applies_only_to_unmarked_objects() -> None:
    assert effective({}, Tlp.GREEN).tlp is Tlp.GREEN
    assert not effective({}, Tlp.GREEN).from_object
    assert effective({}, None).tlp is Tlp.RED


def test_a_group_marking_is_amber_naming_the_group() -> None:
    marking = effective(
        {"object_marking_refs": [GROUP_MARKING]}, None, group_markings={GROUP_MARKING: "group-1"}
    )
    assert (marking.tlp, marking.groups) == (Tlp.AMBER, ("group-1",))


def test_a_statement_the_node_knows_restricts_nothing() -> None:
    marking = effective(
        {"object_marking_refs": [UNKNOWN, TLP2_IDS[Tlp.GREEN]]}, None, statements={UNKNOWN}
    )
    assert marking.tlp is Tlp.GREEN


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("TLP:WHITE", Tlp.CLEAR),
        ("amber+strict", Tlp.AMBER_STRICT),
        ("Green", Tlp.GREEN),
        ("tlp:red", Tlp.RED),
    ],
)
def test_parse_names(text: str, level: Tlp) -> None:
    assert Tlp.parse(text) is level


def test_parse_refuses_unknown_names() -> None:
    with pytest.raises(InvalidInput, match="unknown TLP"):
        Tlp.parse("purple")


def test_tlp2_definitions_carry_the_oasis_extension() -> None:
    amber = tlp2_definition(Tlp.AMBER_STRICT)
    assert amber["id"] == "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
    assert amber["name"] == "TLP:AMBER+STRICT"
    ext = amber["extensions"]["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"]
    assert ext["tlp_2_0"] == "amber+strict"
