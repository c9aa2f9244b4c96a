"""TLP markings: TLP 2.0 (OASIS ids), TLP 1.0 (the `stix2` library's ids) and OpenCTI's
AMBER+STRICT, mapped to one scale. Unknown marking-definitions fail closed (RED).

The effective marking of an object version is computed from its own
`object_marking_refs`; where it has none, from the marking the node recorded on receipt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from kawan.errors import InvalidInput


class Tlp(IntEnum):
    """Ordered from least to most restrictive."""

    CLEAR = 0
    GREEN = 1
    AMBER = 2
    AMBER_STRICT = 3
    RED = 4

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "+")

    @classmethod
    def parse(cls, text: str) -> Tlp:
        key = text.strip().lower().removeprefix("tlp:").replace("+", "_").replace("-", "_")
        key = {"white": "clear"}.get(key, key)
        try:
            return cls[key.upper()]
        except KeyError:
            raise InvalidInput(
                f"unknown TLP {text!r}: use clear, green, amber, amber+strict or red",
                field="marking",
            ) from None


TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_IDS: dict[Tlp, str] = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP1_IDS: dict[Tlp, str] = {
    Tlp.CLEAR: "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    Tlp.GREEN: "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    Tlp.AMBER: "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    Tlp.RED: "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
OPENCTI_AMBER_STRICT = "marking-definition--826578e1-40ad-459f-bc73-ede076f81f37"

KNOWN_TLP: dict[str, Tlp] = {
    **{v: k for k, v in TLP2_IDS.items()},
    **{v: k for k, v in TLP1_IDS.items()},
    OPENCTI_AMBER_STRICT: Tlp.AMBER_STRICT,
}


@dataclass(frozen=True)
class Marking:
    """An effective marking: the TLP level and, for AMBER, the sharing groups named."""

    tlp: Tlp
    groups: tuple[str, ...] = ()
    from_object: bool = True  # False: the node's recorded marking, not the object's own

    @property
    def label(self) -> str:
        return self.tlp.label


def classify_refs(
    refs: Iterable[str],
    group_markings: Mapping[str, str] | None = None,
    statements: Iterable[str] = (),
) -> tuple[Tlp | None, tuple[str, ...]]:
    """The TLP level and group ids named by `object_marking_refs`.

    `group_markings` maps the marking-definition id of a sharing group to the group id;
    `statements` are marking-definition ids the node knows restrict nothing (copyright
    statements). Anything else is unknown and makes the result RED.
    Returns (None, ()) when the refs name no TLP, no group and nothing unknown.
    """
    groups = group_markings or {}
    harmless = set(statements)
    level: Tlp | None = None
    named: list[str] = []
    for ref in refs:
        if ref in KNOWN_TLP:
            found = KNOWN_TLP[ref]
        elif ref in groups:
            named.append(groups[ref])
            found = Tlp.AMBER
        elif ref in harmless:
            continue
        else:
            found = Tlp.RED
        level = found if level is None else max(level, found)
    return level, tuple(sorted(set(named)))


def effective(
    obj: Mapping[str, Any],
    recorded: Tlp | None,
    group_markings: Mapping[str, str] | None = None,
    statements: Iterable[str] = (),
) -> Marking:
    """The effective marking of one object version (DESIGN.md, "Effective marking")."""
    level, groups = classify_refs(obj.get("object_marking_refs") or (), group_markings, statements)
    if level is not None:
        return Marking(level, groups, from_object=True)
    return Marking(recorded if recorded is not None else Tlp.RED, (), from_object=False)


def tlp2_definition(level: Tlp) -> dict[str, Any]:
    """The OASIS TLP 2.0 marking-definition object for `level`."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[level],
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{level.label.upper()}",
        "extensions": {
            TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level.label}
        },
    }


def is_tlp_definition(marking_id: str) -> bool:
    return marking_id in KNOWN_TLP
