"""/api/v1/objects: list (filters, keyset pagination), get, versions."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request

from kawan.errors import InvalidInput, NotFound
from kawan.node import Node
from kawan.stix.timestamps import format_us, parse_datetime_arg
from kawan.store import objects as repo
from kawan.store.engine import reading
from kawan.store.records import StoredVersion

router = APIRouter(tags=["objects"])
MAX_LIMIT = 1000


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def envelope(v: StoredVersion) -> dict[str, Any]:
    """One object version with what the node knows about it."""
    return {
        "object": orjson.loads(v.json),
        "date_added": format_us(v.date_added),
        "origin": v.origin,
        "creator": v.creator,
        "marking": v.marking.label,
        "groups": list(v.marking.groups),
        "latest": v.is_latest,
    }


def _cursor(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit():
        raise InvalidInput("not a cursor from a previous page's 'next'", field="after")
    return int(text)


@router.get("/objects")
def list_objects(
    request: Request,
    type: Annotated[list[str] | None, Query(description="STIX type; repeat for OR")] = None,
    creator: Annotated[str | None, Query(description="creating agency identity id")] = None,
    since: Annotated[str | None, Query(description="added after, e.g. 2026-11-01")] = None,
    text: Annotated[str | None, Query(description="words in name/value/pattern")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    after: Annotated[str | None, Query(description="cursor: a previous page's next")] = None,
) -> dict[str, Any]:
    """Latest versions of objects, oldest first, in pages; `next` is the following page."""
    since_us = parse_datetime_arg(since, field="since") if since else None
    query = repo.Query(
        types=tuple(type or ()),
        creator=creator,
        since=since_us,
        text=text,
        after=_cursor(after),
        limit=limit + 1,
    )
    with reading(_node(request).engine) as conn:
        found = repo.select_versions(conn, query)
    page = found[:limit]
    more = len(found) > limit
    return {
        "objects": [envelope(v) for v in page],
        "next": str(page[-1].date_added) if more and page else None,
    }


@router.get("/objects/{object_id}")
def get_object(request: Request, object_id: str) -> dict[str, Any]:
    """The latest version of one object."""
    with reading(_node(request).engine) as conn:
        found = repo.latest_of(conn, [object_id]).get(object_id)
    if found is None:
        raise NotFound(f"no object {object_id} on this node", object_id=object_id)
    return envelope(found)


@router.get("/objects/{object_id}/versions")
def get_versions(request: Request, object_id: str) -> dict[str, Any]:
    """Every version of one object, oldest first."""
    with reading(_node(request).engine) as conn:
        found = repo.versions(conn, object_id)
    if not found:
        raise NotFound(f"no object {object_id} on this node", object_id=object_id)
    return {"versions": [envelope(v) for v in found]}
