"""Sharing groups: named sets of agencies with a stable id, versioned, sent to members.

An AMBER object names its groups through marking-definitions that carry only the group
id (kawan's group-marking extension), so members can change without touching objects.

Each version of a group is also a STIX object of kawan's extension type `kawan-group`
(`group_object`), created by the group's owner (the agency whose node created it) and
marked TLP:AMBER+STRICT for the group itself: it enters the group's TAXII collection, so
sync carries it to exactly the members, and the policy keeps any member from passing it
on. A receiving node applies a version (`accept`) only when it came from the owner's node
and is newer than the one it holds; its policy then uses it like a group of its own.

`make_group`, `with_members`, `marking_definition`, `group_object` and `group_of` are
pure; the functions at the end read and write the node's groups.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Engine

from kawan.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kawan.ingest.prepare import Receipt, prepare
from kawan.stix.markings import TLP2_IDS, Tlp
from kawan.stix.timestamps import format_ms, now_us, parse_us
from kawan.store import collections
from kawan.store import groups as table
from kawan.store import objects as repo
from kawan.store.engine import reading, writing
from kawan.store.records import Incoming

GROUP_EXTENSION = "extension-definition--0b7a1938-f2ca-4625-aaea-5ca41956c810"
_MARKING_NAMESPACE = uuid.UUID("151c3e1b-cd39-4372-9da1-270048935859")
MARKING_CREATED = "2026-01-01T00:00:00.000Z"
GROUP_TYPE = "kawan-group"
GROUP_TYPE_EXTENSION = "extension-definition--c74c58b0-4c3a-4be3-adca-381c5bf81ab7"
_OBJECT_NAMESPACE = uuid.UUID("f24e5f83-74ba-4b55-a919-40a77afdcf2e")


@dataclass(frozen=True)
class Group:
    group_id: str
    version: int
    name: str
    members: tuple[str, ...]
    marking_id: str
    modified: int
    deleted: bool = False
    owner: str | None = None  # the agency whose node owns it; None: this node's home

    def as_dict(self) -> dict[str, Any]:
        return {
            "group_id": self.group_id,
            "version": self.version,
            "name": self.name,
            "members": list(self.members),
            "marking_id": self.marking_id,
            "modified": format_ms(self.modified),
            "deleted": self.deleted,
            "owner": self.owner,
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
    later = max(now, group.modified + 1000)  # each version's `modified` a later millisecond
    return replace(group, version=group.version + 1, members=_members(members), modified=later)


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


def group_object_id(group_id: str) -> str:
    """The STIX id of a group's versions: the same on every node."""
    return f"{GROUP_TYPE}--{uuid.uuid5(_OBJECT_NAMESPACE, group_id)}"


def group_object(group: Group, owner: str, created: int) -> dict[str, Any]:
    """One version of a group as the STIX object its owner sends to the members:
    TLP:AMBER+STRICT for the group itself (members only; never passed on)."""
    return {
        "type": GROUP_TYPE,
        "spec_version": "2.1",
        "id": group_object_id(group.group_id),
        "created": format_ms(min(created, group.modified)),
        "modified": format_ms(group.modified),
        "created_by_ref": owner,
        "name": group.name,
        "group_id": group.group_id,
        "group_version": group.version,
        "members": list(group.members),
        "deleted": group.deleted,
        "object_marking_refs": [TLP2_IDS[Tlp.AMBER_STRICT], group.marking_id],
        "extensions": {GROUP_TYPE_EXTENSION: {"extension_type": "new-sdo"}},
    }


def group_of(obj: dict[str, Any]) -> tuple[Group, str]:
    """The group version a `kawan-group` object carries, and its owner (InvalidInput
    naming the property when it is not one)."""
    oid = obj.get("id")
    group_id, version, name = obj.get("group_id"), obj.get("group_version"), obj.get("name")
    owner, members = obj.get("created_by_ref"), obj.get("members")

    def bad(prop: str, what: str) -> InvalidInput:
        return InvalidInput(f"a kawan-group needs {what}", object_id=oid, field=prop)

    if not isinstance(group_id, str) or oid != group_object_id(group_id):
        raise bad("group_id", "a group_id its id is made from")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise bad("group_version", "a group_version of at least 1")
    if not isinstance(name, str) or not name.strip():
        raise bad("name", "a name")
    if not isinstance(owner, str) or not owner.startswith("identity--"):
        raise bad("created_by_ref", "its owner's identity as created_by_ref")
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise bad("members", "a list of member identity ids")
    modified = parse_us(str(obj.get("modified")), field="modified")
    group = Group(
        group_id,
        version,
        name.strip(),
        _members(members),
        marking_id_for(group_id),
        modified,
        obj.get("deleted") is True,
        owner,
    )
    return group, owner


