"""Fraud reports, the victim's data on request, the bulk check and the disputes queue.

    POST   /api/v1/reports                    file a report (write_objects)
    GET    /api/v1/reports/{id}/victim        export the victim's data (manage_cases)
    DELETE /api/v1/reports/{id}/victim        delete it on request (manage_cases)
    POST   /api/v1/check/bulk                 CSV in, CSV out (read; the caller's view)
    GET    /api/v1/disputes                   the public's disputes, for review

When the app starts (`kawan serve`), victims' data older than the retention period is
purged (`kawan.fraud.reporting.purge`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from kawan.accounts.records import Principal
from kawan.api.auth import require, who
from kawan.audit.trail import Who
from kawan.errors import InvalidInput
from kawan.fraud.bulk import run_bulk
from kawan.fraud.citing import gather
from kawan.fraud.disputes import review_queue
from kawan.fraud.reporting import delete_victim, export_victim, file_report, purge
from kawan.fraud.reports import Victim, draft
from kawan.node import Node
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import now_us

MAX_BULK_BYTES = 64 * 1024 * 1024


@asynccontextmanager
async def _purge_on_start(app: FastAPI) -> AsyncIterator[None]:
    node: Node = app.state.node
    days = node.settings.victim_retention_days
    await run_in_threadpool(
        lambda: purge(node.engine, retention_days=days, now_us=now_us(), who=Who("node:start"))
    )
    yield


router = APIRouter(tags=["fraud"], lifespan=_purge_on_start)


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


class VictimIn(BaseModel):
    name: str = Field(default="", max_length=300)
    contact: str = Field(default="", max_length=300)
    statement: str = Field(default="", max_length=20_000, description="their account")


class ReportIn(BaseModel):
    category: str = Field(description="investment-scam, romance-scam, phishing, …")
    channel: str = Field(max_length=200, description="phone call, Telegram, website, …")
    date: dt.date = Field(description="when the fraud happened (YYYY-MM-DD)")
    country: str | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="the victim's country (default: the node's)",
    )
    loss: str | None = Field(default=None, max_length=40, description="amount, e.g. 1500000")
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    contacts: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="how the scammer reached the victim; KIND:VALUE",
    )
    payments: list[str] = Field(
        default_factory=list, max_length=50, description="where the money went; KIND:VALUE"
    )
    text: str | None = Field(
        default=None,
        max_length=100_000,
        description="a pasted message: its identifiers are cited too",
    )
    marking: str | None = Field(
        default=None, description="clear, green, amber … (default the node's KAWAN_DEFAULT_MARKING)"
    )
    victim: VictimIn | None = None


@router.post("/reports", status_code=201)
def create_report(
    request: Request,
    body: ReportIn,
    caller: Annotated[Principal, Depends(require("write_objects"))],
) -> JSONResponse:
    """File a fraud report: STIX report, observables and relationships under the
    reporting agency's marking; the victim's data stays on this node."""
    node = _node(request)
    home = node.require_home()
    country = body.country or home.country or ""
    cited = gather(body.contacts, body.payments, body.text, country)
    victim = Victim(**body.victim.model_dump()) if body.victim else None
    found = draft(category=body.category, channel=body.channel, occurred=body.date,
                  country=country, cited=cited, loss=body.loss, currency=body.currency,
                  victim=victim)  # fmt: skip
    filed = file_report(
        node.engine, found, home=home.id, who=who(caller, request), now_us=now_us(),
        marking=Tlp.parse(body.marking or node.settings.default_marking),
        brought_by=caller.viewer.user_id,
    )  # fmt: skip
    return JSONResponse(filed.as_dict(), status_code=201)


@router.get("/reports/{report_id}/victim")
def victim_export(
    request: Request,
    report_id: str,
    caller: Annotated[Principal, Depends(require("manage_cases"))],
) -> dict[str, Any]:
    """The victim's data kept beside one report (audited): for the victim's request."""
    return export_victim(_node(request).engine, report_id, who(caller, request))


@router.delete("/reports/{report_id}/victim", status_code=204)
def victim_delete(
    request: Request,
    report_id: str,
    caller: Annotated[Principal, Depends(require("manage_cases"))],
) -> Response:
    """Delete the victim's data on request (audited); the report itself stays."""
    delete_victim(_node(request).engine, report_id, who(caller, request))
    return Response(status_code=204)


@router.post(
    "/check/bulk",
    response_class=Response,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "one CSV line of answers per line of identifiers",
        }
    },
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def bulk_check(
    request: Request,
    caller: Annotated[Principal, Depends(require("read"))],
) -> Response:
    """CSV in (one identifier per line; optional `value,type,country` header), CSV out:
    reports, countries, categories, first and last seen, loss, allowlist, error."""
    body = await request.body()
    if len(body) > MAX_BULK_BYTES:
        raise InvalidInput(f"at most {MAX_BULK_BYTES // 2**20} MiB per bulk check", field="body")
    text = body.decode("utf-8-sig", "replace")
    engine = _node(request).engine

    def work() -> str:
        sink = io.StringIO()
        run_bulk(engine, io.StringIO(text, newline=""), sink, caller.viewer)
        return sink.getvalue()

    return Response(await run_in_threadpool(work), media_type="text/csv; charset=utf-8")


@router.get("/disputes")
def disputes(
    request: Request,
    _caller: Annotated[Principal, Depends(require("write_objects"))],
    status: Annotated[str | None, Query(description="open, upheld or rejected")] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The public's disputes, oldest first, for an analyst to review."""
    found = review_queue(_node(request).engine, status=status, limit=limit)
    return {"disputes": [d.as_dict() for d in found]}
