"""/api/v1/check, /api/v1/search (the observable index) and /api/v1/extract."""

from __future__ import annotations

import threading
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from pydantic import BaseModel, Field

from kawan.accounts.records import Principal
from kawan.api.auth import principal, require, require_in_loop
from kawan.api.lean import add_lean_get, query_of, read
from kawan.api.ratelimit import rate_limited
from kawan.fraud.check import run_check, search_values
from kawan.ingest.extract import extract as extract_text
from kawan.node import Node
from kawan.sharing.reads import Access, WorldCache
from kawan.stix.timestamps import format_us

router = APIRouter(tags=["identifiers"])
Reader = Annotated[Principal, Depends(require("read"))]
Checker = Annotated[Principal, Depends(require_in_loop("read"))]


def _json(body: dict[str, Any]) -> Response:
    """The answer as JSON, serialised once (not validated again by FastAPI)."""
    return Response(orjson.dumps(body), media_type="application/json")


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


_CREATE = threading.Lock()


def app_worlds(app: FastAPI) -> WorldCache:
    """The app's cache of the policy's world (group membership, public-count consent),
    read again every `WorldCache.ttl` seconds; made on first use (tests may set
    `app.state.worlds` beforehand)."""
    with _CREATE:
        found: WorldCache | None = getattr(app.state, "worlds", None)
        if found is None:
            found = WorldCache()
            app.state.worlds = found
        return found


class CheckQuery(BaseModel):
    value: str = Field(min_length=1, max_length=2000, description="the identifier, written any way")
    type: str | None = Field(default=None, description="kind: phone, url, domain, …")
    country: str | None = Field(
        default=None, min_length=2, max_length=2, description="default dialling country"
    )


async def check(
    request: Request, caller: Checker, query: Annotated[CheckQuery, Query()]
) -> Response:
    """Every object that mentions the identifier, and the identifiers linked to it."""
    return await read(_node(request).engine, _answer, request, caller, query)


def _answer(request: Request, caller: Principal, query: CheckQuery) -> Response:
    engine = _node(request).engine
    # the world is read first: a check then holds one connection at a time
    access = Access(engine, caller.viewer, app_worlds(request.app).get(engine))
    found = run_check(engine, query.value, kind=query.type, country=query.country, access=access)
    return _json(found.as_dict())


_count_check = rate_limited("check")
_may_read = require_in_loop("read")


async def _lean_check(request: Request) -> Response:
    """`check` as FastAPI would call it (`kawan.api.lean`)."""
    await _count_check(request)
    caller = await _may_read(request, await principal(request))
    return await check(request, caller, query_of(CheckQuery, request))


add_lean_get(router, "/check", check, _count_check, _lean_check)


@router.get("/search", dependencies=[Depends(rate_limited("search"))])
def search(
    request: Request,
    caller: Reader,
    value: Annotated[
        str,
        Query(min_length=1, max_length=2000, description="identifier values starting with this"),
    ],
    type: Annotated[str | None, Query(description="STIX observable type")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    """Search the observable index by value prefix."""
    engine = _node(request).engine
    rows = search_values(engine, value, type, limit, visible=Access(engine, caller.viewer).rows)
    return {
        "results": [
            {
                "type": r.obs_type,
                "value": r.value,
                "object_id": r.object_id,
                "object_type": r.object_type,
                "creator": r.creator,
                "marking": r.marking.label,
                "via": r.via,
                "first_seen": format_us(r.first_seen),
            }
            for r in rows
        ]
    }


class ExtractRequest(BaseModel):
    text: str = Field(max_length=100_000, description="an SMS, chat message or e-mail")
    country: str | None = Field(
        default=None, min_length=2, max_length=2, description="default dialling country, e.g. TH"
    )


@router.post("/extract", dependencies=[Depends(rate_limited("extract"))])
def extract(caller: Reader, body: ExtractRequest) -> dict[str, Any]:
    """Every identifier in the text: typed, normalised, with its position."""
    found = extract_text(body.text, country=body.country)
    return {
        "identifiers": [
            {
                "kind": f.identifier.kind,
                "type": f.identifier.stix_type,
                "value": f.identifier.value,
                "start": f.start,
                "end": f.end,
                "raw": f.raw,
                "defanged": f.defanged,
            }
            for f in found
        ]
    }