def carried_markings(objs: Iterable[Any], origin: str) -> dict[str, str]:
    """marking id -> group id of the groups that `kawan-group` objects sent by their
    owner's node (`origin`) carry: so that the group version itself, and AMBER objects
    naming the group in the same page, are recorded for that group, not as unknown (RED)."""
    return {
        marking_id_for(o["group_id"]): o["group_id"]
        for o in objs
        if isinstance(o, dict)
        and o.get("type") == GROUP_TYPE
        and o.get("created_by_ref") == origin
        and isinstance(o.get("group_id"), str)
    }


def group_definition() -> dict[str, Any]:
    """The extension-definition of kawan's group type."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": GROUP_TYPE_EXTENSION,
        "created": "2026-12-01T00:00:00.000Z",
        "modified": "2026-12-01T00:00:00.000Z",
        "created_by_ref": "identity--bcd06648-778d-42e3-afc4-910123bc833a",
        "name": "kawan sharing group",
        "description": "One version of a sharing group (name, member agencies), sent by its "
        "owner's node to the members; the newest version from the owner wins.",
        "schema": "https://kawan.invalid/schemas/kawan-group.json",
        "version": "1.0.0",
        "extension_types": ["new-sdo"],
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
        row.get("owner"),
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
    """Create a group owned by the home agency; store its marking-definition (GREEN) and
    its first version as a `kawan-group` object, to be sent to the members."""
    if any(g.name.lower() == name.strip().lower() for g in list_groups(engine)):
        raise Conflict(f"a sharing group named {name!r} exists already", field="name")
    group = make_group(name, members, now_us())
    with writing(engine) as conn:
        table.put_version(conn, _row(group))
        receipt = Receipt(origin=home, recorded=Tlp.GREEN)
        _store(conn, [prepare(marking_definition(group), receipt)])
        _store_version(conn, group, home, group.modified)
    return group


def change_members(engine: Engine, name_or_id: str, add: list[str], remove: list[str]) -> Group:
    """A new version with members added or removed; only on the owner's node (a member's
    node receives the owner's versions through sync)."""
    before = find_group(engine, name_or_id)
    group = with_members(before, add, remove, now_us())
    if before.owner is not None:
        raise PermissionDenied(
            f"the sharing group {group.name} belongs to {before.owner}: only its node may "
            "change its members (this node receives its versions through sync)",
            field="group",
        )
    with writing(engine) as conn:
        home = table.home_agency(conn) or ""
        _save(conn, before, group)
        _store_version(conn, group, home, table.first_modified(conn, group.group_id))
    return group


def accept(conn: Connection, stored: Iterable[Incoming]) -> list[Group]:
    """Apply the `kawan-group` versions a partner just sent (stored, or held already), in
    the caller's transaction: each one only if its owner's node sent it (origin ==
    creator), the node holds no group of that id owned by someone else, and it is newer
    than the node's. A copy relayed by another node first does not keep the owner's out."""
    applied: list[Group] = []
    home = table.home_agency(conn) or ""
    for item in stored:
        if item.meta.type != GROUP_TYPE:
            continue
        try:
            group, owner = group_of(item.obj)
        except InvalidInput:
            continue
        if item.origin != owner or owner == home:
            continue
        found = table.latest(conn, group.group_id)
        before = None if found is None else _from_row(found)
        if before is not None and (
            (before.owner or home) != owner or before.version >= group.version
        ):
            continue
        _save(conn, before, group)
        applied.append(group)
    return applied


def _store_version(conn: Connection, group: Group, home: str, created: int) -> None:
    receipt = Receipt(origin=home, group_markings=table.group_markings(conn))
    _store(conn, [prepare(group_object(group, home, created), receipt)])


def _store(conn: Connection, items: list[Incoming]) -> None:
    for result in repo.put_batch(conn, items):
        if result.outcome == "rejected":
            raise Conflict(result.reason or "rejected", object_id=result.id)


def _row(group: Group) -> dict[str, Any]:
    return {**group.as_dict(), "members": group.members, "modified": group.modified}


def _save(conn: Connection, before: Group | None, group: Group) -> None:
    """Store a version; when members joined, the group's objects enter its collection
    again, so that the newcomers' cursors reach them."""
    table.put_version(conn, _row(group))
    joined = before is None or bool(set(group.members) - set(before.members))
    if joined:
        collections.reenter_group(conn, group.group_id)
