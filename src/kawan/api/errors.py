"""The API's one error shape: `{"error": {"code", "message", "object_id"?, "field"?, …}}`.

Domain errors carry no HTTP status; the mapping lives here and only here.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from kawan.errors import (
    CannotRun,
    Conflict,
    InvalidInput,
    KawanError,
    NotFound,
    PeerError,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
)

STATUS: dict[type[KawanError], int] = {
    InvalidInput: 400,
    Unauthenticated: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    RateLimited: 429,
    PeerError: 502,
    CannotRun: 503,
}


def status_of(exc: KawanError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def install(app: FastAPI) -> None:
    @app.exception_handler(KawanError)
    async def _kawan(_request: Request, exc: KawanError) -> JSONResponse:
        headers = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        if isinstance(exc, Unauthenticated):
            headers["WWW-Authenticate"] = 'Bearer realm="kawan"'
        return JSONResponse({"error": exc.as_dict()}, status_code=status_of(exc), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = exc.errors()
        first = problems[0] if problems else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "body"))
        return JSONResponse(
            body("invalid_input", str(first.get("msg", "invalid request")), field=where or None),
            status_code=422,
        )

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(
            body(code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "machine-readable, e.g. not_found"},
                "message": {"type": "string"},
                "object_id": {"type": "string"},
                "field": {"type": ["string", "null"]},
                "line": {"type": "integer"},
                "details": {"type": "object"},
            },
        }
    },
}
ERROR_STATUSES = {
    "400": "Bad input: names what is wrong and where",
    "401": "No, unknown, revoked or expired token",
    "403": "Authenticated, not allowed",
    "404": "No such resource",
    "409": "Contradicts what is stored",
    "422": "The request does not fit the operation's schema",
    "429": "Too many requests; Retry-After says when to come back",
    "503": "The node cannot work right now",
}


def document_errors(spec: dict[str, Any]) -> dict[str, Any]:
    """Give every operation the one error shape for every error status it may answer."""
    spec.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, text in ERROR_STATUSES.items():
                responses[status] = {"description": text, "content": reference}
    spec["components"]["schemas"].pop("HTTPValidationError", None)
    spec["components"]["schemas"].pop("ValidationError", None)
    return spec


def install_openapi(app: FastAPI) -> None:
    """Serve an OpenAPI document that declares the error responses the app really sends."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
