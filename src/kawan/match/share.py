"""`kawan match --share`: the sharing group a sighting is marked with so that the policy
lets the indicator's creator receive it (I/O).

A shared sighting is TLP:AMBER and names the group `sightings: <creator name>`, whose
members are the home agency and the creator; the group is created on first use. The
policy decides the rest: nothing here bypasses it.
"""

from __future__ import annotations

from sqlalchemy import Engine

from kawan.errors import Conflict
from kawan.sharing.groups import Group, create_group, list_groups
from kawan.stix.markings import TLP2_IDS, Tlp
from kawan.store.accounts import find_agency
from kawan.store.engine import reading

PREFIX = "sightings: "


def share_markings(engine: Engine, home: str, creator: str) -> list[str]:
    """`object_marking_refs` for a sighting shared with `creator`: AMBER and its group."""
    return [TLP2_IDS[Tlp.AMBER], sighting_group(engine, home, creator).marking_id]


def sighting_group(engine: Engine, home: str, creator: str) -> Group:
    """The group {home, creator} sightings are shared through; created when missing."""
    members = tuple(sorted({home, creator}))
    for group in list_groups(engine):
        if not group.deleted and group.name.startswith(PREFIX) and group.members == members:
            return group
    name = PREFIX + _name_of(engine, creator)
    try:
        return create_group(engine, name, list(members), home)
    except Conflict:  # the name is taken by a group with other members
        return create_group(engine, f"{name} ({creator})", list(members), home)


def _name_of(engine: Engine, agency: str) -> str:
    with reading(engine) as conn:
        found = find_agency(conn, agency)
    return found[0].name if len(found) == 1 else agency
