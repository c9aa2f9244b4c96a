"""Lean routes: documented by FastAPI like any route, served without its per-request work.

A check is a few tens of microseconds of reading; FastAPI's dependency solving, parameter
validation and the hop to a worker thread cost several times that per request. A route
made with `lean(resolve)` keeps its endpoint, signature and OpenAPI document, but
requests go to `resolve(request)`, which calls the dependencies and the endpoint itself
in the order FastAPI would: the route's dependencies, then the endpoint's, then the
query parameters (`query_of`, failing exactly as FastAPI does), then the endpoint.
`tests/api/test_lean.py` checks each lean route against the same endpoint served by
FastAPI.

`read(engine, function, …)` runs a read on the event loop when the database is SQLite
(a file on this machine: a read is shorter than a thread hop, and threads contend for the
GIL under load) and in a worker thread otherwise (a server answers over the network).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

Resolve = Callable[[Request], Coroutine[Any, Any, Response]]
Model = TypeVar("Model", bound=BaseModel)
P = ParamSpec("P")
T = TypeVar("T")


def lean(resolve: Resolve) -> type[APIRoute]:
    """A route class whose requests `resolve` answers (for `route_class_override`)."""

    class LeanRoute(APIRoute):
        def get_route_handler(self) -> Resolve:
            return resolve

    return LeanRoute


def add_lean_get(
    router: APIRouter, path: str, endpoint: Callable[..., Any], guard: Callable[..., Any],
    resolve: Resolve,
) -> None:  # fmt: skip
    """`GET path` on `router`: documented as `endpoint` behind the dependency `guard`,
    answered by `resolve` (which must call `guard` first, as FastAPI would)."""
    router.add_api_route(
        path, endpoint, methods=["GET"], dependencies=[Depends(guard)],
        response_model=dict[str, Any], route_class_override=lean(resolve),
    )  # fmt: skip


def query_of(model: type[Model], request: Request) -> Model:
    """The request's query parameters as `model` validates them. As FastAPI reads a query
    model: the last value of a repeated name, names the model lacks ignored; a problem
    raises `RequestValidationError` located at `("query", name)`, in field order."""
    params = request.query_params
    given = {name: params[name] for name in model.model_fields if name in params}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        problems = [{**p, "loc": ("query", *p["loc"])} for p in exc.errors(include_url=False)]
        raise RequestValidationError(problems) from None


async def read(engine: Engine, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`function(*args, **kwargs)`: here on SQLite, in a worker thread otherwise."""
    if engine.dialect.name == "sqlite":
        return function(*args, **kwargs)
    return await run_in_threadpool(function, *args, **kwargs)
