"""Add Objects: an envelope in, each object stored (or refused with its reason), the
versions entered into their collections, and a status resource persisted — all in one
transaction, so a status never describes objects that were not committed.

Objects keep their own markings. An unmarked object is recorded TLP:GREEN. A partner's
objects keep the partner as origin; a home user's name that user as who brought them in.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Engine

from kawan.accounts.records import Principal
from kawan.ingest.prepare import Receipt
from kawan.ingest.run import Prepared, Rejection, prepare_batch
from kawan.ingest.stream import Item
from kawan.sharing.groups import accept, carried_markings, list_groups
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import format_us, now_us
from kawan.store import groups as group_table
from kawan.store import objects as repo
from kawan.store import taxii_status as statuses
from kawan.store.engine import reading, writing
from kawan.store.records import Incoming, PutResult
from kawan.store.taxii_status import StatusRow
from kawan.taxii.errors import InvalidEnvelope

RECORDED = Tlp.GREEN  # the marking recorded for unmarked objects posted over TAXII
SOURCE = "taxii"


def parse_envelope(body: bytes) -> list[Any]:
    """The objects of a TAXII envelope; InvalidEnvelope when it is not one (pure)."""
    try:
        envelope = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidEnvelope(f"the body is not JSON: {exc}") from None
    if not isinstance(envelope, dict):
        raise InvalidEnvelope("an envelope is a JSON object with an 'objects' list")
    objects = envelope.get("objects", [])
    if not isinstance(objects, list):
        raise InvalidEnvelope("'objects' must be a list", field="objects")
    for n, obj in enumerate(objects):
        if not isinstance(obj, dict):
            raise InvalidEnvelope(f"objects[{n}] is not a JSON object", field="objects")
    return objects


def receipt_for(engine: Engine, caller: Principal, home: str, objects: list[Any]) -> Receipt:
    """Origin: the partner agency that posts, else the home agency. Group markings and
    statement markings as the node knows them, so AMBER names its groups."""
    origin = caller.viewer.agency_id if caller.is_partner and caller.viewer.agency_id else home
    marks = {
        **carried_markings(objects, origin),
        **{g.marking_id: g.group_id for g in list_groups(engine)},
    }
    refs = {r for o in objects for r in o.get("object_marking_refs") or () if isinstance(r, str)}
    with reading(engine) as conn:
        statements = group_table.statement_markings(conn, refs)
    posted = {o.get("id") for o in objects if o.get("definition_type") == "statement"}
    return Receipt(origin, RECORDED, marks, statements | {p for p in posted if isinstance(p, str)})


def add_objects(engine: Engine, caller: Principal, home: str, objects: list[Any]) -> StatusRow:
    items = [Item(n, obj) for n, obj in enumerate(objects, start=1)]
    prepared = prepare_batch(items, receipt_for(engine, caller, home, objects), SOURCE)
    for _, incoming in prepared.ready:
        if not caller.is_partner:
            incoming.brought_by = caller.viewer.user_id
    request_timestamp = now_us()
    with writing(engine) as conn:
        results = store(conn, [incoming for _, incoming in prepared.ready])
        accept(conn, [i for _, i in prepared.ready])  # sharing-group versions from their owner
        status = _status(caller.actor, request_timestamp, prepared, results)
        statuses.save(conn, status)
    return status


def store(conn: Connection, ready: Sequence[Incoming]) -> list[PutResult]:
    """Store versions; put_batch enters the new ones into their collections."""
    return repo.put_batch(conn, ready)


def _status(owner: str, at: int, prepared: Prepared, results: list[PutResult]) -> StatusRow:
    successes: list[dict[str, Any]] = []
    failures = [_failure(r) for r in prepared.summary.rejected]
    for (_, incoming), result in zip(prepared.ready, results, strict=True):
        detail = _detail(incoming, result)
        if result.outcome == "rejected":
            failures.append({**detail, "message": result.reason or "rejected"})
        else:
            successes.append(detail)
    total = len(successes) + len(failures)
    details = {"successes": successes, "failures": failures, "pendings": []}
    return StatusRow(str(uuid.uuid4()), owner, at, total, len(successes), len(failures), 0, details)


def _detail(incoming: Incoming, result: PutResult) -> dict[str, Any]:
    meta = incoming.meta
    if meta.modified_text and not meta.is_sco:
        version = meta.modified_text
    else:
        version = format_us(result.date_added) if result.date_added else ""
    detail: dict[str, Any] = {"id": meta.id, "version": version}
    if result.outcome == "unchanged":
        detail["message"] = "this version was held already"
    return detail


def _failure(rejection: Rejection) -> dict[str, Any]:
    return {"id": rejection.object_id or "", "version": "", "message": rejection.reason}
