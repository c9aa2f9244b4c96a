"""The collections a caller gets, and what it may do in each (pure).

Collections are views of the store (DESIGN.md): one for the community (CLEAR and GREEN)
and one per sharing group (AMBER and AMBER+STRICT versions naming the group). Home users
read every collection; a partner agency reads the community's and those of the groups it
is a member of, and does not see the others listed. Writing: home users whose role may
write objects, and partner agencies into the collections they read (their objects keep
them as origin and keep their markings; where a version lands follows its marking).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kawan.accounts.records import Principal
from kawan.accounts.roles import may
from kawan.errors import NotFound
from kawan.sharing.groups import Group
from kawan.sharing.policy import Kind
from kawan.store.collections import COMMUNITY, group_collection_id


@dataclass(frozen=True)
class View:
    id: str
    title: str
    description: str
    alias: str
    members: frozenset[str] | None = None  # None: the community (every partner reads it)


def community() -> View:
    return View(COMMUNITY, "Community", "Objects marked TLP:CLEAR or TLP:GREEN.", "community")


def of_group(group: Group) -> View:
    return View(
        group_collection_id(group.group_id),
        group.name,
        f"Objects marked TLP:AMBER or TLP:AMBER+STRICT for the sharing group {group.name} "
        f"({group.group_id}).",
        "group-" + _slug(group.name),
        frozenset(group.members),
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "group"


def all_views(groups: Iterable[Group]) -> list[View]:
    return [community(), *(of_group(g) for g in groups if not g.deleted)]


def can_read(caller: Principal, view: View) -> bool:
    if caller.viewer.kind is not Kind.PARTNER:
        return caller.viewer.kind is not Kind.PUBLIC
    return view.members is None or caller.viewer.agency_id in view.members


def can_write(caller: Principal, view: View) -> bool:
    if not can_read(caller, view):
        return False
    return caller.is_partner or may(caller.role, "write_objects")


def listed(caller: Principal, views: Iterable[View]) -> list[View]:
    """The collections this caller is shown (those it may read)."""
    return [v for v in views if can_read(caller, v)]


def find(caller: Principal, views: Iterable[View], collection_id: str) -> View:
    """The collection, if this caller is shown it; else NotFound (no hint it exists)."""
    for view in listed(caller, views):
        if view.id == collection_id:
            return view
    raise NotFound(f"no collection {collection_id!r} in this API root", field="collection")
