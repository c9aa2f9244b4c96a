"""The one visibility policy: `visible(viewer, facts, world)`.

Every surface that shows, sends or counts an object version (API, TAXII, sync, export to
a partner, check, correlation, matcher output, pages) asks this function, directly or
through `kawan.sharing.reads`; none re-implements it. The rules are DESIGN.md's, with the
decisions written down in docs/sharing.md:

* home users see everything the node holds except RED, which only the user who brought
  it in and the users they named may see; the node's operator (the local CLI, which holds
  the database anyway) sees everything;
* a partner sees CLEAR and GREEN; AMBER when it is a member of one of the object's
  groups (AMBER naming no group reaches no partner); AMBER+STRICT only if, in addition,
  this node is the object's origin; RED never; a relationship or sighting only when it
  may also see the objects at both ends (an end the node does not hold fails closed);
* the public sees CLEAR; for the public check's counts only, also objects that are not
  RED whose creating agency allowed public counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from kawan.stix.markings import Tlp


class Kind(Enum):
    OPERATOR = "operator"
    HOME = "home"
    PARTNER = "partner"
    PUBLIC = "public"


@dataclass(frozen=True)
class Viewer:
    """Who is looking. Home users carry their user id; partners their agency id."""

    kind: Kind
    agency_id: str | None = None
    user_id: str | None = None
    role: str | None = None
    counts_only: bool = False  # the public check's counts, nothing else

    @classmethod
    def operator(cls) -> Viewer:
        return cls(Kind.OPERATOR)

    @classmethod
    def home_user(cls, user_id: str, role: str) -> Viewer:
        return cls(Kind.HOME, user_id=user_id, role=role)

    @classmethod
    def partner(cls, agency_id: str) -> Viewer:
        return cls(Kind.PARTNER, agency_id=agency_id)

    @classmethod
    def public(cls, *, counts_only: bool = False) -> Viewer:
        return cls(Kind.PUBLIC, counts_only=counts_only)


@dataclass(frozen=True)
class Facts:
    """What the policy needs to know about one object version (the store records it)."""

    tlp: Tlp
    groups: tuple[str, ...] = ()
    origin: str = ""
    creator: str = ""
    brought_by: str | None = None
    readers: tuple[str, ...] = ()
    ends: tuple[str, ...] = ()  # a relationship's source and target, a sighting's subject


@dataclass(frozen=True)
class World:
    """The node's state the policy reads: who it is, its groups, public-count consent."""

    home: str
    members: Mapping[str, frozenset[str]] = field(default_factory=dict)
    public_counts: frozenset[str] = frozenset()


EndFacts = Mapping[str, Iterable[Facts]]  # end id -> the versions the node holds of it


def visible(viewer: Viewer, facts: Facts, world: World, ends: EndFacts | None = None) -> bool:
    """May `viewer` see this object version? `ends` holds the versions of the objects at
    the ends of a relationship or sighting (needed only when `facts.ends` is not empty)."""
    if viewer.kind is Kind.OPERATOR:
        return True
    if viewer.kind is Kind.HOME:
        return _home_may_see(viewer, facts)
    if not _marking_allows(viewer, facts, world):
        return False
    return all(_end_visible(viewer, end, world, ends or {}) for end in facts.ends)


def _home_may_see(viewer: Viewer, facts: Facts) -> bool:
    if facts.tlp is not Tlp.RED:
        return True
    return viewer.user_id is not None and (
        viewer.user_id == facts.brought_by or viewer.user_id in facts.readers
    )


def _marking_allows(viewer: Viewer, facts: Facts, world: World) -> bool:
    if viewer.kind is Kind.PUBLIC:
        return _public_may_see(viewer, facts, world)
    tlp = facts.tlp
    if tlp in (Tlp.CLEAR, Tlp.GREEN):
        return True
    if tlp is Tlp.RED:
        return False
    member = any(viewer.agency_id in world.members.get(g, frozenset()) for g in facts.groups)
    if tlp is Tlp.AMBER:
        return member
    return member and facts.origin == world.home  # AMBER+STRICT: never passed on


def _public_may_see(viewer: Viewer, facts: Facts, world: World) -> bool:
    if facts.tlp is Tlp.CLEAR:
        return True
    return viewer.counts_only and facts.tlp is not Tlp.RED and facts.creator in world.public_counts


def _end_visible(viewer: Viewer, end: str, world: World, ends: EndFacts) -> bool:
    """An end is visible when the viewer may see some version of it the node holds."""
    return any(_marking_allows(viewer, version, world) for version in ends.get(end, ()))
