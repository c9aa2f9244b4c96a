"""The lean check routes answer exactly what FastAPI answers when it serves the same
endpoints itself: same status, body and headers, for any query, token and limit."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kawan.accounts import service
from kawan.api import errors as api_errors
from kawan.api import identifiers, public
from kawan.api.public import CHECK, DISPUTE, PublicLimits
from kawan.api.ratelimit import Limiter
from kawan.app import create_app
from kawan.config import RATE_KINDS, Settings
from kawan.demo import build_demo
from kawan.fraud.quota import DailyQuota
from kawan.node import Node
from kawan.store.engine import reading
from kawan.store.schema import observables

PLENTY = (10**9, 1)


def served_by_fastapi(router: APIRouter) -> APIRouter:
    """The router's routes as plain `APIRoute`s: FastAPI resolves their dependencies and
    validates their parameters itself."""
    plain = APIRouter()
    for route in router.routes:
        assert isinstance(route, APIRoute)
        plain.add_api_route(
            route.path,
            route.endpoint,
            methods=sorted(route.methods),
            dependencies=list(route.dependencies),
            response_model=route.response_model,
            status_code=route.status_code,
            route_class_override=APIRoute,
        )
    return plain


def unlimited(app: FastAPI) -> FastAPI:
    app.state.public_limits = PublicLimits(
        Limiter({CHECK: PLENTY, DISPUTE: PLENTY}), DailyQuota(10**9)
    )
    app.state.limiter = Limiter(dict.fromkeys(RATE_KINDS, PLENTY))
    return app


def reference_app(node: Node) -> FastAPI:
    app = FastAPI()
    api_errors.install(app)
    app.state.node = node
    app.include_router(served_by_fastapi(identifiers.router), prefix="/api/v1")
    app.include_router(served_by_fastapi(public.router))
    return app


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    home = tmp_path_factory.mktemp("lean")
    node = Node(Settings(home=home, database_url=f"sqlite:///{home / 'kawan.db'}"))
    build_demo(node, seed=5, indicators=10, reports=10)
    service.add_user(node.engine, "analyst", "analyst")
    token = service.create_token(node.engine, user="analyst")[1]
    with reading(node.engine) as conn:
        values = sorted(set(conn.execute(select(observables.c.value).limit(40)).scalars()))
    with (
        TestClient(unlimited(create_app(node.settings, node))) as lean,
        TestClient(unlimited(reference_app(node))) as plain,
    ):
        yield {"lean": lean, "plain": plain, "token": token, "values": values}
    node.engine.dispose()


def _same(lean: TestClient, plain: TestClient, url: str, headers: dict[str, str]) -> None:
    got, expected = lean.get(url, headers=headers), plain.get(url, headers=headers)
    assert (got.status_code, got.json()) == (expected.status_code, expected.json()), url
    for name in ("retry-after", "www-authenticate", "content-type"):
        assert got.headers.get(name) == expected.headers.get(name), (url, name)


WORDS = [
    "", "VN", "vn", "V", "VNM", "TH", "phone", "url", "domain", "bogus", "en", "vi", "th-TH",
    "0912 345 678", "DEMOBANK", "hello world", "x" * 17, "9" * 301, "9" * 2001,
]  # fmt: skip
NAMES = ["value", "type", "country", "lang", "other"]


def queries(values: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    text = st.one_of(st.sampled_from(WORDS + values), st.text(max_size=8))
    return st.lists(st.tuples(st.sampled_from(NAMES), text), max_size=5)


def _authorizations(token: str) -> list[str | None]:
    basic = base64.b64encode(f"any:{token}".encode()).decode()
    return [None, f"Bearer {token}", f"Basic {basic}", "Bearer kawan_nope_nope", "Token x"]


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_public_check_answers_as_fastapi_would(
    scene: dict[str, object], data: st.DataObject
) -> None:
    pairs = data.draw(queries(scene["values"]))  # type: ignore[arg-type]
    language = data.draw(st.sampled_from(["", "th-TH,th;q=0.9", "vi", "fr, id;q=0.5"]))
    headers = {"Accept-Language": language} if language else {}
    _same(scene["lean"], scene["plain"], f"/public/v1/check?{urlencode(pairs)}", headers)  # type: ignore[arg-type]


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_officer_check_answers_as_fastapi_would(
    scene: dict[str, object], data: st.DataObject
) -> None:
    pairs = data.draw(queries(scene["values"]))  # type: ignore[arg-type]
    authorization = data.draw(st.sampled_from(_authorizations(scene["token"])))  # type: ignore[arg-type]
    headers = {"Authorization": authorization} if authorization else {}
    _same(scene["lean"], scene["plain"], f"/api/v1/check?{urlencode(pairs)}", headers)  # type: ignore[arg-type]


def test_a_refused_request_is_refused_before_its_query_is_read(tmp_path: object) -> None:
    """The limits and the token come first, as FastAPI solves dependencies first."""
    home = tmp_path
    node = Node(Settings(home=home, database_url=f"sqlite:///{home}/kawan.db"))  # type: ignore[arg-type]
    node.init("Test CERT", "VN")
    service.add_user(node.engine, "analyst", "analyst")
    bearer = {"Authorization": "Bearer " + service.create_token(node.engine, user="analyst")[1]}
    for app in (create_app(node.settings, node), reference_app(node)):
        app.state.public_limits = PublicLimits(Limiter({CHECK: (1, 3600)}), DailyQuota(10))
        app.state.limiter = Limiter(dict.fromkeys(RATE_KINDS, (1, 3600)))
        with TestClient(app) as client:
            assert client.get("/public/v1/check").status_code == 422
            assert client.get("/public/v1/check").status_code == 429
            assert client.get("/api/v1/check", params={"value": "x" * 2001}).status_code == 401
            assert client.get("/api/v1/check", headers=bearer).status_code == 429
    node.engine.dispose()
