"""Sharing groups: named sets of agencies with a stable id, versioned.

An AMBER object names its groups through marking-definitions that carry only the group
id (kawan's group-marking extension), so members can change without touching objects.
`make_group`, `with_members` and `marking_definition` are pure; the functions at the end
read and write the node's groups.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine

from kawan.errors import Conflict, InvalidInput, NotFound
from kawan.ingest.prepare import Receipt
from kawan.ingest.run import store_items
from kawan.ingest.stream import Item
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import format_ms, now_us
from kawan.store import collections
from kawan.store import groups as table
from kawan.store.engine import reading, writing

GROUP_EXTENSION = "extension-definition--0b7a1938-f2ca-4625-aaea-5ca41956c810"
_MARKING_NAMESPACE = uuid.UUID("151c3e1b-cd39-4372-9da1-270048935859")
MARKING_CREATED = "2026-01-01T00:00:00.000Z"


@dataclass(frozen=True)
class Group:
    group_id: str
    version: int
    name: str
    members: tuple[str, ...]
    marking_id: str
    modified: int
    deleted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "group_id": self.group_id,
            "version": self.version,
            "name": self.name,
            "members": list(self.members),
            "marking_id": self.marking_id,
            "modified": format_ms(self.modified),
            "deleted": self.deleted,
        }


def marking_id_for(group_id: str) -> str:
    return f"marking-definition--{uuid.uuid5(_MARKING_NAMESPACE, group_id)}"


def make_group(name: str, members: list[str], now: int, group_id: str | None = None) -> Group:
    if not name.strip():
        raise InvalidInput("a group needs a name", field="name")
    gid = group_id or f"group--{uuid.uuid4()}"
    return Group(gid, 1, name.strip(), _members(members), marking_id_for(gid), now)


def with_members(group: Group, add: list[str], remove: list[str], now: int) -> Group:
    unknown = sorted(set(remove) - set(group.members))
    if unknown:
        raise InvalidInput(f"not members of {group.name}: {', '.join(unknown)}", field="remove")
    members = [m for m in group.members if m not in remove] + add
    return replace(group, version=group.version + 1, members=_members(members), modified=now)


def _members(members: list[str]) -> tuple[str, ...]:
    for member in members:
        if not member.startswith("identity--"):
            raise InvalidInput(f"a member is an agency identity id, not {member!r}", field="member")
    return tuple(sorted(set(members)))


def marking_definition(group: Group) -> dict[str, Any]:
    """The marking-definition an AMBER object cites to name this group (the id only)."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": group.marking_id,
        "created": MARKING_CREATED,
        "name": f"kawan sharing group {group.group_id}",
        "extensions": {
            GROUP_EXTENSION: {"extension_type": "property-extension", "group_id": group.group_id}
        },
    }


# ---- the node's groups ---------------------------------------------------------------


def _from_row(row: dict[str, Any]) -> Group:
    return Group(
        row["group_id"],
        row["version"],
        row["name"],
        tuple(row["members"]),
        row["marking_id"],
        row["modified"],
        row["deleted"],
    )


def list_groups(engine: Engine) -> list[Group]:
    with reading(engine) as conn:
        return [_from_row(r) for r in table.current(conn)]


def find_group(engine: Engine, name_or_id: str) -> Group:
    matches = [
        g
        for g in list_groups(engine)
        if name_or_id in (g.group_id, g.marking_id) or g.name.lower() == name_or_id.lower()
    ]
    if len(matches) != 1:
        raise NotFound(
            f"no sharing group {name_or_id!r}"
            if not matches
            else f"{len(matches)} groups are named {name_or_id!r}; use the group id",
            field="group",
        )
    return matches[0]


def create_group(engine: Engine, name: str, members: list[str], home: str) -> Group:
    """Create a group and store its marking-definition as a home object (GREEN)."""
    if any(g.name.lower() == name.strip().lower() for g in list_groups(engine)):
        raise Conflict(f"a sharing group named {name!r} exists already", field="name")
    group = make_group(name, members, now_us())
    _save(engine, group)
    summary = store_items(
        engine,
        [Item(1, marking_definition(group))],
        Receipt(origin=home, recorded=Tlp.GREEN),
        "group",
    )
    if summary.rejected:
        raise Conflict(summary.rejected[0].reason)
    return group


def change_members(engine: Engine, name_or_id: str, add: list[str], remove: list[str]) -> Group:
    before = find_group(engine, name_or_id)
    group = with_members(before, add, remove, now_us())
    _save(engine, group, joined=bool(set(group.members) - set(before.members)))
    return group


def _save(engine: Engine, group: Group, joined: bool = False) -> None:
    """Store a version; when members joined, the group's objects enter its collection
    again, so that the newcomers' cursors reach them."""
    with writing(engine) as conn:
        table.put_version(
            conn, {**group.as_dict(), "members": group.members, "modified": group.modified}
        )
        if joined:
            collections.reenter_group(conn, group.group_id)
