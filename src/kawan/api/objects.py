"""/api/v1/objects: list, get, versions (through the policy), and the home agency's
writes: post a bundle, revoke, re-mark, delete (which leaves a tombstone)."""

from __future__ import annotations

import io
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from kawan.accounts.records import Principal
from kawan.api.auth import require, who
from kawan.audit.trail import record_as
from kawan.errors import InvalidInput, NotFound
from kawan.ingest import writes
from kawan.node import Node
from kawan.sharing.reads import Access
from kawan.stix.bundle import write_bundle
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import format_us, parse_datetime_arg
from kawan.store import versions as stored_versions
from kawan.store.records import StoredVersion

router = APIRouter(tags=["objects"])
MAX_LIMIT = 1000
Reader = Annotated[Principal, Depends(require("read"))]
Author = Annotated[Principal, Depends(require("write_objects"))]


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


class Envelope(BaseModel):
    object: dict[str, Any]
    date_added: str
    origin: str
    creator: str
    marking: str
    groups: list[str]
    latest: bool


class Page(BaseModel):
    objects: list[Envelope]
    next: str | None = Field(description="the cursor of the next page, or null at the end")


class Versions(BaseModel):
    versions: list[Envelope]


def _cursor(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit():
        raise InvalidInput("not a cursor from a previous page's 'next'", field="after")
    return int(text)


def _access(request: Request, caller: Principal) -> Access:
    return Access(_node(request).engine, caller.viewer)


def _audit_sensitive(request: Request, caller: Principal, found: list[StoredVersion]) -> None:
    """Reads of AMBER+STRICT and RED versions go into the audit trail."""
    sensitive = [v for v in found if v.marking.tlp >= Tlp.AMBER_STRICT]
    if sensitive:
        record_as(
            _node(request).engine,
            who(caller, request),
            "object.read",
            sensitive[0].id,
            detail={"markings": sorted({v.marking.label for v in sensitive})},
        )


@router.get("/objects", response_model=Page)
def list_objects(
    request: Request,
    caller: Reader,
    type: Annotated[list[str] | None, Query(description="STIX type; repeat for OR")] = None,
    creator: Annotated[str | None, Query(description="creating agency identity id")] = None,
    since: Annotated[str | None, Query(description="added after, e.g. 2026-11-01")] = None,
    text: Annotated[str | None, Query(description="words in name/value/pattern")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    after: Annotated[str | None, Query(description="cursor: a previous page's next")] = None,
) -> dict[str, Any]:
    """Objects at the latest version the caller may see, oldest first, in pages."""
    since_us = parse_datetime_arg(since, field="since") if since else None
    query = stored_versions.Query(
        types=tuple(type or ()), creator=creator, since=since_us, text=text, after=_cursor(after)
    )
    page, cursor = _access(request, caller).page(query, limit)
    _audit_sensitive(request, caller, page)
    return {"objects": [envelope(v) for v in page], "next": None if cursor is None else str(cursor)}


@router.get("/objects/{object_id}", response_model=Envelope)
def get_object(request: Request, caller: Reader, object_id: str) -> dict[str, Any]:
    """The latest version of one object the caller may see."""
    found = _access(request, caller).latest(object_id)
    if found is None:
        raise NotFound(f"no object {object_id} on this node", object_id=object_id)
    _audit_sensitive(request, caller, [found])
    return envelope(found)


@router.get("/objects/{object_id}/versions", response_model=Versions)
def get_versions(request: Request, caller: Reader, object_id: str) -> dict[str, Any]:
    """Every version of one object the caller may see, oldest first."""
    found = _access(request, caller).versions(object_id)
    if not found:
        raise NotFound(f"no object {object_id} on this node", object_id=object_id)
    _audit_sensitive(request, caller, found)
    return {"versions": [envelope(v) for v in found]}


# ---- writing ------------------------------------------------------------------------


class PostStatus(BaseModel):
    total_count: int
    success_count: int
    failure_count: int
    successes: list[dict[str, Any]]
    failures: list[dict[str, Any]]


class MarkingChange(BaseModel):
    tlp: str = Field(examples=["amber"], description="clear, green, amber, amber+strict, red")
    groups: list[str] = Field(default_factory=list, description="group names or ids (AMBER)")


class Deletion(BaseModel):
    reason: str = Field(default="", max_length=2000)


def _writer(request: Request, caller: Principal) -> writes.Writer:
    if caller.viewer.user_id is None or caller.role is None:
        raise InvalidInput("only home users write here; partners use TAXII", field="token")
    return writes.Writer(caller.viewer.user_id, caller.role, who(caller, request))


def _objects_of(body: Any) -> list[Any]:
    if isinstance(body, dict) and isinstance(body.get("objects"), list):
        return list(body["objects"])
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and "type" in body:
        return [body]
    raise InvalidInput("send a STIX bundle, a TAXII envelope, an array or one object", field="body")


@router.post("/objects", response_model=PostStatus)
def post_objects(
    request: Request,
    caller: Author,
    body: Annotated[dict[str, Any] | list[Any], "a STIX bundle or TAXII envelope"],
    marking: Annotated[
        str | None,
        Query(description="TLP recorded for unmarked objects (default KAWAN_DEFAULT_MARKING)"),
    ] = None,
) -> dict[str, Any]:
    """Store a bundle; each object is added, unchanged or rejected with a reason."""
    node = _node(request)
    recorded = Tlp.parse(marking or node.settings.default_marking)
    outcomes = writes.post_objects(node, _objects_of(body), _writer(request, caller), recorded)
    good = [o.as_dict() for o in outcomes if o.outcome != "rejected"]
    bad = [o.as_dict() for o in outcomes if o.outcome == "rejected"]
    return {
        "total_count": len(outcomes),
        "success_count": len(good),
        "failure_count": len(bad),
        "successes": good,
        "failures": bad,
    }


@router.post("/objects/{object_id}/revoke", response_model=Envelope)
def revoke(request: Request, caller: Author, object_id: str) -> dict[str, Any]:
    """Revoke one of the home agency's objects: a new version with revoked true."""
    return envelope(writes.revoke(_node(request), object_id, _writer(request, caller)))


@router.put("/objects/{object_id}/marking", response_model=Envelope)
def remark(request: Request, caller: Author, object_id: str, body: MarkingChange) -> dict[str, Any]:
    """Set the marking (and groups) of one of the home agency's objects: a new version."""
    return envelope(
        writes.remark(
            _node(request), object_id, Tlp.parse(body.tlp), body.groups, _writer(request, caller)
        )
    )


@router.delete("/objects/{object_id}", response_model=Envelope)
def delete(
    request: Request, caller: Author, object_id: str, body: Deletion | None = None
) -> dict[str, Any]:
    """Delete one of the home agency's objects; answers with the tombstone left behind."""
    reason = body.reason if body else ""
    return envelope(writes.delete(_node(request), object_id, _writer(request, caller), reason))


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "content": {"application/stix+json;version=2.1": {}},
            "description": "a STIX 2.1 bundle",
        }
    },
)
def export(request: Request, caller: Reader) -> Response:
    """A STIX 2.1 bundle of every object at the latest version the caller may see."""
    access = _access(request, caller)
    out = io.BytesIO()
    write_bundle(out, (v.json for v in access.iterate(stored_versions.Query())))
    return Response(out.getvalue(), media_type="application/stix+json;version=2.1")
