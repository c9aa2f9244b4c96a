"""Sync planning (pure): which collections go where, what to send, what is new, when to
try a failing partner again. What a partner may receive is never decided here: the
versions handed to `outgoing` have passed `Access(engine, Viewer.partner(p)).allowed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kawan.sharing.groups import Group
from kawan.sharing.sync_client import Remote
from kawan.store.collections import COMMUNITY, group_collection_id
from kawan.store.records import Incoming, StoredVersion

MAX_BACKOFF_US = 3600 * 1_000_000


@dataclass(frozen=True)
class Outbound:
    """A local collection a partner reads, and the partner's collection it goes into."""

    local: str
    title: str
    remote: str | None  # None: the partner has no writable collection for it


def readable_by(groups: Iterable[Group], partner: str) -> list[tuple[str, str]]:
    """(collection id, title) of every local collection the partner reads: the community,
    and each live group it is a member of (the collections are views; the policy still
    decides per version)."""
    found = [(COMMUNITY, "Community")]
    for group in groups:
        if not group.deleted and partner in group.members:
            found.append((group_collection_id(group.group_id), group.name))
    return found


def outbound(
    local: Sequence[tuple[str, str]], remote: Sequence[Remote], push_to: str | None
) -> list[Outbound]:
    """Where each local collection is pushed: the partner's collection with the same id
    (kawan nodes share collection ids), else the one collection named by `push_to`."""
    writable = {r.id for r in remote if r.can_write}
    plans = []
    for cid, title in local:
        target = cid if cid in writable else push_to if push_to in writable else None
        plans.append(Outbound(cid, title, target))
    return plans


def unknown_groups(
    groups: Iterable[Group], local: Sequence[tuple[str, str]], remote: Sequence[Remote]
) -> list[Group]:
    """The groups the partner reads here whose collection a kawan partner node does not
    offer yet (it does not know the group): only when it offers our community collection,
    i.e. is a kawan node sharing collection ids."""
    offered = {r.id for r in remote}
    if COMMUNITY not in {r.id for r in remote if r.can_write}:
        return []
    wanted = {cid for cid, _title in local} - offered
    return [g for g in groups if group_collection_id(g.group_id) in wanted]


def inbound(remote: Sequence[Remote]) -> list[Remote]:
    """The partner's collections this node pulls: those it may read."""
    return [r for r in remote if r.can_read]


def outgoing(allowed: Iterable[StoredVersion], partner: str) -> list[StoredVersion]:
    """Of the versions the policy lets the partner see, those worth sending: not the
    partner's own (it holds them; sending them back would only echo)."""
    return [v for v in allowed if v.origin != partner]


def unseen(incoming: Iterable[Incoming], held: set[tuple[str, str]]) -> list[Incoming]:
    """Incoming versions whose exact content the node does not hold yet (our own objects
    echoed back by a partner, or the same version twice in a page, are dropped)."""
    seen = set(held)
    fresh = []
    for item in incoming:
        key = (item.meta.id, item.content_hash)
        if key not in seen:
            seen.add(key)
            fresh.append(item)
    return fresh


def retry_at(now: int, failures: int, interval_us: int) -> int:
    """When to try a partner again after `failures` failed runs in a row: the interval,
    doubled per failure, at most an hour."""
    wait = min(max(interval_us, 1_000_000) << min(max(failures - 1, 0), 20), MAX_BACKOFF_US)
    return now + wait


def due(next_attempt: int | None, now: int) -> bool:
    return next_attempt is None or next_attempt <= now
