"""/api/v1/check, /api/v1/search (the observable index) and /api/v1/extract."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from kawan.accounts.records import Principal
from kawan.api.auth import require
from kawan.api.ratelimit import rate_limited
from kawan.fraud.check import run_check, search_values
from kawan.ingest.extract import extract as extract_text
from kawan.node import Node
from kawan.sharing.reads import Access
from kawan.stix.timestamps import format_us

router = APIRouter(tags=["identifiers"])
Reader = Annotated[Principal, Depends(require("read"))]


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


@router.get("/check", dependencies=[Depends(rate_limited("check"))])
def check(
    request: Request,
    caller: Reader,
    value: Annotated[
        str, Query(min_length=1, max_length=2000, description="the identifier, written any way")
    ],
    type: Annotated[str | None, Query(description="kind: phone, url, domain, …")] = None,
    country: Annotated[
        str | None, Query(min_length=2, max_length=2, description="default dialling country")
    ] = None,
) -> dict[str, Any]:
    """Every object that mentions the identifier, and the identifiers linked to it."""
    engine = _node(request).engine
    visible = Access(engine, caller.viewer).rows
    return run_check(engine, value, kind=type, country=country, visible=visible).as_dict()


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
