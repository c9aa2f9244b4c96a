"""The public API, no login: `GET /public/v1/check` and `POST /public/v1/disputes`.

Each client address has a token bucket (`KAWAN_PUBLIC_RATE`, the limiter of
`kawan.api.ratelimit`) and a daily quota (`KAWAN_PUBLIC_DAILY_QUOTA`); a refusal is a
429 whose message and `Retry-After` say when to come back. The page at `/check`
(`kawan.web.pages`) goes through the same guard.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from kawan.api.auth import client_address
from kawan.api.lean import add_lean_get, query_of, read
from kawan.api.ratelimit import Limiter
from kawan.config import Settings, parse_rate
from kawan.fraud.disputes import file_dispute
from kawan.fraud.public_check import public_check
from kawan.fraud.quota import DailyQuota
from kawan.node import Node
from kawan.sharing.policy import World
from kawan.sharing.reads import WorldCache
from kawan.stix.timestamps import now_us
from kawan.web.i18n import choose
from kawan.web.present import present

CHECK, DISPUTE = "public-check", "public-dispute"
DISPUTE_RATE = (5, 3600)
WORLD_TTL = 5.0  # seconds a read of the policy's world serves public checks

router = APIRouter(prefix="/public/v1", tags=["public"])


@dataclass
class PublicLimits:
    limiter: Limiter
    quota: DailyQuota

    @classmethod
    def from_settings(cls, settings: Settings) -> PublicLimits:
        rate = parse_rate(settings.public_rate, field="KAWAN_PUBLIC_RATE")
        limiter = Limiter({CHECK: rate, DISPUTE: DISPUTE_RATE})
        return cls(limiter, DailyQuota(settings.public_daily_quota))


_CREATE = threading.Lock()


def public_limits(app: FastAPI) -> PublicLimits:
    """The app's public limits, made on first use (tests set `app.state.public_limits`
    beforehand, with fake clocks)."""
    with _CREATE:
        found: PublicLimits | None = getattr(app.state, "public_limits", None)
        if found is None:
            found = PublicLimits.from_settings(app.state.node.settings)
            app.state.public_limits = found
        return found


def guard(request: Request, kind: str = CHECK) -> None:
    """Count one public request by its client address; `RateLimited` when over."""
    limits = public_limits(request.app)
    address = f"addr:{client_address(request)}"
    limits.limiter.hit(kind, address)
    if kind == CHECK:
        limits.quota.hit(address)


def public_world(request: Request) -> World:
    """The policy's world (home, groups, public-count consent) for public checks, read
    again at most every `WORLD_TTL` seconds: a change of consent reaches the public check
    within that time."""
    with _CREATE:
        found: WorldCache | None = getattr(request.app.state, "public_worlds", None)
        if found is None:
            found = WorldCache(WORLD_TTL)
            request.app.state.public_worlds = found
    return found.get(_node(request).engine)


async def _guard_check(request: Request) -> None:
    """`guard`, on the event loop (the limiter and the quota are in memory)."""
    guard(request)


def _guard_dispute(request: Request) -> None:
    guard(request, DISPUTE)


def _json(body: dict[str, Any]) -> Response:
    """The answer as JSON, serialised once (not validated again by FastAPI)."""
    return Response(orjson.dumps(body), media_type="application/json")


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


class CheckQuery(BaseModel):
    value: str = Field(min_length=1, max_length=300, description="phone, account, URL … any way")
    type: str | None = Field(default=None, description="kind: phone, bank-account, url …")
    country: str | None = Field(
        default=None, min_length=2, max_length=2, description="default dialling country"
    )
    lang: str | None = Field(default=None, max_length=16, description="en, vi, th, id, ms")


async def check(request: Request, query: Annotated[CheckQuery, Query()]) -> Response:
    """Is this identifier reported as a scam? A graded verdict, counts only, with advice."""
    return await read(_node(request).engine, _answer, request, query)


def _answer(request: Request, query: CheckQuery) -> Response:
    node = _node(request)
    answer = public_check(
        node.engine, query.value, kind=query.type, country=query.country,
        threshold=node.settings.threshold, world=public_world(request),
    )  # fmt: skip
    language = choose(query.lang, request.headers.get("accept-language"))
    return _json({**answer.as_dict(), "language": language, **present(answer, language).as_dict()})


async def _lean_check(request: Request) -> Response:
    """`check` as FastAPI would call it (`kawan.api.lean`)."""
    await _guard_check(request)
    return await check(request, query_of(CheckQuery, request))


add_lean_get(router, "/check", check, _guard_check, _lean_check)


class DisputeRequest(BaseModel):
    value: str = Field(min_length=1, max_length=300, description="the identifier disputed")
    type: str | None = Field(default=None, description="its kind, guessed when left out")
    country: str | None = Field(default=None, min_length=2, max_length=2)
    explanation: str = Field(min_length=1, max_length=2000, description="why it is wrong")
    contact: str = Field(min_length=1, max_length=300, description="how to reach you")


@router.post("/disputes", status_code=201, dependencies=[Depends(_guard_dispute)])
def dispute(request: Request, body: DisputeRequest) -> JSONResponse:
    """File a dispute: the reports on this identifier are wrong. An officer reviews it."""
    node = _node(request)
    found = file_dispute(
        node.engine,
        body.value,
        kind=body.type,
        country=body.country,
        explanation=body.explanation,
        contact=body.contact,
        home=node.require_home().id,
        now_us=now_us(),
    )
    return JSONResponse({"dispute_id": found, "status": "open"}, status_code=201)
