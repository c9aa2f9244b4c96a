"""Home users writing: objects posted, new versions, revocation, new markings, deletion.

A home user may bring in any valid object; a *new version* of an object the node already
holds may come only from that object's creator, and here that means the home agency.
Each write is recorded in the audit trail in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection

from kawan.audit.trail import Who, record_as
from kawan.errors import InvalidInput, KawanError, NotFound, PermissionDenied
from kawan.ingest.prepare import Receipt, prepare
from kawan.node import Node
from kawan.sharing import groups as sharing_groups
from kawan.sharing.policy import Viewer
from kawan.sharing.reads import Access
from kawan.stix import edits
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import format_us, now_us
from kawan.store import objects as repo
from kawan.store import versions as stored_versions
from kawan.store.engine import writing
from kawan.store.records import Incoming, StoredVersion


@dataclass(frozen=True)
class Writer:
    """Who writes: a home user (their id brings RED objects in), and for the audit."""

    user_id: str
    role: str
    who: Who


@dataclass(frozen=True)
class Outcome:
    """What happened to one posted object (TAXII's status details, for the REST API)."""

    id: str | None
    outcome: str  # added | unchanged | rejected
    version: str | None = None
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}


def post_objects(node: Node, objects: list[Any], writer: Writer, recorded: Tlp) -> list[Outcome]:
    """Validate and store each object; bad ones are rejected with a reason, never
    blocking the good ones."""
    home = node.require_home().id
    receipt = node.receipt(home, recorded, brought_by=writer.user_id)
    ready: list[tuple[int, Incoming]] = []
    outcomes: list[Outcome | None] = []
    for n, obj in enumerate(objects):
        try:
            ready.append((n, prepare(obj, receipt)))
            outcomes.append(None)
        except InvalidInput as exc:
            outcomes.append(Outcome(_id(obj), "rejected", message=exc.describe_without_id()))
    with writing(node.engine) as conn:
        allowed = _creator_rule(conn, ready, home)
        results = repo.put_batch(conn, [incoming for _, incoming in allowed])
        for (n, incoming), result in zip(allowed, results, strict=True):
            outcomes[n] = Outcome(
                result.id, result.outcome, _version(incoming, result.date_added), result.reason
            )
        for n, incoming in ready:
            if outcomes[n] is None:
                outcomes[n] = Outcome(
                    incoming.meta.id,
                    "rejected",
                    message=("only its creator may make a new version of an object the node holds"),
                )
        record_as(
            conn, writer.who, "objects.post", f"{len(objects)} objects", detail=_counts(outcomes)
        )
    return [o for o in outcomes if o is not None]


def _creator_rule(
    conn: Connection, ready: list[tuple[int, Incoming]], home: str
) -> list[tuple[int, Incoming]]:
    """The items the home agency may store: new objects, or new versions of objects it
    created."""
    held = stored_versions.latest_of(conn, {i.meta.id for _, i in ready})
    return [(n, i) for n, i in ready if i.meta.id not in held or held[i.meta.id].creator == home]


def _version(incoming: Incoming, date_added: int | None) -> str | None:
    if incoming.meta.modified_text and not incoming.meta.is_sco:
        return incoming.meta.modified_text
    return None if date_added is None else format_us(date_added)


def _counts(outcomes: list[Outcome | None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in outcomes:
        if o is not None:
            counts[o.outcome] = counts.get(o.outcome, 0) + 1
    return counts


def _id(obj: object) -> str | None:
    return (
        str(obj["id"])[:300] if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None
    )


# ---- changes to one of the home agency's own objects ----------------------------------


def revoke(node: Node, object_id: str, writer: Writer) -> StoredVersion:
    """A new version with `revoked: true` (SDOs and SROs)."""
    return _change(
        node, object_id, writer, "object.revoke", lambda obj: edits.revoked(obj, now_us())
    )


def remark(
    node: Node, object_id: str, tlp: Tlp, groups: list[str], writer: Writer
) -> StoredVersion:
    """A new version carrying TLP `tlp` and naming `groups` (names or ids)."""
    markings = [sharing_groups.find_group(node.engine, g).marking_id for g in groups]
    return _change(
        node,
        object_id,
        writer,
        "object.marking",
        lambda obj: edits.remarked(obj, tlp, markings, now_us()),
    )


def delete(node: Node, object_id: str, writer: Writer, reason: str = "") -> StoredVersion:
    """Delete every version; the tombstone left behind travels to partners."""
    home = node.require_home().id
    return _change(
        node,
        object_id,
        writer,
        "object.delete",
        lambda obj: edits.tombstone(obj, home, now_us(), reason),
    )


def _change(
    node: Node,
    object_id: str,
    writer: Writer,
    action: str,
    make: Callable[[dict[str, Any]], dict[str, Any]],
) -> StoredVersion:
    home = node.require_home().id
    current = Access(node.engine, Viewer.home_user(writer.user_id, writer.role)).latest(object_id)
    if current is None:
        raise NotFound(f"no object {object_id} on this node", object_id=object_id)
    if current.creator != home:
        raise PermissionDenied(
            f"{object_id} was created by {current.creator}; only its creator may change it",
            object_id=object_id,
        )
    new = make(orjson.loads(current.json))
    receipt = node.receipt(
        home,
        current.recorded,
        brought_by=current.brought_by or writer.user_id,
        readers=current.readers,
    )
    return _store_one(node, new, receipt, writer, action, object_id)


def _store_one(
    node: Node, obj: dict[str, Any], receipt: Receipt, writer: Writer, action: str, target: str
) -> StoredVersion:
    incoming = prepare(obj, receipt)
    with writing(node.engine) as conn:
        result = repo.put_batch(conn, [incoming])[0]
        if result.outcome == "rejected" or result.date_added is None:
            raise KawanError(result.reason or "not stored", object_id=target)
        record_as(conn, writer.who, action, target, detail={"new": obj["id"]})
        stored = stored_versions.versions_at(conn, [result.date_added])[result.date_added]
    return stored
