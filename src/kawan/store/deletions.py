"""Deletion: tombstones, and removing every trace of a deleted object."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select

from kawan.store import collections
from kawan.store.engine import one_of
from kawan.store.records import Incoming, PutResult
from kawan.store.schema import objects, observables, refs
from kawan.store.versions import chunks, latest_of

TOMBSTONE = "kawan-tombstone"


@dataclass
class Deletions:
    """What a batch's tombstones may delete, and which objects tombstones already killed.

    Only an object's creator may delete it: a tombstone whose `created_by_ref` is not the
    target's creator is refused, and an object arriving after its creator's tombstone is
    refused rather than brought back.
    """

    creators: dict[str, str]  # target id -> its creator, for targets the node holds
    dead: dict[str, tuple[str, str]]  # target id -> (tombstone id, its creator)

    @classmethod
    def of(cls, conn: Connection, items: Sequence[Incoming]) -> Deletions:
        targets = {str(i.obj.get("object_ref")) for i in items if i.meta.type == TOMBSTONE}
        held = latest_of(conn, targets) if targets else {}
        return cls(
            {t: v.creator for t, v in held.items()}, _tombstoned(conn, {i.meta.id for i in items})
        )

    def refusal(self, item: Incoming) -> PutResult | None:
        creator = item.meta.created_by_ref or item.origin
        if item.meta.type == TOMBSTONE:
            target = str(item.obj.get("object_ref"))
            owner = self.creators.get(target)
            if owner is not None and owner != creator:
                return PutResult(
                    item.meta.id,
                    "rejected",
                    reason=(f"only the creator of {target} ({owner}) may delete it"),
                )
            return None
        dead = self.dead.get(item.meta.id)
        if dead is not None and dead[1] == creator:
            return PutResult(
                item.meta.id, "rejected", reason=f"deleted by its creator (tombstone {dead[0]})"
            )
        return None

    def targets_of(self, fresh: list[Incoming]) -> list[str]:
        return [str(i.obj.get("object_ref")) for i in fresh if i.meta.type == TOMBSTONE]


def _tombstoned(conn: Connection, ids: set[str]) -> dict[str, tuple[str, str]]:
    if not ids:
        return {}
    stmt = select(refs.c.object_id, refs.c.target_id).where(
        one_of(conn, refs.c.target_id, sorted(ids)), refs.c.object_id.like(TOMBSTONE + "--%")
    )
    pairs = [(r.object_id, r.target_id) for r in conn.execute(stmt)]
    stones = latest_of(conn, {p[0] for p in pairs})
    return {target: (stone, stones[stone].creator) for stone, target in pairs if stone in stones}


def delete_objects(conn: Connection, ids: Iterable[str]) -> None:
    """Remove every version of these objects, their index rows and references, and the
    index rows other objects had through them (a deleted phone number leaves no trace)."""
    doomed = sorted(set(ids))
    if not doomed:
        return
    keys = _own_keys(conn, doomed)
    referrers = _referrers(conn, doomed)
    for chunk in chunks(doomed):
        stamps = [
            r[0] for r in conn.execute(select(objects.c.date_added).where(objects.c.id.in_(chunk)))
        ]
        collections.forget(conn, stamps)
        conn.execute(delete(objects).where(objects.c.id.in_(chunk)))
        conn.execute(delete(observables).where(observables.c.object_id.in_(chunk)))
        conn.execute(delete(refs).where(refs.c.object_id.in_(chunk)))
    for obs_type, value in keys:
        for chunk in chunks(referrers):
            conn.execute(
                delete(observables).where(
                    observables.c.object_id.in_(chunk),
                    observables.c.via == "ref",
                    observables.c.obs_type == obs_type,
                    observables.c.value == value,
                )
            )


def _own_keys(conn: Connection, ids: list[str]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for chunk in chunks(ids):
        stmt = select(observables.c.obs_type, observables.c.value).where(
            observables.c.object_id.in_(chunk), observables.c.via == "sco"
        )
        found.update((r.obs_type, r.value) for r in conn.execute(stmt))
    return found


def _referrers(conn: Connection, ids: list[str]) -> list[str]:
    found: set[str] = set()
    for chunk in chunks(ids):
        stmt = select(refs.c.object_id).where(refs.c.target_id.in_(chunk))
        found.update(r.object_id for r in conn.execute(stmt))
    return sorted(found)
